package datasets

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func TestBundled(t *testing.T) {
	tests := []struct {
		name          string
		rows, cols, k int
		task          trial.Task
	}{
		{"iris", 150, 4, 3, trial.Classification},
		{"digits", 1797, 64, 10, trial.Classification},
		{"diabetes", 442, 10, 0, trial.Regression},
		{"breast_cancer", 569, 30, 2, trial.Classification},
		{"wine", 178, 13, 3, trial.Classification},
	}
	infos := Bundled()
	if len(infos) != len(tests) {
		t.Errorf("Bundled() has %d datasets, want %d", len(infos), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !IsBundled(tt.name) {
				t.Fatalf("IsBundled(%q) = false", tt.name)
			}
			d, err := Load(tt.name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != tt.name || d.Rows != tt.rows || d.Cols != tt.cols || len(d.Classes) != tt.k || d.Task != tt.task {
				t.Errorf("%s: %d×%d, %d classes, %s; want %d×%d, %d classes, %s",
					d.Name, d.Rows, d.Cols, len(d.Classes), d.Task, tt.rows, tt.cols, tt.k, tt.task)
			}
			i := slices.IndexFunc(infos, func(in Info) bool { return in.Name == tt.name })
			if i < 0 {
				t.Fatalf("Bundled() lacks %s", tt.name)
			}
			in := infos[i]
			if in.Rows != d.Rows || in.Features != d.Cols || in.Classes != len(d.Classes) || in.Task != d.Task || in.Target != d.Target || in.Source == "" {
				t.Errorf("Info %+v disagrees with the data: %d×%d %s target %s", in, d.Rows, d.Cols, d.Task, d.Target)
			}
			if again, _ := Load(tt.name, Options{}); again != d {
				t.Error("second Load returned a different *Dataset; want the cached one")
			}
			cols, err := Columns(tt.name)
			if err != nil || len(cols) != tt.cols+1 || cols[len(cols)-1] != d.Target {
				t.Errorf("Columns = %v, %v", cols, err)
			}
		})
	}
	if IsBundled("mnist") {
		t.Error(`IsBundled("mnist") = true`)
	}
}

func TestLoadOtherTarget(t *testing.T) {
	d, err := Load("iris", Options{Target: "petal_width"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Task != trial.Regression || d.Cols != 6 || d.Features[3] != "species=setosa" {
		t.Errorf("iris predicting petal_width: %s, features %v", d.Task, d.Features)
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "small.CSV")
	if err := os.WriteFile(path, []byte("a,b,y\n1,2,x\n3,4,z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(path, Options{})
	if err != nil || d.Name != "small" || d.Rows != 2 || d.Cols != 2 {
		t.Fatalf("Load(%s) = %+v, %v", path, d, err)
	}
	if cols, err := Columns(path); err != nil || !slices.Equal(cols, []string{"a", "b", "y"}) {
		t.Errorf("Columns = %v, %v", cols, err)
	}

	tests := []struct {
		ref    string
		target error
	}{
		{filepath.Join(dir, "absent.csv"), fs.ErrNotExist},
		{filepath.Join(dir, "absent.parquet"), fs.ErrNotExist},
		{"mnist", trial.ErrBadInput},
		{filepath.Join(dir, "data.json"), trial.ErrBadInput},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.ref), func(t *testing.T) {
			_, err := Load(tt.ref, Options{})
			if !errors.Is(err, trial.ErrBadInput) || !errors.Is(err, tt.target) {
				t.Errorf("Load: %v, want %v and bad input", err, tt.target)
			}
			if _, err := Columns(tt.ref); !errors.Is(err, tt.target) {
				t.Errorf("Columns: %v, want %v", err, tt.target)
			}
		})
	}
}

func TestGenerateCSV(t *testing.T) {
	var a, b bytes.Buffer
	for _, w := range []*bytes.Buffer{&a, &b} {
		if err := GenerateCSV(w, 300, 5, 7); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("GenerateCSV with the same seed gave different output")
	}
	d := readString(t, a.String(), Options{})
	if d.Rows != 300 || d.Cols != 5 || d.Task != trial.Classification || !slices.Equal(d.Classes, []string{"c0", "c1", "c2"}) {
		t.Errorf("generated %d×%d %s %v", d.Rows, d.Cols, d.Task, d.Classes)
	}
	if err := GenerateCSV(io.Discard, 10, 0, 1); err == nil {
		t.Error("GenerateCSV with 0 columns: want an error")
	}
}

func TestLoadConcurrent(t *testing.T) {
	const n = 8
	got := make([]*Dataset, n)
	done := make(chan int)
	for i := range n {
		go func() {
			d, err := Load("wine", Options{Encoding: Ordinal})
			if err != nil {
				t.Error(err)
			}
			got[i] = d
			done <- i
		}()
	}
	for range n {
		<-done
	}
	for _, d := range got[1:] {
		if d != got[0] {
			t.Fatal("concurrent Loads of a bundled dataset returned different pointers")
		}
	}
}
