package results_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
	"github.com/hpsearch/hpsearch/trial"
)

// TestScanStreamsWhatReadJournalReads: Scan hands over, one at a time,
// the events ReadJournal returns, records longer than its buffer
// included, and says how many bytes are whole records: all but a torn
// last record.
func TestScanStreamsWhatReadJournalReads(t *testing.T) {
	long := storetest.Result(1)
	long.State, long.Error = trial.Failed, strings.Repeat("x", 200_000)
	text := journalText(t, dispatch(0, 1), result(0), dispatch(1, 1), results.ResultEvent(long, at), dispatch(2, 1))
	torn := `{"type":"result","res`
	for _, tc := range []struct {
		name, text string
		whole      int
		warnings   int
	}{
		{"whole", text, len(text), 0},
		{"torn last record", text + torn, len(text), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := results.ReadJournal(strings.NewReader(tc.text), "j")
			if err != nil {
				t.Fatal(err)
			}
			var got []results.Event
			sc, err := new(results.Checker).Scan(strings.NewReader(tc.text), "j", func(e results.Event) error {
				got = append(got, e)
				return nil
			})
			if err != nil || len(got) != len(want.Events) || len(got) != 6 || got[4].Result.Error != long.Error {
				t.Fatalf("Scan: %d events (ReadJournal %d), %v", len(got), len(want.Events), err)
			}
			if sc.Whole != int64(tc.whole) || len(sc.Warnings) != tc.warnings || sc.Unterminated {
				t.Errorf("Scan found %d whole bytes, warnings %q; want %d, %d warnings", sc.Whole, sc.Warnings, tc.whole, tc.warnings)
			}
		})
	}
	stop := errors.New("enough")
	n := 0
	_, err := new(results.Checker).Scan(strings.NewReader(text), "j", func(results.Event) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Errorf("fn's error: Scan = %v after %d events, want it as it is after 2", err, n)
	}
}

// TestReadResults: a study directory's results, in journal order, each
// completed from its dispatch, and the journal's warnings.
func TestReadResults(t *testing.T) {
	j, err := results.Create(t.TempDir(), "s", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(context.Background(), dispatch(0, 1), dispatch(1, 1), result(1), result(0)); err != nil {
		t.Fatal(err)
	}
	j.Close()
	f, err := os.OpenFile(filepath.Join(j.Dir(), results.JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"type":"dispa`)
	f.Close()
	rs, warnings, err := results.ReadResults(context.Background(), j.Dir())
	if err != nil || len(rs) != 2 || rs[0].Number != 1 || rs[1].Number != 0 || rs[0].Model != "knn" || rs[0].Params["weights"] != "distance" {
		t.Fatalf("ReadResults = %+v, %v", rs, err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "torn last record") {
		t.Errorf("warnings %q, want the torn last record", warnings)
	}
	if _, _, err := results.ReadResults(context.Background(), t.TempDir()); err == nil {
		t.Error("ReadResults of a directory without a journal: no error")
	}
}
