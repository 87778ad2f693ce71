package tree

import (
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/trial"
)

// Criterion names accepted by the criterion parameter.
const (
	Gini         = "gini"
	Entropy      = "entropy"
	SquaredError = "squared_error"
)

// criterion is the impurity a split minimizes.
type criterion int

const (
	gini criterion = iota
	entropy
	squaredError
)

// growRule is what a tree grower needs to know besides the data: the
// stopping rules and how many features to try at each node.
type growRule struct {
	criterion       criterion
	maxDepth        int // 0: unlimited
	minSamplesSplit int
	minSamplesLeaf  int
	// maxFeatures is the max_features parameter: "sqrt", "log2", "none"
	// or a fraction in (0, 1]; see featureCount.
	maxFeatures any
}

func criterionDecl(help string) trial.ParamDecl {
	return trial.ParamDecl{
		Name: "criterion", Kind: trial.Categorical,
		Choices: []any{Gini, Entropy, SquaredError}, Default: Gini,
		Help: help,
	}
}

func maxDepthDecl() trial.ParamDecl {
	return trial.ParamDecl{
		Name: "max_depth", Kind: trial.Int, Min: trial.Bound(0), Default: 0,
		Help: "maximum depth of a tree; 0 means unlimited (scikit-learn's None)",
	}
}

func minSamplesSplitDecl() trial.ParamDecl {
	return trial.ParamDecl{
		Name: "min_samples_split", Kind: trial.Int, Min: trial.Bound(2), Default: 2,
		Help: "a node with fewer samples is not split",
	}
}

func minSamplesLeafDecl() trial.ParamDecl {
	return trial.ParamDecl{
		Name: "min_samples_leaf", Kind: trial.Int, Min: trial.Bound(1), Default: 1,
		Help: "a split must leave at least this many samples on each side",
	}
}

func maxFeaturesDecl(def any, help string) trial.ParamDecl {
	return trial.ParamDecl{
		Name: "max_features", Kind: trial.Categorical,
		Choices: []any{"sqrt", "log2", "none"}, AlsoNumeric: true,
		Min: trial.Bound(0), MinOpen: true, Max: trial.Bound(1),
		Default: def, Help: help,
	}
}

// parseRule reads the parameters shared by both families from resolved
// params. For regression the criterion gini, which is the declared
// default, is read as squared_error; entropy is an error.
func parseRule(p trial.Params, task trial.Task) (growRule, error) {
	var r growRule
	c, _ := p.String("criterion")
	switch {
	case task == trial.Regression && (c == Gini || c == SquaredError):
		r.criterion = squaredError
	case task == trial.Regression:
		return r, fmt.Errorf("criterion %q is for classification; use %q for regression: %w", c, SquaredError, trial.ErrBadInput)
	case c == Gini:
		r.criterion = gini
	case c == Entropy:
		r.criterion = entropy
	default:
		return r, fmt.Errorf("criterion %q is for regression; use %q or %q for classification: %w", c, Gini, Entropy, trial.ErrBadInput)
	}
	r.maxDepth = intParam(p, "max_depth", 0)
	r.minSamplesSplit = intParam(p, "min_samples_split", 2)
	r.minSamplesLeaf = intParam(p, "min_samples_leaf", 1)
	if r.maxDepth < 0 || r.minSamplesSplit < 2 || r.minSamplesLeaf < 1 {
		return r, fmt.Errorf("max_depth %d, min_samples_split %d, min_samples_leaf %d out of range: %w",
			r.maxDepth, r.minSamplesSplit, r.minSamplesLeaf, trial.ErrBadInput)
	}
	r.maxFeatures = p["max_features"]
	if _, err := featureCount(r.maxFeatures, 1); err != nil {
		return r, err
	}
	return r, nil
}

func intParam(p trial.Params, name string, def int) int {
	if v, ok := p.Int(name); ok {
		return v
	}
	return def
}

// featureCount turns max_features into a number of features out of p, as
// scikit-learn does: sqrt and log2 round down, a fraction f gives
// floor(f·p), and at least one feature is always tried.
func featureCount(mf any, p int) (int, error) {
	var k int
	switch v := mf.(type) {
	case nil:
		k = p
	case string:
		switch v {
		case "none":
			k = p
		case "sqrt":
			k = int(math.Sqrt(float64(p)))
		case "log2":
			k = int(math.Log2(float64(p)))
		default:
			return 0, fmt.Errorf("max_features %q is not sqrt, log2, none or a fraction: %w", v, trial.ErrBadInput)
		}
	case float64:
		if !(v > 0 && v <= 1) {
			return 0, fmt.Errorf("max_features %v is not in (0, 1]: %w", v, trial.ErrBadInput)
		}
		k = int(v * float64(p))
	case int:
		if v != 1 {
			return 0, fmt.Errorf("max_features %v is not in (0, 1]: %w", v, trial.ErrBadInput)
		}
		k = p
	default:
		return 0, fmt.Errorf("max_features %v is not sqrt, log2, none or a fraction: %w", v, trial.ErrBadInput)
	}
	return min(max(k, 1), p), nil
}
