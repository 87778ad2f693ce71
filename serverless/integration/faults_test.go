package integration

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/trial"
)

// badDay is the fault spec of the README's "Rehearsing a bad day", as
// given to 'hpsearch emulate --faults'.
const badDay = "429=0.1,5xx=0.05,lost=0.05,crash=0.02,timeout=0.02"

// noopSampler proposes noop trials whose score is their number, so that
// a result shows which trial it belongs to.
type noopSampler struct{ limit int }

func (s noopSampler) Ask(n int) (trial.Trial, bool) {
	if n >= s.limit {
		return trial.Trial{}, false
	}
	return trial.Trial{Model: "noop", Params: trial.Params{"x": float64(n)}}, true
}

func (noopSampler) Tell(trial.Result) {}

// trialFailure names the fault behind a failed result when it is one the
// README counts as the trial's own failure (final, not retried), or "".
func trialFailure(r trial.Result) string {
	switch {
	case strings.Contains(r.Error, "Runtime.ExitError"):
		return "crash"
	case strings.Contains(r.Error, "Sandbox.Timedout"):
		return "timeout"
	}
	return ""
}

// TestStudyUnderFaults: a study of 500 noop trials on an emulation that
// injects the README's bad day, through ParseFaults as 'hpsearch emulate
// --faults' does, accounts for every trial once: each of 0..499 has
// exactly one final result in the journal and none is dispatched again
// after it; every one is complete with its own score, except those failed
// by an injected crash or timeout, which the README says are final; and
// every complete result was stored in S3 before it was answered.
//
// Nothing races the clock: a noop trial takes microseconds, a cold start
// (after each injected crash) seconds at most on a busy machine, and the
// function's timeout (shortTimeout, 10 s) is reached only by the injected
// timeouts, which hold their environment until it by design.
func TestStudyUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("a 500-trial study")
	}
	const n, envs = 500, 4
	faults, err := emulate.ParseFaults(badDay, 11)
	if err != nil {
		t.Fatal(err)
	}
	em := startEmulation(t, envs, shortTimeout, faults)
	// The executor's defaults: a trial whose invocations meet more service
	// errors or lost answers in a row than max_retries (about one study in
	// twenty at these rates) is held as an outage, the backend probed, and
	// the trial run again, never failed for it.
	ex, _ := newExecutorOn(context.Background(), em, lambdaexec.Config{Concurrency: envs})
	ex.Results = lambdaexec.StudyResults(emu.Bucket, results.StudyEvent("bad-day", time.Now()))

	start := time.Now()
	events := runStudyWith(t, filepath.Join(t.TempDir(), "bad-day"), noopSampler{limit: n}, n, envs, ex)
	stats := em.Stats()
	t.Logf("%d trials in %v; router: %d invocations, %d throttled, %d faults injected",
		n, time.Since(start).Round(time.Millisecond), stats.Invocations, stats.Throttled, stats.Injected)

	// Each trial once in the journal, never dispatched after its result.
	finals := checkJournaledOnce(t, events, n)
	byTrial := finalResults(t, events, n)
	stored, err := ex.StoredResults(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]int{}
	retried := 0
	for i := range n {
		r := byTrial[i]
		if r.Backend["attempt"] > 1 {
			retried++
		}
		switch r.State {
		case trial.Complete:
			if finals[i] != float64(i) {
				t.Errorf("trial %d: score %v, want its own, %d", i, finals[i], i)
			}
			if r.Backend["stored"] != 1 || len(stored[i]) == 0 {
				t.Errorf("trial %d: complete, but not stored in S3 (backend %v, stored attempts %v)", i, r.Backend, stored[i])
			}
		case trial.Failed:
			kind := trialFailure(r)
			if kind == "" {
				t.Errorf("trial %d failed for a fault that is not the trial's: %q", i, r.Error)
				continue
			}
			failed[kind]++
		default:
			t.Errorf("trial %d: state %s", i, r.State)
		}
	}
	t.Logf("%d complete, failed %v, %d retried", n-failed["crash"]-failed["timeout"], failed, retried)
	// The faults were injected: at these rates, 500 trials meet about 50
	// throttles, 50 retried faults and 10 each of crashes and timeouts.
	if stats.Injected == 0 || retried == 0 || failed["crash"] == 0 || failed["timeout"] == 0 {
		t.Errorf("faults not injected: %d injected, %d retried, failed %v", stats.Injected, retried, failed)
	}
}
