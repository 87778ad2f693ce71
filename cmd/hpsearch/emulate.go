package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/worker"
)

func init() { register(newEmulateCmd) }

// newEmulateCmd builds "hpsearch emulate".
func newEmulateCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "emulate [flags]",
		Short: "run Lambda and S3 on this machine until Ctrl-C",
		Long: `Starts the worker for this machine and runs, on 127.0.0.1, an S3 gateway
(versitygw) and a fleet of Lambda execution environments (aws-lambda-rie)
behind a router that speaks the Lambda Invoke API and throttles like a
function whose concurrency is --workers. Prints the variables that point
the AWS SDK, the AWS CLI and hpsearch at it, and runs until interrupted.
The first run builds the emulator's tools with go install from the pinned
versions (a minute or two, shown on stderr; see the README for using
binaries on PATH). The worker is ./cmd/worker, built, in a source checkout
with Go; elsewhere it is this executable, which serves Lambda invocations
when the emulated runtime starts it. Without --dir the S3 data is deleted
when it stops. The export lines replace a shell's own AWS credentials:
paste them in a subshell or a separate terminal.

--faults injects faults into invocations, at these rates per invocation:
KIND=RATE entries, comma-separated, with kinds 429 (throttled), 5xx
(service error), lost (ran, but the answer is lost), crash (the runtime
dies mid-invocation) and timeout (the environment hangs until --timeout);
rates in [0, 1] summing to at most 1. The same --seed and the same order
of invocations give the same faults.

--simulate rehearses a large study instead: no process per environment.
The real worker runs in this process for each invocation and its answer
is held until a simulated duration has passed: --trial-seconds is a
number of seconds, a range MIN..MAX (drawn with --seed), or
replay:STUDY_DIR (the durations a study's trials measured). A new
environment first spends --cold-start starting. Lambda's scaling limits
apply: --workers environments at most, 1,000 new ones per 10 seconds;
beyond them invocations are throttled (429). --faults applies too. The
REPORT lines carry the simulated billed durations, so run's cost is what
AWS would bill.

--allow-commands sets HPSEARCH_COMMANDS=1 in the function's environment,
so that its workers run the commands of command studies (a spec with
command:) on this machine. Off by default: with it, anyone who can invoke
the emulated function (any local user who can reach its port) can run
programs as you.`,
		Example: `  hpsearch emulate --workers 4 --dir /tmp/hp
  # in another shell, paste the printed export lines, then:
  hpsearch run spec.yaml --backend lambda

  # rehearse a bad day (see the README's "Rehearsing a bad day"):
  hpsearch emulate --timeout 10 --faults 429=0.1,5xx=0.05,lost=0.05,crash=0.02,timeout=0.02

  # rehearse 1,000 environments running 2-second trials:
  hpsearch emulate --simulate --workers 1000 --trial-seconds 2

  # run a command study (your own script) on the emulated Lambda:
  hpsearch emulate --allow-commands`,
	}
	fs := cmd.Flags()
	workers := fs.Int("workers", 2, "`N` execution environments, the concurrency limit")
	dir := fs.String("dir", "", "keep S3 data and logs in `D` (default: a temporary directory)")
	function := fs.String("function", emulate.DefaultFunction, "function `NAME`")
	bucket := fs.String("bucket", emulate.DefaultBucket, "bucket `B` to create")
	port := fs.Int("port", 9001, "Lambda API port `P`; 0 picks free ports for the Lambda API and,\nunless --s3-port is given, for S3")
	s3Port := fs.Int("s3-port", 9000, "S3 port `P`; 0 picks a free one")
	memory := fs.Int("memory", emulate.DefaultMemory, "function memory in `MB`; a runtime using more is killed")
	timeout := fs.Int("timeout", int(emulate.DefaultTimeout/time.Second), "invocation timeout in seconds `S`")
	bootstrap := fs.String("bootstrap", "", "run this bootstrap `PATH` (default: ./cmd/worker built in a source\ncheckout with Go, else this executable)")
	faultSpec := fs.String("faults", "", "inject faults into invocations: `SPEC` of KIND=RATE entries (see above)")
	seed := fs.Uint64("seed", 1, "seed `N` of the fault draws (and of --trial-seconds ranges)")
	simulate := fs.Bool("simulate", false, "simulate the execution environments in this process (see above)")
	trialSeconds := fs.String("trial-seconds", "1", "with --simulate, each invocation's duration `D`: seconds, MIN..MAX,\nor replay:STUDY_DIR")
	allowCommands := fs.Bool("allow-commands", false, "let the workers run the commands of command studies (HPSEARCH_COMMANDS=1):\nanyone who can invoke the function can then run programs as you")
	coldStart := fs.Duration("cold-start", emulate.DefaultColdStart, "with --simulate, a new environment's init duration `T`\n(default: Go on provided.al2023, as published)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		ctx := cmd.Context()
		var err error
		switch {
		case len(pos) > 0:
			return usageErr("unexpected argument %q", pos[0])
		case *workers < 1:
			return usageErr("--workers %d: must be at least 1", *workers)
		case *port < 0 || *port > 65535 || *s3Port < 0 || *s3Port > 65535:
			return usageErr("ports must be between 0 and 65535")
		case *port != 0 && *port == *s3Port:
			return usageErr("--port and --s3-port are both %d: the Lambda API and S3 need a port each", *port)
		case *memory < 128 || *memory > 10240:
			return usageErr("--memory %d: Lambda allows 128 to 10240 MB", *memory)
		case *timeout < 1 || *timeout > 900:
			return usageErr("--timeout %d: Lambda allows 1 to 900 seconds", *timeout)
		}
		s3Explicit, faultsGiven, simFlag := false, false, ""
		fs.Visit(func(f *pflag.Flag) {
			s3Explicit = s3Explicit || f.Name == "s3-port"
			faultsGiven = faultsGiven || f.Name == "faults"
			if f.Name == "trial-seconds" || f.Name == "cold-start" {
				simFlag = f.Name
			}
		})
		var sim *emulate.Simulated
		switch {
		case !*simulate && simFlag != "":
			return usageErr("--%s needs --simulate", simFlag)
		case *simulate && *allowCommands:
			return usageErr("--allow-commands has no use with --simulate: simulated workers do not run commands")
		case *simulate && *bootstrap != "":
			return usageErr("--bootstrap has no use with --simulate: the worker runs in this process")
		case *simulate:
			if *coldStart < 0 || *coldStart > 10*time.Second {
				return usageErr("--cold-start %v: must be between 0 and 10s (Lambda's init limit)", *coldStart)
			}
			durations, err := emulate.ParseTrialDurations(*trialSeconds, *seed)
			if err != nil {
				return fmt.Errorf("--trial-seconds: %w", err)
			}
			sim = &emulate.Simulated{Durations: durations, ColdStart: *coldStart}
		}
		var faults *emulate.RandomFaults
		if faultsGiven {
			if faults, err = emulate.ParseFaults(*faultSpec, *seed); err != nil {
				return fmt.Errorf("--faults: %w", err)
			}
		}
		if *port == 0 && !s3Explicit {
			*s3Port = 0
		}
		// Paths are absolute before anything runs in another directory.
		for _, p := range []*string{dir, bootstrap} {
			if *p != "" {
				if *p, err = filepath.Abs(*p); err != nil {
					return err
				}
			}
		}
		lambdaAddr, s3Addr := loopbackAddr(*port), loopbackAddr(*s3Port)
		// Before a minute of building: a port taken now is taken then.
		if err := emulate.CheckAddrs(lambdaAddr, s3Addr); err != nil {
			return portHint(err)
		}

		log := slog.New(slog.NewTextHandler(e.stderr, nil))
		cache, err := emulate.DefaultCacheDir()
		if err != nil {
			return err
		}
		start := time.Now()
		tools, err := emulate.InstallTools(ctx, emulate.ToolsOptions{CacheDir: cache, Log: log})
		if err != nil {
			return err
		}
		if *bootstrap == "" && sim == nil {
			if *bootstrap, err = emulationBootstrap(ctx, log, cache); err != nil {
				return err
			}
		}
		opts := emulate.Options{
			Workers:    *workers,
			Dir:        *dir,
			Bootstrap:  *bootstrap,
			Function:   *function,
			Bucket:     *bucket,
			Memory:     *memory,
			Timeout:    time.Duration(*timeout) * time.Second,
			CacheDir:   cache,
			Tools:      tools,
			LambdaAddr: lambdaAddr,
			S3Addr:     s3Addr,
			Simulate:   sim,
		}
		if *allowCommands {
			opts.Env = map[string]string{worker.EnvCommands: "1"}
		}
		if faults != nil {
			// Not a nil *RandomFaults in the interface: the router would call
			// it.
			opts.Faults = faults
		}
		em, err := emulate.Start(ctx, opts)
		if err != nil {
			return portHint(err)
		}
		s3Data := filepath.Join(em.Dir, "s3")
		if em.TempDir {
			log.Info("emulation ready; the S3 data is deleted when it stops (--dir DIR keeps it)", "in", time.Since(start).Round(time.Millisecond), "s3_data", s3Data, "logs", filepath.Join(em.Dir, "logs"))
		} else {
			log.Info("emulation ready; the S3 data is kept after it stops", "in", time.Since(start).Round(time.Millisecond), "s3_data", s3Data, "logs", filepath.Join(em.Dir, "logs"))
		}
		log.Warn("the export lines replace the shell's own AWS credentials, region and endpoints: paste them in a subshell (run $SHELL, paste, exit when done) or a separate terminal, not in a shell you use with real AWS")
		if sim != nil {
			log.Info("simulating the execution environments", "concurrency", *workers, "trial_seconds", sim.Durations.String(),
				"cold_start", sim.ColdStart, "scaling", fmt.Sprintf("%d new environments per %v", emulate.ScalingBurst, emulate.ScalingWindow))
		}
		if *allowCommands {
			log.Warn("the workers run the commands of command studies (--allow-commands): anyone who can invoke the function can run programs as you", "env", worker.EnvCommands+"=1")
		}
		if faults != nil {
			log.Warn("injecting faults into invocations", "faults", faults.String(), "seed", *seed)
			if faults.Timeout > 0 {
				log.Info("a timeout fault holds an execution environment for the function's timeout", "timeout", time.Duration(*timeout)*time.Second)
			}
		}

		if em.TempDir {
			fmt.Fprintf(e.stdout, "# S3 data: %s, deleted when the emulation stops (--dir DIR keeps it)\n", s3Data)
		} else {
			fmt.Fprintf(e.stdout, "# S3 data: %s, kept after the emulation stops\n", s3Data)
		}
		fmt.Fprintf(e.stdout, "# These lines replace the shell's own AWS credentials: paste them in a subshell or a separate terminal.\n")
		for _, kv := range em.Env() {
			fmt.Fprintf(e.stdout, "export %s\n", kv)
		}
		fmt.Fprintf(e.stdout, "\n# try: aws --endpoint-url $AWS_ENDPOINT_URL_S3 s3 ls s3://%s\n", em.Bucket)
		fmt.Fprintf(e.stdout, "# Ctrl-C stops the emulation.\n")

		<-ctx.Done()
		st := em.Stats()
		if sim != nil {
			created, _ := em.SimulatedEnvironments()
			log.Info("stopping the simulation", "invocations", st.Invocations, "throttled", st.Throttled, "faults_injected", st.Injected,
				"environments", created, "late_answers", em.SimulatedLate())
			if late := em.SimulatedLate(); late > 0 {
				log.Warn("some answers left after their simulated end because this machine ran the worker (or stored its result) slower than the simulated duration: the rehearsal's wall time is this machine's; its billed durations are still the simulated ones", "late_answers", late)
			}
			return em.Close()
		}
		log.Info("stopping the emulation", "invocations", st.Invocations, "throttled", st.Throttled, "faults_injected", st.Injected)
		return em.Close()
	}
	return cmd
}

// emulationBootstrap returns the worker the emulated runtimes run: in a
// source checkout with Go, ./cmd/worker built into the cache (the small
// build deploy cross-compiles); elsewhere, as for an installed hpsearch,
// this executable, which serves Lambda invocations when a Lambda runtime
// starts it (see lambdaBootstrap).
func emulationBootstrap(ctx context.Context, log *slog.Logger, cache string) (string, error) {
	if notReady := emulate.WorkerBuildReady(ctx); notReady != nil {
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("emulate: the worker: %v; and this executable: %w", notReady, err)
		}
		log.Info("the worker is this executable", "path", self, "not_built", notReady)
		return self, nil
	}
	out := filepath.Join(cache, "emulate", "bootstrap-linux-"+runtime.GOARCH)
	log.Info("building the worker", "package", "./cmd/worker", "out", out)
	if err := emulate.BuildWorker(ctx, "./cmd/worker", out, runtime.GOARCH); err != nil {
		return "", err
	}
	return out, nil
}

// portHint adds to a *emulate.PortError the flag that moves the port.
func portHint(err error) error {
	var pe *emulate.PortError
	if !errors.As(err, &pe) {
		return err
	}
	if pe.Service == "S3" {
		return fmt.Errorf("%w: choose another with --s3-port N, or --s3-port 0 for a free one (--port 0 picks free ports for both)", err)
	}
	return fmt.Errorf("%w: choose another with --port N, or --port 0 to pick free ports", err)
}

// loopbackAddr is 127.0.0.1:port, or empty (a free port) for port 0.
func loopbackAddr(port int) string {
	if port == 0 {
		return ""
	}
	return "127.0.0.1:" + strconv.Itoa(port)
}
