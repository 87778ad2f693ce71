package results

// Syncs reports how many fsyncs the journal's writer has made, for tests
// and benchmarks of group commit.
func (j *Journal) Syncs() int64 { return j.syncs.Load() }
