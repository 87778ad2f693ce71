package emulate

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// maxColdStart is Lambda's limit on the init phase.
const maxColdStart = 10 * time.Second

// startSimulated is Start for o.Simulate: the S3 gateway as usual, and the
// simulator in this process instead of the environments and router.
func startSimulated(ctx context.Context, o Options) (_ *Emulation, err error) {
	sim := *o.Simulate
	if sim.ColdStart < 0 || sim.ColdStart > maxColdStart {
		return nil, fmt.Errorf("emulate: cold start %v: must be between 0 and %v (Lambda's init limit)", sim.ColdStart, maxColdStart)
	}
	if sim.Burst < 0 || sim.Window < 0 {
		return nil, fmt.Errorf("emulate: scaling burst %d per %v: must be positive", sim.Burst, sim.Window)
	}
	lambdaLn, err := listen("Lambda API", o.LambdaAddr)
	if err != nil {
		return nil, err
	}
	var s3Ln net.Listener
	if o.S3Addr != "" {
		if s3Ln, err = listen("S3", o.S3Addr); err != nil {
			lambdaLn.Close()
			return nil, err
		}
	}
	closeListeners := func() {
		lambdaLn.Close()
		if s3Ln != nil {
			s3Ln.Close()
		}
	}
	tools := o.Tools
	if tools.VersityGW == "" {
		if tools, err = InstallTools(ctx, ToolsOptions{CacheDir: o.CacheDir, Log: o.Log}); err != nil {
			closeListeners()
			return nil, err
		}
	}
	e := &Emulation{
		Bucket: o.Bucket, Function: o.Function, Region: DefaultRegion,
		AccessKey: DefaultAccessKey, SecretKey: DefaultSecretKey,
		Dir: o.Dir, serving: make(chan struct{}),
	}
	defer func() {
		if err != nil {
			closeListeners()
			e.Close()
		}
	}()
	if e.Dir == "" {
		if e.Dir, err = os.MkdirTemp("", "hpsearch-emulate-"); err != nil {
			return nil, fmt.Errorf("emulate: %w", err)
		}
		e.TempDir = true
	}
	if err := os.MkdirAll(filepath.Join(e.Dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("emulate: %w", err)
	}
	s3Addr := o.S3Addr
	if s3Addr == "" {
		if s3Addr, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	gwLogPath := filepath.Join(e.Dir, "logs", "versitygw.log")
	gwLog, err := os.OpenFile(gwLogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("emulate: %w", err)
	}
	defer gwLog.Close()
	if s3Ln != nil {
		s3Ln.Close() // held until now, for the gateway to bind
	}
	if e.gateway, err = startGateway(ctx, tools.VersityGW, gatewayRoot(e.Dir), s3Addr, e.AccessKey, e.SecretKey, e.Region, gwLog); err != nil {
		return nil, fmt.Errorf("%w (its log: %s)", err, gwLogPath)
	}
	e.S3Endpoint = "http://" + s3Addr
	if err := createBucket(ctx, NewS3Client(e.S3Endpoint, e.Region, e.AccessKey, e.SecretKey), e.Bucket); err != nil {
		return nil, err
	}

	e.router = &router{function: e.Function, region: e.Region, memory: o.Memory, timeout: o.Timeout}
	e.SetFaults(o.Faults)
	handler := simulatedWorker(e.Dir, e.S3Endpoint, e.Region, e.AccessKey, e.SecretKey, e.Bucket, o.Workers)
	e.sim = newSimulator(e.router, sim, o.Workers, handler)
	e.LambdaEndpoint = "http://" + lambdaLn.Addr().String()
	e.server = &http.Server{Handler: e.sim.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(e.serving)
		_ = e.server.Serve(lambdaLn)
	}()
	return e, nil
}
