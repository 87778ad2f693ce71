package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/hpsearch/hpsearch/serverless/emulate"
)

func init() {
	register(&command{
		name:    "emulate",
		summary: "run Lambda and S3 on this machine until Ctrl-C",
		usage: `Usage: hpsearch emulate [flags]

Builds the worker for this machine and runs, on 127.0.0.1, an S3 gateway
(versitygw) and a fleet of Lambda execution environments (aws-lambda-rie)
behind a router that speaks the Lambda Invoke API and throttles like a
function whose concurrency is --workers. Prints the variables that point
the AWS SDK, the AWS CLI and hpsearch at it, and runs until interrupted.
The first run builds the emulator's tools, which takes a minute or two.

Flags:
  --workers N       execution environments, the concurrency limit (default 2)
  --dir D           keep S3 data and logs in D (default: a temporary directory)
  --function NAME   function name (default hpsearch-worker)
  --bucket B        bucket to create (default hpsearch)
  --port P          Lambda API port (default 9001); 0 picks free ports for
                    the Lambda API and, unless --s3-port is given, for S3
  --s3-port P       S3 port (default 9000)
  --memory MB       function memory; a runtime using more is killed (default 1769)
  --timeout S       invocation timeout in seconds (default 300)
  --bootstrap PATH  run this bootstrap instead of building ./cmd/worker

Example:
  hpsearch emulate --workers 4 --dir /tmp/hp
  # in another shell, paste the printed export lines, then:
  hpsearch run spec.yaml --backend lambda
`,
		run: runEmulate,
	})
}

func runEmulate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("emulate")
	workers := fs.Int("workers", 2, "")
	dir := fs.String("dir", "", "")
	function := fs.String("function", emulate.DefaultFunction, "")
	bucket := fs.String("bucket", emulate.DefaultBucket, "")
	port := fs.Int("port", 9001, "")
	s3Port := fs.Int("s3-port", 9000, "")
	memory := fs.Int("memory", emulate.DefaultMemory, "")
	timeout := fs.Int("timeout", int(emulate.DefaultTimeout/time.Second), "")
	bootstrap := fs.String("bootstrap", "", "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usageErr("unexpected argument %q", pos[0])
	case *workers < 1:
		return usageErr("--workers %d: must be at least 1", *workers)
	case *port < 0 || *port > 65535 || *s3Port < 0 || *s3Port > 65535:
		return usageErr("ports must be between 0 and 65535")
	case *memory < 128 || *memory > 10240:
		return usageErr("--memory %d: Lambda allows 128 to 10240 MB", *memory)
	case *timeout < 1 || *timeout > 900:
		return usageErr("--timeout %d: Lambda allows 1 to 900 seconds", *timeout)
	}
	s3Explicit := false
	fs.Visit(func(f *flag.Flag) { s3Explicit = s3Explicit || f.Name == "s3-port" })
	if *port == 0 && !s3Explicit {
		*s3Port = 0
	}

	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	cache, err := emulate.DefaultCacheDir()
	if err != nil {
		return err
	}
	start := time.Now()
	log.Info("building the emulator's tools (cached after the first run)", "cache", cache)
	if _, _, err := emulate.BuildTools(ctx, cache); err != nil {
		return err
	}
	if *bootstrap == "" {
		*bootstrap = filepath.Join(cache, "emulate", "bootstrap-linux-"+runtime.GOARCH)
		log.Info("building the worker", "package", "./cmd/worker", "out", *bootstrap)
		if err := emulate.BuildWorker(ctx, "./cmd/worker", *bootstrap, runtime.GOARCH); err != nil {
			return err
		}
	}
	em, err := emulate.Start(ctx, emulate.Options{
		Workers:    *workers,
		Dir:        *dir,
		Bootstrap:  *bootstrap,
		Function:   *function,
		Bucket:     *bucket,
		Memory:     *memory,
		Timeout:    time.Duration(*timeout) * time.Second,
		CacheDir:   cache,
		LambdaAddr: "127.0.0.1:" + strconv.Itoa(*port),
		S3Addr:     loopbackAddr(*s3Port),
	})
	if err != nil {
		return err
	}
	log.Info("emulation ready", "in", time.Since(start).Round(time.Millisecond), "dir", em.Dir, "logs", filepath.Join(em.Dir, "logs"))

	for _, kv := range em.Env() {
		fmt.Fprintf(e.stdout, "export %s\n", kv)
	}
	fmt.Fprintf(e.stdout, "\n# try: aws --endpoint-url $AWS_ENDPOINT_URL_S3 s3 ls s3://%s\n", em.Bucket)
	fmt.Fprintf(e.stdout, "# Ctrl-C stops the emulation.\n")

	<-ctx.Done()
	log.Info("stopping the emulation", "invocations", em.Stats().Invocations)
	return em.Close()
}

// loopbackAddr is 127.0.0.1:port, or empty (a free port) for port 0.
func loopbackAddr(port int) string {
	if port == 0 {
		return ""
	}
	return "127.0.0.1:" + strconv.Itoa(port)
}
