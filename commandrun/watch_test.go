package commandrun_test

import (
	"context"
	"sync"
	"testing"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/trial"
)

// remoteDecision is a Watcher whose decision arrives between values, as
// the Lambda worker's prune marker does: it decides once it has been
// shown a value, never in ShouldPrune.
type remoteDecision struct {
	once    sync.Once
	decided chan struct{}
}

func (r *remoteDecision) ShouldPrune(trial.Trial, []trial.Step) bool {
	r.once.Do(func() { close(r.decided) })
	return false
}

func (r *remoteDecision) Watch(ctx context.Context, _ trial.Trial) <-chan struct{} {
	return r.decided
}

var _ commandrun.Watcher = (*remoteDecision)(nil)

// TestWatcherStopsBetweenValues: a command that reports one value and
// then waits without printing is stopped when the Watcher's channel
// closes, and ends pruned with that value.
func TestWatcherStopsBetweenValues(t *testing.T) {
	dir := t.TempDir()
	script(t, dir, "quiet.sh", "#!/bin/sh\necho '{\"step\": 1, \"score\": 0.25}'\nwhile :; do sleep 1; done\n")
	e := &commandrun.Executor{Command: []string{"./quiet.sh"}, Dir: dir, StudyDir: t.TempDir(),
		Pruner: &remoteDecision{decided: make(chan struct{})}}
	res := execute(t, e, trial.Params{})
	if res.State != trial.Pruned || res.Score != 0.25 || len(res.Steps) != 1 {
		t.Fatalf("result = %s score %v steps %v (%s); want pruned at its one value 0.25", res.State, res.Score, res.Steps, res.Error)
	}
}
