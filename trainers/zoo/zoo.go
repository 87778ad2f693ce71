package zoo

import (
	// Families trained on data.
	_ "github.com/hpsearch/hpsearch/trainers/bayes"
	_ "github.com/hpsearch/hpsearch/trainers/boosting"
	_ "github.com/hpsearch/hpsearch/trainers/golearn" // registers only with -tags golearn
	_ "github.com/hpsearch/hpsearch/trainers/knn"
	_ "github.com/hpsearch/hpsearch/trainers/linear"
	_ "github.com/hpsearch/hpsearch/trainers/mlp"
	_ "github.com/hpsearch/hpsearch/trainers/tree"

	// Test functions that need no data.
	_ "github.com/hpsearch/hpsearch/trainers/objective"
)
