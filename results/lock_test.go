package results_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hpsearch/hpsearch/results"
)

func TestLockStudyOneOwner(t *testing.T) {
	dir := t.TempDir()
	l, err := results.LockStudy(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Stale != nil {
		t.Errorf("fresh lock reports a stale owner %+v", l.Stale)
	}
	_, err = results.LockStudy(dir)
	var le *results.LockedError
	if !errors.As(err, &le) || !errors.Is(err, results.ErrLocked) {
		t.Fatalf("second LockStudy = %v, want a *LockedError", err)
	}
	host, _ := os.Hostname()
	if le.Owner.PID != os.Getpid() || le.Owner.Host != host || le.Owner.Since.IsZero() ||
		!strings.Contains(err.Error(), "pid") || !strings.Contains(err.Error(), host) {
		t.Errorf("LockedError names %+v: %v", le.Owner, err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, results.LockFile)); !os.IsNotExist(err) {
		t.Errorf("LOCK left after Unlock: %v", err)
	}
	l2, err := results.LockStudy(dir)
	if err != nil {
		t.Fatalf("LockStudy after Unlock: %v", err)
	}
	l2.Unlock()
	l2.Unlock() // idempotent
}

// A LOCK file left by a process that died is taken over, and its owner
// reported.
func TestLockStudyTakesOverStaleLock(t *testing.T) {
	dir := t.TempDir()
	stale := `{"host":"elsewhere","pid":999999999,"since":"2025-01-02T03:04:05Z"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, results.LockFile), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := results.LockStudy(dir)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	defer l.Unlock()
	if l.Stale == nil || l.Stale.PID != 999999999 || l.Stale.Host != "elsewhere" {
		t.Errorf("Stale = %+v", l.Stale)
	}
	b, _ := os.ReadFile(filepath.Join(dir, results.LockFile))
	if strings.Contains(string(b), "999999999") {
		t.Errorf("LOCK still names the dead owner: %s", b)
	}
}

// Racing takers, some releasing as others arrive, never leave two owners.
func TestLockStudyRace(t *testing.T) {
	dir := t.TempDir()
	var (
		mu      sync.Mutex
		holders int
		wg      sync.WaitGroup
	)
	for range 16 {
		wg.Go(func() {
			for range 50 {
				l, err := results.LockStudy(dir)
				if err != nil {
					if !errors.Is(err, results.ErrLocked) {
						t.Error(err)
					}
					continue
				}
				mu.Lock()
				holders++
				if holders > 1 {
					t.Error("two owners at once")
				}
				mu.Unlock()
				mu.Lock()
				holders--
				mu.Unlock()
				if err := l.Unlock(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// TestOwnerStringEscapesHost: the host named by a LOCK file or an S3
// object's metadata, which anyone may have written, is shown with its
// control characters escaped.
func TestOwnerStringEscapesHost(t *testing.T) {
	s := results.Owner{PID: 7, Host: "evil\x1b]0;owned\x07"}.String()
	if strings.ContainsAny(s, "\x1b\x07") || !strings.Contains(s, `host evil\x1b]0;owned\x07`) {
		t.Errorf("Owner.String() = %q", s)
	}
}
