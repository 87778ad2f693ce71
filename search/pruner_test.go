package search

import (
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// curve returns steps 0, 1, ... with the given values.
func curve(values ...float64) []trial.Step {
	out := make([]trial.Step, len(values))
	for i, v := range values {
		out[i] = trial.Step{Step: int64(i), Value: v}
	}
	return out
}

func inTrialPruner(tb testing.TB, es string, dir trial.Direction) Pruner {
	tb.Helper()
	s := parse(tb, "name: x\ncommand: [./t.sh]\ndirection: "+string(dir)+"\nearly_stopping: "+es+"\nparameters:\n  x: {min: 0, max: 1}\n")
	p, err := NewPruner(s)
	if err != nil || p == nil {
		tb.Fatalf("NewPruner = %v, %v", p, err)
	}
	return p
}

func TestMedianPruner(t *testing.T) {
	p := inTrialPruner(t, "{type: median, budget: step, min: 2}", trial.Maximize)
	p.Tell(trial.Result{State: trial.Complete, Steps: curve(0.1, 0.5, 0.6, 0.7)})
	p.Tell(trial.Result{State: trial.Pruned, Steps: curve(0.1, 0.3, 0.2)})
	p.Tell(trial.Result{State: trial.Failed, Steps: curve(0.9, 0.9, 0.9, 0.9)}) // failed: ignored
	cases := []struct {
		name  string
		steps []trial.Step
		prune bool
	}{
		{"before min is never judged", curve(0, 0), false},
		{"below the median at step 2", curve(0, 0, 0.39), true},
		{"at the median", curve(0, 0, 0.4), false},
		{"above the median", curve(0, 0, 0.5), false},
		{"step 3: only the complete trial reported one", curve(0, 0, 0.5, 0.69), true},
		{"a step nobody reported", curve(0, 0, 0.5, 0.7, 0.0), false},
		{"no steps", nil, false},
	}
	for _, tc := range cases {
		if got := p.Prune(tc.steps); got != tc.prune {
			t.Errorf("%s: Prune(%v) = %v, want %v", tc.name, tc.steps, got, tc.prune)
		}
	}
	q := inTrialPruner(t, "{type: median, budget: step}", trial.Minimize)
	q.Tell(trial.Result{State: trial.Complete, Steps: curve(1, 2)})
	if !q.Prune(curve(1.5)) || q.Prune(curve(0.5)) {
		t.Error("minimize: a higher loss than the median must be pruned, a lower one not")
	}
}

func TestASHAPruner(t *testing.T) {
	// eta 2 from step 1: rungs at steps 1, 2, 4 (max).
	p := inTrialPruner(t, "{type: asha, budget: step, min: 1, max: 4, eta: 2}", trial.Maximize)
	for _, v := range []float64{0.9, 0.8, 0.7} {
		p.Tell(trial.Result{State: trial.Complete, Steps: []trial.Step{{Step: 1, Value: v}, {Step: 2, Value: v}, {Step: 4, Value: v}}})
	}
	cases := []struct {
		name  string
		steps []trial.Step
		prune bool
	}{
		{"before the first rung", []trial.Step{{Step: 0, Value: 0}}, false},
		{"rung 1, in the top half of 4", []trial.Step{{Step: 1, Value: 0.85}}, false},
		{"rung 1, third of 4", []trial.Step{{Step: 1, Value: 0.75}}, true},
		{"tie goes its way", []trial.Step{{Step: 1, Value: 0.8}}, false},
		{"rung 1 judged once, when reached", []trial.Step{{Step: 1, Value: 0.85}, {Step: 1, Value: 0}}, false},
		{"step 3 reaches rung 2 (step 2)", []trial.Step{{Step: 1, Value: 0.85}, {Step: 3, Value: 0}}, true},
		{"a jump past two rungs judges both", []trial.Step{{Step: 0, Value: 0}, {Step: 2, Value: 0.75}}, true},
		{"past max, nothing more to judge", []trial.Step{{Step: 1, Value: 0.9}, {Step: 2, Value: 0.9}, {Step: 4, Value: 0.9}, {Step: 8, Value: 0}}, false},
	}
	for _, tc := range cases {
		if got := p.Prune(tc.steps); got != tc.prune {
			t.Errorf("%s: Prune(%v) = %v, want %v", tc.name, tc.steps, got, tc.prune)
		}
	}
	// A lone trial at a rung is its best: it goes on.
	q := inTrialPruner(t, "{type: asha, budget: step}", trial.Maximize)
	if q.Prune([]trial.Step{{Step: 1, Value: -5}}) {
		t.Error("the first trial at a rung was pruned")
	}
}

func TestNoPrunerWithoutInTrialEarlyStopping(t *testing.T) {
	s := parse(t, "name: x\ncommand: [./t.sh]\ndirection: minimize\nparameters:\n  x: {min: 0, max: 1}\n")
	if p, err := NewPruner(s); p != nil || err != nil {
		t.Errorf("NewPruner = %v, %v; want nil, nil", p, err)
	}
}
