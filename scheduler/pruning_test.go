package scheduler

import (
	"sync"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// toldSampler records what it is told.
type toldSampler struct{ told []trial.Result }

func (s *toldSampler) Ask(n int) (trial.Trial, bool) { return trial.Trial{Model: "command"}, true }
func (s *toldSampler) Tell(r trial.Result)           { s.told = append(s.told, r) }

// countingPruner prunes a trial whose last value is below every value
// it was told.
type countingPruner struct {
	min   float64
	count int
}

func (p *countingPruner) Prune(steps []trial.Step) bool {
	return p.count > 0 && steps[len(steps)-1].Value < p.min
}

func (p *countingPruner) Tell(r trial.Result) {
	for _, s := range r.Steps {
		if p.count == 0 || s.Value < p.min {
			p.min = s.Value
		}
		p.count++
	}
}

func TestPruningTellsBoth(t *testing.T) {
	s, p := &toldSampler{}, &countingPruner{}
	pr := NewPruning(s, p)
	if _, ok := pr.Ask(0); !ok {
		t.Fatal("Ask passed on: not ok")
	}
	pruned := trial.Result{Number: 0, State: trial.Pruned, Score: 1, Steps: []trial.Step{{Step: 0, Value: 1}}}
	pr.Tell(pruned)
	pr.Tell(trial.Result{Number: 1, State: trial.Complete, Score: 2, Steps: []trial.Step{{Step: 0, Value: 2}}})
	if len(s.told) != 2 || s.told[0].Budget.Rung != -1 || s.told[1].Budget.Rung != 0 {
		t.Errorf("sampler told %+v; want the pruned result at rung -1, below every complete one", s.told)
	}
	if pruned.Budget.Rung != 0 {
		t.Error("Tell modified the result")
	}
	if p.count != 2 {
		t.Errorf("pruner told %d steps, want 2", p.count)
	}
	if !pr.ShouldPrune(trial.Trial{}, []trial.Step{{Step: 0, Value: 0.5}}) || pr.ShouldPrune(trial.Trial{}, []trial.Step{{Step: 0, Value: 1.5}}) {
		t.Error("ShouldPrune does not follow the pruner")
	}
}

// TestPruningConcurrent: executors ask from many goroutines while Run
// tells; run with -race.
func TestPruningConcurrent(t *testing.T) {
	pr := NewPruning(&toldSampler{}, &countingPruner{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				pr.ShouldPrune(trial.Trial{Number: g}, []trial.Step{{Step: int64(i), Value: float64(i)}})
			}
		})
	}
	for i := range 100 {
		pr.Tell(trial.Result{Number: i, State: trial.Complete, Steps: []trial.Step{{Step: 0, Value: float64(i)}}})
	}
	wg.Wait()
}
