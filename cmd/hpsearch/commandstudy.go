package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/commandrun"
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
