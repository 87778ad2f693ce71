package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LockFile is the name of the lock file in a study directory.
const LockFile = "LOCK"

// Errors about study ownership. Test for them with errors.Is.
var (
	// ErrLocked is returned by LockStudy when another process holds the
	// study's lock; the error is a *LockedError naming the owner.
	ErrLocked = errors.New("study is locked by another process")
)

// Owner says who holds a study's lock, as written in its LOCK file.
type Owner struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Since time.Time `json:"since"`
}

func (o Owner) String() string {
	if o.PID == 0 {
		return "an unknown process (its LOCK file is empty or unreadable)"
	}
	// Host comes from a file or an S3 object anyone may have written.
	return fmt.Sprintf("pid %d on host %s since %s", o.PID, Printable(o.Host), o.Since.Local().Format(time.RFC3339))
}

// LockedError is a study locked by another process: another `hpsearch
// run` or `resume` is running it. It wraps ErrLocked.
type LockedError struct {
	Dir   string
	Owner Owner
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("results: study %s is in use by %s; wait for that run to finish or stop it, then resume",
		e.Dir, e.Owner)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock is the exclusive ownership of a study directory, held from
// LockStudy to Unlock: one scheduler per study.
//
// The lock is an flock(2) on the study's LOCK file, so the kernel drops it
// when its process dies, however it dies: a LOCK file left by a process
// that was killed is stale by construction and the next LockStudy takes
// it over. The file's contents (host, pid, since) only name the owner in
// messages; they are not what excludes. On platforms without flock the
// file is written but excludes nothing.
type Lock struct {
	f    *os.File
	path string
	// Stale is the owner named by a LOCK file that was left behind by a
	// process that no longer holds it (killed, or its machine crashed),
	// and that this Lock took over; nil when there was none.
	Stale *Owner
}

// LockStudy takes the lock of study directory dir, or fails with a
// *LockedError naming its owner. Two processes racing for it leave exactly
// one owner.
func LockStudy(dir string) (*Lock, error) {
	path := filepath.Join(dir, LockFile)
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("results: lock study: %w", err)
		}
		locked, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("results: lock study: %s: %w", path, err)
		}
		if !locked {
			f.Close()
			return nil, &LockedError{Dir: dir, Owner: readOwner(path)}
		}
		// An owner releasing the lock removes the file before closing
		// it; if that happened between our open and our flock we hold a
		// lock on a file nobody else will ever open. Only the file at
		// path counts.
		if same, err := isFileAt(f, path); err != nil || !same {
			f.Close()
			if attempt >= 100 {
				return nil, fmt.Errorf("results: lock study: %s keeps changing under us", path)
			}
			continue
		}
		l := &Lock{f: f, path: path}
		if prev, err := readAll(f); err == nil && len(strings.TrimSpace(string(prev))) > 0 {
			var o Owner
			_ = json.Unmarshal(prev, &o) // a zero Owner says "unknown"
			l.Stale = &o
		}
		if err := l.writeOwner(); err != nil {
			l.Unlock()
			return nil, err
		}
		return l, nil
	}
}

func (l *Lock) writeOwner() error {
	host, _ := os.Hostname()
	data, err := json.Marshal(Owner{Host: host, PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return fmt.Errorf("results: lock study: %w", err)
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("results: lock study: %w", err)
	}
	if _, err := l.f.WriteAt(append(data, '\n'), 0); err != nil {
		return fmt.Errorf("results: lock study: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("results: lock study: %w", err)
	}
	return nil
}

// Unlock removes the LOCK file and releases the lock. It is idempotent.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	// Remove while still holding the lock, so that no one can lock the
	// file we are about to drop (see LockStudy).
	rmErr := os.Remove(l.path)
	closeErr := l.f.Close()
	l.f = nil
	if err := errors.Join(rmErr, closeErr); err != nil {
		return fmt.Errorf("results: unlock study: %w", err)
	}
	return nil
}

// readOwner reads the owner from a LOCK file held by someone else. The
// owner writes it just after taking the lock, so an empty file is retried
// briefly before giving up on naming the owner.
func readOwner(path string) Owner {
	var o Owner
	for range 20 {
		data, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(data, &o) == nil && o.PID != 0 {
			return o
		}
		time.Sleep(5 * time.Millisecond)
	}
	return Owner{}
}

func readAll(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, min(fi.Size(), 4096))
	n, err := f.ReadAt(buf, 0)
	if n == len(buf) {
		err = nil
	}
	return buf[:n], err
}

// isFileAt reports whether f is the file now at path.
func isFileAt(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	return os.SameFile(a, b), nil
}
