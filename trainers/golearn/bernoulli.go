package golearn

import (
	"context"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/sjwhitworth/golearn/naive"
)

func init() { trainers.Register(Bernoulli{}) }

// Bernoulli is the bernoulli_nb family, golearn's BernoulliNBClassifier
// on features binarized at a threshold.
type Bernoulli struct{}

var (
	_ trainers.Learner   = Bernoulli{}
	_ trainers.Estimator = (*bernoulliModel)(nil)
)

// Info declares binarize.
func (Bernoulli) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "bernoulli_nb",
		Tasks: []trial.Task{trial.Classification},
		Help:  "Bernoulli naive Bayes on binarized features (golearn naive.BernoulliNBClassifier; like sklearn BernoulliNB)",
		Param: []trial.ParamDecl{
			{Name: "binarize", Kind: trial.Float, Default: 0.0,
				Help: "a feature is present when its value is above this threshold"},
		},
	}
}

// New builds an unfitted model from resolved parameters.
func (Bernoulli) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	if cfg.Classes < 2 {
		return nil, fmt.Errorf("bernoulli_nb: need at least 2 classes, got %d", cfg.Classes)
	}
	t, _ := p.Float("binarize")
	return &bernoulliModel{threshold: t, classes: cfg.Classes}, nil
}

type bernoulliModel struct {
	threshold float64
	classes   int
	schema    schema
	nb        *naive.BernoulliNBClassifier
}

// Fit binarizes X and fits golearn's classifier. golearn cannot be
// interrupted, so ctx is checked before and after.
func (m *bernoulliModel) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := checkXY("bernoulli_nb", X, y, m.classes); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// golearn indexes a per-class count table that exists only for
	// classes with at least one present feature: check rather than panic.
	seen := make([]bool, m.classes)
	for i := 0; i < X.Rows; i++ {
		for _, v := range X.Row(i) {
			if v > m.threshold {
				seen[int(y[i])] = true
				break
			}
		}
	}
	for i := 0; i < X.Rows; i++ {
		if c := int(y[i]); !seen[c] {
			return fmt.Errorf("bernoulli_nb: fit: class %d has no feature above binarize=%g in any row", c, m.threshold)
		}
	}
	m.schema = newSchema(X.Cols, m.classes, true)
	inst, err := m.schema.grid(X, y, m.threshold)
	if err != nil {
		return fmt.Errorf("bernoulli_nb: fit: %w", err)
	}
	nb := naive.NewBernoulliNBClassifier()
	if err := nb.Fit(inst); err != nil {
		return fmt.Errorf("bernoulli_nb: fit: %w", err)
	}
	m.nb = nb
	return ctx.Err()
}

// Predict returns golearn's predicted classes.
func (m *bernoulliModel) Predict(X trainers.Matrix) []float64 {
	if m.nb == nil {
		panic("bernoulli_nb: Predict before Fit")
	}
	inst, err := m.schema.grid(X, nil, m.threshold)
	if err != nil {
		panic(fmt.Sprintf("bernoulli_nb: predict: %v", err)) // same schema as Fit: cannot fail
	}
	pred, err := m.nb.Predict(inst)
	if err != nil {
		panic(fmt.Sprintf("bernoulli_nb: predict: %v", err))
	}
	out, err := classes(pred, X.Rows)
	if err != nil {
		panic(fmt.Sprintf("bernoulli_nb: predict: %v", err))
	}
	return out
}
