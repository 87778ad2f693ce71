package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
)

// TestProgressBarAfterResume: a resumed study's bar runs over the trials
// left, so its rate and time to go count only the trials this run
// finishes, not the 50 done before, which its description gives.
func TestProgressBarAfterResume(t *testing.T) {
	spec := &search.Spec{Name: "s"}
	spec.Search.MaxTrials = 70
	var buf bytes.Buffer
	p := &progressReporter{w: &buf, spec: spec, prior: 50, bar: newProgressBar(&buf, spec, 50)}
	for _, tc := range []struct{ done, want int }{{50, 0}, {53, 3}, {70, 20}} {
		p.update(scheduler.Snapshot{Done: tc.done, Total: 70})
		st := p.bar.State()
		if st.CurrentNum != int64(tc.want) || st.Max != 20 {
			t.Errorf("after %d done: bar at %d of %d, want %d of 20", tc.done, st.CurrentNum, st.Max, tc.want)
		}
		if tc.want == 0 && st.CurrentBytes != 0 {
			t.Errorf("no new trial, yet the bar counts %v towards its rate", st.CurrentBytes)
		}
		if !strings.Contains(st.Description, "(50 done before)") {
			t.Errorf("description %q does not say 50 were done before", st.Description)
		}
	}
	// Without a terminal, the plain line counts every trial.
	plain := &progressReporter{w: &buf, spec: spec, prior: 50}
	if l := plain.line(scheduler.Snapshot{Done: 53, Total: 70, TrialsPerSecond: 1.5}); !strings.Contains(l, "53/70 done") || !strings.Contains(l, "1.5 trials/s") {
		t.Errorf("line %q", l)
	}
}
