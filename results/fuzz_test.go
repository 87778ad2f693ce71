package results

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadJournal: any bytes either read as a journal whose events are
// all valid, or fail with a CorruptError; never a panic.
func FuzzReadJournal(f *testing.F) {
	f.Add([]byte(studyLine + "\n" + dispatchLine + "\n" + resultLine + "\n"))
	f.Add([]byte(studyLine + "\n" + resultLine[:20]))
	f.Add([]byte("{\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJournal(bytes.NewReader(data), "j")
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Line < 1 {
				t.Fatalf("error %v is not a CorruptError with a line", err)
			}
			return
		}
		for i, e := range r.Events {
			if err := e.Validate(); err != nil {
				t.Fatalf("event %d invalid: %v", i, err)
			}
		}
		if len(r.Warnings) > 2 {
			t.Fatalf("%d warnings", len(r.Warnings))
		}
	})
}
