package s3journal_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// TestLaggingDeltaWriterReadBounded: when S3 holds the delta writer's
// PUT while segments still commit (S3 slow for deltas only), commits
// wait once 11 segments follow the newest delta rather than leave more
// behind it; a writer killed then leaves a study read in at most 20
// requests (a LIST, the deltas, a LIST and the segments after them), as
// its segments alone read it, its stack of deltas being 6 at most.
func TestLaggingDeltaWriterReadBounded(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "100000") // no checkpoint: the stack alone
	s3 := newFakeS3()
	s3.pageSize = 1000
	var holding atomic.Bool
	release := make(chan struct{})
	s3.hold = func(ctx context.Context, key string) error {
		if holding.Load() && strings.HasPrefix(key, deltaPrefix) {
			select {
			case <-release:
				return errKilled
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	j := create(t, s3)
	appendCompacted(t, j, 0, 3048) // a stack of 8 deltas without the bound
	if ds := deltas(s3); len(ds) > 6 {
		t.Fatalf("a stack of %d deltas, want 6 at most: %v", len(ds), ds)
	}
	holding.Store(true)
	appended := make(chan int, 1)
	go func() {
		n := 3048
		for ; n < 4548; n++ {
			if err := j.Append(context.Background(), pair(n)...); err != nil {
				break
			}
		}
		appended <- n
	}()
	// The appender stops at the bound, waiting for the delta writer; a
	// journal that did not wait would run on to trial 2999.
	for deadline := time.Now().Add(time.Minute); j.DeltaLag() < 11; { // hang guard only
		if time.Now().After(deadline) {
			t.Fatalf("the lag stays at %d", j.DeltaLag())
		}
		time.Sleep(time.Millisecond)
	}
	if lag := j.DeltaLag(); lag > 11 {
		t.Fatalf("%d segments after the newest delta, want 11 at most", lag)
	}
	s3.killed.Store(true)
	close(release)
	if n := <-appended; n >= 4548 {
		t.Fatalf("all %d trials appended while the delta writer was held", n-3048)
	}
	if lag := j.DeltaLag(); lag > 11 {
		t.Fatalf("%d segments after the newest delta when killed, want 11 at most", lag)
	}
	readKilled(t, s3, 20)
}

// TestCloseEndsADeltaWait: Close, called while a commit waits for a
// held delta writer, lets that commit go on and returns.
func TestCloseEndsADeltaWait(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "100000")
	s3 := newFakeS3()
	s3.pageSize = 1000
	var holding atomic.Bool
	s3.hold = func(ctx context.Context, key string) error {
		if holding.Load() && strings.HasPrefix(key, deltaPrefix) {
			<-ctx.Done() // until Close cancels the delta writer
			return ctx.Err()
		}
		return nil
	}
	j := create(t, s3)
	appendCompacted(t, j, 0, 100)
	holding.Store(true)
	appended := make(chan error, 1)
	go func() {
		var err error
		for n := 100; n < 1000 && err == nil; n++ {
			err = j.Append(context.Background(), pair(n)...)
		}
		appended <- err
	}()
	for deadline := time.Now().Add(time.Minute); j.DeltaLag() < 11; { // hang guard only
		if time.Now().After(deadline) {
			t.Fatalf("the lag stays at %d", j.DeltaLag())
		}
		time.Sleep(time.Millisecond)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-appended; err != nil && !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "closed") {
		t.Fatalf("the appender ended with %v", err)
	}
}
