package lambdaexec

import (
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// A retried invocation is a new attempt: the poller forgets the values
// and the marker of the attempt before and follows the new attempt's keys.
func TestInTrialPruningRetryFollowsTheNewAttempt(t *testing.T) {
	p := &InTrialPruning{running: map[int]*remoteTrial{
		4: {t: trial.Trial{Number: 4, Attempt: 1}, after: "results/s/steps/00000004/0001/00000009.json",
			steps: []trial.Step{{Step: 9, Value: 0.1}}, marked: true},
	}}
	p.retry(4, 2)
	rt := p.running[4]
	if rt.t.Attempt != 2 || rt.t.Number != 4 || rt.after != "" || len(rt.steps) != 0 || rt.marked {
		t.Errorf("after retry: %+v, want attempt 2 of trial 4 with nothing read and no marker", *rt)
	}
	p.retry(5, 2) // not running: nothing to do
	if len(p.running) != 1 {
		t.Errorf("retry of a trial not running registered it: %v", p.running)
	}
}
