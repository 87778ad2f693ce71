package knn

import (
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
)

var _ trainers.DataChecker = Family{}

// CheckData refuses an n_neighbors larger than the training fold: there
// would not be that many neighbours to vote.
func (Family) CheckData(param string, value any, trainRows int) error {
	if param != "n_neighbors" {
		return nil
	}
	var k float64
	switch v := value.(type) {
	case int:
		k = float64(v)
	case float64:
		k = v
	default:
		return nil
	}
	if int(k) > trainRows {
		return fmt.Errorf("n_neighbors %v is larger than the %d rows of the smallest training fold", value, trainRows)
	}
	return nil
}
