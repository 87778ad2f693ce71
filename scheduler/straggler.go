package scheduler

import (
	"context"
	"maps"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Defaults of Speculative's zero fields.
const (
	DefaultStragglerK          = 3
	DefaultStragglerMinSamples = 10
	DefaultStragglerMinWait    = time.Second
	// stragglerWindow is how many recent durations per budget the p95 is
	// taken over, so that it follows a study whose trials change pace.
	stragglerWindow = 200
	// stragglerPoll bounds how long a trial waits before its straggler
	// threshold is looked at again: it moves as peers complete.
	stragglerPoll = 100 * time.Millisecond
)

// Speculative is an Executor that races a speculative duplicate against a
// straggler, as MapReduce does with slow tasks. When an execution has run
// longer than K times the p95 duration of the executions that completed at
// the same budget (once MinSamples have, and never before MinWait), it
// starts the same trial again with Attempt one higher. The first complete
// (or pruned) result wins; the other execution is cancelled, waited for,
// and ignored. If one fails while the other still runs, the other is
// awaited; if both fail, the first execution's failure is returned.
//
// Only one result is returned, so the scheduler journals and counts the
// trial once. That result's Backend records the race: "speculative" 1, and
// "speculative_won" 1 when the duplicate's result is the one returned, 0
// when the first execution's is. A trial's score depends only on its
// parameters and seed, so either result is the trial's.
//
// A duplicate costs a second execution of a slow trial, and a trial that
// is slow because of its parameters (a large n_estimators) rather than
// its machine gains nothing from one; so K should be well above the
// spread of honest durations at one budget. Speculative is safe for
// concurrent use when Executor is.
type Speculative struct {
	Executor Executor
	// K is the multiple of the p95 duration beyond which an execution is
	// a straggler; 0 means DefaultStragglerK.
	K float64
	// MinSamples is how many executions at a budget must have completed
	// before a straggler there is duplicated; 0 means
	// DefaultStragglerMinSamples.
	MinSamples int
	// MinWait is the least time an execution runs before it is
	// duplicated, whatever its peers took; 0 means
	// DefaultStragglerMinWait, negative none.
	MinWait time.Duration

	mu        sync.Mutex
	durations map[budgetKey]*window
}

// budgetKey is what makes two executions peers: the same budget
// parameter at the same value (every rung-0 trial of ASHA, say), whatever
// configuration they belong to.
type budgetKey struct {
	name  string
	value float64
}

func keyOf(b trial.Budget) budgetKey { return budgetKey{b.Name, b.Value} }

var _ Executor = (*Speculative)(nil)

// window holds the last durations of completed executions at one budget
// and their p95.
type window struct {
	d    []time.Duration // a ring of at most stragglerWindow
	next int
	p95  time.Duration
}

func (w *window) add(d time.Duration) {
	if len(w.d) < stragglerWindow {
		w.d = append(w.d, d)
	} else {
		w.d[w.next] = d
		w.next = (w.next + 1) % stragglerWindow
	}
	sorted := slices.Clone(w.d)
	slices.Sort(sorted)
	w.p95 = sorted[int(math.Ceil(0.95*float64(len(sorted))))-1]
}

// answer is what one execution of a racing pair returned.
type answer struct {
	result      trial.Result
	err         error
	took        time.Duration
	speculative bool
}

func (a answer) complete() bool {
	return a.err == nil && (a.result.State == trial.Complete || a.result.State == trial.Pruned)
}

// Execute runs t, and a duplicate of it if it straggles; see Speculative.
func (s *Speculative) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	answers := make(chan answer, 2) // one per execution: sends never block
	var wg sync.WaitGroup
	defer wg.Wait()
	start := func(t trial.Trial, speculative bool) context.CancelFunc {
		ctx, cancel := context.WithCancel(ctx)
		wg.Go(func() {
			defer cancel()
			began := time.Now()
			r, err := safeExecute(ctx, s.Executor, t)
			answers <- answer{result: r, err: err, took: time.Since(began), speculative: speculative}
		})
		return cancel
	}
	began := time.Now()
	cancelFirst := start(t, false)
	defer cancelFirst()
	var cancelDup context.CancelFunc
	running := 1
	var failed *answer // the first execution to fail, while the other runs
	poll := time.NewTimer(s.wait(t.Budget, 0))
	defer poll.Stop()
	for {
		select {
		case a := <-answers:
			running--
			if a.complete() {
				s.observe(t.Budget, a.took)
			}
			if !a.complete() && running > 0 {
				failed = &a
				continue
			}
			if !a.complete() && failed != nil && !failed.speculative {
				a = *failed // both failed: the first execution's reason
			}
			cancelFirst()
			if cancelDup != nil {
				cancelDup()
				a = noteRace(a)
			}
			return a.result, a.err
		case <-poll.C:
			if cancelDup != nil || failed != nil {
				continue
			}
			elapsed := time.Since(began)
			if d := s.wait(t.Budget, elapsed); d > 0 {
				poll.Reset(d)
				continue
			}
			dup := t
			dup.Attempt = max(t.Attempt, 1) + 1
			dup.Params = t.Params.Clone()
			cancelDup = start(dup, true)
			defer cancelDup()
			running++
		}
	}
}

// noteRace records in a's Backend that a duplicate ran, and which won.
func noteRace(a answer) answer {
	if a.err != nil {
		return a
	}
	a.result.Backend = maps.Clone(a.result.Backend)
	if a.result.Backend == nil {
		a.result.Backend = map[string]float64{}
	}
	a.result.Backend["speculative"] = 1
	a.result.Backend["speculative_won"] = 0
	if a.speculative {
		a.result.Backend["speculative_won"] = 1
	}
	return a
}

// wait returns how long an execution at budget b that has run for elapsed
// may still run before it is a straggler, or, when that is not known yet,
// how long to wait before asking again; 0 or less means now.
func (s *Speculative) wait(b trial.Budget, elapsed time.Duration) time.Duration {
	k, minN, minWait := s.K, s.MinSamples, s.MinWait
	if k == 0 {
		k = DefaultStragglerK
	}
	if minN == 0 {
		minN = DefaultStragglerMinSamples
	}
	if minWait == 0 {
		minWait = DefaultStragglerMinWait
	}
	s.mu.Lock()
	w := s.durations[keyOf(b)]
	known := w != nil && len(w.d) >= minN
	var p95 time.Duration
	if known {
		p95 = w.p95
	}
	s.mu.Unlock()
	if !known {
		return stragglerPoll
	}
	threshold := max(time.Duration(k*float64(p95)), minWait)
	return min(threshold-elapsed, stragglerPoll)
}

// observe records the duration of an execution that completed at b.
func (s *Speculative) observe(b trial.Budget, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.durations == nil {
		s.durations = map[budgetKey]*window{}
	}
	w := s.durations[keyOf(b)]
	if w == nil {
		w = &window{}
		s.durations[keyOf(b)] = w
	}
	w.add(d)
}

var _ Prober = (*Speculative)(nil)

// Probe probes Executor when it is a Prober; otherwise it returns nil, and
// the held trials run again as the probe (see Prober).
func (s *Speculative) Probe(ctx context.Context) error { return probe(ctx, s.Executor) }

// probe probes ex when it is a Prober, for the decorators.
func probe(ctx context.Context, ex Executor) error {
	if p, ok := ex.(Prober); ok {
		return p.Probe(ctx)
	}
	return nil
}
