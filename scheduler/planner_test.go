package scheduler

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPlannerIsPlanResume: a Planner fed a journal one event at a time
// plans what PlanResume plans from all of it, for the journals of
// studies interrupted at several points (trials in flight, stop events)
// and for the hand-made journal of TestPlanResume's shape (an old
// journal without attempts, a dispatch after the stop).
func TestPlannerIsPlanResume(t *testing.T) {
	var journals [][]results.Event
	store := results.NewMemory()
	store.Append(context.Background(), results.StudyEvent("s", epoch))
	for _, k := range []int{5, 9, 23, 30} {
		prior := journalEvents(t, store)
		ex, ctx := interruptAt(k)
		Run(ctx, Config{Sampler: &fakeSampler{}, Executor: ex, Store: store, Parallel: 3, MaxTrials: 30,
			Direction: trial.Minimize, Seed: testSeed, Prior: prior})
		journals = append(journals, journalEvents(t, store))
	}
	tr := func(n, attempt int) *trial.Trial {
		return &trial.Trial{Number: n, Model: "noop", Params: trial.Params{"x": float64(n)}, Attempt: attempt}
	}
	journals = append(journals, []results.Event{
		{Type: results.EventStudy, Study: "s"},
		{Type: results.EventDispatch, Trial: tr(0, 1)},
		{Type: results.EventDispatch, Trial: tr(1, 1)},
		{Type: results.EventResult, Result: &trial.Result{Number: 1, State: trial.Complete, Score: 2}},
		{Type: results.EventDispatch, Trial: tr(3, 0)},
		{Type: results.EventResult, Result: &trial.Result{Number: 5, State: trial.Failed}},
		{Type: results.EventStop, Reason: StopInterrupted},
		{Type: results.EventDispatch, Trial: tr(0, 2)},
		{Type: results.EventDispatch, Trial: tr(1, 2)},
	})
	for i, events := range journals {
		for cut := range len(events) + 1 {
			t.Run(fmt.Sprintf("journal%d/first%d", i, cut), func(t *testing.T) {
				pl := NewPlanner(trial.Minimize)
				for _, e := range events[:cut] {
					pl.Add(e)
				}
				if got, want := pl.Plan(), PlanResume(events[:cut], trial.Minimize); !reflect.DeepEqual(got, want) {
					t.Errorf("Planner\n %+v\nPlanResume\n %+v", got, want)
				}
			})
		}
	}
}
