package datasets

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hpsearch/hpsearch/trial"
)

//go:embed data/*.csv
var bundledFS embed.FS

// Info describes a bundled dataset for `hpsearch datasets`.
type Info struct {
	Name     string
	Rows     int
	Features int
	Target   string
	Task     trial.Task
	Classes  int // 0 for regression
	Source   string
}

// bundled lists the embedded datasets, sorted by name. A test checks the
// figures against the parsed files.
var bundled = []Info{
	{"breast_cancer", 569, 30, "diagnosis", trial.Classification, 2,
		"Wolberg, Street, Mangasarian, UCI Breast Cancer Wisconsin (Diagnostic), CC BY 4.0"},
	{"diabetes", 442, 10, "progression", trial.Regression, 0,
		"Efron, Hastie, Johnstone, Tibshirani (2004), Least Angle Regression"},
	{"digits", 1797, 64, "digit", trial.Classification, 10,
		"Alpaydin, Kaynak, UCI Optical Recognition of Handwritten Digits (8x8), CC BY 4.0"},
	{"iris", 150, 4, "species", trial.Classification, 3,
		"R. A. Fisher (1936), UCI Iris, CC BY 4.0"},
	{"wine", 178, 13, "cultivar", trial.Classification, 3,
		"Forina et al., UCI Wine, CC BY 4.0"},
}

// Bundled returns the bundled datasets, sorted by name.
func Bundled() []Info { return append([]Info(nil), bundled...) }

// IsBundled reports whether name is a bundled dataset.
func IsBundled(name string) bool {
	for _, b := range bundled {
		if b.Name == name {
			return true
		}
	}
	return false
}

func bundledNames() string {
	names := make([]string, len(bundled))
	for i, b := range bundled {
		names[i] = b.Name
	}
	return strings.Join(names, ", ")
}

// cacheKey identifies one parse of a bundled dataset.
type cacheKey struct {
	name string
	opts Options
}

// cache holds func() (*Dataset, error) values from sync.OnceValues, so each
// bundled dataset is parsed at most once per process and set of options.
var cache sync.Map

// Load loads a dataset by reference: a bundled name (see Bundled), a path
// ending in .csv, or a path ending in .parquet. A bundled dataset is
// parsed once per process and options; every caller gets the same
// *Dataset, which is shared read-only and must not be mutated. Errors
// about the input — an unknown name, a file that cannot be opened (the
// cause stays visible to errors.Is, such as fs.ErrNotExist), something
// other than a regular file (ErrNotRegular), input over the limits
// (ErrLimit), bad content — are *trial.InputError.
func Load(ref string, opts Options) (*Dataset, error) {
	if IsBundled(ref) {
		load, _ := cache.LoadOrStore(cacheKey{ref, opts}, sync.OnceValues(func() (*Dataset, error) {
			b, err := bundledFS.ReadFile("data/" + ref + ".csv")
			if err != nil {
				return nil, fmt.Errorf("datasets: load %s: %w", ref, err)
			}
			d, err := ReadCSV(bytes.NewReader(b), ref+".csv", opts)
			if d != nil {
				d.Name = ref
			}
			return d, err
		}))
		return load.(func() (*Dataset, error))()
	}
	switch strings.ToLower(filepath.Ext(ref)) {
	case ".csv":
		f, size, err := openRegular(ref)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readCSV(f, ref, opts, size)
	case ".parquet":
		return ReadParquet(ref, opts)
	}
	return nil, unknownRef(ref)
}

func unknownRef(ref string) error {
	return &trial.InputError{File: ref, Field: "dataset",
		Msg: fmt.Sprintf("not a bundled dataset (%s) nor a .csv or .parquet path", bundledNames())}
}

// openError reports a file that cannot be opened as bad input, keeping the
// underlying error for errors.Is (fs.ErrNotExist, fs.ErrPermission).
func openError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &trial.InputError{File: path, Msg: "cannot open: " + pe.Err.Error(), Err: pe.Err}
	}
	return &trial.InputError{File: path, Msg: "cannot open: " + err.Error(), Err: err}
}

// Columns returns the column names of a dataset reference (as for Load)
// without reading its data, to validate a spec's target cheaply.
func Columns(ref string) ([]string, error) {
	if IsBundled(ref) {
		b, err := bundledFS.ReadFile("data/" + ref + ".csv")
		if err != nil {
			return nil, fmt.Errorf("datasets: columns %s: %w", ref, err)
		}
		return readHeader(newCSVReader(bytes.NewReader(b), ref+".csv"), ref+".csv")
	}
	switch strings.ToLower(filepath.Ext(ref)) {
	case ".csv":
		f, _, err := openRegular(ref)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readHeader(newCSVReader(f, ref), ref)
	case ".parquet":
		return parquetColumns(ref)
	}
	return nil, unknownRef(ref)
}
