// Command lambda benchmarks the Lambda backend against the emulation
// (serverless/emulate: AWS's runtime interface emulator running the real
// worker binary, behind the router, with the Versity S3 gateway), side by
// side with the local backend (worker.Local) in the same run:
//
//   - latency: the added latency of one warm no-op trial through the SDK,
//     the router, the emulator and the worker, against worker.Local;
//   - cold: the first invocation of a fresh environment (init duration,
//     round trip, dataset load from S3) and the second (dataset in memory),
//     for generated datasets of the given CSV sizes;
//   - throughput: no-op trials per second with N environments, against the
//     local backend with parallel 2;
//   - gets: S3 GETs per trial over a study on a bundled dataset.
//
// Every measurement starts emulations of its own, so each environment's
// first invocation is cold and its /tmp empty.
//
//	go run ./benchmarks/lambda --all
//	go run ./benchmarks/lambda --latency --latency-n 1000 --reps 5
//	go run ./benchmarks/lambda --cold --cold-sizes 1MB,10MB,100MB
//
// Tables (markdown) go to stdout, progress to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/trial"
	// The local executor runs the same model families as the worker binary.
	_ "github.com/hpsearch/hpsearch/trainers/zoo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "lambda:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "lambda:", err)
		if ctx.Err() != nil {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `usage:
  lambda [--all] [--latency] [--cold] [--throughput] [--gets] [options]

example:
  go run ./benchmarks/lambda --all
  go run ./benchmarks/lambda --throughput --envs 4 --throughput-trials 5000

`

// config is what the flags select.
type config struct {
	latency, cold, throughput, gets bool

	reps int

	latencyN, warmup int

	coldSizes []int64 // CSV bytes
	coldCols  int
	coldReps  int
	coldFolds int
	// coldModel and coldParams are the --cold trials' model; coldHoldout
	// their validation share; coldNoLocal skips the local peer.
	coldModel   string
	coldParams  trial.Params
	coldHoldout float64
	coldNoLocal bool
	coldMetric  string

	envs             int
	throughputTrials int
	localParallel    int

	getsTrials  int
	getsEnvs    []int
	getsDataset string
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("lambda", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	var (
		all        = fs.Bool("all", false, "run every measurement")
		latency    = fs.Bool("latency", false, "warm no-op latency, emulated Lambda against worker.Local")
		cold       = fs.Bool("cold", false, "cold start with generated datasets (--cold-sizes)")
		throughput = fs.Bool("throughput", false, "no-op trials per second, --envs environments against local --local-parallel")
		gets       = fs.Bool("gets", false, "S3 GETs per trial over a study (--gets-trials, --gets-envs)")

		reps     = fs.Int("reps", 3, "repetitions of the latency and throughput measurements; tables report medians")
		latencyN = fs.Int("latency-n", 500, "sequential invocations per latency repetition")
		warmup   = fs.Int("warmup", 50, "warm-up invocations before each latency repetition")

		coldSizes = fs.String("cold-sizes", "1MB,100MB", "comma-separated CSV sizes for --cold (KB, MB, GB suffixes; powers of 1000)")
		coldCols  = fs.Int("cold-cols", 10, "feature columns of the generated datasets")
		coldReps  = fs.Int("cold-reps", 3, "fresh emulations per size")
		coldFolds = fs.Int("cold-folds", 0, "k-fold cross-validation of the --cold trials instead of the holdout (0: the holdout)")

		coldModel   = fs.String("cold-model", "naive_bayes", "model of the --cold trials")
		coldParams  = fs.String("cold-params", "", `parameters of the --cold trials as a JSON object, e.g. '{"n_neighbors": 3}' (default: the model's defaults)`)
		coldHoldout = fs.Float64("cold-holdout", 0.2, "validation share of the --cold trials' holdout (a small one keeps knn's predict short)")
		coldNoLocal = fs.Bool("cold-no-local", false, "skip the local peer of the --cold trials (a slow model on a large dataset)")
		coldMetric  = fs.String("cold-metric", "accuracy", "metric of the --cold trials (log_loss tells scores apart to the bit where accuracy is 1)")

		envs             = fs.Int("envs", 8, "execution environments and executor concurrency for --throughput")
		throughputTrials = fs.Int("throughput-trials", 2000, "no-op trials per throughput repetition")
		localParallel    = fs.Int("local-parallel", 2, "parallelism of the local backend for --throughput")

		getsTrials  = fs.Int("gets-trials", 1000, "trials of the --gets study")
		getsEnvs    = fs.String("gets-envs", "4,8", "comma-separated environment counts for --gets")
		getsDataset = fs.String("gets-dataset", "iris", "bundled dataset of the --gets study (knn)")

		bootstrap = fs.String("bootstrap", "", "worker bootstrap to run (default: build ./cmd/worker into a temporary directory)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	c := config{
		latency: *all || *latency, cold: *all || *cold, throughput: *all || *throughput, gets: *all || *gets,
		reps: *reps, latencyN: *latencyN, warmup: *warmup,
		coldCols: *coldCols, coldReps: *coldReps, coldFolds: *coldFolds,
		coldModel: *coldModel, coldHoldout: *coldHoldout, coldNoLocal: *coldNoLocal, coldMetric: *coldMetric,
		envs: *envs, throughputTrials: *throughputTrials, localParallel: *localParallel,
		getsTrials: *getsTrials, getsDataset: *getsDataset,
	}
	if !c.latency && !c.cold && !c.throughput && !c.gets {
		return fmt.Errorf("%w: choose --all or at least one of --latency, --cold, --throughput, --gets", errUsage)
	}
	var err error
	if *coldParams != "" {
		if err := json.Unmarshal([]byte(*coldParams), &c.coldParams); err != nil {
			return fmt.Errorf("%w: --cold-params: %w", errUsage, err)
		}
	}
	if c.coldHoldout <= 0 || c.coldHoldout >= 1 {
		return fmt.Errorf("%w: --cold-holdout must be in (0, 1), got %g", errUsage, c.coldHoldout)
	}
	if c.coldSizes, err = parseSizes(*coldSizes); err != nil {
		return err
	}
	if c.getsEnvs, err = parseInts(*getsEnvs); err != nil {
		return err
	}
	for name, v := range map[string]int{"--reps": c.reps, "--latency-n": c.latencyN, "--cold-cols": c.coldCols,
		"--cold-reps": c.coldReps, "--envs": c.envs, "--throughput-trials": c.throughputTrials,
		"--local-parallel": c.localParallel, "--gets-trials": c.getsTrials} {
		if v < 1 {
			return fmt.Errorf("%w: %s must be at least 1", errUsage, name)
		}
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	work, err := os.MkdirTemp("", "hpsearch-lambda-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &bench{work: work, bootstrap: *bootstrap, log: log, out: os.Stdout}
	if b.bootstrap == "" {
		b.bootstrap = filepath.Join(work, "bootstrap")
		start := time.Now()
		if err := emulate.BuildWorker(ctx, "./cmd/worker", b.bootstrap, runtime.GOARCH); err != nil {
			return err
		}
		log.Info("worker built", "seconds", time.Since(start).Seconds())
	}
	if _, _, err := emulate.BuildTools(ctx, ""); err != nil {
		return err
	}

	fmt.Fprintf(b.out, "# Lambda backend benchmark, %s\n\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(b.out, "%s, %d CPUs, %s; load average at start: %s\n\n", runtime.Version(), runtime.NumCPU(), runtime.GOOS+"/"+runtime.GOARCH, loadAverage())
	steps := []struct {
		on  bool
		run func(context.Context, config) error
	}{
		{c.latency, b.latency},
		{c.cold, b.coldStart},
		{c.throughput, b.throughput},
		{c.gets, b.s3Gets},
	}
	for _, s := range steps {
		if !s.on {
			continue
		}
		if err := s.run(ctx, c); err != nil {
			return err
		}
	}
	fmt.Fprintf(b.out, "load average at end: %s\n", loadAverage())
	return nil
}

func parseSizes(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		mult := int64(1)
		for _, u := range []struct {
			suffix string
			mult   int64
		}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
			if rest, ok := strings.CutSuffix(f, u.suffix); ok {
				f, mult = rest, u.mult
				break
			}
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("%w: size %q: want a positive number with KB, MB or GB", errUsage, f)
		}
		out = append(out, int64(v*float64(mult)))
	}
	return out, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%w: %q: want a positive integer", errUsage, f)
		}
		out = append(out, v)
	}
	return out, nil
}
