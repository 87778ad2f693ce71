// Command command measures the per-trial overhead of a command objective
// (package commandrun): a study of N trials of a trivial command,
// `/bin/sh -c "echo '{\"score\":1}'"`, run through the scheduler with the
// journal on disk, against the bare fork/exec of the same command N times
// and against Optuna running it with subprocess.run in its objective
// (optuna_command.py). It also measures the pruning latency: from the
// moment a command prints the intermediate value that prunes it to the
// moment its trial is over (the process has exited and its output is
// read).
//
//	go run ./benchmarks/command [-trials 1000] [-rounds 3] [-optuna]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// trivial is the issue's `/bin/sh -c 'echo {"score":1}'`, quoted so that
// the shell leaves the JSON's quotes alone.
var trivial = []string{"/bin/sh", "-c", `echo '{"score":1}'`}

func main() {
	trials := flag.Int("trials", 1000, "trials per measurement")
	rounds := flag.Int("rounds", 3, "rounds; each side's best is reported")
	optuna := flag.Bool("optuna", true, "also run Optuna (needs python3-optuna)")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "hpsearch-command-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	var bare, alone, study, opt []float64
	for r := range *rounds {
		bare = append(bare, timeBare(*trials))
		alone = append(alone, timeExecutor(filepath.Join(tmp, fmt.Sprint("alone", r)), *trials))
		study = append(study, timeStudy(filepath.Join(tmp, fmt.Sprint(r)), *trials))
		if *optuna {
			opt = append(opt, timeOptuna(*trials))
		}
		fmt.Printf("round %d: bare fork/exec %.3fs, executor alone %.3fs, hpsearch study %.3fs", r+1, bare[r], alone[r], study[r])
		if *optuna {
			fmt.Printf(", optuna subprocess.run %.3fs", opt[r])
		}
		fmt.Println()
	}
	b, s := slices.Min(bare), slices.Min(study)
	fmt.Printf("best of %d, %d trials: bare %.3fs (%.3f ms/trial), hpsearch %.3fs (%.3f ms/trial): hpsearch/bare = %.2fx\n",
		*rounds, *trials, b, b/float64(*trials)*1000, s, s/float64(*trials)*1000, s/b)
	a := slices.Min(alone)
	fmt.Printf("executor alone (no sampler, no journal) %.3fs (%.3f ms/trial): executor/bare = %.2fx\n", a, a/float64(*trials)*1000, a/b)
	if *optuna {
		o := slices.Min(opt)
		fmt.Printf("optuna %.3fs (%.3f ms/trial): optuna/hpsearch = %.2fx\n", o, o/float64(*trials)*1000, o/s)
	}
	lat := pruneLatency(tmp, 20)
	slices.Sort(lat)
	fmt.Printf("pruning latency over %d trials (print of the pruning line to trial over): median %.1f ms, max %.1f ms\n",
		len(lat), lat[len(lat)/2], lat[len(lat)-1])
}

// timeBare runs the command n times with fork/exec, reading its output.
func timeBare(n int) float64 {
	start := time.Now()
	for range n {
		cmd := exec.Command(trivial[0], trivial[1:]...)
		cmd.Stdin = strings.NewReader(`{"x":0.5}` + "\n")
		if _, err := cmd.Output(); err != nil {
			log.Fatal(err)
		}
	}
	return time.Since(start).Seconds()
}

// timeExecutor runs n trials through commandrun.Executor alone, one
// after another: no sampler, no scheduler, no journal.
func timeExecutor(dir string, n int) float64 {
	e := &commandrun.Executor{Command: trivial, StudyDir: dir}
	start := time.Now()
	for i := range n {
		res, err := e.Execute(context.Background(), trial.Trial{Number: i, Params: trial.Params{"x": 0.5}})
		if err != nil || res.State != trial.Complete {
			log.Fatalf("executor: %s %s %v", res.State, res.Error, err)
		}
	}
	return time.Since(start).Seconds()
}

// timeStudy runs a study of n trials of the command: random search over
// one float, parallel 1, every dispatch and result journaled to disk.
func timeStudy(dir string, n int) float64 {
	command, _ := json.Marshal(trivial) // a JSON list is a YAML list
	specYAML := fmt.Sprintf("name: bench\ncommand: %s\ndirection: maximize\nsearch: {max_trials: %d, parallel: 1, seed: 1}\nparameters:\n  x: {min: 0.0, max: 1.0}\n",
		command, n)
	spec, err := search.Parse(strings.NewReader(specYAML), "bench.yaml", nil)
	if err != nil {
		log.Fatal(err)
	}
	specJSON, _ := json.Marshal(spec)
	start := time.Now()
	j, err := results.Create(dir, spec.Name, []byte(specYAML), specJSON)
	if err != nil {
		log.Fatal(err)
	}
	sampler, err := search.NewSampler(spec)
	if err != nil {
		log.Fatal(err)
	}
	out, err := scheduler.Run(context.Background(), scheduler.Config{
		Sampler: sampler, Store: j, Parallel: 1, MaxTrials: n, Direction: spec.Direction,
		Executor: &commandrun.Executor{Command: spec.Command, StudyDir: j.Dir()},
		Seed:     func(i int) uint64 { return search.TrialSeed(1, i) },
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := j.Close(); err != nil {
		log.Fatal(err)
	}
	wall := time.Since(start).Seconds()
	if out.Complete != n {
		log.Fatalf("study: %d of %d complete (%+v): %s", out.Complete, n, out.Summary, out.Results[0].Error)
	}
	return wall
}

func timeOptuna(n int) float64 {
	out, err := exec.Command("/usr/bin/python3", "benchmarks/command/optuna_command.py", "--trials", fmt.Sprint(n)).Output()
	if err != nil {
		log.Fatalf("optuna: %v (run from the repository root, with python3-optuna installed)", err)
	}
	var wall float64
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "wall_seconds="); ok {
			fmt.Sscan(v, &wall)
		}
	}
	return wall
}

// pruneAt5 prunes every trial at step 5, noting the time the script
// printed it, which the script gives as the score (Unix seconds).
type pruneAt5 struct{ printed *float64 }

func (p pruneAt5) ShouldPrune(_ trial.Trial, steps []trial.Step) bool {
	last := steps[len(steps)-1]
	*p.printed = last.Value
	return last.Step >= 5
}

// pruneLatency runs n trials of a Python script that prints a step every
// 10 ms, with the time it printed it as the score, pruned at step 5, and
// returns in milliseconds how long after printing step 5 each trial was
// over: the line read, judged, SIGTERM sent, the process exited and
// reaped, its output read to the end.
func pruneLatency(dir string, n int) []float64 {
	script := filepath.Join(dir, "steps.py")
	err := os.WriteFile(script, []byte(`import json, time
step = 0
while True:
    print(json.dumps({"step": step, "score": time.time_ns() / 1e9}), flush=True)
    step += 1
    time.sleep(0.01)
`), 0o644)
	if err != nil {
		log.Fatal(err)
	}
	var printed float64
	e := &commandrun.Executor{Command: []string{"/usr/bin/python3", script}, StudyDir: filepath.Join(dir, "prune"), Pruner: pruneAt5{&printed}}
	var out []float64
	for i := range n {
		res, err := e.Execute(context.Background(), trial.Trial{Number: i, Params: trial.Params{"x": 1}})
		over := float64(time.Now().UnixNano()) / 1e9
		if err != nil || res.State != trial.Pruned {
			log.Fatalf("prune trial: %s %s %v", res.State, res.Error, err)
		}
		out = append(out, (over-printed)*1000)
	}
	return out
}
