package dashboard

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/internal/studycharts"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// TrialRow is one row of the trial table.
type TrialRow struct {
	Number  int               `json:"number"`
	State   string            `json:"state"`
	Model   string            `json:"model"`
	Score   *float64          `json:"score"`
	Seconds float64           `json:"seconds"`
	Params  map[string]string `json:"params"`
	Error   string            `json:"error,omitempty"`
}

// TrialPage is GET /api/studies/{id}/trials: one page of the table.
type TrialPage struct {
	// Total counts the rows that pass the filter; Rows holds those from
	// Offset on, at most the limit asked.
	Total  int        `json:"total"`
	Offset int        `json:"offset"`
	Rows   []TrialRow `json:"rows"`
}

// TableQuery is what the table asks for: sort by Sort ("number", "state",
// "model", "score", "seconds" or "param:NAME"), descending when Desc;
// keep rows whose State is State (any when empty) and whose number,
// model, parameters or error contain Text; then Limit rows from Offset.
type TableQuery struct {
	Sort          string
	Desc          bool
	State, Text   string
	Offset, Limit int
}

// maxLimit bounds the rows of one page.
const maxLimit = 500

// parseTableQuery reads a TableQuery from URL parameters; a bad value is
// an error naming the parameter.
func parseTableQuery(v url.Values) (TableQuery, error) {
	q := TableQuery{Sort: v.Get("sort"), State: v.Get("state"), Text: v.Get("q"), Limit: 50}
	if q.Sort == "" {
		q.Sort = "number"
	}
	switch q.Sort {
	case "number", "state", "model", "score", "seconds":
	default:
		if !strings.HasPrefix(q.Sort, "param:") {
			return q, fmt.Errorf("sort: want number, state, model, score, seconds or param:NAME, got %q", q.Sort)
		}
	}
	switch v.Get("order") {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		return q, fmt.Errorf("order: want asc or desc, got %q", v.Get("order"))
	}
	for _, f := range []struct {
		name string
		dst  *int
		max  int
	}{{"offset", &q.Offset, math.MaxInt32}, {"limit", &q.Limit, maxLimit}} {
		if s := v.Get(f.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > f.max {
				return q, fmt.Errorf("%s: want an integer from 0 to %d, got %q", f.name, f.max, s)
			}
			*f.dst = n
		}
	}
	return q, nil
}

// tableRow is a row of the table: its index in the study's Trials, the
// state it shows, and its sort key (a number, else a string; a NaN
// number is a missing value).
type tableRow struct {
	i      int
	number int
	state  trial.State
	f      float64
	s      string
}

// table returns the page of rows q asks for of the study's trials
// (studycharts.Trials.Row), each row showing its results.StateOf state.
// It builds the rows of the page only, and the parameters of the others
// only to filter them by text: a 100,000-trial study's table is a sort
// of small keys, not a copy of its results.
func table(t *studycharts.Trials, q TableQuery) TrialPage {
	text := strings.ToLower(q.Text)
	param := strings.TrimPrefix(q.Sort, "param:")
	kept := make([]tableRow, 0, t.Len())
	for i := range t.Len() {
		r := t.RowFields(i)
		state := results.StateOf(r)
		if q.State != "" && string(state) != q.State {
			continue
		}
		if text != "" {
			r.Params = t.Row(i).Params
			if !strings.Contains(rowText(r), text) {
				continue
			}
		}
		row := tableRow{i: i, number: r.Number, state: state}
		switch q.Sort {
		case "number":
			row.f = float64(r.Number)
		case "state":
			row.s = string(state)
		case "model":
			row.s = r.Model
		case "score":
			row.f = r.Score
		case "seconds":
			row.f = r.Seconds
		default:
			v, ok := t.Param(i, param)
			if f, isNumber := trial.Number(v); !ok {
				row.f = math.NaN()
			} else if isNumber {
				row.f = f
			} else {
				row.f, row.s = math.NaN(), trial.FormatValue(v)
			}
		}
		kept = append(kept, row)
	}
	slices.SortFunc(kept, func(a, b tableRow) int {
		// Missing values (NaN) sort last whatever the order.
		switch an, bn := math.IsNaN(a.f), math.IsNaN(b.f); {
		case an && bn:
		case an:
			return 1
		case bn:
			return -1
		}
		c := cmp.Or(cmp.Compare(a.f, b.f), strings.Compare(a.s, b.s), cmp.Compare(a.number, b.number))
		if q.Desc {
			return -c
		}
		return c
	})
	page := TrialPage{Total: len(kept), Offset: q.Offset, Rows: []TrialRow{}}
	for _, row := range kept[min(q.Offset, len(kept)):min(q.Offset+q.Limit, len(kept))] {
		r := t.Row(row.i)
		r.State = row.state
		page.Rows = append(page.Rows, rowOf(r))
	}
	return page
}

func rowText(r trial.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s %s", r.Number, r.Model, r.Error)
	for k, v := range r.Params {
		fmt.Fprintf(&b, " %s=%s", k, trial.FormatValue(v))
	}
	return strings.ToLower(b.String())
}

func rowOf(r trial.Result) TrialRow {
	row := TrialRow{Number: r.Number, State: string(r.State), Model: r.Model, Seconds: r.Seconds,
		Params: map[string]string{}, Error: results.FirstLine(r.Error)}
	if !math.IsNaN(r.Score) && !math.IsInf(r.Score, 0) && r.State != trial.Failed && r.State != trial.Running {
		s := r.Score
		row.Score = &s
	}
	for k, v := range r.Params {
		row.Params[k] = trial.FormatValue(v)
	}
	return row
}

// TrialDetail is GET /api/studies/{id}/trials/{n}: every attempt and rung
// of one trial number as the journal holds it, with its state.
type TrialDetail struct {
	Number int `json:"number"`
	// State is the StateOf the last final result, or running.
	State string `json:"state"`
	// Results are the trial's results in journal order (retried attempts
	// and, under early stopping, each rung's result); NaN scores are
	// null.
	Results []resultJSON `json:"results"`
	// LogTail is the last lines of the trial's log, LogFile, when the
	// study directory has one (a command objective's output: see
	// logTail); otherwise of the trial's error (a command objective's
	// standard error ends up there when it fails).
	LogTail string `json:"log_tail,omitempty"`
	// LogFile is the log LogTail comes from, relative to the study
	// directory (trials/N.log), the s3:// URL of a log a Lambda worker
	// stored (Options.Logs), or empty when it comes from the error.
	LogFile string `json:"log_file,omitempty"`
}

// resultJSON is a trial.Result that JSON can carry (no NaN).
type resultJSON struct {
	trial.Result
	Score *float64 `json:"score"`
}

// detail finds trial n in the study's trials (its result, which a
// journal holds at most one of, or its dispatch while it runs); ok is
// false when it has none.
func detail(t *studycharts.Trials, n int) (TrialDetail, bool) {
	d := TrialDetail{Number: n, State: string(trial.Running), Results: []resultJSON{}}
	r, found, hasResult := t.Trial(n)
	if !hasResult {
		return d, found
	}
	rj := resultJSON{Result: r}
	if !math.IsNaN(r.Score) && !math.IsInf(r.Score, 0) {
		s := r.Score
		rj.Score = &s
	}
	clean := make([]float64, 0, len(r.FoldScores))
	for _, f := range r.FoldScores {
		clean = append(clean, jsonFloat(f))
	}
	rj.FoldScores = clean
	var steps []trial.Step
	for _, s := range r.Steps {
		steps = append(steps, trial.Step{Step: s.Step, Value: jsonFloat(s.Value)})
	}
	rj.Steps = steps
	d.Results = append(d.Results, rj)
	if r.State.Final() {
		d.State = string(results.StateOf(r))
	}
	if r.Error != "" {
		lines := strings.Split(strings.TrimRight(r.Error, "\n"), "\n")
		d.LogTail = strings.Join(lines[max(0, len(lines)-40):], "\n")
	}
	return d, true
}

// jsonFloat maps NaN and infinities, which JSON cannot carry, to zero.
func jsonFloat(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
