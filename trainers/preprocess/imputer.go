package preprocess

import (
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trainers"
)

// Imputer fills missing (NaN) cells column by column with a statistic of
// the non-missing training cells: their mean, their median, or their most
// frequent value (the smallest among ties), as scikit-learn's
// SimpleImputer. A column with no value in the training rows is filled
// with 0 (scikit-learn drops such columns unless keep_empty_features is
// set; hpsearch keeps the number of columns fixed).
type Imputer struct {
	strategy string
	fill     []float64
}

var _ Step = (*Imputer)(nil)

// NewImputer returns an unfitted imputer for strategy "mean", "median" or
// "most_frequent".
func NewImputer(strategy string) (*Imputer, error) {
	switch strategy {
	case Mean, Median, MostFrequent:
		return &Imputer{strategy: strategy}, nil
	}
	return nil, badInput(ErrUnknownMethod, "impute %q (want %s, %s or %s)", strategy, Mean, Median, MostFrequent)
}

// Fit learns each column's fill value from the rows of X.
func (m *Imputer) Fit(X trainers.Matrix) error {
	if X.Rows == 0 {
		return badInput(ErrEmpty, "imputer")
	}
	m.fill = make([]float64, X.Cols)
	col := make([]float64, 0, X.Rows)
	for j := range X.Cols {
		col = col[:0]
		for i := range X.Rows {
			if v := X.Data[i*X.Cols+j]; !math.IsNaN(v) {
				col = append(col, v)
			}
		}
		if len(col) > 0 {
			m.fill[j] = statistic(m.strategy, col)
		}
	}
	return nil
}

// statistic computes the strategy's value of col, which it may reorder.
func statistic(strategy string, col []float64) float64 {
	switch strategy {
	case Mean:
		var s float64
		for _, v := range col {
			s += v
		}
		return s / float64(len(col))
	case Median:
		slices.Sort(col)
		n := len(col)
		if n%2 == 1 {
			return col[n/2]
		}
		return (col[n/2-1] + col[n/2]) / 2
	}
	slices.Sort(col)
	best, bestN := col[0], 0
	for i := 0; i < len(col); {
		j := i
		for j < len(col) && col[j] == col[i] {
			j++
		}
		if j-i > bestN {
			best, bestN = col[i], j-i
		}
		i = j
	}
	return best
}

// Transform returns a copy of X with its NaN cells filled.
func (m *Imputer) Transform(X trainers.Matrix) trainers.Matrix {
	checkFitted("Imputer", m.fill, X)
	out := trainers.Matrix{Rows: X.Rows, Cols: X.Cols, Data: slices.Clone(X.Data)}
	for i, v := range out.Data {
		if math.IsNaN(v) {
			out.Data[i] = m.fill[i%X.Cols]
		}
	}
	return out
}
