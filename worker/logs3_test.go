//go:build unix

package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hpsearch/hpsearch/trial"
)

// watchedS3 is a memS3 that reports the key of every PUT it stores, and
// refuses the PUTs of keys containing failKey.
type watchedS3 struct {
	*memS3
	puts    chan string
	failKey string
}

func (w *watchedS3) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if w.failKey != "" && strings.Contains(aws.ToString(in.Key), w.failKey) {
		return nil, errors.New("AccessDenied")
	}
	out, err := w.memS3.PutObject(ctx, in, opts...)
	if err == nil {
		select {
		case w.puts <- aws.ToString(in.Key):
		default:
		}
	}
	return out, err
}

// commandLogRequest is a command trial (attempt 2 of trial 1 of study s)
// whose script is body, with a results location.
func commandLogRequest(tb testing.TB, body string) (LambdaRequest, string) {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "trial.sh"), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		tb.Fatal(err)
	}
	return LambdaRequest{
		Request: Request{Study: "s", Trial: trial.Trial{Number: 1, Model: "command", Params: trial.Params{"x": 1.0}, Attempt: 2},
			Command: []string{"./trial.sh"}, Workdir: dir},
		Results: &ResultsRef{Bucket: "b", Prefix: "results/s/"},
	}, dir
}

// TestCommandLogStoredInS3: on Lambda a command trial's log is stored
// under the study's results prefix, keyed by trial and attempt, while the
// command runs (so a dashboard can follow it) and whole when it ends; the
// failed trial's error names the stored log, and the function's /tmp
// keeps no copy.
func TestCommandLogStoredInS3(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	store := &watchedS3{memS3: &memS3{}, puts: make(chan string, 100)}
	h := NewLambdaHandlerWith(LambdaConfig{Bucket: "b", CacheDir: t.TempDir(), Commands: true, LogInterval: time.Millisecond}, store)
	req, dir := commandLogRequest(t, `echo "first line"
while [ ! -e go ]; do sleep 0.01; done
echo "last line"
echo "something broke" >&2
exit 3
`)
	key := LogKey("results/s/", 1, 2)
	done := make(chan LambdaResponse, 1)
	go func() { done <- invokeLambda(t, h, req) }()

	// While it runs: the first line is stored before the command may go on.
	hang := time.After(time.Minute) // a hang guard only
	for running := true; running; {
		select {
		case k := <-store.puts:
			if b, _ := store.object("b/" + key); k == key && strings.Contains(string(b), "first line") {
				running = false
			}
		case <-hang:
			t.Fatal("the running command's log was never stored")
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	resp := <-done

	b, ok := store.object("b/" + key)
	if !ok {
		t.Fatalf("no log at %s", key)
	}
	for _, want := range []string{"first line\n", "last line\n", "something broke\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("stored log %q lacks %q", b, want)
		}
	}
	if resp.State != trial.Failed || !strings.Contains(resp.Error, "log: s3://b/"+key) {
		t.Errorf("result %s %q; want failed, naming the stored log s3://b/%s", resp.State, resp.Error, key)
	}
	local := filepath.Join(os.TempDir(), "hpsearch-trials", "s", "trials", "1.log")
	if _, err := os.Stat(local); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the function's copy %s is still there (%v)", local, err)
	}
	if resp.Stored != StoredWritten {
		t.Errorf("result stored: %q, want %q", resp.Stored, StoredWritten)
	}
}

// TestCommandLogStoreFailure: a log that cannot be stored does not fail
// the trial, and its error keeps naming the function's file.
func TestCommandLogStoreFailure(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	store := &watchedS3{memS3: &memS3{}, puts: make(chan string, 100), failKey: "/logs/"}
	h := NewLambdaHandlerWith(LambdaConfig{Bucket: "b", CacheDir: t.TempDir(), Commands: true}, store)
	req, _ := commandLogRequest(t, "echo chatter\necho '{\"score\": 0.5}'\n")
	resp := invokeLambda(t, h, req)
	if resp.State != trial.Complete || resp.Score != 0.5 || resp.Stored != StoredWritten {
		t.Fatalf("result %s %v stored %q (%s); want complete 0.5, stored", resp.State, resp.Score, resp.Stored, resp.Error)
	}
	if _, ok := store.object("b/" + LogKey("results/s/", 1, 2)); ok {
		t.Error("a refused log was stored")
	}
}

// TestCommandLogEarlierAttempt: a log left in the function's /tmp by an
// earlier invocation of the same trial is not stored as this attempt's,
// and a command that writes nothing stores no log.
func TestCommandLogEarlierAttempt(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	stale := filepath.Join(os.TempDir(), "hpsearch-trials", "s", "trials", "1.log")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("attempt 1's output\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := &watchedS3{memS3: &memS3{}, puts: make(chan string, 100)}
	h := NewLambdaHandlerWith(LambdaConfig{Bucket: "b", CacheDir: t.TempDir(), Commands: true, LogInterval: time.Millisecond}, store)
	req, _ := commandLogRequest(t, "echo '{\"score\": 0.5}'\n")
	if resp := invokeLambda(t, h, req); resp.State != trial.Complete {
		t.Fatalf("result %s (%s)", resp.State, resp.Error)
	}
	if b, ok := store.object("b/" + LogKey("results/s/", 1, 2)); ok {
		t.Errorf("stored %q for a command that wrote no log", b)
	}
}

// TestCapLog: a log longer than MaxStoredLog keeps its last bytes from a
// whole line on, after a line saying how much was cut.
func TestCapLog(t *testing.T) {
	var log bytes.Buffer
	for i := 0; log.Len() <= MaxStoredLog+1000; i++ {
		log.WriteString(strings.Repeat("x", 99) + "\n")
	}
	log.WriteString("the end\n")
	b, err := capLog(bytes.NewReader(log.Bytes()), int64(log.Len()))
	if err != nil {
		t.Fatal(err)
	}
	head, rest, _ := bytes.Cut(b, []byte("\n"))
	if !bytes.Contains(head, []byte("the log was cut")) || len(rest) > MaxStoredLog || !bytes.HasSuffix(rest, []byte("the end\n")) {
		t.Errorf("capped log: head %q, %d bytes after it ending %q", head, len(rest), rest[max(0, len(rest)-20):])
	}
	if !bytes.HasPrefix(rest, []byte(strings.Repeat("x", 99)+"\n")) {
		t.Errorf("the kept part starts mid-line: %q", rest[:20])
	}
	short := []byte("short\n")
	if b, _ := capLog(bytes.NewReader(short), int64(len(short))); !bytes.Equal(b, short) {
		t.Errorf("short log stored as %q", b)
	}
}

// TestLogKeys: each attempt of a trial has its own key, LogPrefix lists
// exactly a trial's attempts, and ParseLogKey reads back what LogKey made
// and nothing else.
func TestLogKeys(t *testing.T) {
	if got, want := LogKey("results/s/", 7, 2), "results/s/logs/00000007-0002.log"; got != want {
		t.Errorf("LogKey = %s, want %s", got, want)
	}
	if LogKey("p/", 7, 0) != LogKey("p/", 7, 1) {
		t.Error("attempt 0 (unset) is not attempt 1")
	}
	if !strings.HasPrefix(LogKey("p/", 7, 3), LogPrefix("p/", 7)) || strings.HasPrefix(LogKey("p/", 70, 1), LogPrefix("p/", 7)) {
		t.Error("LogPrefix does not list exactly trial 7's logs")
	}
	if n, a, ok := ParseLogKey("p/", LogKey("p/", 12345, 17)); !ok || n != 12345 || a != 17 {
		t.Errorf("ParseLogKey(LogKey(12345, 17)) = %d, %d, %v", n, a, ok)
	}
	for _, k := range []string{"p/logs/+0000007-0001.log", "p/logs/00000007-0000.log", "p/logs/00000007-0001.txt",
		"q/logs/00000007-0001.log", "p/logs/0000007-0001.log", "p/7/1.json"} {
		if _, _, ok := ParseLogKey("p/", k); ok {
			t.Errorf("ParseLogKey accepted %s", k)
		}
	}
}

// logBucket is a bucket of stored logs that answers suffix ranges and
// lists as S3 does.
type logBucket map[string]string

func (b logBucket) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	body, ok := b[aws.ToString(in.Key)]
	if !ok {
		return nil, &types.NoSuchKey{}
	}
	out := &s3.GetObjectOutput{}
	if r := aws.ToString(in.Range); r != "" {
		n, _ := strconv.Atoi(strings.TrimPrefix(r, "bytes=-"))
		from := max(0, len(body)-n)
		out.ContentRange = aws.String(fmt.Sprintf("bytes %d-%d/%d", from, len(body)-1, len(body)))
		body = body[from:]
	}
	out.Body = io.NopCloser(strings.NewReader(body))
	return out, nil
}

func (b logBucket) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	out := &s3.ListObjectsV2Output{}
	for k := range b {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) {
			out.Contents = append(out.Contents, types.Object{Key: aws.String(k)})
		}
	}
	return out, nil
}

// TestReadLog: the reading side finds an attempt's log, or the last
// attempt's, reads its tail or all of it, and says when there is none.
func TestReadLog(t *testing.T) {
	ref := ResultsRef{Bucket: "b", Prefix: "results/s/"}
	b := logBucket{
		LogKey(ref.Prefix, 4, 1):  "attempt 1\n",
		LogKey(ref.Prefix, 4, 3):  "attempt 3, line 1\nattempt 3, line 2\n",
		LogKey(ref.Prefix, 40, 9): "another trial\n",
	}
	ctx := context.Background()
	cases := []struct {
		name    string
		n, a    int
		tail    int64
		want    string
		cut     bool
		wantKey string
	}{
		{"an attempt, whole", 4, 1, 0, "attempt 1\n", false, LogKey(ref.Prefix, 4, 1)},
		{"the last attempt", 4, 0, 0, "attempt 3, line 1\nattempt 3, line 2\n", false, LogKey(ref.Prefix, 4, 3)},
		{"a tail", 4, 3, 7, "line 2\n", true, LogKey(ref.Prefix, 4, 3)},
		{"a tail longer than the log", 4, 1, 1000, "attempt 1\n", false, LogKey(ref.Prefix, 4, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadLog(ctx, b, ref, c.n, c.a, c.tail)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Body) != c.want {
				t.Errorf("body %q, want %q", got.Body, c.want)
			}
			if got.Cut != c.cut || got.URL != "s3://b/"+c.wantKey {
				t.Errorf("cut %v at %s, want %v at s3://b/%s", got.Cut, got.URL, c.cut, c.wantKey)
			}
		})
	}
	for _, miss := range [][2]int{{4, 2}, {5, 0}} {
		if _, err := ReadLog(ctx, b, ref, miss[0], miss[1], 0); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("trial %d attempt %d: %v, want fs.ErrNotExist", miss[0], miss[1], err)
		}
	}
}

// TestCommandLogOfTimedOutTrial: a trial stopped by its timeout stores
// its log too, in the time the invocation has left after it.
func TestCommandLogOfTimedOutTrial(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	store := &watchedS3{memS3: &memS3{}, puts: make(chan string, 100)}
	h := NewLambdaHandlerWith(LambdaConfig{Bucket: "b", CacheDir: t.TempDir(), Commands: true}, store)
	req, _ := commandLogRequest(t, "echo 'before the timeout'\nsleep 60\necho 'never'\n")
	req.TrialTimeoutMS = 300
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // the invocation's deadline
	defer cancel()
	resp := h.Handle(ctx, req)
	if resp.State != trial.Failed || !strings.Contains(resp.Error, "timed out") {
		t.Fatalf("result %s %q; want failed, timed out", resp.State, resp.Error)
	}
	b, ok := store.object("b/" + LogKey("results/s/", 1, 2))
	if !ok || string(b) != "before the timeout\n" {
		t.Errorf("stored log %q (%v), want the line before the timeout", b, ok)
	}
}

// TestLogFinishWithoutTimeLeft: past the invocation's deadline the last
// store is not tried (the result's store needs what is left), and the
// function's copy is deleted all the same.
func TestLogFinishWithoutTimeLeft(t *testing.T) {
	store := &watchedS3{memS3: &memS3{}, puts: make(chan string, 100)}
	s := &logStore{client: store, ref: ResultsRef{Bucket: "b", Prefix: "results/s/"}, interval: time.Hour, deadline: time.Now()}
	path := filepath.Join(t.TempDir(), "1.log")
	l := s.start(context.Background(), path, 1, 1)
	if err := os.WriteFile(path, []byte("output\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if l.finish(context.Background()) {
		t.Error("finish reports the log stored")
	}
	if _, ok := store.object("b/" + LogKey("results/s/", 1, 1)); ok {
		t.Error("stored after the deadline")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the function's copy is still there (%v)", err)
	}
}

// TestLogIntervalFromEnv: the function's environment may set the interval
// of a running command's log stores; anything but a positive duration is
// the default.
func TestLogIntervalFromEnv(t *testing.T) {
	for v, want := range map[string]time.Duration{"30s": 30 * time.Second, "": 0, "soon": 0, "-1s": 0} {
		got := LambdaConfigFromEnv(func(k string) string { return map[string]string{EnvLogInterval: v}[k] }).LogInterval
		if got != want {
			t.Errorf("%s=%q: interval %v, want %v", EnvLogInterval, v, got, want)
		}
	}
}
