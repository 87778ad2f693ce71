package commandrun

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// DefaultGrace is Executor.Grace's default: how long a command has to
// exit after SIGTERM before it is killed.
const DefaultGrace = 5 * time.Second

// Pruner judges a running trial's intermediate values; scheduler.Pruning
// is one. ShouldPrune is called from the executor's goroutines, once per
// intermediate value as it arrives, with every value the trial has
// reported so far (the last just now); it must be safe for concurrent use
// and return quickly, as the command's output waits meanwhile.
type Pruner interface {
	ShouldPrune(t trial.Trial, steps []trial.Step) bool
}

// Watcher is a Pruner whose decision may also arrive between intermediate
// values, from elsewhere: the Lambda worker's, which hears it from the
// scheduler through S3. When Executor.Pruner is a Watcher, Execute calls
// Watch as each trial's command starts; the channel it returns is closed
// when the trial is to be pruned, and the command is then stopped as on
// ShouldPrune's true (SIGTERM to its process group, SIGKILL after Grace).
// ctx is cancelled when the command has exited: Watch's goroutines must
// end then.
type Watcher interface {
	Pruner
	Watch(ctx context.Context, t trial.Trial) <-chan struct{}
}

// Executor runs each trial as one execution of Command (see the package
// documentation for the protocol). It satisfies scheduler.Executor and is
// safe for concurrent use; each Execute runs its own process.
//
// A trial that ran and failed (see the package documentation) is a
// Result with State trial.Failed, not an error. Execute returns an error
// only when the trial could not be prepared (its scratch directory could
// not be made) and when ctx is cancelled: the command is then stopped as
// on a timeout (SIGTERM, then SIGKILL after Grace), and Execute returns
// ctx.Err() with the failed result.
type Executor struct {
	// Command is the program and its arguments, which may hold {name}
	// placeholders (see Args). Required.
	Command []string
	// Dir is the command's working directory, from which a relative
	// program path is also taken: the spec file's directory. Empty means
	// hpsearch's own.
	Dir string
	// StudyDir is the study's directory: trial N's log is
	// StudyDir/trials/N.log and its scratch directory StudyDir/trials/N.
	// Empty means a new temporary directory, made at the first trial and
	// left in place (for trials run but not recorded, such as an
	// estimate's calibration).
	StudyDir string
	// Timeout bounds each trial; 0 means no bound.
	Timeout time.Duration
	// Grace is how long a command has after SIGTERM (on a timeout, a
	// prune or a cancellation) before SIGKILL; 0 means DefaultGrace.
	Grace time.Duration
	// Pruner, when set, judges each intermediate value as it arrives.
	Pruner Pruner

	once    sync.Once
	path    string // Command[0] resolved by Check
	pathErr error
	env     []string // os.Environ(), read once
	// studyDir is StudyDir, or the temporary directory made for it.
	studyDir string
	dirErr   error
}

// Execute runs t's command and returns its result.
func (e *Executor) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	start := time.Now()
	res := trial.Result{Number: t.Number, Model: t.Model, Params: t.Params, Seed: t.Seed, Budget: t.Budget}
	e.once.Do(func() {
		e.path, e.pathErr = Check(e.Command, e.Dir)
		e.env = os.Environ()
		e.studyDir = e.StudyDir
		if e.studyDir == "" {
			e.studyDir, e.dirErr = os.MkdirTemp("", "hpsearch-trials-")
		}
	})
	if e.dirErr != nil {
		return res, fmt.Errorf("commandrun: a directory for the trials: %w", e.dirErr)
	}
	r := &execution{e: e, t: t, pruned: make(chan struct{})}
	if w, ok := e.Pruner.(Watcher); ok {
		watchCtx, stopWatch := context.WithCancel(ctx)
		defer stopWatch()
		r.signal = w.Watch(watchCtx, t)
	}
	r.scratch = filepath.Join(e.studyDir, "trials", strconv.Itoa(t.Number))
	r.logPath = r.scratch + ".log"
	if err := r.prepareScratch(); err != nil {
		return res, err
	}
	var failure string
	if e.pathErr != nil {
		failure = e.pathErr.Error()
	} else if err := r.start(); err != nil {
		failure = fmt.Sprintf("commandrun: start %s: %v", e.Command[0], err)
	} else {
		r.wait(ctx)
		failure = r.classify(&res)
	}
	res.Seconds = time.Since(start).Seconds()
	res.Steps = r.steps
	if failure == "" {
		r.closeLog()
		r.removeScratch()
		return res, nil
	}
	r.closeLog()
	res.State = trial.Failed
	res.Error = failure + r.where()
	if r.stoppedBy == stopCancelled {
		return res, ctx.Err()
	}
	return res, nil
}

// Reasons a command was stopped before it exited by itself.
const (
	stopNone = iota
	stopTimeout
	stopPruned
	stopCancelled
)

// execution is one run of the command for one trial.
type execution struct {
	e       *Executor
	t       trial.Trial
	scratch string
	logPath string
	cmd     *exec.Cmd

	// Set by the stdout reader, read after it is done.
	steps    []trial.Step
	lines    int // lines of standard output
	result   *float64
	protoErr error
	pruned   chan struct{} // closed (by prune) when the pruner says stop
	pruneMu  sync.Mutex
	signal   <-chan struct{} // a Watcher's decision; nil without one

	logMu   sync.Mutex
	log     *os.File // made at the first line to write
	logErr  error
	stderr  tail
	readers sync.WaitGroup
	outR    *os.File // read ends of the pipes, closed if a reader is stuck
	errR    *os.File

	waitErr   error
	stoppedBy int
	killed    bool // SIGKILL was needed after the grace period
}

// prepareScratch makes the trial's scratch directory, empty: one mkdir
// in the usual case, as this runs for every trial.
func (r *execution) prepareScratch() error {
	err := os.Mkdir(r.scratch, 0o755)
	if errors.Is(err, fs.ErrNotExist) { // the first trial: no trials/ yet
		err = os.MkdirAll(r.scratch, 0o755)
	}
	if errors.Is(err, fs.ErrExist) { // left by an earlier attempt
		if err = os.RemoveAll(r.scratch); err == nil {
			err = os.Mkdir(r.scratch, 0o755)
		}
	}
	if err != nil {
		return fmt.Errorf("commandrun: trial %d: scratch directory: %w", r.t.Number, err)
	}
	return nil
}

// removeScratch deletes the scratch directory of a trial that did not
// fail: one rmdir when the command left it empty.
func (r *execution) removeScratch() {
	if os.Remove(r.scratch) != nil {
		_ = os.RemoveAll(r.scratch)
	}
}

// start starts the command in a process group of its own, with the
// parameters on its standard input and readers on its output.
func (r *execution) start() error {
	params, err := json.Marshal(r.t.Params)
	if err != nil {
		return fmt.Errorf("parameters as JSON: %w", err)
	}
	e := r.e
	args := append([]string{e.Command[0]}, Args(e.Command[1:], r.t.Params)...)
	cmd := &exec.Cmd{Path: e.path, Args: args, Dir: e.Dir}
	env := make([]string, len(e.env), len(e.env)+5)
	copy(env, e.env)
	env = append(env,
		"HPSEARCH_TRIAL="+strconv.Itoa(r.t.Number),
		"HPSEARCH_SEED="+strconv.FormatUint(r.t.Seed, 10),
		"HPSEARCH_PARAMS="+string(params),
		"HPSEARCH_TRIAL_DIR="+r.scratch)
	if r.t.Budget.Name != "" {
		env = append(env, "HPSEARCH_BUDGET="+strconv.FormatFloat(r.t.Budget.Value, 'g', -1, 64))
	}
	cmd.Env = env
	cmd.Stdin = &stdinReader{data: append(params, '\n')}
	inOwnGroup(cmd)
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close() // the command holds its own copies
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return err
	}
	r.cmd, r.outR, r.errR = cmd, outR, errR
	r.readers.Add(2)
	go r.readStdout(outR)
	go r.readStderr(errR)
	return nil
}

// stdinReader is the parameters for the command's standard input, as a
// reader that is not an *os.File or *bytes.Reader, so that exec copies
// it through a pipe (and the command sees EOF after the line).
type stdinReader struct{ data []byte }

func (s *stdinReader) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.data)
	s.data = s.data[n:]
	return n, nil
}

// wait waits for the command to exit, stopping it on a timeout, a prune
// or ctx's cancellation, then kills what it left in its group and waits
// for its output to be read.
func (r *execution) wait(ctx context.Context) {
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	var timeout <-chan time.Time
	if r.e.Timeout > 0 {
		timer := time.NewTimer(r.e.Timeout)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case r.waitErr = <-done:
	case <-timeout:
		r.stoppedBy = stopTimeout
		r.stop(done)
	case <-r.pruned:
		r.stoppedBy = stopPruned
		r.stop(done)
	case <-r.signal:
		r.prune()
		r.stoppedBy = stopPruned
		r.stop(done)
	case <-ctx.Done():
		r.stoppedBy = stopCancelled
		r.stop(done)
	}
	// Whatever the command left running in its group goes with it.
	_ = signalGroup(r.cmd.Process.Pid, syscall.SIGKILL)
	readersDone := make(chan struct{})
	go func() {
		r.readers.Wait()
		close(readersDone)
	}()
	select {
	case <-readersDone:
	case <-time.After(r.grace()):
		// A process outside the group (setsid) still holds the pipes:
		// stop reading them.
		r.outR.Close()
		r.errR.Close()
		<-readersDone
	}
	r.outR.Close()
	r.errR.Close()
}

func (r *execution) grace() time.Duration {
	if r.e.Grace > 0 {
		return r.e.Grace
	}
	return DefaultGrace
}

// stop sends the command's group SIGTERM, then SIGKILL if it has not
// exited after the grace period, and waits for it.
func (r *execution) stop(done <-chan error) {
	pid := r.cmd.Process.Pid
	_ = signalGroup(pid, syscall.SIGTERM)
	grace := time.NewTimer(r.grace())
	defer grace.Stop()
	select {
	case r.waitErr = <-done:
	case <-grace.C:
		r.killed = true
		_ = signalGroup(pid, syscall.SIGKILL)
		r.waitErr = <-done
	}
}

// classify fills in res from what the command did, and returns why the
// trial failed, or "" when it did not.
func (r *execution) classify(res *trial.Result) string {
	switch r.stoppedBy {
	case stopCancelled:
		return "commandrun: cancelled: the study was interrupted" + r.how()
	case stopTimeout:
		return fmt.Sprintf("commandrun: timeout: still running after %s (the spec's timeout)%s", r.e.Timeout, r.how()) + r.stderrTail()
	}
	// Once the pruner has said stop, the trial is pruned, even if the
	// command exited by itself meanwhile: the decision depends on the
	// values reported, never on how fast the command was.
	if isClosed(r.pruned) {
		steps := r.steps // the readers are done
		if len(steps) == 0 {
			return "commandrun: pruned before it reported any intermediate value" + r.how()
		}
		res.State = trial.Pruned
		res.Score = steps[len(steps)-1].Value
		return ""
	}
	if r.protoErr != nil {
		return "commandrun: " + r.protoErr.Error() + r.exitNote() + r.stderrTail()
	}
	if r.waitErr != nil {
		return "commandrun: " + exitText(r.waitErr) + r.stderrTail()
	}
	if r.result == nil {
		what := "printed nothing on standard output"
		if r.lines > 0 {
			what = "printed no result line"
		}
		if len(r.steps) > 0 {
			what = fmt.Sprintf("printed %d intermediate values but no result line", len(r.steps))
		}
		return fmt.Sprintf(`commandrun: the command exited 0 but %s: its last line of the form {"score": <number>} is the result`, what) + r.stderrTail()
	}
	res.State = trial.Complete
	res.Score = *r.result
	return ""
}

// how says how a stopped command was stopped.
func (r *execution) how() string {
	if r.killed {
		return fmt.Sprintf("; it ignored SIGTERM and was killed with SIGKILL after %s", r.grace())
	}
	return "; stopped with SIGTERM"
}

// exitNote adds a non-zero exit to a protocol error.
func (r *execution) exitNote() string {
	if r.waitErr == nil {
		return ""
	}
	return " (and it " + exitText(r.waitErr) + ")"
}

// exitText says how the command ended, from Wait's error.
func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return fmt.Sprintf("was killed by signal %s", ws.Signal())
		}
		return fmt.Sprintf("exited with status %d", ee.ExitCode())
	}
	return "failed: " + err.Error()
}

// stderrTail is the last lines of standard error, for an error message.
func (r *execution) stderrTail() string {
	if t := r.stderr.String(); t != "" {
		return "; last lines of stderr: " + t
	}
	return "; stderr was empty"
}

// where says where a failed trial's log and scratch directory are.
func (r *execution) where() string {
	s := " (scratch directory kept: " + r.scratch
	if r.log != nil {
		s += "; log: " + r.logPath
	}
	return s + ")"
}

// prune closes r.pruned once, from the stdout reader (the Pruner) or
// from wait (a Watcher's signal): after it, the reader records no more
// values.
func (r *execution) prune() {
	r.pruneMu.Lock()
	defer r.pruneMu.Unlock()
	if !isClosed(r.pruned) {
		close(r.pruned)
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// maxLine is the longest line of standard output read as one line; a
// longer one goes to the log in pieces and is never a protocol line.
const maxLine = 1 << 20

// readStdout reads the protocol from the command's standard output.
func (r *execution) readStdout(f *os.File) {
	defer r.readers.Done()
	br := bufio.NewReaderSize(f, 64<<10)
	n := 0
	var long []byte // a line longer than the buffer, being gathered
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long) < maxLine {
				long = append(long, chunk...)
			} else {
				r.writeLog(chunk) // too long to be a protocol line
			}
			continue
		}
		if len(chunk) > 0 || long != nil {
			line := chunk
			if long != nil {
				line = append(long, chunk...)
				long = nil
			}
			n++
			r.lines = n
			r.readLine(n, line)
		}
		if err != nil {
			return
		}
	}
}

// readLine acts on line n of standard output.
func (r *execution) readLine(n int, line []byte) {
	body := line
	if len(body) > 0 && body[len(body)-1] == '\n' {
		body = body[:len(body)-1]
	}
	r.pruneMu.Lock()
	defer r.pruneMu.Unlock()
	if isClosed(r.pruned) {
		// Pruned: what it prints until it stops counts for nothing, so
		// that the trial's steps are the same however fast it stops.
		r.writeLog(line)
		return
	}
	rep, err := parseLine(body)
	if err != nil {
		if r.protoErr == nil {
			r.protoErr = fmt.Errorf("stdout line %d: %w: %s", n, err, clip(body, 200))
		}
		r.writeLog(line)
		return
	}
	switch rep.kind {
	case logLine:
		r.writeLog(line)
	case resultLine:
		score := rep.score
		r.result = &score
	case intermediateLine:
		r.steps = append(r.steps, trial.Step{Step: rep.step, Value: rep.score})
		if r.e.Pruner != nil && r.e.Pruner.ShouldPrune(r.t, r.steps) {
			close(r.pruned) // under pruneMu, not closed yet (checked above)
		}
	}
}

// readStderr copies standard error to the log, keeping its tail.
func (r *execution) readStderr(f *os.File) {
	defer r.readers.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			r.stderr.Write(buf[:n])
			r.writeLog(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// writeLog appends p to the trial's log, making it at the first write.
func (r *execution) writeLog(p []byte) {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	if r.log == nil && r.logErr == nil {
		r.log, r.logErr = os.Create(r.logPath)
	}
	if r.log != nil {
		_, _ = r.log.Write(p)
	}
}

func (r *execution) closeLog() {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	if r.log != nil {
		_ = r.log.Close()
	}
}

// clip shortens b to at most n bytes for a message.
func clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
