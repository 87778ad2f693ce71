// Command search is the driver of the search and early-stopping
// benchmarks; run.sh runs it beside optuna_tpe.py and writes the tables.
//
//	go run ./benchmarks/search speed [-trials 1000]
//	go run ./benchmarks/search quality -function branin [-seeds 20] [-budgets 50,100,200] [-search "multivariate: false"]
//	go run ./benchmarks/search asha [-max-trials 60] [-seed 1]
//
// speed runs TPE on Branin through the scheduler with the local executor
// and an in-memory journal (Optuna's side runs in memory too) and prints
// "hpsearch trials=N wall_seconds=S best=B". quality prints one JSON line
// per seed, {"function", "seed", "best": {"50": v, ...}}, the best value
// among the first 50, 100, ... trials of a sequential TPE study with the
// defaults, or with the search: settings given by -search. asha runs
// ASHA (random proposals) over gradient-boosted trees on the digits, then
// the same configurations at the full budget, and prints one JSON object
// with both studies' best CV accuracy and summed fit seconds.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trainers"
	_ "github.com/hpsearch/hpsearch/trainers/zoo" // registers every model family
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// boxes are the search spaces, the same as optuna_tpe.py's: continuous
// boxes. Rosenbrock's bounds are written -2.0 and 2.0, floats whatever the
// model declares (before rosenbrock declared x3, x4, ... as floats, -2 and
// 2 searched them as the integers -2..2).
var boxes = map[string]string{
	"branin":     "  x1: {min: -5, max: 10}\n  x2: {min: 0, max: 15}\n",
	"hartmann6":  "  x1: {min: 0, max: 1}\n  x2: {min: 0, max: 1}\n  x3: {min: 0, max: 1}\n  x4: {min: 0, max: 1}\n  x5: {min: 0, max: 1}\n  x6: {min: 0, max: 1}\n",
	"rosenbrock": "  x1: {min: -2.0, max: 2.0}\n  x2: {min: -2.0, max: 2.0}\n  x3: {min: -2.0, max: 2.0}\n  x4: {min: -2.0, max: 2.0}\n",
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: search speed|quality|asha [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	trials := fs.Int("trials", 1000, "speed: trials")
	function := fs.String("function", "branin", "quality: branin, hartmann6 or rosenbrock")
	seeds := fs.Int("seeds", 20, "quality: seeds 0..N-1")
	budgets := fs.String("budgets", "50,100,200", "quality: trial budgets")
	options := fs.String("search", "", `quality: more search: settings, as YAML ("multivariate: false, startup: sobol")`)
	maxTrials := fs.Int("max-trials", 60, "asha: invocations of the ASHA study")
	seed := fs.Uint64("seed", 1, "asha: study seed")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "speed":
		err = speed(*trials)
	case "quality":
		err = quality(*function, *seeds, *budgets, *options)
	case "asha":
		err = asha(*maxTrials, *seed)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "search:", err)
		os.Exit(1)
	}
}

// study runs spec sequentially (or at parallel) on the local executor
// with an in-memory journal.
func study(spec string, parallel int) (scheduler.Outcome, error) {
	s, err := search.Parse(strings.NewReader(spec), "bench.yaml", trainers.Catalog)
	if err != nil {
		return scheduler.Outcome{}, err
	}
	smp, err := search.NewSampler(s)
	if err != nil {
		return scheduler.Outcome{}, err
	}
	req := worker.Request{Study: s.Name, Target: s.Target, Task: s.Task, Metric: s.Metric, CV: s.CV, Preprocess: s.Preprocess}
	if s.Dataset != "" {
		req.Dataset = worker.DatasetRef{Name: s.Dataset}
	}
	return scheduler.Run(context.Background(), scheduler.Config{
		Sampler: smp, Executor: &worker.Local{Worker: worker.New(nil), Base: req}, Store: results.NewMemory(),
		Parallel: parallel, MaxTrials: s.Search.MaxTrials, Direction: s.Direction,
		Seed: func(n int) uint64 { return search.TrialSeed(s.Search.Seed, n) },
	})
}

func speed(trials int) error {
	spec := fmt.Sprintf("name: speed\nmodel: branin\nsearch: {method: tpe, max_trials: %d, parallel: 1, seed: 0}\nparameters:\n%s", trials, boxes["branin"])
	start := time.Now()
	out, err := study(spec, 1)
	if err != nil {
		return err
	}
	fmt.Printf("hpsearch trials=%d journal=memory wall_seconds=%.3f best=%.6f\n", trials, time.Since(start).Seconds(), out.Best.Score)
	return nil
}

func quality(function string, seeds int, budgetList, options string) error {
	box, ok := boxes[function]
	if !ok {
		return fmt.Errorf("unknown function %q", function)
	}
	var budgets []int
	for _, b := range strings.Split(budgetList, ",") {
		n, err := strconv.Atoi(b)
		if err != nil {
			return err
		}
		budgets = append(budgets, n)
	}
	n := slices.Max(budgets)
	extra := ""
	if options != "" {
		extra = ", " + options
	}
	for seed := range seeds {
		spec := fmt.Sprintf("name: q\nmodel: %s\nsearch: {method: tpe, max_trials: %d, parallel: 1, seed: %d%s}\nparameters:\n%s", function, n, seed, extra, box)
		out, err := study(spec, 1)
		if err != nil {
			return err
		}
		values := make([]float64, n)
		for _, r := range out.Results {
			values[r.Number] = r.Score
		}
		best := map[string]float64{}
		for _, b := range budgets {
			best[strconv.Itoa(b)] = slices.Min(values[:b])
		}
		line, _ := json.Marshal(map[string]any{"function": function, "seed": seed, "best": best})
		fmt.Println(string(line))
	}
	return nil
}

// ashaSpace is the gradient-boosting space of the early-stopping
// benchmark. max_iter is last, so a constant max_iter takes the last
// random draw and the other parameters of configuration c are those ASHA
// proposed for its configuration c.
const ashaSpace = `  learning_rate: {min: 0.01, max: 0.5, log: true}
  max_leaf_nodes: {min: 4, max: 64, log: true}
  min_samples_leaf: {min: 2, max: 50, log: true}
  l2_regularization: {min: 0.000001, max: 10, log: true}
`

func asha(maxTrials int, seed uint64) error {
	head := "name: asha\ndataset: digits\ntask: classification\nmodel: gradient_boosting\ncv: {folds: 3, seed: 0}\n"
	early := fmt.Sprintf("%ssearch: {method: random, max_trials: %d, parallel: 1, seed: %d}\n"+
		"early_stopping: {type: asha, budget: max_iter, min: 3, max: 81, eta: 3}\nparameters:\n%s", head, maxTrials, seed, ashaSpace)
	start := time.Now()
	es, err := study(early, 1)
	if err != nil {
		return err
	}
	esWall := time.Since(start)
	configs := map[int]bool{}
	for _, r := range es.Results {
		configs[r.Budget.Config] = true
	}
	full := fmt.Sprintf("%ssearch: {method: random, max_trials: %d, parallel: 1, seed: %d}\nparameters:\n%s  max_iter: 81\n",
		head, len(configs), seed, ashaSpace)
	start = time.Now()
	fb, err := study(full, 1)
	if err != nil {
		return err
	}
	fbWall := time.Since(start)
	summary := func(out scheduler.Outcome, wall time.Duration) map[string]any {
		var fit float64
		best := math.Inf(-1)
		for _, r := range out.Results {
			fit += r.FitSeconds
			if results.StateOf(r) == trial.Complete {
				best = max(best, r.Score)
			}
		}
		return map[string]any{"trials": len(out.Results), "full_budget_trials": out.Complete, "best": best,
			"fit_seconds": fit, "wall_seconds": wall.Seconds()}
	}
	line, _ := json.Marshal(map[string]any{"configurations": len(configs), "asha": summary(es, esWall), "full": summary(fb, fbWall)})
	fmt.Println(string(line))
	return nil
}
