package search

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// Numbers that size an allocation have bounds, and a 0 or a negative
// number that means nothing is an error at its line, not a default.
func TestParseLimitsAndInvalidNumbers(t *testing.T) {
	const head = "name: s\ndataset: iris\nmodel: knn\n" // lines 1-3
	tests := []struct {
		name  string
		yaml  string
		line  int
		field string
		msg   string
	}{
		{"holdout 0", head + "cv: {holdout: 0}\n", 4, "cv.holdout", "not 0"},
		{"holdout 0.0", head + "cv:\n  holdout: 0.0\n", 5, "cv.holdout", "between 0 and 1"},
		{"holdout NaN", head + "cv: {holdout: .nan}\n", 4, "cv.holdout", "finite"},
		{"repeats 0", head + "cv: {folds: 3, repeats: 0}\n", 4, "cv.repeats", "at least 1, not 0"},
		{"repeats negative", head + "cv:\n  repeats: -2\n", 5, "cv.repeats", "at least 1, not -2"},
		{"folds negative", head + "cv: {folds: -3}\n", 4, "cv.folds", "at least 2"},
		{"folds above limit", head + "cv: {folds: 101}\n", 4, "cv.folds", "at most 100"},
		{"splits above limit", head + "cv:\n  folds: 20\n  repeats: 11\n", 6, "cv.repeats", "220 validation splits"},
		{"huge repeats", head + "cv: {repeats: 1000000000}\n", 4, "cv.repeats", "at most 100"},
		{"holdout with repeats", head + "cv: {holdout: 0.2, repeats: 3}\n", 4, "cv.repeats", "not holdout"},
		{"max_trials 0", head + "search: {max_trials: 0}\n", 4, "search.max_trials", "at least 1, not 0"},
		{"max_trials above limit", head + "search:\n  max_trials: 10000001\n", 5, "search.max_trials", "must be at most 10000000, not 10000001"},
		{"parallel 0", head + "search: {parallel: 0}\n", 4, "search.parallel", "at least 1, not 0"},
		{"parallel negative", head + "search: {parallel: -5}\n", 4, "search.parallel", "at least 1, not -5"},
		{"parallel huge", head + "search: {parallel: 100000000}\n", 4, "search.parallel", "must be at most 10000, not 100000000"},
		{"n_startup_trials huge", head + "search: {method: tpe, n_startup_trials: 100000000}\n", 4, "search.n_startup_trials", "must be at most"},
		{"brackets 0", "name: s\ndataset: iris\nmodel: random_forest\nearly_stopping: {type: hyperband, budget: n_estimators, min: 1, max: 9, brackets: 0}\n", 4, "early_stopping.brackets", "between 1 and"},
		{"budget max above declared", "name: s\ndataset: iris\nmodel: random_forest\nearly_stopping:\n  type: asha\n  budget: n_estimators\n  min: 10\n  max: 1000000000\n", 8, "early_stopping.max", "outside the allowed range [1, 10000]"},
		{"rung above declared", "name: s\ndataset: iris\nmodel: random_forest\nearly_stopping: {type: median, budget: n_estimators, rungs: [10, 100000]}\n", 4, "early_stopping.rungs[1]", "[1, 10000]"},
		{"param above declared", "name: s\ndataset: iris\nmodel: random_forest\nparameters:\n  n_estimators: 1000000000\n", 5, "parameters.n_estimators", "outside the allowed range [1, 10000]"},
		{"grid_points above limit", "name: s\nmodel: branin\nparameters:\n  x1: {min: -5, max: 10, grid_points: 10001}\n", 4, "parameters.x1.grid_points", "between 2 and 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseErr(tt.yaml)
			var ie *trial.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not a *trial.InputError", err)
			}
			if !errors.Is(err, trial.ErrBadInput) {
				t.Error("error does not wrap trial.ErrBadInput")
			}
			if ie.File != "spec.yaml" || ie.Line != tt.line || ie.Field != tt.field {
				t.Errorf("at %s:%d field %q, want line %d field %q (%v)", ie.File, ie.Line, ie.Field, tt.line, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

// The bounds themselves are allowed, and a setting not written keeps its
// default.
func TestParseLimitsAccepted(t *testing.T) {
	const head = "name: s\ndataset: iris\nmodel: knn\n"
	tests := []struct {
		name  string
		yaml  string
		check func(*Spec) bool
	}{
		{"defaults", head, func(s *Spec) bool {
			return s.CV.Folds == DefaultFolds && s.Search.MaxTrials == DefaultMaxTrials && s.Search.Parallel >= 1
		}},
		{"parallel at limit", head + "search: {parallel: 10000, max_trials: 10000000}\n", func(s *Spec) bool {
			return s.Search.Parallel == MaxParallel && s.Search.MaxTrials == MaxTrialsLimit
		}},
		{"holdout", head + "cv: {holdout: 0.2, repeats: 1}\n", func(s *Spec) bool { return s.CV.Holdout == 0.2 && s.CV.Folds == 0 }},
		{"splits at limit", head + "cv: {folds: 10, repeats: 10}\n", func(s *Spec) bool { return s.CV.Splits() == trial.MaxSplits }},
		{"folds at limit", head + "cv: {folds: 100}\n", func(s *Spec) bool { return s.CV.Folds == trial.MaxFolds }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseErr(tt.yaml)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Errorf("resolved spec %+v %+v", s.CV, s.Search)
			}
			// Validate is idempotent: the resolved spec (as spec.json
			// stores it, without lines) validates again.
			s.Lines = nil
			if err := s.Validate(testCatalog); err != nil {
				t.Errorf("resolved spec does not validate again: %v", err)
			}
		})
	}
}

// bigValuesSpec returns a spec whose one parameter lists the n values
// 0 ... n-1 in a flow list on line 4.
func bigValuesSpec(n int) string {
	var b strings.Builder
	b.WriteString("name: s\nmodel: noop\nparameters:\n  x: [")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, i)
	}
	b.WriteString("]\n")
	return b.String()
}

// A spec listing as many distinct values as fit in MaxSpecBytes (150,000)
// validates: the duplicate check is a map, not a comparison of every
// pair, which took hours on lists of this size.
func TestParseManyValues(t *testing.T) {
	const n = 150_000
	yaml := bigValuesSpec(n)
	if len(yaml) > MaxSpecBytes {
		t.Fatalf("test spec is %d bytes, over the limit", len(yaml))
	}
	s, err := parseErr(yaml)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Models[0].Params[0].Values); got != n {
		t.Fatalf("%d values, want %d", got, n)
	}
	if size, _ := s.Size(); size != n {
		t.Errorf("Size = %d, want %d", size, n)
	}

}

// Validate takes a spec of 200,000 distinct values (built in Go, so not
// bound by MaxSpecBytes) and finds a duplicate among them.
func TestValidateManyValues(t *testing.T) {
	const n = 200_000
	spec := func(extra ...any) *Spec {
		vs := make([]any, n, n+len(extra))
		for i := range vs {
			vs[i] = fmt.Sprintf("v%d", i)
		}
		return &Spec{Name: "s", Models: []ModelSpace{{Model: "noop", Params: []Dimension{{Name: "x", Values: append(vs, extra...)}}}}}
	}
	s := spec()
	if err := s.Validate(testCatalog); err != nil {
		t.Fatal(err)
	}
	if got := len(s.Models[0].Params[0].Values); got != n {
		t.Errorf("%d values, want %d", got, n)
	}
	err := spec("v123").Validate(testCatalog)
	var ie *trial.InputError
	if !errors.As(err, &ie) || ie.Field != "models[0].parameters.x" || !strings.Contains(err.Error(), `"v123" is listed twice`) {
		t.Errorf("duplicate: %v", err)
	}
}

// The duplicate check treats values as trial.EqualValue does.
func TestDuplicateValues(t *testing.T) {
	tests := []struct {
		values string
		dup    bool
	}{
		{"[1, 2, 3]", false},
		{"[1, 1.0]", true},
		{"[0, -0.0]", true},
		{`[1, "1"]`, false},
		{`[a, "a"]`, true},
		{"[true, yes]", false}, // yaml.v3: yes is the string "yes"
		{`[true, "true"]`, false},
		{"[null, ~]", true},
		{"[.nan, .nan]", false}, // NaN equals nothing, as in EqualValue
	}
	for _, tt := range tests {
		_, err := parseErr("name: s\nmodel: noop\nparameters:\n  x: " + tt.values + "\n")
		if got := err != nil && strings.Contains(err.Error(), "listed twice"); got != tt.dup {
			t.Errorf("%s: duplicate = %v (%v), want %v", tt.values, got, err, tt.dup)
		}
	}
}

// BenchmarkParseManyValues measures validation of a spec of 100,000
// values; it grows linearly with the number of values.
func BenchmarkParseManyValues(b *testing.B) {
	yaml := bigValuesSpec(100_000)
	for b.Loop() {
		if _, err := parseErr(yaml); err != nil {
			b.Fatal(err)
		}
	}
}

// A spec larger than MaxSpecBytes is refused, naming the file and the
// limit, whether it comes from a reader or a file; a spec at the limit is
// read.
func TestSpecSizeLimit(t *testing.T) {
	valid := "name: s\nmodel: noop\nparameters: {x: 1}\n"
	pad := func(n int) string { // a valid spec of exactly n bytes
		return valid + "#" + strings.Repeat("x", n-len(valid)-2) + "\n"
	}
	big := pad(2 << 20)

	_, err := Parse(strings.NewReader(big), "big.yaml", testCatalog)
	var ie *trial.InputError
	if !errors.As(err, &ie) || ie.File != "big.yaml" || !errors.Is(err, ErrSpecTooLarge) || !errors.Is(err, trial.ErrBadInput) ||
		!strings.Contains(err.Error(), "limit of 1 MiB (1048576 bytes)") {
		t.Errorf("Parse of 2 MiB: %v", err)
	}
	if _, err := Parse(strings.NewReader(pad(MaxSpecBytes)), "ok.yaml", testCatalog); err != nil {
		t.Errorf("Parse of exactly MaxSpecBytes: %v", err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path, testCatalog)
	if !errors.Is(err, ErrSpecTooLarge) || !strings.Contains(err.Error(), path+": the spec is 2 MiB, larger than the limit of 1 MiB") {
		t.Errorf("Load of 2 MiB: %v", err)
	}
	_, err = LoadAs(path, "s3://bucket/study/spec.yaml", testCatalog)
	if !errors.Is(err, ErrSpecTooLarge) || !strings.HasPrefix(err.Error(), "s3://bucket/study/spec.yaml: ") {
		t.Errorf("LoadAs of 2 MiB: %v", err)
	}
	_, err = Load(dir, testCatalog)
	if !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Load of a directory: %v", err)
	}
}

// An endless stream (/dev/zero behind a symlink, say) is read only up to
// the limit.
func TestSpecSizeLimitEndlessReader(t *testing.T) {
	_, err := Parse(endless{}, "zero.yaml", testCatalog)
	if !errors.Is(err, ErrSpecTooLarge) {
		t.Errorf("Parse of an endless reader: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		dir := t.TempDir()
		link := filepath.Join(dir, "spec.yaml")
		if err := os.Symlink("/dev/zero", link); err != nil {
			t.Skip(err)
		}
		_, err := Load(link, testCatalog)
		if !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), "not a spec file") {
			t.Errorf("Load of a symlink to /dev/zero: %v", err)
		}
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '#'
	}
	return len(p), nil
}

// YAML aliases cannot expand a small spec into billions of values.
func TestSpecAliasExpansion(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("name: s\nmodel: noop\nx: &v [")
	for i := range 50_000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprint(&b, i)
	}
	b.WriteString("]\nparameters:\n")
	for i := range 100 {
		fmt.Fprintf(&b, "  p%d: *v\n", i)
	}
	// x is not a known key, so move the anchor under a parameter instead.
	yaml := strings.Replace(b.String(), "x: &v [", "parameters:\n  p: &v [", 1)
	yaml = strings.Replace(yaml, "]\nparameters:\n", "]\n", 1)
	if len(yaml) > MaxSpecBytes {
		t.Fatalf("test spec is %d bytes", len(yaml))
	}
	_, err := parseErr(yaml)
	if !errors.Is(err, ErrSpecTooLarge) || !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), "expands to more than") {
		t.Errorf("alias bomb: %v", err)
	}

	// Nested aliases, each doubling the one before: 2^40 values from a
	// few hundred bytes.
	var nest strings.Builder
	nest.WriteString("name: s\nmodel: noop\nparameters:\n  a0: &a0 [1, 2]\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&nest, "  a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	_, err = parseErr(nest.String())
	if !errors.Is(err, ErrSpecTooLarge) {
		t.Errorf("nested aliases: %v", err)
	}

	// An alias inside the value it refers to expands forever.
	_, err = parseErr("name: s\nmodel: noop\nparameters:\n  x: &a [1,\n    *a]\n")
	var ie *trial.InputError
	if !errors.As(err, &ie) || ie.Line != 5 || !strings.Contains(err.Error(), "alias *a is inside the value it refers to") {
		t.Errorf("recursive alias: %v", err)
	}

	// Aliases that share a block between families are fine.
	s, err := parseErr("name: s\nmodel: noop\nparameters:\n  x: &v [1, 2, 3]\n  y: *v\n")
	if err != nil || len(s.Models[0].Params[1].Values) != 3 {
		t.Errorf("shared list: %v", err)
	}
}
