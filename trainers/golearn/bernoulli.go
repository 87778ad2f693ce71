package golearn

import (
	"context"
	"fmt"
	"math"
	"reflect"
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
	// nb is golearn's fitted classifier (nil after UnmarshalBinary, which
	// restores fitted from golearn's parameters instead).
	nb *naive.BernoulliNBClassifier
	// fitted is nb's learned state; scores is what Predict computes from.
	fitted *nbState
	scores *nbScores
}

// Fit binarizes X and fits golearn's classifier, then reads the
// probabilities it learned (nbState). golearn cannot be interrupted, so
// ctx is checked before and after.
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
	m.nb, m.fitted, m.scores = nil, nil, nil
	s := newSchema(X.Cols, m.classes, true)
	nb := naive.NewBernoulliNBClassifier()
	if err := nb.Fit(packBinary(s, X, y, m.threshold)); err != nil {
		return fmt.Errorf("bernoulli_nb: fit: %w", err)
	}
	st, err := readNB(nb, m.classes)
	if err != nil {
		return fmt.Errorf("bernoulli_nb: fit: %w", err)
	}
	m.nb, m.fitted, m.scores = nb, st, st.scores()
	return ctx.Err()
}

// Predict returns the class golearn's PredictOne gives each binarized
// row, computed from golearn's learned probabilities read once after Fit
// (nbScores) rather than by calling PredictOne, which takes a log and a
// string-keyed map lookup per feature, class and row (most of a CV's
// time). Each class's score is the same sum of the same logs in the same
// order as PredictOne's, so the same float64; the only difference is an
// exact tie between classes, which golearn breaks in map order (at
// random) and this breaks towards the lowest class index
// (TestBernoulliScoresArePredictOnes).
func (m *bernoulliModel) Predict(X trainers.Matrix) []float64 {
	if m.scores == nil {
		panic("bernoulli_nb: Predict before Fit")
	}
	if X.Cols != m.scores.cols {
		panic(fmt.Sprintf("bernoulli_nb: predict: %d columns, fitted on %d", X.Cols, m.scores.cols))
	}
	out := make([]float64, X.Rows)
	bits := make([]int, X.Cols)
	for i := range out {
		for j, v := range X.Row(i) {
			bits[j] = 0
			if v > m.threshold {
				bits[j] = 1
			}
		}
		out[i] = float64(m.scores.best(bits))
	}
	return out
}

// nbState is the fitted state of golearn's BernoulliNBClassifier, its
// own numbers: the training rows, and for each class it saw (ascending
// index) its rows and p(f|c) for each feature, (n_fc+1)/(n_c+1).
type nbState struct {
	rows     int
	classes  []int
	counts   []int
	condProb [][]float64
}

// readNB reads golearn's learned state from nb's fields. They are
// unexported and golearn offers no accessor (its Save writes a tar file),
// so they are read, never written, through reflect; a golearn whose
// fields have other names or types is an error, not a wrong model
// (TestBernoulliScoresArePredictOnes pins the fields of the golearn in
// go.mod). Class names are golearn's strings of the class indices.
func readNB(nb *naive.BernoulliNBClassifier, classes int) (*nbState, error) {
	v := reflect.ValueOf(nb).Elem()
	rows := v.FieldByName("trainingInstances")
	features := v.FieldByName("features")
	counts := v.FieldByName("classInstances")
	cond := v.FieldByName("condProb")
	if rows.Kind() != reflect.Int || features.Kind() != reflect.Int ||
		counts.Kind() != reflect.Map || counts.Type().Key().Kind() != reflect.String || counts.Type().Elem().Kind() != reflect.Int ||
		cond.Kind() != reflect.Map || cond.Type().Key().Kind() != reflect.String || cond.Type().Elem().Kind() != reflect.Slice ||
		cond.Type().Elem().Elem().Kind() != reflect.Float64 {
		return nil, fmt.Errorf("golearn's BernoulliNBClassifier has fields this adapter does not know")
	}
	st := &nbState{rows: int(rows.Int())}
	cols := int(features.Int())
	for c := range classes {
		key := reflect.ValueOf(strconv.Itoa(c))
		n := counts.MapIndex(key)
		if !n.IsValid() {
			continue
		}
		p := cond.MapIndex(key)
		if !p.IsValid() || p.Len() != cols {
			return nil, fmt.Errorf("golearn's classifier has no %d probabilities for class %d", cols, c)
		}
		probs := make([]float64, cols)
		for f := range probs {
			probs[f] = p.Index(f).Float()
		}
		st.classes = append(st.classes, c)
		st.counts = append(st.counts, int(n.Int()))
		st.condProb = append(st.condProb, probs)
	}
	if len(st.classes) != counts.Len() || len(st.classes) == 0 {
		return nil, fmt.Errorf("golearn's classifier has %d classes, %d of them in [0, %d)", counts.Len(), len(st.classes), classes)
	}
	return st, nil
}

// nbScores is PredictOne's arithmetic laid out flat: for the k-th class
// of an nbState, prior[k] is log p(c) and logs[(k*cols+f)*2+b] the log
// added for feature f absent (b = 0) or present (b = 1).
type nbScores struct {
	cols    int
	classes []int
	prior   []float64
	logs    []float64
}

// scores computes PredictOne's logs once, as PredictOne writes them.
func (st *nbState) scores() *nbScores {
	cols := len(st.condProb[0])
	s := &nbScores{cols: cols, classes: st.classes, prior: make([]float64, len(st.classes)), logs: make([]float64, 2*cols*len(st.classes))}
	for k, count := range st.counts {
		s.prior[k] = math.Log(float64(count) / float64(st.rows))
		for f, p := range st.condProb[k] {
			present := math.Log(p)
			var absent float64
			if p == 1.0 {
				// golearn's special case: Laplace-smoothed absence
				absent = math.Log(1.0 / float64(count+1))
			} else {
				absent = math.Log(1.0 - p)
			}
			s.logs[(k*cols+f)*2], s.logs[(k*cols+f)*2+1] = absent, present
		}
	}
	return s
}

// best is the class of the highest score for a row's bits (0 or 1 per
// feature): PredictOne's loop, over classes in index order.
func (s *nbScores) best(bits []int) int {
	bestScore, best := -math.MaxFloat64, -1
	for k := range s.classes {
		score := s.prior[k]
		logs := s.logs[k*s.cols*2 : (k+1)*s.cols*2]
		for f, b := range bits {
			score += logs[2*f+b]
		}
		if score > bestScore {
			bestScore, best = score, s.classes[k]
		}
	}
	if best < 0 {
		panic("bernoulli_nb: no class scored above -MaxFloat64") // the scores are finite sums of finite logs
	}
	return best
}
