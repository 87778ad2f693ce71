package results

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Names of the files in a study directory.
const (
	SpecYAMLFile = "spec.yaml"
	SpecJSONFile = "spec.json"
	JournalFile  = "journal.jsonl"
)

// Journal is the Store of a study directory: journal.jsonl. An Append
// that finds no other Append under way and no commit in progress writes
// and fsyncs its events itself, in its own goroutine: a lone appender,
// such as the scheduler of a sequential study, then pays for the write
// and the fsync and for no hand-off to another goroutine and back.
// Concurrent Appends go to a background writer that gathers every Append
// waiting for it into one write and one fsync (group commit), so N
// concurrent appenders pay for about one fsync, not N.
//
// A Journal from Create is open for appending until Close, which stops
// the writer. A Journal from Open is read-only.
type Journal struct {
	dir  string
	path string

	// The writer, set by Create only. reqs is unbuffered so that a send
	// succeeds only while the writer is listening: after Close no request
	// can be stranded in a buffer.
	f      *os.File
	reqs   chan *appendRequest
	stop   <-chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// commitMu is held by whoever writes and fsyncs f: an appender
	// committing inline or the writer. It guards broken and closed.
	commitMu sync.Mutex
	// broken is the error of the first failed commit: after a failed
	// fsync the file's contents are unknown, so every later commit fails.
	broken error
	closed bool // f is closed
	// fileMu keeps readers from seeing half of a batch being written.
	fileMu sync.Mutex
	// syncFile is f.Sync, replaceable in tests; syncs counts the calls.
	syncFile func(*os.File) error
	syncs    atomic.Int64
	// appenders counts the Appends under way, for the fast path.
	appenders atomic.Int64

	closeOnce sync.Once
	closeErr  error
}

type appendRequest struct {
	data []byte
	done chan error // buffered: the writer never waits on an appender
}

// CheckStudyName refuses a study name that is not one path element (a
// slash, a backslash, a leading dot), wrapping trial.ErrBadInput: a
// study is one directory, or one S3 prefix, under the studies' parent.
// It refuses control characters too (anything Printable would escape):
// the name is shown in progress lines and summaries.
func CheckStudyName(name string) error {
	if name == "" || strings.HasPrefix(name, ".") || strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("%w: invalid study name %q: it must be one path element, not starting with a dot", trial.ErrBadInput, name)
	}
	if Printable(name) != name {
		return fmt.Errorf("%w: invalid study name %q: it must not hold control characters", trial.ErrBadInput, name)
	}
	return nil
}

// Create makes the study directory dir/name holding specYAML, specJSON
// and a journal that starts with a study event, and returns the journal
// open for appending. dir is created if missing.
//
// If dir/name exists Create fails with an error wrapping
// trial.ErrStudyExists. Create builds the study in a hidden temporary
// directory and renames it into place, so a failure leaves no partial
// study behind.
func Create(dir, name string, specYAML, specJSON []byte) (*Journal, error) {
	if err := CheckStudyName(name); err != nil {
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	final := filepath.Join(dir, name)
	if _, err := os.Lstat(final); err == nil {
		return nil, existsError(final)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, "."+name+".creating-")
	if err != nil {
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(tmp)
		}
	}()
	header, err := EncodeEvents([]Event{StudyEvent(name, time.Now().UTC())})
	if err != nil {
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{SpecYAMLFile, specYAML}, {SpecJSONFile, specJSON}, {JournalFile, header}} {
		if err := writeFileSync(filepath.Join(tmp, f.name), f.data); err != nil {
			return nil, fmt.Errorf("results: create study: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	if err := syncDir(tmp); err != nil {
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	// Lstat above catches the usual case; rename refuses a non-empty
	// target, which catches a study created since.
	if err := os.Rename(tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, existsError(final)
		}
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	committed = true
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	path := filepath.Join(final, JournalFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("results: create study: %w", err)
	}
	return startWriter(final, path, f), nil
}

// startWriter returns the journal of study directory dir appending to f,
// the open journal file at path, with its writer running.
func startWriter(dir, path string, f *os.File) *Journal {
	ctx, cancel := context.WithCancel(context.Background())
	j := &Journal{
		dir:      dir,
		path:     path,
		f:        f,
		reqs:     make(chan *appendRequest),
		stop:     ctx.Done(),
		cancel:   cancel,
		syncFile: (*os.File).Sync,
	}
	j.wg.Add(1)
	go j.write(ctx)
	return j
}

func existsError(path string) error {
	return fmt.Errorf("results: %w: %s (choose another study name with `name:` in the spec, or another directory with --dir; to continue it: hpsearch resume %s)",
		trial.ErrStudyExists, path, path)
}

// Open returns the journal of the study directory studyDir, for reading.
// Append on it returns ErrReadOnly.
func Open(studyDir string) (*Journal, error) {
	path := filepath.Join(studyDir, JournalFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("results: open study: %w", err)
	}
	return &Journal{dir: studyDir, path: path}, nil
}

// Dir returns the study directory.
func (j *Journal) Dir() string { return j.dir }

// Append writes events to the journal and returns once they are on disk;
// see Store for the contract. Once a write or fsync has failed every later
// Append fails too: after a failed fsync the file's contents are unknown.
func (j *Journal) Append(ctx context.Context, events ...Event) error {
	if j.reqs == nil {
		return fmt.Errorf("results: append: %w", ErrReadOnly)
	}
	select {
	case <-j.stop:
		return fmt.Errorf("results: append: %w", ErrClosed)
	default:
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("results: append: %w", err)
	}
	if len(events) == 0 {
		return nil
	}
	// Encode here, not in the writer, so appenders encode in parallel,
	// into a buffer of an earlier Append's.
	bp := encodeBuffers.Get().(*[]byte)
	data, err := appendEvents((*bp)[:0], events)
	if err != nil {
		encodeBuffers.Put(bp)
		return fmt.Errorf("results: append: %w", err)
	}
	// release hands the buffer back once nothing reads data any more.
	release := func() {
		if cap(data) <= maxPooledBuffer {
			*bp = data[:0]
			encodeBuffers.Put(bp)
		}
	}
	// The fast path: no other Append under way and no commit in
	// progress, so commit here rather than wake the writer and wait to be
	// woken by it. Any other appender means concurrent appenders, who
	// share the writer's next fsync instead: were the first to find the
	// lock free after a commit to take it, each would pay for an fsync.
	defer j.appenders.Add(-1)
	if j.appenders.Add(1) == 1 && j.commitMu.TryLock() {
		defer j.commitMu.Unlock()
		defer release()
		if j.closed {
			return fmt.Errorf("results: append: %w", ErrClosed)
		}
		return j.commit(data)
	}
	r := &appendRequest{data: data, done: make(chan error, 1)}
	select {
	case j.reqs <- r:
	case <-j.stop:
		release()
		return fmt.Errorf("results: append: %w", ErrClosed)
	case <-ctx.Done():
		release()
		return fmt.Errorf("results: append: %w", ctx.Err())
	}
	select {
	case err := <-r.done:
		release() // the writer has copied data
		return err
	case <-ctx.Done():
		// The writer may still read data: it is not handed back.
		return fmt.Errorf("results: append: %w (the events may have been written)", ctx.Err())
	}
}

// encodeBuffers holds *[]byte buffers that Appends encode their events
// into, so that a study's thousands of Appends do not each allocate and
// grow one; maxPooledBuffer bounds what a buffer keeps for the next.
var encodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBuffer = 1 << 20

// write is the writer goroutine: it takes one request, then every request
// already waiting, and commits them together.
func (j *Journal) write(ctx context.Context) {
	defer j.wg.Done()
	var (
		batch []*appendRequest
		buf   bytes.Buffer
	)
	for {
		select {
		case r := <-j.reqs:
			batch = append(batch[:0], r)
		case <-ctx.Done():
			return
		}
		// Appenders just woken by the last commit are usually a few
		// microseconds from sending; yielding once lets them join this
		// batch instead of each paying for the next fsync.
		runtime.Gosched()
	gather:
		for {
			select {
			case r := <-j.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		buf.Reset()
		for _, r := range batch {
			buf.Write(r.data)
		}
		j.commitMu.Lock()
		err := j.commit(buf.Bytes())
		j.commitMu.Unlock()
		for _, r := range batch {
			r.done <- err
		}
	}
}

// commit writes data and fsyncs the file. The caller holds commitMu.
func (j *Journal) commit(data []byte) error {
	if j.broken != nil {
		return j.broken
	}
	j.fileMu.Lock()
	_, err := j.f.Write(data)
	j.fileMu.Unlock()
	if err != nil {
		j.broken = fmt.Errorf("results: append to %s: %w", j.path, err)
		return j.broken
	}
	j.syncs.Add(1)
	if err := j.syncFile(j.f); err != nil {
		j.broken = fmt.Errorf("results: append to %s: fsync: %w", j.path, err)
		return j.broken
	}
	return nil
}

// Events returns the journal's events, dropping a torn last record; see
// Replay for the warning about it.
func (j *Journal) Events(ctx context.Context) ([]Event, error) {
	r, err := j.Replay(ctx)
	return r.Events, err
}

// Replay reads the journal file: its events and warnings about a torn last
// record. It works while the study is running, from this process or
// another.
func (j *Journal) Replay(ctx context.Context) (Replay, error) {
	if err := ctx.Err(); err != nil {
		return Replay{}, fmt.Errorf("results: read journal: %w", err)
	}
	var out Replay
	sc, err := j.Scan(ctx, func(e Event) error {
		out.Events = append(out.Events, e)
		return nil
	})
	out.Warnings = sc.Warnings
	return out, err
}

// Scan reads the journal file as Replay does, streaming it: it calls fn
// with each event in order and keeps none (see Checker.Scan), so a reader
// that keeps only what it needs reads a journal of any length in bounded
// memory. Appends from this process wait until it returns, so that it
// sees no half of a batch being written.
func (j *Journal) Scan(ctx context.Context, fn func(Event) error) (Scanned, error) {
	if err := ctx.Err(); err != nil {
		return Scanned{}, fmt.Errorf("results: read journal: %w", err)
	}
	j.fileMu.Lock()
	defer j.fileMu.Unlock()
	f, err := os.Open(j.path)
	if err != nil {
		return Scanned{}, fmt.Errorf("results: read journal: %w", err)
	}
	defer f.Close()
	return new(Checker).Scan(f, j.path, fn)
}

// Close waits for the commits in progress (the writer's and any Append's
// own), stops the writer and closes the file. Appends still waiting fail
// with ErrClosed.
func (j *Journal) Close() error {
	j.closeOnce.Do(func() {
		if j.f == nil {
			return
		}
		j.cancel()
		j.wg.Wait()
		j.commitMu.Lock()
		defer j.commitMu.Unlock()
		j.closed = true
		if err := j.f.Close(); err != nil {
			j.closeErr = fmt.Errorf("results: close journal: %w", err)
		}
	})
	return j.closeErr
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the creation and renaming of entries in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
