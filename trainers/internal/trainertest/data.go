package trainertest

import (
	"cmp"
	"embed"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// testdata holds the CSVs LoadCSV reads: copies of datasets/data, so that
// a trainer's tests do not depend on the datasets package's parser.
//
//go:embed testdata/*.csv
var testdata embed.FS

// Dataset is a loaded CSV: features, targets, and the number of classes
// (0 for regression).
type Dataset struct {
	X       trainers.Matrix
	Y       []float64
	Classes int
}

// Task is Classification when d has classes, Regression otherwise.
func (d Dataset) Task() trial.Task {
	if d.Classes > 0 {
		return trial.Classification
	}
	return trial.Regression
}

// Load reads a testdata CSV by file name ("digits.csv"), diabetes.csv
// as the regression set it is and the others as classification sets.
func Load(tb testing.TB, file string) Dataset {
	tb.Helper()
	task := trial.Classification
	if file == "diabetes.csv" {
		task = trial.Regression
	}
	return LoadCSV(tb, strings.TrimSuffix(file, ".csv"), task)
}

// LoadCSV reads testdata/<name>.csv (iris, wine, breast_cancer, digits,
// diabetes), the last column the target. For Regression targets are
// numbers; for Classification they become class indices in sorted order
// (numeric order when every label is a number), as scikit-learn's
// LabelEncoder numbers them.
func LoadCSV(tb testing.TB, name string, task trial.Task) Dataset {
	tb.Helper()
	f, err := testdata.Open("testdata/" + name + ".csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	rows = rows[1:]
	cols := len(rows[0]) - 1
	X := trainers.NewMatrix(len(rows), cols)
	raw := make([]string, len(rows))
	for i, r := range rows {
		for j := 0; j < cols; j++ {
			v, err := strconv.ParseFloat(r[j], 64)
			if err != nil {
				tb.Fatalf("%s line %d: %v", name, i+2, err)
			}
			X.Data[i*cols+j] = v
		}
		raw[i] = r[cols]
	}
	ds := Dataset{X: X, Y: make([]float64, len(rows))}
	if task == trial.Regression {
		for i, s := range raw {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				tb.Fatalf("%s line %d: %v", name, i+2, err)
			}
			ds.Y[i] = v
		}
		return ds
	}
	labels := slices.Clone(raw)
	numeric := true
	for _, s := range labels {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			numeric = false
		}
	}
	slices.SortFunc(labels, func(a, b string) int {
		if numeric {
			x, _ := strconv.ParseFloat(a, 64)
			y, _ := strconv.ParseFloat(b, 64)
			return cmp.Compare(x, y)
		}
		return cmp.Compare(a, b)
	})
	labels = slices.Compact(labels)
	index := map[string]int{}
	for i, s := range labels {
		index[s] = i
	}
	for i, s := range raw {
		ds.Y[i] = float64(index[s])
	}
	ds.Classes = len(labels)
	return ds
}

// Subset copies the given rows of X and y.
func Subset(X trainers.Matrix, y []float64, rows []int) (trainers.Matrix, []float64) {
	sub := trainers.NewMatrix(len(rows), X.Cols)
	ys := make([]float64, len(rows))
	for i, r := range rows {
		copy(sub.Row(i), X.Row(r))
		ys[i] = y[r]
	}
	return sub, ys
}

// Standardize scales train and test in place with train's column means
// and standard deviations (constant columns are only centred), as
// scikit-learn's StandardScaler fitted on the training fold.
func Standardize(train, test trainers.Matrix) {
	for j := 0; j < train.Cols; j++ {
		var mean, sq float64
		for i := 0; i < train.Rows; i++ {
			mean += train.At(i, j)
		}
		mean /= float64(train.Rows)
		for i := 0; i < train.Rows; i++ {
			d := train.At(i, j) - mean
			sq += d * d
		}
		sd := math.Sqrt(sq / float64(train.Rows))
		if sd == 0 {
			sd = 1
		}
		for _, m := range []trainers.Matrix{train, test} {
			for i := 0; i < m.Rows; i++ {
				m.Data[i*m.Cols+j] = (m.Data[i*m.Cols+j] - mean) / sd
			}
		}
	}
}
