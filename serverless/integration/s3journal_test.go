package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

// s3Spec is a study of 60 cheap trials on the emulated Lambda backend,
// three at a time; --backend local runs the same trials here.
const s3Spec = `name: iris-knn
dataset: iris
model: knn
search: {method: random, max_trials: 60, parallel: 3, seed: 5}
backend: {type: lambda, concurrency: 3}
parameters:
  n_neighbors: {min: 1, max: 40}
  weights: {values: [uniform, distance]}
`

// s3Prefix returns a prefix of the emulated bucket of its own for a test,
// as an s3:// URL.
func s3Prefix(t testing.TB) s3journal.Location {
	t.Helper()
	loc, err := s3journal.Parse(fmt.Sprintf("s3://%s/studies/%s-%d", emu.Bucket, strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func s3API(t testing.TB) s3journal.API {
	t.Helper()
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s3data.NewClient(awsCfg, os.Getenv)
}

// s3Events reads the journal of the study at loc; nil while there is none.
func s3Events(t testing.TB, api s3journal.API, loc s3journal.Location) []results.Event {
	t.Helper()
	evs, err := s3journal.Open(api, loc).Events(context.Background())
	if err != nil && !errors.Is(err, trial.ErrBadInput) { // not created yet
		t.Fatal(err)
	}
	return evs
}

// waitForS3Results waits until the study at loc has k results, or the
// process exits (false).
func waitForS3Results(t testing.TB, api s3journal.API, loc s3journal.Location, k int, exited <-chan error) bool {
	for {
		select {
		case <-exited:
			return false
		default:
		}
		if len(results.Results(s3Events(t, api, loc))) >= k {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startCLIIn starts the CLI in the working directory dir.
func startCLIIn(t *testing.T, dir string, stdout, stderr *bytes.Buffer, args ...string) (*exec.Cmd, <-chan error) {
	t.Helper()
	return startCLIWith(t, dir, nil, stdout, stderr, args...)
}

// startCLIWith starts the CLI in the working directory dir with env
// (KEY=VALUE) over this process's environment.
func startCLIWith(t *testing.T, dir string, env []string, stdout, stderr *bytes.Buffer, args ...string) (*exec.Cmd, <-chan error) {
	t.Helper()
	cmd := exec.Command(cli(t), args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, stdout, stderr
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return cmd, exited
}

// runCLIIn runs the CLI to its end in the working directory dir.
func runCLIIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	_, exited := startCLIIn(t, dir, &stdout, &stderr, args...)
	return exitCode(t, <-exited), stdout.String(), stderr.String()
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// checkJournaledOnce asserts that trials 0..n-1 each have exactly one
// result and that none was dispatched again once its result was
// journaled, and returns the results by trial.
func checkJournaledOnce(t *testing.T, events []results.Event, n int) map[int]float64 {
	t.Helper()
	finals := finalResults(t, events, n)
	done := map[int]bool{}
	for _, e := range events {
		switch e.Type {
		case results.EventDispatch:
			if done[e.Trial.Number] {
				t.Errorf("trial %d dispatched again after its result was journaled", e.Trial.Number)
			}
		case results.EventResult:
			done[e.Result.Number] = true
		}
	}
	scores := map[int]float64{}
	for n, r := range finals {
		scores[n] = r.Score
	}
	return scores
}

// TestS3StudyKilledAndResumed: a study on the emulated Lambda backend
// with its journal in S3, its scheduler SIGKILLed at four seeded points
// and resumed each time — from another working directory every other
// time — ends with every trial journaled once and the scores of an
// uninterrupted local run; leaderboard and report read it from S3, and
// run refuses to create it again.
func TestS3StudyKilledAndResumed(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "7") // resumes read through checkpoints
	api := s3API(t)
	here, elsewhere := t.TempDir(), t.TempDir()
	spec := filepath.Join(here, "spec.yaml")
	if err := os.WriteFile(spec, []byte(s3Spec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLIIn(t, here, "run", spec, "--backend", "local", "--dir", filepath.Join(here, "straight"), "--quiet")
	if code != 0 {
		t.Fatalf("uninterrupted local run: exit %d: %s", code, stderr)
	}
	straight := checkJournaledOnce(t, readJournal(t, filepath.Join(here, "straight", "iris-knn")), 60)

	prefix := s3Prefix(t)
	study := prefix.Join("iris-knn")
	rng := rand.New(rand.NewPCG(3, 0))
	points := rng.Perm(55)[:4]
	slices.Sort(points)
	killed := 0
	for i, k := range points {
		dir, args := here, []string{"run", spec, "--dir", prefix.String(), "--resume", "--quiet"}
		if i%2 == 1 {
			dir, args = elsewhere, []string{"resume", study.String(), "--quiet"}
		}
		var out, errBuf bytes.Buffer
		cmd, exited := startCLIIn(t, dir, &out, &errBuf, args...)
		if waitForS3Results(t, api, study, k+1, exited) {
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			killed++
		} else {
			t.Logf("round %d ended before %d results: %s", i, k+1, errBuf.String())
		}
		waitIdle(t)
	}
	if killed < 3 {
		t.Errorf("only %d of 4 kills hit a running study", killed)
	}
	code, _, stderr = runCLIIn(t, elsewhere, "resume", study.String(), "--quiet")
	if code != 0 {
		t.Fatalf("final resume: exit %d: %s", code, stderr)
	}
	events := s3Events(t, api, study)
	got := checkJournaledOnce(t, events, 60)
	list, err := api.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(study.Bucket), Prefix: aws.String(study.Key + "/journal/")})
	if err == nil {
		t.Logf("%d kills; %d events in %d segments", killed, len(events), len(list.Contents))
	}
	if cps, _ := checkpointsOf(t, api, study); len(cps) == 0 {
		t.Error("the study has no checkpoint")
	}
	for n, score := range straight {
		if got[n] != score {
			t.Errorf("trial %d: score %v, uninterrupted %v", n, got[n], score)
		}
	}

	code, out, stderr := runCLIIn(t, elsewhere, "leaderboard", study.String(), "--format", "json", "--top", "0")
	var rows []struct {
		Trial int     `json:"trial"`
		Score float64 `json:"score"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 60 {
		t.Fatalf("leaderboard: exit %d, %d rows: %s %s", code, len(rows), out, stderr)
	}
	for _, r := range rows {
		if r.Score != straight[r.Trial] {
			t.Errorf("leaderboard: trial %d score %v, uninterrupted %v", r.Trial, r.Score, straight[r.Trial])
		}
	}
	if code, _, stderr := runCLIIn(t, elsewhere, "report", study.String(), "-o", "report.html"); code != 0 {
		t.Errorf("report: exit %d: %s", code, stderr)
	} else if b, err := os.ReadFile(filepath.Join(elsewhere, "report.html")); err != nil || !bytes.Contains(b, []byte(study.String())) {
		t.Errorf("report.html does not name the study: %v", err)
	}
	if code, _, stderr := runCLIIn(t, here, "run", spec, "--dir", prefix.String(), "--quiet"); code != 2 || !strings.Contains(stderr, "study already exists: "+study.String()) {
		t.Errorf("run of an existing S3 study: exit %d: %s", code, stderr)
	}
}

// gate lets the first open invocations through, then holds every other
// one in the router until release is closed; blocked is closed when the
// first is held.
type gate struct {
	open    int64
	n       atomic.Int64
	once    sync.Once
	blocked chan struct{}
	release chan struct{}
}

func newGate(open int64) *gate {
	return &gate{open: open, blocked: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) Inject(string) emulate.Fault {
	if g.n.Add(1) > g.open {
		g.once.Do(func() { close(g.blocked) })
		<-g.release
	}
	return emulate.Fault{}
}

// TestS3TwoSchedulers: a second scheduler resuming a study in S3 that a
// first one is running takes it over, and the first is refused (exit 1,
// the study is in use) at its next write and stops; the journal has each
// trial once. The order is forced, not left to the machine's speed: the
// first scheduler's Lambda (an emulation of its own) holds its sixth
// invocation until the second has finished.
func TestS3TwoSchedulers(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "7") // both schedulers write checkpoints
	api := s3API(t)
	dir := t.TempDir()
	const n = 60
	text := strings.Replace(s3Spec, "parallel: 3", "parallel: 1", 1)
	text = strings.Replace(text, "concurrency: 3", "concurrency: 1", 1)
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	g := newGate(5)
	held := startEmulation(t, 1, timeout, g)
	t.Cleanup(func() {
		select {
		case <-g.release:
		default:
			close(g.release) // before the emulation closes, which waits for it
		}
	})
	prefix := s3Prefix(t)
	study := prefix.Join("iris-knn")
	var outA, errA, outB, errB bytes.Buffer
	_, exitedA := startCLIWith(t, dir, []string{"AWS_ENDPOINT_URL_LAMBDA=" + held.LambdaEndpoint}, &outA, &errA,
		"run", spec, "--dir", prefix.String(), "--quiet")
	select {
	case <-g.blocked:
	case err := <-exitedA:
		t.Fatalf("the first scheduler ended early: %v: %s", err, errA.String())
	}
	// The held trial's dispatch is durable once the journal shows one
	// trial more dispatched than done: then the first scheduler has
	// nothing left to write until its invocation answers.
	for {
		evs := s3Events(t, api, study)
		dispatched := map[int]bool{}
		for _, e := range evs {
			if e.Type == results.EventDispatch {
				dispatched[e.Trial.Number] = true
			}
		}
		if done := len(results.Results(evs)); done == 5 && len(dispatched) == 6 {
			break
		}
		select {
		case err := <-exitedA:
			t.Fatalf("the first scheduler ended while held: %v: %s", err, errA.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	_, exitedB := startCLIIn(t, t.TempDir(), &outB, &errB, "resume", study.String(), "--quiet")
	codeB := exitCode(t, <-exitedB)
	close(g.release)
	codeA := exitCode(t, <-exitedA)
	refused := "is in use by another scheduler (pid "
	if codeA != 1 || codeB != 0 || !strings.Contains(errA.String(), refused) {
		t.Fatalf("want the first scheduler refused, the second done; first: exit %d: %s\nsecond: exit %d: %s",
			codeA, errA.String(), codeB, errB.String())
	}
	t.Logf("the first scheduler was refused: %s", errA.String())
	checkJournaledOnce(t, s3Events(t, api, study), n)
	if cps, _ := checkpointsOf(t, api, study); len(cps) == 0 {
		t.Error("the study has no checkpoint")
	}
}

// BenchmarkS3JournalAppend measures an Append of a dispatch and its
// result (one PUT) to a journal in the emulated S3, and to a study
// directory's journal (one fsync) in the same run for the ratio.
func BenchmarkS3JournalAppend(b *testing.B) {
	ctx := context.Background()
	at := time.Now().UTC()
	appendAll := func(b *testing.B, s results.Store) time.Duration {
		start := time.Now()
		for n := range b.N {
			if err := s.Append(ctx, results.DispatchEvent(storetest.Trial(n), at), results.ResultEvent(storetest.Result(n), at)); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	local, err := results.Create(b.TempDir(), "bench", []byte("name: bench\n"), []byte("{}"))
	if err != nil {
		b.Fatal(err)
	}
	defer local.Close()
	s3j, err := s3journal.Create(ctx, s3API(b), s3Prefix(b).Join("bench"), []byte("name: bench\n"), []byte("{}"))
	if err != nil {
		b.Fatal(err)
	}
	defer s3j.Close()
	localTime := appendAll(b, local)
	b.ResetTimer()
	s3Time := appendAll(b, s3j)
	b.ReportMetric(float64(s3Time)/float64(localTime), "s3/local")
}

// TestS3ResumeNamesTheStoredSpec: resuming an S3 study runs the spec.yaml
// stored with it, and a problem with that spec names its s3:// URL, not
// the temporary copy the CLI reads.
func TestS3ResumeNamesTheStoredSpec(t *testing.T) {
	api := s3API(t)
	dir := t.TempDir()
	text := strings.Replace(s3Spec, "backend: {type: lambda, concurrency: 3}\n", "", 1)
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	prefix := s3Prefix(t)
	study := prefix.Join("iris-knn")
	if code, _, stderr := runCLIIn(t, dir, "run", spec, "--dir", prefix.String(), "--max-trials", "5", "--quiet"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	edited := strings.Replace(text, "max: 40}", "max: 30}", 1)
	_, err := api.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(study.Bucket), Key: aws.String(study.Key + "/" + results.SpecYAMLFile), Body: strings.NewReader(edited),
	})
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLIIn(t, t.TempDir(), "resume", study.String(), "--quiet")
	want := study.String() + "/" + results.SpecYAMLFile
	if code != 2 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "models[0].parameters[0].max: 40 -> 30") {
		t.Errorf("resume with an edited stored spec: exit %d, want 2 naming %s and the field: %s", code, want, stderr)
	}
}
