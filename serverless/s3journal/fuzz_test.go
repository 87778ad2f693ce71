package s3journal_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

// FuzzParse: Parse never panics; what it refuses is bad input; what it
// accepts prints back as a URL that parses to the same Location, whose
// key has no empty, "." or ".." element.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"s3://b", "s3://b/", "s3://b/runs/iris", "s3://b/runs//iris", "s3://b/./x", "s3:/b", "s3://", "s3:///k", "s3://b/a/../c/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, url string) {
		loc, err := s3journal.Parse(url)
		if err != nil {
			if !errors.Is(err, trial.ErrBadInput) {
				t.Fatalf("Parse(%q): %v, not bad input", url, err)
			}
			return
		}
		if loc.Bucket == "" || strings.HasPrefix(loc.Key, "/") || strings.HasSuffix(loc.Key, "/") {
			t.Fatalf("Parse(%q) = %+v", url, loc)
		}
		for _, el := range strings.Split(loc.Key, "/") {
			if loc.Key != "" && (el == "" || el == "." || el == "..") {
				t.Fatalf("Parse(%q) = %+v: key element %q", url, loc, el)
			}
		}
		again, err := s3journal.Parse(loc.String())
		if err != nil || again != loc {
			t.Fatalf("Parse(%q) = %+v, printed %q, parsed again %+v, %v", url, loc, loc.String(), again, err)
		}
	})
}
