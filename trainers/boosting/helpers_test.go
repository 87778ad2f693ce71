package boosting

import (
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// dataset is a CSV from testdata: features, then the target in the last
// column. String targets become class indices in order of appearance.
type dataset struct {
	X       trainers.Matrix
	y       []float64
	classes int
}

func loadCSV(tb testing.TB, name string) dataset {
	tb.Helper()
	f, err := os.Open(filepath.Join(testdata, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	recs = recs[1:]
	p := len(recs[0]) - 1
	d := dataset{X: trainers.NewMatrix(len(recs), p), y: make([]float64, len(recs))}
	labels := map[string]int{}
	for i, r := range recs {
		for j := range p {
			if d.X.Data[i*p+j], err = strconv.ParseFloat(r[j], 64); err != nil {
				tb.Fatalf("%s row %d: %v", name, i, err)
			}
		}
		if v, err := strconv.ParseFloat(r[p], 64); err == nil {
			d.y[i] = v
			continue
		}
		if _, ok := labels[r[p]]; !ok {
			labels[r[p]] = len(labels)
		}
		d.y[i] = float64(labels[r[p]])
	}
	d.classes = len(labels)
	if d.classes == 0 && name != "diabetes.csv" {
		for _, v := range d.y {
			d.classes = max(d.classes, int(v)+1)
		}
	}
	return d
}

// folds assigns each row a fold in 0..k-1: stratified by class when
// classes > 0 (each class shuffled, then dealt round-robin), plain
// shuffled otherwise.
func folds(y []float64, classes, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 1))
	groups := make([][]int, max(classes, 1))
	for i, v := range y {
		c := 0
		if classes > 0 {
			c = int(v)
		}
		groups[c] = append(groups[c], i)
	}
	out := make([]int, len(y))
	next := 0
	for _, g := range groups {
		rng.Shuffle(len(g), func(a, b int) { g[a], g[b] = g[b], g[a] })
		for _, i := range g {
			out[i] = next % k
			next++
		}
	}
	return out
}

func subset(d dataset, rows []int) (trainers.Matrix, []float64) {
	p := d.X.Cols
	X := trainers.NewMatrix(len(rows), p)
	y := make([]float64, len(rows))
	for k, i := range rows {
		copy(X.Row(k), d.X.Row(i))
		y[k] = d.y[i]
	}
	return X, y
}

// crossValidate returns the mean 5-fold score (accuracy or r2) of the
// model built by learner with params.
func crossValidate(tb testing.TB, d dataset, l trainers.Learner, params trial.Params, seed uint64) float64 {
	tb.Helper()
	p, err := trainers.Resolve(l.Info(), params)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := trainers.Config{Task: trial.Regression, Seed: seed}
	if d.classes > 0 {
		cfg = trainers.Config{Task: trial.Classification, Classes: d.classes, Seed: seed}
	}
	const k = 5
	fold := folds(d.y, d.classes, k, seed)
	total := 0.0
	for f := range k {
		var tr, te []int
		for i, g := range fold {
			if g == f {
				te = append(te, i)
			} else {
				tr = append(tr, i)
			}
		}
		Xtr, ytr := subset(d, tr)
		Xte, yte := subset(d, te)
		e, err := l.New(p, cfg)
		if err != nil {
			tb.Fatal(err)
		}
		if err := e.Fit(context.Background(), Xtr, ytr); err != nil {
			tb.Fatal(err)
		}
		total += score(yte, e.Predict(Xte), d.classes > 0)
	}
	return total / k
}

func score(y, pred []float64, classification bool) float64 {
	if classification {
		hit := 0
		for i := range y {
			if y[i] == pred[i] {
				hit++
			}
		}
		return float64(hit) / float64(len(y))
	}
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	var ssr, sst float64
	for i := range y {
		ssr += (y[i] - pred[i]) * (y[i] - pred[i])
		sst += (y[i] - mean) * (y[i] - mean)
	}
	return 1 - ssr/sst
}

// testdata is where the CSVs are: one copy, in the tree package's testdata.
const testdata = "../tree/testdata"
