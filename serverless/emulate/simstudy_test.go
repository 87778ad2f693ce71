package emulate

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// noopSampler proposes trial n of the noop model with parameter x = n.
type noopSampler struct{}

func (noopSampler) Ask(n int) (trial.Trial, bool) {
	return trial.Trial{Number: n, Model: "noop", Params: trial.Params{"x": n}}, true
}
func (noopSampler) Tell(trial.Result) {}

// TestSimulatedStudy runs a 200-trial study through the scheduler and
// the real Lambda executor against a simulated function of 50
// environments, with the executor allowed 64 invocations in flight so
// that it is throttled, and with server errors and lost answers
// injected: every trial completes exactly once, with a REPORT line's
// billed duration, and no more than 50 environments were created.
func TestSimulatedStudy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults Faults
	}{
		{"clean", nil},
		{"faults", &RandomFaults{Seed: 3, ServerError: 0.05, DropResponse: 0.05}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const trials, envs = 200, 50
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a hang guard
			defer cancel()
			em, err := Start(ctx, Options{Workers: envs, Faults: tc.faults,
				Simulate: &Simulated{Durations: TrialDurations{Fixed: 5 * time.Millisecond}, ColdStart: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			defer em.Close()
			creds := credentials.NewStaticCredentialsProvider(em.AccessKey, em.SecretKey, "")
			ex := lambdaexec.NewWithClients(lambdaexec.Config{
				Function: em.Function, Bucket: em.Bucket, Region: em.Region, Concurrency: 64, MaxRetries: 20,
			}, lambdaexec.Clients{
				Lambda: lambda.New(lambda.Options{Region: em.Region, BaseEndpoint: aws.String(em.LambdaEndpoint), Credentials: creds}),
				S3:     NewS3Client(em.S3Endpoint, em.Region, em.AccessKey, em.SecretKey),
			})
			ex.Results = &worker.ResultsRef{Bucket: em.Bucket, Prefix: worker.DefaultResultsPrefix + "simulated-" + tc.name + "/"}
			store := results.NewMemory()
			out, err := scheduler.Run(ctx, scheduler.Config{
				Sampler: noopSampler{}, Executor: ex, Store: store, Parallel: 64, MaxTrials: trials,
				Direction: trial.Maximize, Seed: func(n int) uint64 { return uint64(n) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if out.Complete != trials {
				t.Fatalf("%d of %d trials complete; failures: %v", out.Complete, trials, results.Failures(out.Results))
			}
			events, err := store.Events(ctx)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int]int{}
			for _, r := range results.Results(events) {
				seen[r.Number]++
				if r.State != trial.Complete || r.Backend["billed_ms"] < 5 {
					t.Errorf("trial %d: state %s, billed %v ms; want complete and billed at least its 5 ms", r.Number, r.State, r.Backend["billed_ms"])
				}
			}
			for n := range trials {
				if seen[n] != 1 {
					t.Errorf("trial %d has %d results; want exactly 1", n, seen[n])
				}
			}
			if len(seen) != trials {
				t.Errorf("results for %d trial numbers; want %d", len(seen), trials)
			}
			created, _ := em.SimulatedEnvironments()
			if created < 1 || created > envs {
				t.Errorf("%d environments created; want 1 to %d", created, envs)
			}
			st := em.Stats()
			t.Logf("%d invocations, %d throttled, %d faults injected, %d environments", st.Invocations, st.Throttled, st.Injected, created)
		})
	}
}
