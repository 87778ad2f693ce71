package tree

import (
	"math"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// TestFlatPredictionIsTheTreeWalk checks that the forest's prediction
// layout gives, bit for bit, the mean of model.leafValue over the trees,
// for rows with NaN (which go right) and whatever the number of jobs.
func TestFlatPredictionIsTheTreeWalk(t *testing.T) {
	for _, task := range []trial.Task{trial.Classification, trial.Regression} {
		d := synthetic(600, 6, 3)
		if task == trial.Regression {
			for i := range d.Y {
				d.Y[i] = d.X.At(i, 0) * 3
			}
			d.Classes = 0
		}
		params, err := trainers.Resolve(RandomForest{}.Info(), trial.Params{"n_estimators": 7})
		if err != nil {
			t.Fatal(err)
		}
		est, err := RandomForest{}.New(params, trainers.Config{Task: task, Classes: d.Classes, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		if err := est.Fit(t.Context(), d.X, d.Y); err != nil {
			t.Fatal(err)
		}
		f := est.(*forestEstimator)
		X := synthetic(1000, 6, 9).X
		for i := 0; i < len(X.Data); i += 7 {
			X.Data[i] = math.NaN()
		}
		width := f.forest[0].width
		want := trainers.NewMatrix(X.Rows, width)
		for i := range X.Rows {
			acc := want.Row(i)
			for _, m := range f.forest {
				for c, v := range m.leafValue(X.Row(i)) {
					acc[c] += v
				}
			}
			for c := range acc {
				acc[c] /= float64(len(f.forest))
			}
		}
		for _, jobs := range []int{1, 3} {
			got := averageFlat(f.flat, width, X, jobs)
			for i, v := range want.Data {
				if math.Float64bits(v) != math.Float64bits(got.Data[i]) {
					t.Fatalf("%s, %d jobs: cell %d is %v, want %v", task, jobs, i, got.Data[i], v)
				}
			}
		}
	}
}
