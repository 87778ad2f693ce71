package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// A command study (spec key command:) runs the user's program for each
// trial through package commandrun: on this machine, or in the Lambda
// worker (commandOnLambda). run wires it in three places: the executor (commandExecutor, from buildExecutor), the
// directory the command runs in (inheritWorkdir, on resume), and the
// study directory and in-trial pruner (startCommandStudy, once the study
// directory exists).

// commandExecutor returns the executor of a command study, after
// checking that it runs locally and that its program can run (exit 2,
// naming the spec's command field, when not). The command runs in spec.Workdir, which it sets to the
// spec file's directory when the study does not have one yet.
func commandExecutor(spec *search.Spec) (*commandrun.Executor, error) {
	if err := checkCommand(spec); err != nil {
		return nil, err
	}
	return &commandrun.Executor{Command: spec.Command, Dir: spec.Workdir, Timeout: spec.TrialTimeout()}, nil
}

// checkCommand sets spec.Workdir, when the study has none yet, to the
// spec file's directory, and checks that the program can run there.
func checkCommand(spec *search.Spec) error {
	if spec.Workdir == "" {
		dir, err := filepath.Abs(filepath.Dir(spec.File))
		if err != nil {
			return fmt.Errorf("run: the spec's directory: %w", err)
		}
		spec.Workdir = dir
	}
	if _, err := commandrun.Check(spec.Command, spec.Workdir); err != nil {
		return spec.Errorf("command", "%s", strings.TrimPrefix(err.Error(), "commandrun: "))
	}
	return nil
}

// commandOnLambda prepares base, the request template of every trial, for
// a command study on the Lambda backend: the worker runs the command with
// the same protocol (worker.Request.Command), if the function allows it
// (worker.EnvCommands). The program is checked here, which is where the
// emulation's worker runs it; on AWS the function needs an image holding
// the program at the same path (deploy --image builds such an image).
// In-trial pruning goes through S3 (startCommandStudy).
func commandOnLambda(spec *search.Spec, base *worker.Request) error {
	if err := checkCommand(spec); err != nil {
		return err
	}
	base.Command, base.Workdir = spec.Command, spec.Workdir
	base.CommandTimeoutMS = spec.TrialTimeout().Milliseconds()
	return nil
}

// inheritWorkdir gives a resumed command study the directory its command
// ran in, recorded in stored, its spec.json: the spec it is resumed from
// is the copy in the study directory, elsewhere.
func inheritWorkdir(spec, stored *search.Spec) {
	if spec.IsCommand() && spec.Workdir == "" && stored != nil {
		spec.Workdir = stored.Workdir
	}
}

// startCommandStudy gives a command study's executor its study directory
// (for the trials' logs and scratch directories) and, under in-trial
// early stopping, its pruner, joined to sampler: it returns the sampler
// to run. Other studies get sampler back as it is.
func startCommandStudy(spec *search.Spec, exec scheduler.Executor, sampler search.Sampler, studyDir string) (search.Sampler, error) {
	if lx := lambdaOf(exec); lx != nil && spec.IsCommand() {
		return pruneOnLambda(spec, lx, sampler)
	}
	ce, ok := exec.(*commandrun.Executor)
	if !ok {
		return sampler, nil
	}
	if s3journal.IsURL(studyDir) {
		return nil, fmt.Errorf("%w: a command study keeps its trials' logs and scratch directories on this machine: give a local --dir, not %s", trial.ErrBadInput, studyDir)
	}
	ce.StudyDir = studyDir
	pruner, err := search.NewPruner(spec)
	if err != nil || pruner == nil {
		return sampler, err
	}
	p := scheduler.NewPruning(sampler, pruner)
	ce.Pruner = p
	return p, nil
}

// pruneOnLambda joins a command study on Lambda to its in-trial pruner,
// which judges the values the workers store in S3 under the study's
// results prefix (lambdaexec.InTrialPruning, every HPSEARCH_PRUNE_POLL,
// default 1s): it returns the sampler to run.
func pruneOnLambda(spec *search.Spec, lx *lambdaexec.Executor, sampler search.Sampler) (search.Sampler, error) {
	pruner, err := search.NewPruner(spec)
	if err != nil || pruner == nil {
		return sampler, err
	}
	if lx.Results == nil {
		return nil, usageErr("in-trial pruning (early_stopping with budget: step) on Lambda needs a bucket (backend.bucket or HPSEARCH_BUCKET): the workers' intermediate values and the prune decisions go through it")
	}
	poll := lambdaexec.DefaultPrunePoll
	if v := os.Getenv(lambdaexec.EnvPrunePoll); v != "" {
		if poll, err = time.ParseDuration(v); err != nil || poll <= 0 {
			return nil, usageErr(fmt.Sprintf("%s=%q: want a positive duration, as 250ms or 1s", lambdaexec.EnvPrunePoll, v))
		}
	}
	p := scheduler.NewPruning(sampler, pruner)
	lx.Pruning = &lambdaexec.InTrialPruning{Pruner: p, Poll: poll}
	return p, nil
}

// A command trial's log on Lambda is stored by its worker in S3 under the
// study's results prefix (worker.LogKey; docs/lambda-logs.md). run copies
// the failed trials' logs into the study directory (fetchCommandLogs), as
// the local backend leaves them there; the dashboard reads any trial's
// log from S3 (commandLogs), while it runs too.

// studyLogs returns where the Lambda workers stored the logs of a command
// study that ran on Lambda with a bucket, from its record (spec.json's
// backend: block) and first, its journal's first event, as run derives
// it (lambdaexec.StudyResults), and the bucket's region; ok is false for
// other studies.
func studyLogs(spec *search.Spec, first results.Event) (ref worker.ResultsRef, region string, ok bool) {
	if spec == nil || !spec.IsCommand() || first.Type != results.EventStudy {
		return ref, "", false
	}
	b := backendOf(spec.Backend)
	if b.kind != backendLambda || b.bucket == "" {
		return ref, "", false
	}
	return *lambdaexec.StudyResults(b.bucket, first), b.region, true
}

// errFirstEvent stops a journal's scan at its first event.
var errFirstEvent = errors.New("first event read")

// firstEvent returns the first event of st's journal: from st.Events, or
// read from the study directory when the study was read without them
// (report.LoadTrials).
func firstEvent(ctx context.Context, st *report.Study) (results.Event, error) {
	if len(st.Events) > 0 {
		return st.Events[0], nil
	}
	if st.Head != nil {
		return *st.Head, nil
	}
	if s3journal.IsURL(st.Dir) {
		return firstS3Event(ctx, st.Dir)
	}
	j, err := results.Open(st.Dir)
	if err != nil {
		return results.Event{}, err
	}
	defer j.Close()
	var first results.Event
	_, err = j.Scan(ctx, func(e results.Event) error {
		first = e
		return errFirstEvent
	})
	if err != nil && !errors.Is(err, errFirstEvent) {
		return results.Event{}, err
	}
	return first, nil
}

// fetchCommandLogs copies the log the Lambda workers stored for each
// failed trial of a command study that ran on Lambda into its study
// directory dir, as trials/N.log (the attempt that failed; a file already
// there is kept), and says on stderr how many it copied and which it
// could not. Other studies, studies kept in S3 and an interrupted run
// (ctx done: resume copies them) are left alone. A log that cannot be
// copied is a warning, never the run's failure.
func fetchCommandLogs(ctx context.Context, e *env, spec *search.Spec, exec scheduler.Executor, dir string) {
	if !spec.IsCommand() || lambdaOf(exec) == nil || s3journal.IsURL(dir) || ctx.Err() != nil {
		return
	}
	warn := func(err error) {
		fmt.Fprintf(e.stderr, "warning: the failed trials' logs were not copied: %s\n", results.Printable(err.Error()))
	}
	j, err := results.Open(dir)
	if err != nil {
		warn(err)
		return
	}
	// The journal is streamed, keeping the first event and the failed
	// trials: a large study is not read into memory again.
	var first results.Event
	failed := map[int]int{} // trial: attempt, of its last final result
	_, err = j.Scan(ctx, func(ev results.Event) error {
		if first.Type == "" {
			first = ev
		}
		if r := ev.Result; ev.Type == results.EventResult && r.State.Final() {
			if r.State == trial.Failed {
				failed[r.Number] = int(r.Backend["attempt"])
			} else {
				delete(failed, r.Number)
			}
		}
		return nil
	})
	j.Close()
	if err != nil {
		warn(err)
		return
	}
	ref, region, ok := studyLogs(spec, first)
	if !ok || len(failed) == 0 {
		return
	}
	var client worker.LogObjects
	copied := 0
	for _, n := range slices.Sorted(maps.Keys(failed)) {
		path := filepath.Join(dir, "trials", strconv.Itoa(n)+".log")
		if _, err := os.Lstat(path); err == nil {
			continue
		}
		if client == nil {
			if client, err = newS3Client(ctx, region); err != nil {
				warn(err)
				return
			}
		}
		err := copyLog(ctx, client, ref, n, failed[n], path)
		switch {
		case errors.Is(err, fs.ErrNotExist): // the command wrote nothing
		case err != nil:
			fmt.Fprintf(e.stderr, "warning: trial %d's log was not copied: %s\n", n, results.Printable(err.Error()))
		default:
			copied++
		}
	}
	if copied > 0 {
		fmt.Fprintf(e.stderr, "copied the logs of %d failed trials from S3 to %s\n", copied, filepath.Join(dir, "trials"))
	}
}

// copyLog writes the log stored for attempt a of trial n (the last
// stored attempt when a is 0) to path, through a temporary file so that a
// reader never sees half of it.
func copyLog(ctx context.Context, client worker.LogObjects, ref worker.ResultsRef, n, a int, path string) error {
	l, err := worker.ReadLog(ctx, client, ref, n, a, 0)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("copy %s: %w", l.URL, err)
	}
	tmp := path + ".part"
	if err := os.WriteFile(tmp, l.Body, 0o644); err != nil {
		return fmt.Errorf("copy %s: %w", l.URL, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("copy %s: %w", l.URL, err)
	}
	return nil
}

// commandLogs is the dashboard's reader of the logs Lambda workers stored
// for command trials (dashboard.RemoteLogs): it finds a study's logs with
// studyLogs and reads them through the S3 client the dashboard's S3
// studies are read with (newS3Client), one per region, made at first use.
type commandLogs struct {
	mu      sync.Mutex
	clients map[string]worker.LogObjects
}

var _ dashboard.RemoteLogs = (*commandLogs)(nil)

// LogTail implements dashboard.RemoteLogs.
func (c *commandLogs) LogTail(ctx context.Context, st *report.Study, n, a int, max int64) ([]byte, bool, string, error) {
	if st.Spec == nil || !st.Spec.IsCommand() || backendOf(st.Spec.Backend).kind != backendLambda {
		return nil, false, "", fs.ErrNotExist // no journal read for other studies
	}
	first, err := firstEvent(ctx, st)
	if err != nil {
		return nil, false, "", err
	}
	ref, region, ok := studyLogs(st.Spec, first)
	if !ok {
		return nil, false, "", fs.ErrNotExist
	}
	client, err := c.client(ctx, region)
	if err != nil {
		return nil, false, "", err
	}
	l, err := worker.ReadLog(ctx, client, ref, n, a, max)
	return l.Body, l.Cut, l.URL, err
}

func (c *commandLogs) client(ctx context.Context, region string) (worker.LogObjects, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[region]; ok {
		return cl, nil
	}
	cl, err := newS3Client(ctx, region)
	if err != nil {
		return nil, err
	}
	if c.clients == nil {
		c.clients = map[string]worker.LogObjects{}
	}
	c.clients[region] = cl
	return cl, nil
}
