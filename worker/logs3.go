package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// A command trial's log on Lambda: the command's output goes to a file in
// the function's /tmp (commandrun's StudyDir/trials/N.log), which no one
// else can read and the next trials fill up. So when the request names a
// results location, the worker stores the log under the study's results
// prefix (LogKey) while the command runs, every LogInterval if it grew,
// and once more when the trial ends, whatever its end (complete, failed,
// timed out, pruned); then it deletes the local file. The scheduler's
// side (hpsearch run) copies failed trials' logs into the study
// directory, and the dashboard reads them from S3 (docs/lambda-logs.md).

// Bounds of a stored log.
const (
	// DefaultLogInterval is how often a running command's log is stored
	// again, when it grew.
	DefaultLogInterval = 15 * time.Second
	// MaxStoredLog is the most bytes of a log stored: a longer log keeps
	// its last MaxStoredLog bytes, after a line saying how much was cut.
	MaxStoredLog = 4 << 20
	// logFinalTimeout bounds the last store of a log; it also gets at
	// most half of the time left before the Lambda deadline, so the
	// result's store, which follows, keeps the other half.
	logFinalTimeout = 10 * time.Second
)

// LogKey returns the key of the log of attempt a of trial n under prefix,
// the study's results prefix: prefix/logs/<n 8 digits>-<a 4 digits>.log.
// Keys list in trial and attempt order (LogPrefix lists a trial's
// attempts), and a trial run again never overwrites an earlier attempt's
// log. Attempts count from 1, as ResultKey's do.
func LogKey(prefix string, n, a int) string {
	return fmt.Sprintf("%s%04d.log", LogPrefix(prefix, n), max(a, 1))
}

// LogPrefix returns the prefix of the logs of every attempt of trial n.
func LogPrefix(prefix string, n int) string { return fmt.Sprintf("%slogs/%08d-", prefix, n) }

// ParseLogKey returns the trial number and attempt of a key made by
// LogKey with prefix; ok is false for any other key.
func ParseLogKey(prefix, key string) (n, a int, ok bool) {
	rest, found := strings.CutPrefix(key, prefix+"logs/")
	if !found || len(rest) != len("00000000-0000.log") || rest[8] != '-' || !strings.HasSuffix(rest, ".log") {
		return 0, 0, false
	}
	if !digits(rest[:8]) || !digits(rest[9:13]) {
		return 0, 0, false
	}
	n, _ = strconv.Atoi(rest[:8])
	a, _ = strconv.Atoi(rest[9:13])
	return n, a, a >= 1
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// logStore is where a Lambda worker stores the log of the command trial
// of one request, set on the Request by the handler. The zero interval
// means DefaultLogInterval; a zero deadline means none.
type logStore struct {
	client   ObjectPutter
	ref      ResultsRef
	interval time.Duration
	// deadline is the invocation's (Lambda's), later than the trial's
	// context's: the last store happens after the trial has stopped.
	deadline time.Time
}

// logShipper stores one trial's log: start, then finish once.
type logShipper struct {
	s    *logStore
	path string // the local log
	key  string

	mu     sync.Mutex
	stored fileState // what the last successful store held

	cancel context.CancelFunc // ends the periodic stores
	wg     sync.WaitGroup
}

// fileState is a log file's size and modification time: a store is
// skipped when neither changed since the last one.
type fileState struct {
	size int64
	mod  time.Time
}

// start removes an earlier invocation's log at path (a trial run again in
// the same execution environment) and stores the log of attempt a of
// trial n every interval while ctx lasts, until finish.
func (s *logStore) start(ctx context.Context, path string, n, a int) *logShipper {
	_ = os.Remove(path)
	l := &logShipper{s: s, path: path, key: LogKey(s.ref.Prefix, n, a)}
	every := s.interval
	if every <= 0 {
		every = DefaultLogInterval
	}
	// A store in progress at finish is abandoned: the last one follows.
	ctx, l.cancel = context.WithCancel(ctx)
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			l.store(ctx)
		}
	}()
	return l
}

// URL returns the S3 URL of the stored log.
func (l *logShipper) URL() string { return "s3://" + l.s.ref.Bucket + "/" + l.key }

// finish stops the periodic stores, stores the log a last time (with the
// time logFinalTimeout and the deadline allow, whatever ctx's state: the
// trial's own deadline may be what ended it) and deletes the local file.
// It reports whether the stored log is the whole of what the command
// wrote (false when the command wrote nothing, or the store failed).
func (l *logShipper) finish(ctx context.Context) bool {
	l.cancel()
	l.wg.Wait()
	defer os.Remove(l.path)
	timeout := logFinalTimeout
	if !l.s.deadline.IsZero() {
		timeout = min(timeout, time.Until(l.s.deadline)/2)
	}
	if timeout <= 0 {
		return false
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return l.store(fctx)
}

// store PUTs the log when it changed since the last store. It reports
// whether the stored object holds the file as it is now; a failure is
// logged (a warning), never the trial's.
func (l *logShipper) store(ctx context.Context) bool {
	f, err := os.Open(l.path)
	if err != nil {
		return false // nothing written yet
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	now := fileState{fi.Size(), fi.ModTime()}
	l.mu.Lock()
	same := now == l.stored
	l.mu.Unlock()
	if same {
		return true
	}
	body, err := capLog(f, now.size)
	if err == nil {
		_, err = l.s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(l.s.ref.Bucket),
			Key:           aws.String(l.key),
			Body:          bytes.NewReader(body),
			ContentLength: aws.Int64(int64(len(body))),
			ContentType:   aws.String("text/plain; charset=utf-8"),
		})
	}
	if err != nil {
		if !errors.Is(ctx.Err(), context.Canceled) { // not abandoned at finish
			slog.Warn("worker: the trial's log could not be stored; the trial goes on", "log", l.URL(), "err", err)
		}
		return false
	}
	l.mu.Lock()
	l.stored = now
	l.mu.Unlock()
	return true
}

// capLog reads the first size bytes of the log f, or, when that is more
// than MaxStoredLog, a line saying how much was cut and then the last
// MaxStoredLog bytes from the first whole line on.
func capLog(f io.ReaderAt, size int64) ([]byte, error) {
	from := max(0, size-MaxStoredLog)
	buf := make([]byte, size-from)
	if _, err := f.ReadAt(buf, from); err != nil && err != io.EOF {
		return nil, fmt.Errorf("worker: read the trial's log: %w", err)
	}
	if from == 0 {
		return buf, nil
	}
	if i := bytes.IndexByte(buf, '\n'); i >= 0 && i+1 < len(buf) {
		from += int64(i + 1)
		buf = buf[i+1:]
	}
	head := fmt.Sprintf("[hpsearch: the log was cut: its first %d bytes are not stored, the last %d bytes follow]\n", from, len(buf))
	return append([]byte(head), buf...), nil
}
