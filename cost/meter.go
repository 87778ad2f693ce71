package cost

import (
	"math"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Meter is StudyCost one result at a time: it keeps sums, not the
// results, so that a study of any size is priced in constant memory (a
// resume of 100,000 Lambda trials, which sees each result once as it
// streams the journal). Add the study's final results in order, then
// call Breakdown. It is not safe for concurrent use.
type Meter struct {
	backend Backend
	trials  int
	// first and last bound the results' Started and Finished, for
	// WallSeconds.
	first, last time.Time
	// seconds sums Result.Seconds (local); the rest is Lambda's.
	seconds                  float64
	billedSeconds, gbSeconds float64
	estimated, coldStarts    int
	invocations              int
	s3Gets                   float64
}

// NewMeter returns a Meter of results run on backend.
func NewMeter(backend Backend) *Meter {
	return &Meter{backend: backend, s3Gets: float64(backend.S3Gets)} // fractional in projections
}

// Add prices the study's next result.
func (m *Meter) Add(r trial.Result) {
	m.trials++
	if !r.Started.IsZero() && !r.Finished.IsZero() {
		if m.first.IsZero() || r.Started.Before(m.first) {
			m.first = r.Started
		}
		if r.Finished.After(m.last) {
			m.last = r.Finished
		}
	}
	if m.backend.Kind != Lambda {
		m.seconds += r.Seconds
		return
	}
	ms, measured := BilledMS(r)
	if !measured {
		m.estimated++
	}
	if r.Backend["init_ms"] > 0 {
		m.coldStarts++
	}
	m.billedSeconds += ms / 1000
	m.gbSeconds += ms / 1000 * memoryMB(r, m.backend) / 1024
	m.invocations += max(int(r.Backend["attempt"]), 1)
	m.s3Gets += r.Backend["s3_gets"]
}

// Breakdown returns StudyCost of the results added, at prices p.
func (m *Meter) Breakdown(p Prices) Breakdown {
	backend := m.backend
	b := Breakdown{Kind: backend.Kind, Trials: m.trials, WallSeconds: backend.WallSeconds}
	if b.WallSeconds == 0 && !m.first.IsZero() {
		b.WallSeconds = m.last.Sub(m.first).Seconds()
	}
	if backend.Kind != Lambda {
		b.Kind = Local
		b.CPUSeconds = backend.CPUSeconds
		if b.CPUSeconds == 0 {
			b.CPUSeconds = m.seconds
		}
		b.ComputeUSD = b.WallSeconds / 3600 * p.LocalUSDPerHour
		b.TotalUSD = b.ComputeUSD
		b.PerTrialUSD = perTrial(b.TotalUSD, b.Trials)
		return b
	}
	b.S3Puts = backend.S3Puts
	b.Estimated, b.ColdStarts, b.Invocations = m.estimated, m.coldStarts, m.invocations
	b.BilledSeconds, b.GBSeconds = m.billedSeconds, m.gbSeconds
	b.S3Gets = int(math.Round(m.s3Gets))
	b.CPUSeconds = b.BilledSeconds
	gbs, reqs, gets, puts := b.GBSeconds, float64(b.Invocations), m.s3Gets, float64(b.S3Puts)
	if p.FreeTier {
		gbs = max(gbs-p.FreeGBSeconds, 0)
		reqs = max(reqs-p.FreeRequests, 0)
		gets = max(gets-p.FreeS3Gets, 0)
		puts = max(puts-p.FreeS3Puts, 0)
	}
	b.ComputeUSD = gbs * p.GBSecond(backend.Arch)
	b.RequestUSD = reqs / 1e6 * p.LambdaPerMillionRequests
	b.S3USD = gets/1000*p.S3GetPerThousand + puts/1000*p.S3PutPerThousand
	b.TotalUSD = b.ComputeUSD + b.RequestUSD + b.S3USD
	b.PerTrialUSD = perTrial(b.TotalUSD, b.Trials)
	return b
}
