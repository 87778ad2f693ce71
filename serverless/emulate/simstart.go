package emulate

import (
	"context"
	"fmt"
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
	e, lambdaLn, _, err := begin(ctx, o, false)
	if err != nil {
		return nil, err
	}
	e.router = &router{function: e.Function, region: e.Region, memory: o.Memory, timeout: o.Timeout}
	e.SetFaults(o.Faults)
	handler := simulatedWorker(e.Dir, e.S3Endpoint, e.Region, e.AccessKey, e.SecretKey, e.Bucket, o.Workers)
	e.sim = newSimulator(e.router, sim, o.Workers, handler)
	e.serve(lambdaLn, e.sim.handler())
	return e, nil
}
