package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// logTicks labels a log axis at 1, 2 and 5 times each power of ten in
// range (gonum's LogTicks labels powers of ten only, so a range within
// one decade had no label), with unlabelled minor ticks at the other
// multiples; a range too narrow for two labels gets its ends labelled.
type logTicks struct{}

var _ plot.Ticker = logTicks{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= 0 || hi < lo {
		return nil
	}
	var ticks []plot.Tick
	labelled := 0
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		pow := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * pow
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = tickLabel(v)
				labelled++
			}
			ticks = append(ticks, t)
		}
	}
	if labelled < 2 {
		ticks = append(ticks, plot.Tick{Value: lo, Label: tickLabel(lo)}, plot.Tick{Value: hi, Label: tickLabel(hi)})
	}
	return ticks
}

// tickLabel writes v in at most 3 significant digits, without a
// trailing ".00".
func tickLabel(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// intTicks labels an axis of trial numbers with whole numbers only (the
// default ticks read "0.00, 25.00").
type intTicks struct{}

var _ plot.Ticker = intTicks{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Label == "" {
			out = append(out, t)
			continue
		}
		if t.Value != math.Trunc(t.Value) {
			t.Label = ""
		} else {
			t.Label = strconv.FormatInt(int64(t.Value), 10)
		}
		out = append(out, t)
	}
	return out
}

// budgetTicks labels every budget of a rung chart.
func budgetTicks(budgets []float64) plot.ConstantTicks {
	ticks := make([]plot.Tick, len(budgets))
	for i, b := range budgets {
		ticks[i] = plot.Tick{Value: b, Label: tickLabel(b)}
	}
	return ticks
}
