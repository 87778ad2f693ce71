package results

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadJournal: any bytes either read as a journal whose events are
// all valid and consistent — every result follows a dispatch of its
// trial, one result per trial, trial numbers within
// MaxTrialNumberGap of those before them — or fail with a CorruptError
// naming a line; never a panic.
func FuzzReadJournal(f *testing.F) {
	f.Add([]byte(studyLine + "\n" + dispatchLine + "\n" + resultLine + "\n"))
	f.Add([]byte(studyLine + "\n" + resultLine[:20]))
	f.Add([]byte("{\n}\n"))
	// Forged records: a result without a dispatch, beyond any dispatched,
	// twice for one attempt, and a dispatch far beyond the others.
	f.Add([]byte(studyLine + "\n" + resultLine + "\n"))
	f.Add([]byte(studyLine + "\n" + dispatchLine + "\n" + resultLine + "\n" +
		`{"type":"result","result":{"number":999999999999,"state":"complete","model":"knn","params":{"k":3},"seed":7,"score":1,"seconds":1}}` + "\n"))
	f.Add([]byte(studyLine + "\n" + dispatchLine + "\n" + resultLine + "\n" + resultLine + "\n"))
	f.Add([]byte(studyLine + "\n" + dispatchLine + "\n" + resultLine + "\n" +
		`{"type":"dispatch","trial":{"number":0,"model":"knn","params":{"k":3},"seed":7,"attempt":2}}` + "\n" + resultLine + "\n"))
	f.Add([]byte(studyLine + "\n" + dispatchLine + "\n" +
		`{"type":"dispatch","trial":{"number":999999999999,"model":"knn","params":{"k":3},"seed":7}}` + "\n"))
	f.Add([]byte(studyLine + "\n" + dispatchLine + "\n" +
		`{"type":"result","result":{"number":0,"state":"complete","model":"knn","params":{"k":4},"seed":7,"score":0.9,"seconds":1}}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJournal(bytes.NewReader(data), "j")
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Line < 1 {
				t.Fatalf("error %v is not a CorruptError with a line", err)
			}
			return
		}
		dispatched, counted := map[int]bool{}, map[int]bool{}
		next := 0
		for i, e := range r.Events {
			if err := e.Validate(); err != nil {
				t.Fatalf("event %d invalid: %v", i, err)
			}
			switch e.Type {
			case EventDispatch:
				if n := e.Trial.Number; n < 0 || n-next >= MaxTrialNumberGap {
					t.Fatalf("event %d: dispatch of trial %d accepted after trials below %d", i, n, next)
				}
				if !dispatched[e.Trial.Number] && max(next, e.Trial.Number+1)-(len(dispatched)+1) >= MaxTrialNumberGap {
					t.Fatalf("event %d: dispatch of trial %d accepted, leaving %d numbers undispatched", i, e.Trial.Number, next-len(dispatched))
				}
				if counted[e.Trial.Number] {
					t.Fatalf("event %d: dispatch of trial %d accepted after its result", i, e.Trial.Number)
				}
				dispatched[e.Trial.Number] = true
				next = max(next, e.Trial.Number+1)
			case EventResult:
				if !dispatched[e.Result.Number] || counted[e.Result.Number] {
					t.Fatalf("event %d: result for trial %d accepted without a dispatch, or twice", i, e.Result.Number)
				}
				counted[e.Result.Number] = true
			}
		}
		if len(r.Warnings) > 2 {
			t.Fatalf("%d warnings", len(r.Warnings))
		}
	})
}
