package hpsearch_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hpsearch/hpsearch"
	"github.com/hpsearch/hpsearch/trial"
)

const quadSpec = `
name: quad
direction: minimize
search: {method: tpe, max_trials: 12, parallel: 1, seed: 4}
parameters:
  x: {min: -5.0, max: 5.0}
`

func quad(ctx context.Context, t *hpsearch.Trial) (float64, error) {
	x := t.Float("x")
	return x * x, nil
}

// TestResume: a study interrupted after some trials and resumed from its
// directory ends with the trials of a study never interrupted.
func TestResume(t *testing.T) {
	spec, err := hpsearch.ParseSpec(quadSpec)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := hpsearch.Run(context.Background(), spec, quad, hpsearch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	_, err = hpsearch.Run(ctx, spec, func(ctx context.Context, t *hpsearch.Trial) (float64, error) {
		if calls.Add(1) == 5 {
			cancel() // interrupt after this trial
		}
		return quad(ctx, t)
	}, hpsearch.Options{Dir: dir})
	if !errors.Is(err, trial.ErrInterrupted) {
		t.Fatalf("interrupted run: %v", err)
	}
	resumed, err := hpsearch.Run(context.Background(), spec, quad, hpsearch.Options{Dir: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Complete != 12 || resumed.Best.Score != whole.Best.Score || resumed.Best.Number != whole.Best.Number {
		t.Errorf("resumed: %d complete, best %v (trial %d); uninterrupted best %v (trial %d)",
			resumed.Complete, resumed.Best.Score, resumed.Best.Number, whole.Best.Score, whole.Best.Number)
	}
}

// TestObjectiveFailures: an error, a score that is not finite and a prune
// without any value reported fail the trial, saying why.
func TestObjectiveFailures(t *testing.T) {
	spec, err := hpsearch.ParseSpec(strings.Replace(quadSpec, "max_trials: 12", "max_trials: 3", 1))
	if err != nil {
		t.Fatal(err)
	}
	out, err := hpsearch.Run(context.Background(), spec, func(ctx context.Context, t *hpsearch.Trial) (float64, error) {
		switch t.Number {
		case 0:
			return 0, errors.New("diverged")
		case 1:
			return math.NaN(), nil
		}
		return 0, hpsearch.ErrPruned
	}, hpsearch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"diverged", "not a finite score", "before reporting any value"}
	for i, r := range out.Results {
		if r.State != trial.Failed || !strings.Contains(r.Error, want[r.Number]) {
			t.Errorf("result %d: %s %q, want failed saying %q", i, r.State, r.Error, want[r.Number])
		}
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"name: x\nparameters:\n  a: [1, 2]\n", "direction: is required"},
		{"name: x\ndirection: minimize\ncommand: [ls]\nparameters:\n  a: [1, 2]\n", "spec.yaml:3: command: a study of a Go function runs no command"},
		{"name: x\ndirection: minimize\nmodel: knn\nparameters:\n  a: [1, 2]\n", "spec.yaml:3: model: a study of a Go function has no model"},
	} {
		if _, err := hpsearch.ParseSpec(tc.yaml); !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSpec(%q) = %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
