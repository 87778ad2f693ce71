package worker

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/trial"
)

// runCommand runs the trial of a command study (Request.Command) with
// package commandrun, where the worker runs: in a Lambda function built
// for the user's code, or on this machine in the emulation and the local
// backend. The trials' logs and scratch directories go under the
// temporary directory (/tmp in Lambda), by study. The command runs to
// its end, its intermediate values recorded in the result, unless the
// Lambda handler gave the request a pruner (LambdaRequest.PrunePollMS:
// the scheduler judges the values through S3). When the handler gave it a
// log store (the request names a results location), the log is stored in
// S3 as the command runs and when it ends (see LogKey), and a failed
// trial's error names the stored log rather than the function's file.
func runCommand(ctx context.Context, req Request) trial.Result {
	e := &commandrun.Executor{
		Command:  req.Command,
		Dir:      req.Workdir,
		StudyDir: filepath.Join(os.TempDir(), "hpsearch-trials", filepath.Base(filepath.Clean("/"+req.Study))),
		Timeout:  time.Duration(req.CommandTimeoutMS) * time.Millisecond,
		Pruner:   req.pruning,
	}
	var ship *logShipper
	logPath := filepath.Join(e.StudyDir, "trials", strconv.Itoa(req.Trial.Number)+".log")
	if req.logs != nil {
		ship = req.logs.start(ctx, logPath, req.Trial.Number, req.Trial.Attempt)
	}
	res, err := e.Execute(ctx, req.Trial)
	if err != nil && res.State != trial.Failed {
		res.State, res.Error = trial.Failed, err.Error()
	}
	if ship != nil && ship.finish(ctx) {
		res.Error = strings.ReplaceAll(res.Error, logPath, ship.URL())
	}
	return res
}
