package cost

import (
	"math"

	"github.com/hpsearch/hpsearch/trial"
)

// ComparisonFile is the name of the comparison hpsearch compare writes
// into each of the two study directories, for hpsearch report.
const ComparisonFile = "compare.json"

// Run is one side of a comparison: a study's directory, its final
// results and where they ran.
type Run struct {
	Dir     string
	Results []trial.Result
	Backend Backend
}

// Side is one backend's figures in a Comparison.
type Side struct {
	Backend  string `json:"backend"`
	Dir      string `json:"dir"`
	Trials   int    `json:"trials"`
	Complete int    `json:"complete"`
	Failed   int    `json:"failed"`
	// WallSeconds is the study's wall time; ComputeSeconds the CPU time
	// the local process used, or the billed seconds on Lambda.
	WallSeconds     float64    `json:"wall_seconds"`
	TrialsPerSecond float64    `json:"trials_per_second"`
	ComputeSeconds  float64    `json:"compute_seconds"`
	USD             float64    `json:"usd"`
	USDPerTrial     float64    `json:"usd_per_trial"`
	Best            *BestTrial `json:"best"`
	Cost            Breakdown  `json:"cost"`
}

// BestTrial is the best complete trial of a side.
type BestTrial struct {
	Trial  int          `json:"trial"`
	Model  string       `json:"model"`
	Params trial.Params `json:"params"`
	Score  float64      `json:"score"`
}

// Comparison is one study run on the local and the Lambda backend.
type Comparison struct {
	Study     string          `json:"study"`
	Metric    string          `json:"metric"`
	Direction trial.Direction `json:"direction"`
	// Concurrency is the Lambda side's concurrency, and the projection's.
	Concurrency int `json:"concurrency"`
	// Emulated says the Lambda side ran on the local emulation.
	Emulated bool `json:"emulated"`
	// Arch is the Lambda architecture priced: arm64 or x86_64.
	Arch   string `json:"arch"`
	Local  Side   `json:"local"`
	Lambda Side   `json:"lambda"`
	// SameBest says both sides found the same best score;
	// BestScoreDifference is Lambda's best minus local's.
	SameBest            bool    `json:"same_best"`
	BestScoreDifference float64 `json:"best_score_difference"`
	// ScoresCompared counts the trial numbers complete on both sides,
	// ScoresDiffering those whose scores differ.
	ScoresCompared  int `json:"scores_compared"`
	ScoresDiffering int `json:"scores_differing"`
	// Speedup is local wall time over Lambda wall time; CostRatio is
	// Lambda's cost over local's.
	Speedup   float64 `json:"speedup"`
	CostRatio float64 `json:"cost_ratio"`
	// Projection is real Lambda at Concurrency, from the Lambda side's
	// measured durations.
	Projection Projection `json:"projection"`
	Prices     Prices     `json:"prices"`
}

// Compare prices both runs and compares them. Scores are compared
// exactly: the same trial with the same seed scores the same on either
// backend.
func Compare(local, lambda Run, dir trial.Direction, concurrency int, p Prices) Comparison {
	local.Backend.Kind, lambda.Backend.Kind = Local, Lambda
	c := Comparison{
		Direction:   dir,
		Concurrency: concurrency,
		Local:       side(local, dir, p),
		Lambda:      side(lambda, dir, p),
		Projection:  Project(lambda.Results, concurrency, lambda.Backend, p),
		Prices:      p,
		Arch:        lambda.Backend.Arch,
	}
	if c.Arch != "x86_64" {
		c.Arch = "arm64"
	}
	if a, b := c.Local.Best, c.Lambda.Best; a != nil && b != nil {
		c.BestScoreDifference = b.Score - a.Score
		c.SameBest = a.Score == b.Score
	}
	scores := map[int]float64{}
	for _, r := range local.Results {
		if r.State == trial.Complete {
			scores[r.Number] = r.Score
		}
	}
	for _, r := range lambda.Results {
		if s, ok := scores[r.Number]; ok && r.State == trial.Complete {
			c.ScoresCompared++
			if s != r.Score && !(math.IsNaN(s) && math.IsNaN(r.Score)) {
				c.ScoresDiffering++
			}
		}
	}
	c.Speedup = Ratio(c.Local.WallSeconds, c.Lambda.WallSeconds)
	c.CostRatio = Ratio(c.Lambda.USD, c.Local.USD)
	return c
}

func side(r Run, dir trial.Direction, p Prices) Side {
	b := StudyCost(r.Results, r.Backend, p)
	s := Side{
		Backend: b.Kind, Dir: r.Dir, Trials: b.Trials,
		WallSeconds: b.WallSeconds, ComputeSeconds: b.CPUSeconds,
		USD: b.TotalUSD, USDPerTrial: b.PerTrialUSD, Cost: b,
	}
	s.TrialsPerSecond = Ratio(float64(s.Trials), s.WallSeconds)
	for _, res := range r.Results {
		state := res.State
		if state == trial.Complete && res.Budget.Max > 0 && res.Budget.Value < res.Budget.Max {
			state = trial.Pruned // an intermediate rung of early stopping
		}
		switch state {
		case trial.Complete:
			s.Complete++
			if math.IsNaN(res.Score) {
				continue
			}
			if s.Best == nil || dir.Better(res.Score, s.Best.Score) ||
				(res.Score == s.Best.Score && res.Number < s.Best.Trial) {
				s.Best = &BestTrial{Trial: res.Number, Model: res.Model, Params: res.Params, Score: res.Score}
			}
		case trial.Failed:
			s.Failed++
		}
	}
	return s
}

// Ratio returns a/b, or 0 when b is 0 (a side that cost or took nothing).
func Ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
