package studycharts

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Bounds of the timeline. A study on 1,000 Lambda environments would
// draw 1,000 lanes of a few pixels each: MaxLanes are drawn, and the
// concurrency line shows the whole fleet.
const (
	MaxLanes = 100
	// stragglerLanes is how many of the drawn lanes are chosen for
	// holding the slowest trials, whatever their trial counts.
	stragglerLanes = 10
	// concurrencyBuckets is how many intervals the concurrency line has
	// when the study has more starts and ends than MaxPoints.
	concurrencyBuckets = 500
)

// ConcurrencyPoint is how many trials were running from T (seconds since
// the study's first event) on; downsampled, the most running at any
// moment of the interval from T to the next point.
type ConcurrencyPoint struct {
	T       float64 `json:"t"`
	Running int     `json:"running"`
}

// timelineChart is the timeline and what the charts say about it.
type timelineChart struct {
	spans             []Span
	lanes, envLanes   int
	allLanes, allEnvs int
	concurrency       []ConcurrencyPoint
	peak              int
	method            string
}

// timeline places each trial with a start and end on a lane (see Span),
// keeps at most MaxLanes lanes and MaxPoints spans, and computes the
// concurrency over time from every trial. When there are more lanes than
// MaxLanes, the drawn ones are those of the stragglers (of the
// stragglerLanes slowest trials, those that took more than twice the
// median trial's time), then those that ran the most trials, in their
// order; a span that is a cold start or a straggler is kept when spans
// are downsampled.
func timeline(rs []final, start time.Time) timelineChart {
	spans := make([]Span, 0, len(rs))
	for _, r := range rs {
		if r.Started.IsZero() || r.Finished.IsZero() {
			continue
		}
		spans = append(spans, Span{Number: r.Number, Worker: r.Worker, Start: since(start, r.Started), End: since(start, r.Finished),
			State: string(r.State), Cold: r.Backend["init_ms"] > 0 || r.Backend["init_duration_ms"] > 0})
	}
	if len(spans) == 0 {
		return timelineChart{method: timelineMethod(0, 0, 0, 0)}
	}
	slices.SortFunc(spans, func(a, b Span) int { return cmp.Compare(a.Start, b.Start) })
	envLanes, lanes := assignLanes(spans)
	tc := timelineChart{allLanes: lanes, allEnvs: envLanes}
	tc.concurrency, tc.peak = concurrency(spans)

	// The slowest trials: kept when spans are downsampled, and their lanes
	// drawn.
	byLength := make([]int, len(spans))
	for i := range byLength {
		byLength[i] = i
	}
	slices.SortStableFunc(byLength, func(a, b int) int {
		return cmp.Compare(spans[b].End-spans[b].Start, spans[a].End-spans[a].Start)
	})
	// A straggler takes more than twice the median trial's time.
	median := spans[byLength[len(byLength)/2]].End - spans[byLength[len(byLength)/2]].Start
	slow := map[int]bool{}
	for _, i := range byLength[:min(len(byLength), stragglerLanes)] {
		if spans[i].End-spans[i].Start > 2*median {
			slow[i] = true
		}
	}

	keepLane := make([]bool, lanes)
	if lanes <= MaxLanes {
		for l := range keepLane {
			keepLane[l] = true
		}
	} else {
		count := make([]int, lanes)
		for _, s := range spans {
			count[s.Lane]++
		}
		chosen := 0
		for i := range slow {
			if l := spans[i].Lane; !keepLane[l] {
				keepLane[l] = true
				chosen++
			}
		}
		order := make([]int, lanes)
		for l := range order {
			order[l] = l
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(count[b], count[a]) })
		for _, l := range order {
			if chosen >= MaxLanes {
				break
			}
			if !keepLane[l] {
				keepLane[l] = true
				chosen++
			}
		}
	}
	// Renumber the drawn lanes in their order, environments first.
	newLane := make([]int, lanes)
	for l := range lanes {
		newLane[l] = -1
		if keepLane[l] {
			newLane[l] = tc.lanes
			tc.lanes++
			if l < envLanes {
				tc.envLanes++
			}
		}
	}
	// The drawn spans go where the spans were (each is written at or
	// before the one read): a study may have 100,000.
	kept := spans[:0]
	keptSlow := map[int]bool{}
	for i, s := range spans {
		if l := newLane[s.Lane]; l >= 0 {
			s.Lane = l
			if slow[i] {
				keptSlow[len(kept)] = true
			}
			kept = append(kept, s)
		}
	}
	if len(kept) > MaxPoints {
		idx := sample(len(kept), MaxPoints, func(i int) bool { return kept[i].Cold || keptSlow[i] })
		few := make([]Span, 0, len(idx))
		for _, i := range idx {
			few = append(few, kept[i])
		}
		kept = few
	} else {
		kept = slices.Clone(kept) // at most MaxPoints, not all the spans
	}
	tc.spans = kept
	tc.method = timelineMethod(tc.lanes, lanes, tc.envLanes, envLanes)
	return tc
}

// assignLanes puts each span (sorted by start) on its lane: a Lambda
// environment's own, in the order environments first ran a trial, then
// packed lanes for spans that name none, each span on the first packed
// lane free at its start. It returns the environment lanes and all.
func assignLanes(spans []Span) (envLanes, lanes int) {
	envLane := map[string]int{}
	for _, s := range spans {
		if _, ok := envLane[s.Worker]; s.Worker != "" && !ok {
			envLane[s.Worker] = len(envLane)
		}
	}
	envLanes = len(envLane)
	var laneEnd []float64
	for i := range spans {
		if l, ok := envLane[spans[i].Worker]; ok {
			spans[i].Lane = l
			continue
		}
		lane := -1
		for l, end := range laneEnd {
			if end <= spans[i].Start {
				lane = l
				break
			}
		}
		if lane < 0 {
			lane = len(laneEnd)
			laneEnd = append(laneEnd, 0)
		}
		laneEnd[lane] = spans[i].End
		spans[i].Lane = envLanes + lane
	}
	return envLanes, envLanes + len(laneEnd)
}

// concurrency is how many spans are running over time: a step at every
// start and end, or, when there are more than MaxPoints of them, the
// most running in each of concurrencyBuckets equal intervals. It returns
// the peak too.
func concurrency(spans []Span) ([]ConcurrencyPoint, int) {
	type step struct {
		t float64
		d int
	}
	steps := make([]step, 0, 2*len(spans))
	for _, s := range spans {
		steps = append(steps, step{s.Start, 1}, step{s.End, -1})
	}
	// Ends before starts at the same instant: a trial that follows
	// another on one worker does not count as two.
	slices.SortFunc(steps, func(a, b step) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.d, b.d)) })
	var exact []ConcurrencyPoint
	if len(steps) > 0 {
		exact = make([]ConcurrencyPoint, 0, len(steps)) // once, not grown
	}
	running, peak := 0, 0
	for i, s := range steps {
		running += s.d
		peak = max(peak, running)
		if i+1 < len(steps) && steps[i+1].t == s.t {
			continue // one point an instant
		}
		exact = append(exact, ConcurrencyPoint{T: s.t, Running: running})
	}
	if len(exact) <= MaxPoints {
		return exact, peak
	}
	t0, t1 := exact[0].T, exact[len(exact)-1].T
	width := (t1 - t0) / concurrencyBuckets
	out := make([]ConcurrencyPoint, 0, concurrencyBuckets+1)
	prev := 0 // running before the bucket's first step
	k := 0
	for b := range concurrencyBuckets {
		from, to := t0+float64(b)*width, t0+float64(b+1)*width
		most := prev
		for k < len(exact) && (exact[k].T < to || b == concurrencyBuckets-1) {
			most = max(most, exact[k].Running)
			prev = exact[k].Running
			k++
		}
		out = append(out, ConcurrencyPoint{T: from, Running: most})
	}
	out = append(out, ConcurrencyPoint{T: t1, Running: exact[len(exact)-1].Running})
	return out, peak
}

// timelineMethod says what the timeline shows, for its note.
func timelineMethod(shown, all, shownEnvs, allEnvs int) string {
	if all == 0 {
		return "No trial has start and end times yet."
	}
	what := fmt.Sprintf("%d lanes", all)
	if allEnvs > 0 {
		what = fmt.Sprintf("%d Lambda execution environments", allEnvs)
		if all > allEnvs {
			what += fmt.Sprintf(" and %d packed worker lanes", all-allEnvs)
		}
	}
	if shown == all {
		return fmt.Sprintf("All %s shown; the concurrency chart counts the trials running at each moment.", what)
	}
	return fmt.Sprintf("%d of %s shown (%d environments): the lanes of the stragglers (of the %d slowest trials, those over twice the median time), "+
		"then those that ran the most trials; their cold starts and stragglers are never left out. The concurrency chart counts every trial.", shown, what, shownEnvs, stragglerLanes)
}
