package s3journal

// WaitCompaction waits until the journal's checkpoint and delta
// writers are idle: what a test of the checkpoints and deltas a writer
// leaves waits for, since they are written in the background.
func (j *Journal) WaitCompaction() {
	j.mu.Lock()
	for j.checkpointing || j.compacting {
		j.idle.Wait()
	}
	j.mu.Unlock()
}

// WaitDeltas waits until the journal's delta writer is idle.
func (j *Journal) WaitDeltas() {
	j.mu.Lock()
	for j.compacting {
		j.idle.Wait()
	}
	j.mu.Unlock()
}

// DeltaLag returns how many committed segments follow the newest delta
// or checkpoint.
func (j *Journal) DeltaLag() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.next - 1 - max(j.deltaEnd, j.checkpointed)
}
