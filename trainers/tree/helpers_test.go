package tree

import "github.com/hpsearch/hpsearch/trainers/internal/trainertest"

// dataset is the shared test dataset, under the short name these tests use.
type dataset = trainertest.Dataset
