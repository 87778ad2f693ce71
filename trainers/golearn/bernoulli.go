package golearn

import (
	"context"
	"fmt"
	"strconv"

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
	schema    *schema
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
	inst := packBinary(m.schema, X, y, m.threshold)
	nb := naive.NewBernoulliNBClassifier()
	if err := nb.Fit(inst); err != nil {
		return fmt.Errorf("bernoulli_nb: fit: %w", err)
	}
	m.nb = nb
	return ctx.Err()
}

// Predict returns golearn's predicted classes: its PredictOne on each
// binarized row (what its Predict calls, without building a grid for the
// rows and another for the answers). PredictOne is most of the time (a
// log and a map lookup per feature, class and row), and its answer
// depends only on the binarized row, so a row seen before in the same
// call gets the answer golearn gave it then.
func (m *bernoulliModel) Predict(X trainers.Matrix) []float64 {
	if m.nb == nil {
		panic("bernoulli_nb: Predict before Fit")
	}
	absent, present := []byte{0}, []byte{1}
	vector := make([][]byte, X.Cols)
	key := make([]byte, X.Cols)
	seen := make(map[string]float64)
	out := make([]float64, X.Rows)
	for i := range out {
		for j, v := range X.Row(i) {
			vector[j], key[j] = absent, 0
			if v > m.threshold {
				vector[j], key[j] = present, 1
			}
		}
		if c, ok := seen[string(key)]; ok {
			out[i] = c
			continue
		}
		c, err := strconv.Atoi(m.nb.PredictOne(vector))
		if err != nil {
			panic(fmt.Sprintf("bernoulli_nb: predict row %d: %v", i, err)) // classes are "0".."Classes-1"
		}
		out[i] = float64(c)
		seen[string(key)] = out[i]
	}
	return out
}
