package dashboard

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/hpsearch/hpsearch/results"
)

// MemoryLimit returns the soft memory limit (runtime/debug.SetMemoryLimit)
// for a process serving the studies sources, from what their journals
// hold now: 40 MiB plus 1.25 times the bytes of their journals, room
// for what their trials hold once read (report.LoadTrials, brought up to
// date in place by report.Study.Reload: a 100,000-trial no-op study's
// 47 MB journal is about 27 MiB of trials, by column, and its Checker)
// and for what one read's charts and table pages make and drop (about
// 60 MiB there, most of it not at once). Without a limit the collector
// lets the heap grow to twice what was live at its last collection, a
// chart build included, and a dashboard following a 100,000-trial study
// peaks far above that. A study holding more than the limit is still
// served: the runtime caps the collector's share of the CPU.
//
// A growing study's limit grows with it: call MemoryLimit again before
// each read. It returns -1 (keep the runtime's) when GOMEMLIMIT sets a
// limit, when a source is kept in S3 (its journal's size is not known
// here) and when a journal cannot be found (the read says why).
func MemoryLimit(sources []string) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return -1
	}
	var bytes int64
	for _, src := range sources {
		if strings.HasPrefix(src, "s3://") {
			return -1
		}
		fi, err := os.Stat(filepath.Join(src, results.JournalFile))
		if err != nil {
			return -1
		}
		bytes += fi.Size()
	}
	return 40<<20 + bytes*5/4
}
