package dashboard_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
)

// storedLogs is a dashboard.RemoteLogs of logs held in memory, by trial
// and attempt (attempt 0: the last), that records what it was asked.
type storedLogs struct {
	logs map[[2]int]string

	mu    sync.Mutex
	asked []string // "n/a/max"
}

func (s *storedLogs) LogTail(_ context.Context, st *report.Study, n, a int, max int64) ([]byte, bool, string, error) {
	s.mu.Lock()
	s.asked = append(s.asked, fmt.Sprintf("%d/%d/%d", n, a, max))
	log, ok := s.logs[[2]int{n, a}]
	s.mu.Unlock()
	if !ok {
		return nil, false, "", fs.ErrNotExist
	}
	where := fmt.Sprintf("s3://b/results/%s/logs/%08d-%04d.log", st.Spec.Name, n, a)
	if int64(len(log)) > max { // a store that ignores the bound is still held to it
		return []byte(log), true, where, nil
	}
	return []byte(log), false, where, nil
}

func (s *storedLogs) wasAsked(q string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.asked {
		if a == q {
			return true
		}
	}
	return false
}

// TestTrialLogTailFromS3: a study whose trials ran on Lambda has its
// logs in S3, not in its directory; the trial page shows their tails with
// the same bounds and escaping as a local log's, asking for the attempt
// the journal names (the last stored one for a running trial), and falls
// back to the error when there is no stored log.
func TestTrialLogTailFromS3(t *testing.T) {
	st := syntheticStudy(t, "alpha", 10, 1) // trial 10 is running
	st.Dir = "s3://bucket/studies/alpha"
	for _, e := range st.Events {
		if e.Result != nil && e.Result.Number == 3 { // failed
			e.Result.Backend = map[string]float64{"attempt": 2, "billed_ms": 1500}
		}
	}
	var long strings.Builder
	for i := range 10000 { // about 100 KB: more than LogTailBytes
		fmt.Fprintf(&long, "step %d\n", i)
	}
	long.WriteString("\x1b[31mred\x1b[0m\tdone \xff\u202e\n")
	logs := &storedLogs{logs: map[[2]int]string{
		{3, 2}:  long.String(),
		{10, 0}: "running: epoch 1\nrunning: epoch 2\n",
	}}
	m := &memStudies{studies: map[string]*report.Study{"a": st}}
	srv := httptest.NewServer(dashboard.New(dashboard.Options{Sources: []string{"a"}, Load: m.load, Logs: logs}))
	t.Cleanup(srv.Close)
	f := fixture{srv, m}

	t.Run("a failed trial: its attempt's log, bounded and escaped", func(t *testing.T) {
		d := trialDetail(t, f, 3)
		lines := strings.Split(d.LogTail, "\n")
		if d.LogFile != "s3://b/results/alpha/logs/00000003-0002.log" || len(lines) != dashboard.LogTailLines {
			t.Fatalf("log %q with %d lines, want attempt 2's with %d", d.LogFile, len(lines), dashboard.LogTailLines)
		}
		if lines[0] != "step 9961" {
			t.Errorf("first line %q, want step 9961", lines[0])
		}
		if want := `\x1b[31mred\x1b[0m` + "\tdone " + `\xff\u202e`; lines[len(lines)-1] != want {
			t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
		}
		if q := fmt.Sprintf("3/2/%d", dashboard.LogTailBytes); !logs.wasAsked(q) {
			t.Errorf("asked %v, want %s (trial/attempt/max bytes)", logs.asked, q)
		}
	})
	t.Run("a running trial: the last stored attempt's log", func(t *testing.T) {
		d := trialDetail(t, f, 10)
		if d.State != "running" || d.LogFile == "" || d.LogTail != "running: epoch 1\nrunning: epoch 2" {
			t.Errorf("trial 10 (%s): %q from %q", d.State, d.LogTail, d.LogFile)
		}
	})
	t.Run("no stored log: the error's last lines", func(t *testing.T) {
		logs.mu.Lock()
		delete(logs.logs, [2]int{3, 2})
		logs.mu.Unlock()
		d := trialDetail(t, f, 3)
		if d.LogFile != "" || !strings.Contains(d.LogTail, "line two") {
			t.Errorf("trial 3: %q from %q", d.LogTail, d.LogFile)
		}
	})
}

var _ dashboard.RemoteLogs = (*storedLogs)(nil)
