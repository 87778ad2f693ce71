package golearn

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
	"github.com/hpsearch/hpsearch/trial"
)

// persistCases are the families and settings the persistence tests run,
// on the bundled data sets and on tied values (many equal thresholds).
var persistCases = []struct {
	name    string
	learner trainers.Learner
	params  trial.Params
}{
	{"bernoulli_nb", Bernoulli{}, nil},
	{"bernoulli_nb/binarize=4", Bernoulli{}, trial.Params{"binarize": 4.0}},
	{"id3", ID3{}, nil},
	{"id3/min_samples_split=20", ID3{}, trial.Params{"min_samples_split": 20}},
}

func persistSets(tb testing.TB) map[string]trainertest.Dataset {
	tb.Helper()
	sets := map[string]trainertest.Dataset{"ties": tiedData(4, 300, 5, 3, tieValues)}
	for _, name := range []string{"iris", "wine", "breast_cancer", "digits"} {
		sets[name] = trainertest.LoadCSV(tb, name, trial.Classification)
	}
	return sets
}

// TestPersist checks the trainers.Persistent contract for both families:
// deterministic bytes, the same predictions after a restore, truncated
// and flipped bytes refused without a panic.
func TestPersist(t *testing.T) {
	for name, ds := range persistSets(t) {
		for _, c := range persistCases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				if c.params["binarize"] != nil && name == "ties" {
					t.Skip("no value of ties is above 4: golearn cannot fit")
				}
				trainertest.CheckPersistent(t, c.learner, c.params, ds, 1)
			})
		}
	}
}

// TestPersistHeldOut fits on four fifths of each data set and wants the
// restored estimator to predict the held-out fifth bit for bit as the
// fitted one did, and to still be golearn's model: the restored id3 tree
// is the fitted golearn tree node for node, and the restored bernoulli_nb
// predicts what the fitted golearn classifier's PredictOne does.
func TestPersistHeldOut(t *testing.T) {
	for name, ds := range persistSets(t) {
		n := ds.X.Rows * 4 / 5
		train := trainertest.Dataset{X: trainers.Matrix{Rows: n, Cols: ds.X.Cols, Data: ds.X.Data[:n*ds.X.Cols]}, Y: ds.Y[:n], Classes: ds.Classes}
		test := trainers.Matrix{Rows: ds.X.Rows - n, Cols: ds.X.Cols, Data: ds.X.Data[n*ds.X.Cols:]}
		for _, c := range persistCases {
			if c.params["binarize"] != nil && name == "ties" {
				continue
			}
			t.Run(name+"/"+c.name, func(t *testing.T) {
				fitted := fit(t, c.learner, c.params, train, 2)
				data, err := fitted.(trainers.Persistent).MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				restored := trainertest.New(t, c.learner, c.params, trainers.Config{Task: trial.Classification, Classes: ds.Classes, Seed: 2}).(trainers.Persistent)
				if err := restored.UnmarshalBinary(data); err != nil {
					t.Fatal(err)
				}
				got := restored.Predict(test)
				trainertest.SameBits(t, "held-out Predict", fitted.Predict(test), got)
				switch f := fitted.(type) {
				case *id3Model:
					if d := treeDiff("root", restored.(*id3Model).root, f.root); d != "" {
						t.Errorf("restored tree differs from golearn's: %s", d)
					}
				case *bernoulliModel:
					checkPredictOne(t, f, restored.(*bernoulliModel), test, got)
				}
			})
		}
	}
}

// checkPredictOne wants got, a restored model's predictions, to be what
// golearn's PredictOne on the fitted classifier says, but for exact ties.
func checkPredictOne(t *testing.T, fitted, restored *bernoulliModel, X trainers.Matrix, got []float64) {
	t.Helper()
	vector, bits := make([][]byte, X.Cols), make([]int, X.Cols)
	for i := range got {
		for j, v := range X.Row(i) {
			vector[j], bits[j] = []byte{0}, 0
			if v > fitted.threshold {
				vector[j], bits[j] = []byte{1}, 1
			}
		}
		want, err := strconv.Atoi(fitted.nb.PredictOne(vector))
		if err != nil {
			t.Fatal(err)
		}
		if int(got[i]) != want && classScore(restored.scores, int(got[i]), bits) != classScore(restored.scores, want, bits) {
			t.Fatalf("row %d: restored model says %v, golearn's PredictOne %d", i, got[i], want)
		}
	}
}

// TestPersistRefusesOtherState: bytes that decode but do not fit the
// estimator (more classes than its Config, another family, another
// version) are ErrBadState, and leave a fitted estimator as it was.
func TestPersistRefusesOtherState(t *testing.T) {
	digits := trainertest.LoadCSV(t, "digits", trial.Classification)
	for _, c := range []struct {
		name  string
		other trainers.Learner
	}{{"bernoulli_nb", Bernoulli{}}, {"id3", ID3{}}} {
		t.Run(c.name, func(t *testing.T) {
			data, err := fit(t, c.other, nil, digits, 0).(trainers.Persistent).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			// A three-class estimator fitted on iris, given digits' ten
			// classes.
			iris := trainertest.LoadCSV(t, "iris", trial.Classification)
			small := fit(t, c.other, nil, iris, 0).(trainers.Persistent)
			before := small.Predict(iris.X)
			if err := small.UnmarshalBinary(data); !errors.Is(err, trainers.ErrBadState) {
				t.Errorf("ten classes into a three-class estimator: %v, want ErrBadState", err)
			}
			trainertest.SameBits(t, "Predict after a refused restore", before, small.Predict(iris.X))

			fresh := trainertest.New(t, c.other, nil, trainers.Config{Task: trial.Classification, Classes: 10}).(trainers.Persistent)
			otherFamily := map[string]trainers.Learner{"bernoulli_nb": ID3{}, "id3": Bernoulli{}}[c.name]
			otherData, _ := fit(t, otherFamily, nil, digits, 0).(trainers.Persistent).MarshalBinary()
			if err := fresh.UnmarshalBinary(otherData); !errors.Is(err, trainers.ErrBadState) {
				t.Errorf("the other family's bytes: %v, want ErrBadState", err)
			}
			v2 := wire.NewWriter(c.name, 2).Bytes()
			if err := fresh.UnmarshalBinary(append(v2, data[len(v2):]...)); !errors.Is(err, trainers.ErrBadState) {
				t.Errorf("version 2: %v, want ErrBadState", err)
			}
		})
	}
}

// TestPersistRefit: an estimator restored from bytes refits from scratch.
func TestPersistRefit(t *testing.T) {
	wine := trainertest.LoadCSV(t, "wine", trial.Classification)
	iris := trainertest.LoadCSV(t, "iris", trial.Classification)
	for _, l := range []trainers.Learner{Bernoulli{}, ID3{}} {
		data, _ := fit(t, l, nil, wine, 0).(trainers.Persistent).MarshalBinary()
		e := trainertest.New(t, l, nil, trainers.Config{Task: trial.Classification, Classes: 3}).(trainers.Persistent)
		if err := e.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		if err := e.Fit(context.Background(), iris.X, iris.Y); err != nil {
			t.Fatal(err)
		}
		trainertest.SameBits(t, l.Info().Name+" refit", fit(t, l, nil, iris, 0).Predict(iris.X), e.Predict(iris.X))
	}
}

// FuzzUnmarshal restores arbitrary bytes into both families: no panic,
// only ErrBadState, and a state that restores predicts without a panic.
func FuzzUnmarshal(f *testing.F) {
	wine := trainertest.LoadCSV(f, "wine", trial.Classification)
	for _, l := range []trainers.Learner{Bernoulli{}, ID3{}} {
		data, err := fit(f, l, nil, wine, 0).(trainers.Persistent).MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, l := range []trainers.Learner{Bernoulli{}, ID3{}} {
			e := trainertest.New(t, l, nil, trainers.Config{Task: trial.Classification, Classes: 3}).(trainers.Persistent)
			trainertest.Unmarshal(t, e, data)
			if _, err := e.MarshalBinary(); err != nil {
				continue // not restored
			}
			var cols int
			switch m := e.(type) {
			case *bernoulliModel:
				cols = m.scores.cols
			case *id3Model:
				cols = len(m.schema.features)
			}
			if cols > 1000 {
				continue // a valid but wide model: predicting costs golearn attributes per column
			}
			X := trainers.NewMatrix(3, cols)
			for i := range X.Data {
				X.Data[i] = float64(i%7) - 2
			}
			for _, c := range e.Predict(X) {
				if c < 0 || c >= 3 || c != float64(int(c)) {
					t.Fatalf("%s: restored state predicts class %v", l.Info().Name, c)
				}
			}
		}
	})
}
