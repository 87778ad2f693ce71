package linear

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { trainers.Register(SVM{}) }

// SVM is the linear_svm family: an L2-penalized linear classifier with the
// squared hinge loss, one-vs-rest, like scikit-learn's LinearSVC.
type SVM struct{}

var (
	_ trainers.Learner   = SVM{}
	_ trainers.Scaled    = SVM{}
	_ trainers.Estimator = (*svmModel)(nil)
)

// Info declares C, max_iter (the budget) and tol.
func (SVM) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "linear_svm",
		Tasks: []trial.Task{trial.Classification},
		Help:  "linear SVM, squared hinge loss, L2 penalty, one-vs-rest, dual coordinate descent (sklearn LinearSVC)",
		Param: []trial.ParamDecl{
			{Name: "C", Kind: trial.Float, Min: trial.Bound(0), MinOpen: true, Default: 1.0,
				Help: "penalty of the squared hinge loss: minimizes ½‖w‖² + C·Σ max(0, 1-y·wᵀx)²"},
			{Name: "max_iter", Kind: trial.Int, Min: trial.Bound(1), Default: 1000, Budget: true,
				Help: "maximum passes of coordinate descent over the data, per class"},
			{Name: "tol", Kind: trial.Float, Min: trial.Bound(0), MinOpen: true, Default: 1e-4,
				Help: "stop when the projected gradient spread is below tol"},
		},
	}
}

// DefaultScale reports that features should be standardized.
func (SVM) DefaultScale() string { return standard }

// New builds an unfitted model from resolved parameters.
func (SVM) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	if err := checkClasses("linear_svm", cfg); err != nil {
		return nil, err
	}
	c, _ := p.Float("C")
	it, _ := p.Int("max_iter")
	tol, _ := p.Float("tol")
	return &svmModel{c: c, maxIter: it, tol: tol, classes: cfg.Classes, seed: cfg.Seed}, nil
}

type svmModel struct {
	c       float64
	maxIter int
	tol     float64
	classes int
	seed    uint64
	// Fitted: one weight vector of d+1 (the last is the bias) per
	// one-vs-rest problem; a single one, for class 1, with two classes.
	d int
	w [][]float64
}

// Fit solves one dual problem per class.
func (m *svmModel) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := checkXY("linear_svm", X, y, m.classes); err != nil {
		return err
	}
	m.d = X.Cols
	problems := m.classes
	if problems == 2 {
		problems = 1
	}
	r := rand.New(rand.NewPCG(m.seed, 0x5f3))
	qd := make([]float64, X.Rows)
	for i := range qd {
		x := X.Row(i)
		qd[i] = dot(x, x) + 1 + 1/(2*m.c) // +1: the bias feature
	}
	m.w = make([][]float64, problems)
	sign := make([]float64, X.Rows)
	for p := range m.w {
		positive := float64(p)
		if problems == 1 {
			positive = 1
		}
		for i, v := range y {
			sign[i] = -1
			if v == positive {
				sign[i] = 1
			}
		}
		w, err := m.solve(ctx, X, sign, qd, r)
		if err != nil {
			return err
		}
		m.w[p] = w
	}
	return nil
}

// solve is liblinear's dual coordinate descent for the L2-loss SVM
// (solve_l2r_l1l2_svc with shrinking), with the bias as feature d.
func (m *svmModel) solve(ctx context.Context, X trainers.Matrix, y, qd []float64, r *rand.Rand) ([]float64, error) {
	n, d := X.Rows, X.Cols
	diag := 1 / (2 * m.c)
	w := make([]float64, d+1)
	alpha := make([]float64, n)
	index := make([]int, n)
	for i := range index {
		index[i] = i
	}
	active := n
	// Only the upper shrinking threshold applies: the squared hinge has
	// no upper bound on alpha, so liblinear's PGmin_old never shrinks.
	pgMaxOld := math.Inf(1)
	for it := 0; it < m.maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pgMax, pgMin := math.Inf(-1), math.Inf(1)
		r.Shuffle(active, func(i, j int) { index[i], index[j] = index[j], index[i] })
		for s := 0; s < active; s++ {
			i := index[s]
			x := X.Row(i)
			g := y[i]*(dot(w[:d], x)+w[d]) - 1 + diag*alpha[i]
			pg := g
			if alpha[i] == 0 {
				if g > pgMaxOld { // shrink: likely to stay at the bound
					active--
					index[s], index[active] = index[active], index[s]
					s--
					continue
				}
				pg = min(g, 0)
			}
			pgMax, pgMin = max(pgMax, pg), min(pgMin, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = max(old-g/qd[i], 0)
				step := (alpha[i] - old) * y[i]
				axpy(step, x, w[:d])
				w[d] += step
			}
		}
		if pgMax-pgMin <= m.tol {
			if active == n {
				break
			}
			active = n // converged on the active set: re-check everything
			pgMaxOld = math.Inf(1)
			continue
		}
		pgMaxOld = pgMax
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
	}
	return w, nil
}

// Predict returns the class with the largest decision value (the sign of
// the one decision value with two classes).
func (m *svmModel) Predict(X trainers.Matrix) []float64 {
	if m.w == nil {
		panic("linear_svm: Predict before Fit")
	}
	out := make([]float64, X.Rows)
	z := make([]float64, len(m.w))
	for i := range out {
		x := X.Row(i)
		for p, w := range m.w {
			z[p] = dot(w[:m.d], x) + w[m.d]
		}
		if len(z) == 1 {
			if z[0] > 0 {
				out[i] = 1
			}
			continue
		}
		out[i] = float64(argmax(z))
	}
	return out
}
