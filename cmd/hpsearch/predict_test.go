package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/refit"
)

// newIris are three iris rows with the columns in the training order.
const newIris = `sepal_length,sepal_width,petal_length,petal_width
5.0,3.4,1.5,0.2
6.9,3.1,5.7,2.1
5.9,3.0,4.2,1.3
`

// TestPredictColumnsByName: predictions come one row per input row, with
// the labels as written in the training data, whatever the order of the
// columns, with extra columns and the target ignored.
func TestPredictColumnsByName(t *testing.T) {
	dir := runBestStudy(t, "iris-forest", refitForestSpec)
	tmp := t.TempDir()
	code, want, stderr := run(t, "predict", dir, "--input", writeFile(t, tmp, "in.csv", newIris))
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	if want != "species\nsetosa\nvirginica\nversicolor\n" {
		t.Errorf("predictions:\n%s", want)
	}
	inputs := map[string]string{
		"reordered": "petal_width,sepal_length,petal_length,sepal_width\n0.2,5.0,1.5,3.4\n2.1,6.9,5.7,3.1\n1.3,5.9,4.2,3.0\n",
		"extra and target": "id,species,sepal_length,sepal_width,petal_length,petal_width,note\n" +
			"1,virginica,5.0,3.4,1.5,0.2,x\n2,setosa,6.9,3.1,5.7,2.1,y\n3,setosa,5.9,3.0,4.2,1.3,z\n",
	}
	for name, in := range inputs {
		code, got, stderr := run(t, "predict", dir, "--input", writeFile(t, tmp, name+".csv", in))
		if code != 0 || got != want {
			t.Errorf("%s: exit %d %s\n%s, want\n%s", name, code, stderr, got, want)
		}
	}
	// The model file itself, --proba, and --output.
	out := filepath.Join(tmp, "out.csv")
	code, stdout, stderr := run(t, "predict", refit.ModelPath(dir), "--input", filepath.Join(tmp, "in.csv"), "--proba", "--output", out)
	if code != 0 || stdout != "" {
		t.Fatalf("predict --output: exit %d, stdout %q: %s", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 || lines[0] != "species,proba_setosa,proba_versicolor,proba_virginica" || !strings.HasPrefix(lines[1], "setosa,") {
		t.Errorf("--proba output:\n%s", b)
	}
}

// TestPredictRefuses: bad input is exit 2 naming the column or the
// problem, and --output is left untouched.
func TestPredictRefuses(t *testing.T) {
	dir := runBestStudy(t, "iris-forest", refitForestSpec)
	tmp := t.TempDir()
	good := readModelFile(t, dir)
	otherVersion := bytes.Replace(good, []byte("hpsearch-model 1\n"), []byte("hpsearch-model 2\n"), 1)
	damaged := bytes.Clone(good)
	damaged[len(damaged)-10] ^= 0x20
	truncated := good[:len(good)/2]
	models := map[string]string{
		"good":      writeFile(t, tmp, "good.hpm", string(good)),
		"other":     writeFile(t, tmp, "other.hpm", string(otherVersion)),
		"damaged":   writeFile(t, tmp, "damaged.hpm", string(damaged)),
		"truncated": writeFile(t, tmp, "truncated.hpm", string(truncated)),
		"not one":   writeFile(t, tmp, "notes.txt", "sepal_length\n"),
	}
	in := writeFile(t, tmp, "in.csv", newIris)
	tests := []struct {
		name, model, input string
		want               []string
	}{
		{"missing column", "good", "sepal_length,sepal_width,petal_length\n5,3,1\n", []string{"missing feature column", "petal_width"}},
		{"wrong-typed column", "good", "sepal_length,sepal_width,petal_length,petal_width\n5,3,1,0.2\n5,three,1,0.2\n", []string{"in.csv:3", "sepal_width", `"three" is not a number`}},
		{"empty file", "good", "", []string{"the file is empty"}},
		{"header only", "good", "sepal_length,sepal_width,petal_length,petal_width\n", []string{"no rows"}},
		{"other version", "other", newIris, []string{"other.hpm", "unsupported model file format", `"2"`}},
		{"damaged", "damaged", newIris, []string{"damaged.hpm", "checksum mismatch"}},
		{"truncated", "truncated", newIris, []string{"truncated.hpm", "checksum mismatch"}},
		{"not a model file", "not one", newIris, []string{"notes.txt", "not an hpsearch model file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := in
			if tt.input != newIris {
				input = writeFile(t, t.TempDir(), "in.csv", tt.input)
			}
			out := filepath.Join(t.TempDir(), "out.csv")
			code, _, stderr := run(t, "predict", models[tt.model], "--input", input, "--output", out)
			if code != 2 {
				t.Errorf("exit %d, want 2: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a failed predict wrote --output")
			}
		})
	}
	code, _, stderr := run(t, "predict", t.TempDir(), "--input", in)
	if code != 2 || !strings.Contains(stderr, "has no model") {
		t.Errorf("a directory without a model: exit %d: %s", code, stderr)
	}
	code, _, stderr = run(t, "predict", dir)
	if code != 2 || !strings.Contains(stderr, "--input FILE is required") {
		t.Errorf("no --input: exit %d: %s", code, stderr)
	}
}

// irisRow is a row of newIris in Parquet, columns in another order and
// with one more.
type irisRow struct {
	PetalWidth  float64 `parquet:"petal_width"`
	Note        string  `parquet:"note"`
	SepalLength float64 `parquet:"sepal_length"`
	PetalLength float64 `parquet:"petal_length"`
	SepalWidth  float64 `parquet:"sepal_width"`
}

// TestPredictParquet: a Parquet input gives the predictions of the same
// rows in CSV.
func TestPredictParquet(t *testing.T) {
	dir := runBestStudy(t, "iris-forest", refitForestSpec)
	tmp := t.TempDir()
	_, want, _ := run(t, "predict", dir, "--input", writeFile(t, tmp, "in.csv", newIris), "--proba")
	path := filepath.Join(tmp, "in.parquet")
	rows := []irisRow{{0.2, "a", 5.0, 1.5, 3.4}, {2.1, "b", 6.9, 5.7, 3.1}, {1.3, "c", 5.9, 4.2, 3.0}}
	if err := parquet.WriteFile(path, rows); err != nil {
		t.Fatal(err)
	}
	code, got, stderr := run(t, "predict", dir, "--input", path, "--proba")
	if code != 0 || got != want {
		t.Errorf("Parquet: exit %d %s\n%s, want the CSV's\n%s", code, stderr, got, want)
	}
}
