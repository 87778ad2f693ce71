package report

import (
	"image/color"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/hpsearch/hpsearch/trial"
)

// familyChart compares the model families of a study of several: a box
// plot of each family's complete scores (the question such a study asks).
// It is nil for a study of one family.
func familyChart(complete []trial.Result, metric string) (*Chart, error) {
	by := map[string]plotter.Values{}
	for _, r := range complete {
		by[r.Model] = append(by[r.Model], r.Score)
	}
	if len(by) < 2 {
		return nil, nil
	}
	models := make([]string, 0, len(by))
	for m := range by {
		models = append(models, m)
	}
	slices.Sort(models)
	title := metric + " by model family"
	p := newPlot(title, "model family", metric)
	ticks := make([]plot.Tick, len(models))
	for i, m := range models {
		b, err := plotter.NewBoxPlot(vg.Points(28), float64(i), by[m])
		if err != nil {
			return nil, err
		}
		b.FillColor = color.RGBA{R: 221, G: 244, B: 255, A: 255}
		b.BoxStyle.Color = colorBest
		p.Add(b)
		ticks[i] = plot.Tick{Value: float64(i), Label: m + " (" + itoa(len(by[m])) + ")"}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.6, float64(len(models))-0.4
	return &Chart{Name: "families", Title: title, Plot: p, Width: 6 * vg.Inch, Height: 3.5 * vg.Inch}, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
