package dashboard_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/results"
)

// TestMemoryLimitFollowsTheJournals: the limit is 40 MiB plus 1.25 times
// the bytes of the studies' journals as they stand, and none (-1) when
// GOMEMLIMIT sets one, a study is in S3 or a journal cannot be found.
func TestMemoryLimitFollowsTheJournals(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	study := func(bytes int) string {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, results.JournalFile), make([]byte, bytes), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := study(4<<20), study(2<<20)
	for _, tc := range []struct {
		name    string
		sources []string
		want    int64
	}{
		{"one study", []string{a}, 40<<20 + 5<<20},
		{"two studies", []string{a, b}, 40<<20 + (6<<20)*5/4},
		{"a study in S3", []string{a, "s3://bucket/studies/x"}, -1},
		{"no journal", []string{a, t.TempDir()}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dashboard.MemoryLimit(tc.sources); got != tc.want {
				t.Errorf("MemoryLimit = %d, want %d", got, tc.want)
			}
		})
	}
	// A journal that grows raises the limit.
	before := dashboard.MemoryLimit([]string{b})
	f, err := os.OpenFile(filepath.Join(b, results.JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 1<<20))
	f.Close()
	if after := dashboard.MemoryLimit([]string{b}); after != before+(1<<20)*5/4 {
		t.Errorf("after 1 MiB more: %d, want %d", after, before+(1<<20)*5/4)
	}
	t.Setenv("GOMEMLIMIT", "200MiB")
	if got := dashboard.MemoryLimit([]string{a}); got != -1 {
		t.Errorf("with GOMEMLIMIT set: %d, want -1", got)
	}
}
