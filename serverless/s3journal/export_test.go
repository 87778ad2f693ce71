package s3journal

// WaitCompaction waits until the journal's compactor is idle: what a
// test of the checkpoints and deltas a writer leaves waits for, since
// they are written in the background.
func (j *Journal) WaitCompaction() {
	j.mu.Lock()
	for j.compacting {
		j.idle.Wait()
	}
	j.mu.Unlock()
}
