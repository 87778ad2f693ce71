package dashboard

import (
	"github.com/hpsearch/hpsearch/internal/studycharts"
	"github.com/hpsearch/hpsearch/report"
)

// The JSON types of the API, computed by package studycharts (which the
// static report shares).
type (
	// StudySummary is one element of GET /api/studies.
	StudySummary = studycharts.StudySummary
	// Charts is GET /api/studies/{id}.
	Charts = studycharts.Charts
	// Counts counts a study's trials by state.
	Counts = studycharts.Counts
)

// MaxPoints bounds the points of one chart series.
const MaxPoints = studycharts.MaxPoints

// chartInput is what studycharts needs of a loaded study.
func chartInput(st *report.Study) *studycharts.Study {
	c := st.Cost()
	return &studycharts.Study{Dir: st.Dir, Spec: st.Spec, Trials: st.Trials(), Warnings: st.Warnings,
		CostUSD: c.TotalUSD, WallSeconds: c.WallSeconds}
}

func buildCharts(id string, st *report.Study) Charts { return studycharts.Build(id, chartInput(st)) }
