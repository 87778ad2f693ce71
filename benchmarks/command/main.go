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
//	go run ./benchmarks/command [-trials 1000] [-blocks 10] [-optuna=false]
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
	trials := flag.Int("trials", 1000, "trials per side")
	blocks := flag.Int("blocks", 10, "the trials run in this many blocks, every side in turn within each, so that all sides see the same load")
	optuna := flag.Bool("optuna", true, "also run Optuna (needs python3-optuna)")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "hpsearch-command-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	per := *trials / *blocks
	n := per * *blocks
	var bare, alone, study, memory, opt float64
	for b := range *blocks {
		bare += timeBare(per)
		alone += timeExecutor(filepath.Join(tmp, fmt.Sprint("alone", b)), per)
		study += timeStudy(filepath.Join(tmp, fmt.Sprint(b)), per, true)
		memory += timeStudy(filepath.Join(tmp, fmt.Sprint("memory", b)), per, false)
		if *optuna {
			opt += timeOptuna(per)
		}
		fmt.Printf("block %d/%d: %d trials a side\n", b+1, *blocks, per)
	}
	ms := func(sec float64) float64 { return sec / float64(n) * 1000 }
	fmt.Printf("%d trials a side, in %d interleaved blocks:\n", n, *blocks)
	fmt.Printf("  bare fork/exec                    %7.3fs  %6.3f ms/trial\n", bare, ms(bare))
	fmt.Printf("  commandrun executor alone         %7.3fs  %6.3f ms/trial  %.2fx bare\n", alone, ms(alone), alone/bare)
	fmt.Printf("  hpsearch study, journal fsync'd   %7.3fs  %6.3f ms/trial  %.2fx bare\n", study, ms(study), study/bare)
	fmt.Printf("  hpsearch study, journal in memory %7.3fs  %6.3f ms/trial  %.2fx bare\n", memory, ms(memory), memory/bare)
	if *optuna {
		fmt.Printf("  optuna subprocess.run, in memory  %7.3fs  %6.3f ms/trial  %.2fx bare; optuna/hpsearch = %.2fx (fsync'd), %.2fx (memory)\n",
			opt, ms(opt), opt/bare, opt/study, opt/memory)
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
// one float, parallel 1, every dispatch and result journaled, to disk
// (fsync'd, as the command line does) when durable, else in memory.
func timeStudy(dir string, n int, durable bool) float64 {
	command, _ := json.Marshal(trivial) // a JSON list is a YAML list
	specYAML := fmt.Sprintf("name: bench\ncommand: %s\ndirection: maximize\nsearch: {max_trials: %d, parallel: 1, seed: 1}\nparameters:\n  x: {min: 0.0, max: 1.0}\n",
		command, n)
	spec, err := search.Parse(strings.NewReader(specYAML), "bench.yaml", nil)
	if err != nil {
		log.Fatal(err)
	}
	specJSON, _ := json.Marshal(spec)
	start := time.Now()
	var store results.Store = results.NewMemory()
	studyDir := dir
	if durable {
		j, err := results.Create(dir, spec.Name, []byte(specYAML), specJSON)
		if err != nil {
			log.Fatal(err)
		}
		store, studyDir = j, j.Dir()
	}
	sampler, err := search.NewSampler(spec)
	if err != nil {
		log.Fatal(err)
	}
	out, err := scheduler.Run(context.Background(), scheduler.Config{
		Sampler: sampler, Store: store, Parallel: 1, MaxTrials: n, Direction: spec.Direction,
		Executor: &commandrun.Executor{Command: spec.Command, StudyDir: studyDir},
		Seed:     func(i int) uint64 { return search.TrialSeed(1, i) },
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Close(); err != nil {
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
