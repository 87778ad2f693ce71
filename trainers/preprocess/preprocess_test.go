package preprocess_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
	"github.com/hpsearch/hpsearch/trial"
)

var nan = math.NaN()

func matrix(rows ...[]float64) trainers.Matrix {
	m := trainers.NewMatrix(len(rows), len(rows[0]))
	for i, r := range rows {
		copy(m.Row(i), r)
	}
	return m
}

func assertMatrix(tb testing.TB, got trainers.Matrix, want ...[]float64) {
	tb.Helper()
	if got.Rows != len(want) || got.Cols != len(want[0]) {
		tb.Fatalf("got %dx%d, want %dx%d", got.Rows, got.Cols, len(want), len(want[0]))
	}
	for i, row := range want {
		for j, w := range row {
			g := got.At(i, j)
			if math.IsNaN(w) != math.IsNaN(g) || math.Abs(g-w) > 1e-12 {
				tb.Errorf("(%d, %d) = %v, want %v", i, j, g, w)
			}
		}
	}
}

func TestScaler(t *testing.T) {
	// Column 1 is constant; column 2 has a missing cell, ignored when
	// fitting and kept missing.
	train := matrix([]float64{1, 5, 2}, []float64{3, 5, nan}, []float64{5, 5, 4})
	val := matrix([]float64{7, 6, 3})
	sd := math.Sqrt(8.0 / 3)
	cases := []struct {
		method         string
		wantTrain      [][]float64
		wantValidation []float64
	}{
		{preprocess.Standard,
			[][]float64{{-2 / sd, 0, -1}, {0, 0, nan}, {2 / sd, 0, 1}},
			[]float64{4 / sd, 1, 0}},
		{preprocess.MinMax,
			[][]float64{{0, 0, 0}, {0.5, 0, nan}, {1, 0, 1}},
			[]float64{1.5, 1, 0.5}},
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			before := slices.Clone(train.Data)
			s, err := preprocess.NewScaler(c.method)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Fit(train); err != nil {
				t.Fatal(err)
			}
			assertMatrix(t, s.Transform(train), c.wantTrain...)
			assertMatrix(t, s.Transform(val), c.wantValidation)
			if !slices.EqualFunc(before, train.Data, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
				t.Error("Transform changed its input")
			}
		})
	}
}

// TestScalerNearConstant checks that a column whose variance is rounding
// error is left unscaled, as scikit-learn's StandardScaler does, instead of
// being blown up by a tiny standard deviation.
func TestScalerNearConstant(t *testing.T) {
	x := 0.1 + 0.2 // 0.30000000000000004
	train := matrix([]float64{x}, []float64{0.3}, []float64{0.3})
	s, _ := preprocess.NewScaler(preprocess.Standard)
	if err := s.Fit(train); err != nil {
		t.Fatal(err)
	}
	out := s.Transform(train)
	for i, v := range out.Data {
		if math.Abs(v) > 1e-15 {
			t.Errorf("row %d: %v, want about 0", i, v)
		}
	}
}

func TestImputer(t *testing.T) {
	// Column 2 is missing in every training row: it is filled with 0.
	train := matrix(
		[]float64{1, 7, nan},
		[]float64{nan, 3, nan},
		[]float64{4, 3, nan},
		[]float64{4, 7, nan},
		[]float64{10, nan, nan},
	)
	val := matrix([]float64{nan, nan, nan}, []float64{2, nan, 5})
	cases := []struct {
		strategy string
		fill     []float64
	}{
		{preprocess.Mean, []float64{4.75, 5, 0}},
		{preprocess.Median, []float64{4, 5, 0}},
		// Column 1: 3 and 7 tie; the smaller wins.
		{preprocess.MostFrequent, []float64{4, 3, 0}},
	}
	for _, c := range cases {
		t.Run(c.strategy, func(t *testing.T) {
			m, err := preprocess.NewImputer(c.strategy)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Fit(train); err != nil {
				t.Fatal(err)
			}
			f := c.fill
			assertMatrix(t, m.Transform(val), []float64{f[0], f[1], f[2]}, []float64{2, f[1], 5})
			if !math.IsNaN(val.At(0, 0)) {
				t.Error("Transform changed its input")
			}
		})
	}
}

// TestNoLeakage shows why a fold's preprocessing is fitted on its training
// rows only. The validation rows lie far outside the training range. A
// scaler fitted per fold sees that: they land far out, where the model
// will treat them as unlike anything it was trained on. A scaler fitted on
// all rows would have drawn them into the usual range, using their own
// statistics, and made the validation look easier than new data will be.
func TestNoLeakage(t *testing.T) {
	var trainRows, valRows [][]float64
	for i := range 8 {
		trainRows = append(trainRows, []float64{float64(i) / 7, float64(i % 2)})
	}
	for i := range 2 {
		valRows = append(valRows, []float64{100 + 100*float64(i), nan})
	}
	train, val := matrix(trainRows...), matrix(valRows...)
	all := matrix(append(slices.Clone(trainRows), valRows...)...)

	// Statistics of the training rows, by hand.
	var mean, sq float64
	for _, r := range trainRows {
		mean += r[0] / 8
	}
	for _, r := range trainRows {
		sq += (r[0] - mean) * (r[0] - mean) / 8
	}
	sd := math.Sqrt(sq)

	p, err := preprocess.NewPipeline(preprocess.Standard, preprocess.Mean)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.FitTransform(train); err != nil {
		t.Fatal(err)
	}
	got, err := p.Transform(val)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range valRows {
		if want := (r[0] - mean) / sd; math.Abs(got.At(i, 0)-want) > 1e-9 {
			t.Errorf("validation row %d = %v, want %v from training statistics", i, got.At(i, 0), want)
		}
		// The missing cell gets the training mean of column 1, 0.5,
		// standardized with the training statistics: 0.
		if v := got.At(i, 1); math.Abs(v) > 1e-12 {
			t.Errorf("validation row %d column 1 = %v, want 0", i, v)
		}
		if math.Abs(got.At(i, 0)) < 100 {
			t.Errorf("validation row %d = %v: should be far outside the training range", i, got.At(i, 0))
		}
	}

	// The leaky way: fitted on every row, the same validation rows look
	// ordinary (within 3 standard deviations).
	leaky, _ := preprocess.NewPipeline(preprocess.Standard, preprocess.Mean)
	if _, err := leaky.FitTransform(all); err != nil {
		t.Fatal(err)
	}
	lv, _ := leaky.Transform(val)
	for i := range valRows {
		if math.Abs(lv.At(i, 0)) > 3 {
			t.Errorf("leaky validation row %d = %v: the contrast this test relies on is gone", i, lv.At(i, 0))
		}
	}
}

func TestPipeline(t *testing.T) {
	withNaN := matrix([]float64{1, nan}, []float64{3, 4})
	t.Run("none", func(t *testing.T) {
		p, err := preprocess.NewPipeline("", "")
		if err != nil {
			t.Fatal(err)
		}
		X := matrix([]float64{1, 2}, []float64{3, 4})
		got, err := p.FitTransform(X)
		if err != nil {
			t.Fatal(err)
		}
		assertMatrix(t, got, []float64{1, 2}, []float64{3, 4})
	})
	t.Run("missing without imputation", func(t *testing.T) {
		for _, scale := range []string{"", preprocess.None, preprocess.MinMax} {
			p, _ := preprocess.NewPipeline(scale, "")
			if err := p.Fit(withNaN); !errors.Is(err, preprocess.ErrMissing) || !errors.Is(err, trial.ErrBadInput) {
				t.Errorf("scale %q: Fit: got %v, want ErrMissing and ErrBadInput", scale, err)
			}
			if err := p.Fit(matrix([]float64{1, 2})); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Transform(withNaN); !errors.Is(err, preprocess.ErrMissing) {
				t.Errorf("scale %q: Transform: got %v, want ErrMissing", scale, err)
			}
		}
	})
	t.Run("impute then scale", func(t *testing.T) {
		p, _ := preprocess.NewPipeline(preprocess.MinMax, preprocess.Median)
		got, err := p.FitTransform(withNaN)
		if err != nil {
			t.Fatal(err)
		}
		// Column 1 imputed with 4 becomes constant: shifted to 0.
		assertMatrix(t, got, []float64{0, 0}, []float64{1, 0})
	})
	t.Run("unknown", func(t *testing.T) {
		for _, c := range [][2]string{{"robust", ""}, {"", "zero"}} {
			_, err := preprocess.NewPipeline(c[0], c[1])
			if !errors.Is(err, preprocess.ErrUnknownMethod) || !errors.Is(err, trial.ErrBadInput) {
				t.Errorf("%q: got %v", c, err)
			}
		}
	})
	t.Run("empty", func(t *testing.T) {
		p, _ := preprocess.NewPipeline(preprocess.Standard, "")
		if err := p.Fit(trainers.Matrix{Cols: 2}); !errors.Is(err, preprocess.ErrEmpty) {
			t.Errorf("got %v, want ErrEmpty", err)
		}
	})
}

func TestTransformBeforeFitPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	s, _ := preprocess.NewScaler(preprocess.Standard)
	s.Transform(matrix([]float64{1}))
}

type scaledFamily struct{}

func (scaledFamily) Info() trial.ModelInfo { return trial.ModelInfo{Name: "scaled"} }
func (scaledFamily) DefaultScale() string  { return preprocess.Standard }

type plainFamily struct{}

func (plainFamily) Info() trial.ModelInfo { return trial.ModelInfo{Name: "plain"} }

func TestScaleFor(t *testing.T) {
	cases := []struct {
		requested string
		f         trainers.Family
		want      string
	}{
		{"", scaledFamily{}, preprocess.Standard},
		{"", plainFamily{}, preprocess.None},
		{preprocess.MinMax, scaledFamily{}, preprocess.MinMax},
		{preprocess.None, scaledFamily{}, preprocess.None},
	}
	for _, c := range cases {
		if got := preprocess.ScaleFor(c.requested, c.f); got != c.want {
			t.Errorf("ScaleFor(%q, %s) = %q, want %q", c.requested, c.f.Info().Name, got, c.want)
		}
	}
}

// Fit on the training rows of a fold, then transform both sides.
func ExamplePipeline() {
	train := trainers.Matrix{Rows: 3, Cols: 1, Data: []float64{0, math.NaN(), 10}}
	val := trainers.Matrix{Rows: 1, Cols: 1, Data: []float64{20}}
	p, err := preprocess.NewPipeline(preprocess.MinMax, preprocess.Mean)
	if err != nil {
		panic(err)
	}
	tr, _ := p.FitTransform(train)
	va, _ := p.Transform(val)
	fmt.Println(tr.Data, va.Data)
	// Output: [0 0.5 1] [2]
}
