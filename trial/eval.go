package trial

// CV says how a trial is validated. The zero value means 5-fold CV with
// seed 0: stratified for classification, plain k-fold for regression.
// Holdout > 0 selects a single train/validation split of that fraction
// instead. Repeats > 1 repeats k-fold with different shuffles. Check
// says which values are allowed (at most MaxFolds folds and MaxSplits
// splits); the zero values of Folds and Repeats mean 5 and 1.
type CV struct {
	Folds   int     `json:"folds,omitempty" yaml:"folds"`
	Seed    uint64  `json:"seed,omitempty" yaml:"seed"`
	Holdout float64 `json:"holdout,omitempty" yaml:"holdout"`
	Repeats int     `json:"repeats,omitempty" yaml:"repeats"`
}

// Preprocess says how features are prepared. Scaling and imputation are
// fitted on each training fold only. Empty strings mean the model's
// default (Scale) or "error on missing cells" (Impute).
type Preprocess struct {
	Scale    string `json:"scale,omitempty" yaml:"scale"`       // standard | minmax | none
	Impute   string `json:"impute,omitempty" yaml:"impute"`     // mean | median | most_frequent
	Encoding string `json:"encoding,omitempty" yaml:"encoding"` // onehot | ordinal, for string features
}
