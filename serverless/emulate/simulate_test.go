package emulate

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	_ "github.com/hpsearch/hpsearch/trainers/objective" // the noop model
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// TestFleetScalingRules walks the scaling and throttling rules through
// hand-computed cases: a function with a concurrency limit of 5 that may
// create 3 environments in any 10 seconds.
func TestFleetScalingRules(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	f := newFleet(5, 3, 10*time.Second)
	type step struct {
		name    string
		at      time.Time
		release int // release environment release-1 instead of acquiring, when > 0
		// what the acquire gives
		wantID     int
		wantCold   bool
		wantReason string
	}
	steps := []step{
		{name: "first invocation creates environment 0", at: at(0), wantID: 0, wantCold: true},
		{name: "second creates 1", at: at(0), wantID: 1, wantCold: true},
		{name: "third creates 2: the burst is used up", at: at(time.Second), wantID: 2, wantCold: true},
		{name: "fourth is throttled for scaling", at: at(2 * time.Second), wantReason: ReasonScaling},
		{name: "still throttled just before environment 0 is 10 s old", at: at(10*time.Second - time.Nanosecond), wantReason: ReasonScaling},
		{name: "environment 0 leaves the window: 3 created", at: at(10 * time.Second), wantID: 3, wantCold: true},
		{name: "environment 1 was created at 0 too: 4 created", at: at(10 * time.Second), wantID: 4, wantCold: true},
		{name: "5 exist, all busy: the concurrency limit", at: at(11 * time.Second), wantReason: ReasonConcurrency},
		{name: "environment 2 finishes", at: at(11 * time.Second), release: 2 + 1},
		{name: "environment 4 finishes", at: at(11 * time.Second), release: 4 + 1},
		{name: "a warm start takes the most recently used", at: at(11 * time.Second), wantID: 4},
		{name: "then the other idle one", at: at(11 * time.Second), wantID: 2},
		{name: "none idle and the limit reached", at: at(12 * time.Second), wantReason: ReasonConcurrency},
	}
	envs := map[int]*virtualEnv{}
	for _, s := range steps {
		if s.release > 0 {
			f.release(envs[s.release-1])
			continue
		}
		env, cold, reason := f.acquire(s.at)
		if s.wantReason != "" {
			if env != nil || reason != s.wantReason {
				t.Fatalf("%s: got environment %v, reason %q; want throttled with %q", s.name, env, reason, s.wantReason)
			}
			continue
		}
		if env == nil {
			t.Fatalf("%s: throttled with %q; want environment %d", s.name, reason, s.wantID)
		}
		if env.id != s.wantID || cold != s.wantCold {
			t.Fatalf("%s: got environment %d, cold %v; want %d, cold %v", s.name, env.id, cold, s.wantID, s.wantCold)
		}
		envs[env.id] = env
	}
	if created, idle := f.counts(); created != 5 || idle != 0 {
		t.Errorf("counts = %d created, %d idle; want 5, 0", created, idle)
	}
}

// TestFleetScalingRampAtLambdasLimits: with Lambda's own limits (1,000 a
// 10 s, concurrency 3,000), 3,000 invocations that arrive together and
// stay busy get environments in three waves, at 0, 10 and 20 seconds.
func TestFleetScalingRampAtLambdasLimits(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFleet(3000, ScalingBurst, ScalingWindow)
	got := 0
	for _, tc := range []struct {
		at      time.Duration
		wantNew int
	}{{0, 1000}, {5 * time.Second, 0}, {10 * time.Second, 1000}, {19 * time.Second, 0}, {20 * time.Second, 1000}, {30 * time.Second, 0}} {
		n := 0
		for {
			env, cold, _ := f.acquire(t0.Add(tc.at))
			if env == nil {
				break
			}
			if !cold {
				t.Fatalf("at %v: a warm start with no environment released", tc.at)
			}
			n++
		}
		if n != tc.wantNew {
			t.Errorf("at %v: %d new environments; want %d", tc.at, n, tc.wantNew)
		}
		got += n
	}
	if got != 3000 {
		t.Errorf("%d environments in all; want 3000", got)
	}
}

// fakeClock is a Clock that moves only when told. waiting receives a
// value each time After starts a wait.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []fakeTimer
	waiting chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), waiting: make(chan struct{}, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	c.waiting <- struct{}{}
	return ch
}

// Advance moves the clock by d and fires the timers due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}

// awaitWait waits until an invocation waits on the clock, with a
// generous guard against hangs.
func (c *fakeClock) awaitWait(tb testing.TB) {
	tb.Helper()
	select {
	case <-c.waiting:
	case <-time.After(30 * time.Second):
		tb.Fatal("no invocation waited on the clock within 30 s")
	}
}

// simServer serves a simulator over a fake clock with an in-process noop
// worker, and returns a Lambda client for it without retries.
func simServer(tb testing.TB, limit int, sim Simulated) (*lambda.Client, *simulator) {
	tb.Helper()
	rt := &router{function: DefaultFunction, region: DefaultRegion, memory: 1024, timeout: time.Minute}
	s := newSimulator(rt, sim, limit, worker.NewLambdaHandlerWith(worker.LambdaConfig{}, nil))
	srv := httptest.NewServer(s.handler())
	tb.Cleanup(func() {
		srv.CloseClientConnections()
		s.close()
		srv.Close()
	})
	c := lambda.New(lambda.Options{
		Region:           DefaultRegion,
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("a", "b", ""),
		RetryMaxAttempts: 1,
	})
	return c, s
}

// invokeAsync invokes trial n of the noop model and delivers the outcome.
func invokeAsync(c *lambda.Client, n int) <-chan invokeOutcome {
	out := make(chan invokeOutcome, 1)
	go func() {
		payload := `{"study":"s","trial":{"number":` + strconv.Itoa(n) + `,"model":"noop","params":{"x":1},"seed":1,"attempt":1},"dataset":{},"metric":"","cv":{}}`
		o, err := c.Invoke(context.Background(), &lambda.InvokeInput{
			FunctionName: aws.String(DefaultFunction), LogType: types.LogTypeTail, Payload: []byte(payload),
		})
		out <- invokeOutcome{o, err}
	}()
	return out
}

type invokeOutcome struct {
	out *lambda.InvokeOutput
	err error
}

func reportOf(tb testing.TB, o *lambda.InvokeOutput) string {
	tb.Helper()
	b, err := base64.StdEncoding.DecodeString(aws.ToString(o.LogResult))
	if err != nil {
		tb.Fatal(err)
	}
	for l := range strings.Lines(string(b)) {
		if strings.HasPrefix(l, "REPORT ") {
			return l
		}
	}
	tb.Fatalf("no REPORT line in %q", b)
	return ""
}

// TestSimulatedInvocation: an invocation is answered when its simulated
// duration (and a new environment's cold start) has passed on the clock,
// with a REPORT line that bills both; an invocation arriving while the
// only environment is busy is throttled as Lambda throttles, and the next
// one after it finished is a warm start.
func TestSimulatedInvocation(t *testing.T) {
	clock := newFakeClock()
	c, s := simServer(t, 1, Simulated{Durations: TrialDurations{Fixed: 2 * time.Second}, ColdStart: 100 * time.Millisecond, Clock: clock})

	first := invokeAsync(c, 1)
	clock.awaitWait(t)
	// Busy: the second is refused at once with the SDK's typed error.
	o := <-invokeAsync(c, 2)
	var tmr *types.TooManyRequestsException
	if !errors.As(o.err, &tmr) || string(tmr.Reason) != ReasonConcurrency {
		t.Fatalf("second invocation while the only environment is busy: %v; want TooManyRequestsException with reason %s", o.err, ReasonConcurrency)
	}
	clock.Advance(2100*time.Millisecond - time.Nanosecond)
	select {
	case o := <-first:
		t.Fatalf("answered before its 2 s and 100 ms cold start had passed: %+v", o)
	default:
	}
	clock.Advance(time.Nanosecond)
	o = <-first
	if o.err != nil || o.out.FunctionError != nil {
		t.Fatalf("first invocation: %v, function error %v", o.err, aws.ToString(o.out.FunctionError))
	}
	rep := reportOf(t, o.out)
	for _, want := range []string{"Duration: 2000.00 ms", "Billed Duration: 2100 ms", "Memory Size: 1024 MB", "Init Duration: 100.00 ms"} {
		if !strings.Contains(rep, want) {
			t.Errorf("cold start REPORT %q lacks %q", rep, want)
		}
	}
	if !strings.Contains(string(o.out.Payload), `"state":"complete"`) {
		t.Errorf("payload %s: want the worker's complete result", o.out.Payload)
	}

	warm := invokeAsync(c, 3)
	clock.awaitWait(t)
	clock.Advance(2 * time.Second)
	o = <-warm
	if o.err != nil {
		t.Fatal(o.err)
	}
	rep = reportOf(t, o.out)
	if !strings.Contains(rep, "Billed Duration: 2000 ms") || strings.Contains(rep, "Init Duration") {
		t.Errorf("warm start REPORT %q: want 2000 ms billed and no init", rep)
	}
	if created, _ := s.fleet.counts(); created != 1 {
		t.Errorf("%d environments created; want 1", created)
	}
	if st := s.rt.stats.snapshot(); st.Invocations != 3 || st.Throttled != 1 || st.Running != 0 {
		t.Errorf("stats %+v: want 3 invocations, 1 throttled, none running", st)
	}
}

// TestSimulatedFaults: an injected timeout holds the environment for the
// function's timeout and answers Sandbox.Timedout; an injected crash
// answers Runtime.ExitError.
func TestSimulatedFaults(t *testing.T) {
	for _, tc := range []struct {
		name     string
		faults   *RandomFaults
		wait     time.Duration
		wantType string
	}{
		{"timeout", &RandomFaults{Timeout: 1}, time.Minute, "Sandbox.Timedout"},
		{"crash", &RandomFaults{Crash: 1, CrashWithin: time.Nanosecond}, 0, "Runtime.ExitError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			c, s := simServer(t, 1, Simulated{Durations: TrialDurations{Fixed: 2 * time.Second}, Clock: clock})
			s.rt.faults.Store(&faultsBox{tc.faults})
			res := invokeAsync(c, 1)
			if tc.wait > 0 {
				clock.awaitWait(t)
				clock.Advance(tc.wait)
			}
			o := <-res
			if o.err != nil {
				t.Fatal(o.err)
			}
			if aws.ToString(o.out.FunctionError) != "Unhandled" || !strings.Contains(string(o.out.Payload), tc.wantType) {
				t.Errorf("answer %s (function error %q); want an Unhandled %s", o.out.Payload, aws.ToString(o.out.FunctionError), tc.wantType)
			}
		})
	}
}

func TestParseTrialDurations(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		want    TrialDurations
		wantErr string
	}{
		{spec: "2", want: TrialDurations{Fixed: 2 * time.Second}},
		{spec: " 0.25 ", want: TrialDurations{Fixed: 250 * time.Millisecond}},
		{spec: "0", want: TrialDurations{}},
		{spec: "1..3", want: TrialDurations{Min: time.Second, Max: 3 * time.Second}},
		{spec: "", wantErr: "is not a number"},
		{spec: "2s", wantErr: `"2s" is not a number`},
		{spec: "-1", wantErr: "outside 0 to 15m0s"},
		{spec: "901", wantErr: "outside 0 to 15m0s"},
		{spec: "3..1", wantErr: "MAX must be above MIN"},
		{spec: "1..x", wantErr: "MAX"},
		{spec: "replay:", wantErr: "needs a study directory"},
		{spec: "replay:/no/such/study", wantErr: "no such file"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := ParseTrialDurations(tc.spec, 0)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, trial.ErrBadInput) || !errors.Is(err, ErrBadDurations) {
					t.Fatalf("ParseTrialDurations(%q) = %v; want an input error with %q", tc.spec, err, tc.wantErr)
				}
				return
			}
			if err != nil || got.Fixed != tc.want.Fixed || got.Min != tc.want.Min || got.Max != tc.want.Max {
				t.Fatalf("ParseTrialDurations(%q) = %+v, %v; want %+v", tc.spec, got, err, tc.want)
			}
		})
	}
}

// TestTrialDurationsRange: a range's draws lie in it, depend only on the
// seed, the trial and the attempt, and differ between trials.
func TestTrialDurationsRange(t *testing.T) {
	d := TrialDurations{Min: time.Second, Max: 3 * time.Second, Seed: 7}
	seen := map[time.Duration]bool{}
	for n := range 100 {
		v := d.For(n, 1)
		if v < time.Second || v >= 3*time.Second {
			t.Fatalf("trial %d: %v outside [1s, 3s)", n, v)
		}
		if v != d.For(n, 1) {
			t.Fatalf("trial %d: two draws differ", n)
		}
		seen[v] = true
	}
	if len(seen) < 95 {
		t.Errorf("only %d distinct durations in 100 trials", len(seen))
	}
	replay := TrialDurations{Replay: []time.Duration{1, 2, 3}}
	if replay.For(4, 1) != 2 || replay.For(2, 5) != 3 {
		t.Errorf("replay gives trial n the (n mod 3)th duration: got %v, %v", replay.For(4, 1), replay.For(2, 5))
	}
}

// TestSimulatedLateAnswer: a worker slower here than the simulated
// duration delays the answer, which counts as late, but the REPORT line
// still says the simulated duration, so that the cost is Lambda's.
func TestSimulatedLateAnswer(t *testing.T) {
	rt := &router{function: DefaultFunction, region: DefaultRegion, memory: 1024, timeout: time.Minute}
	// The test fault hook _sleep_ms makes the worker take 50 ms here.
	s := newSimulator(rt, Simulated{Durations: TrialDurations{Fixed: time.Millisecond}}, 1,
		worker.NewLambdaHandlerWith(worker.LambdaConfig{TestFaults: true}, nil))
	srv := httptest.NewServer(s.handler())
	defer srv.Close()
	defer s.close()
	c := lambda.New(lambda.Options{Region: DefaultRegion, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), RetryMaxAttempts: 1})
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName: aws.String(DefaultFunction), LogType: types.LogTypeTail,
		Payload: []byte(`{"study":"s","trial":{"number":1,"model":"noop","params":{"x":1,"_sleep_ms":50},"seed":1,"attempt":1},"dataset":{},"metric":"","cv":{}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep := reportOf(t, out); !strings.Contains(rep, "Duration: 1.00 ms") || !strings.Contains(rep, "Billed Duration: 1 ms") {
		t.Errorf("REPORT %q: want the simulated 1 ms, not the worker's 50", rep)
	}
	if late := s.late.Load(); late != 1 {
		t.Errorf("%d late answers; want 1", late)
	}
}
