package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hpsearch/hpsearch/trial"
)

// WriteTable writes the first top rows (all when top <= 0) as aligned
// columns for people: rank, trial, state, model, score headed by the
// metric's name, seconds and parameters; under early stopping also the
// rung and budget (name=value) after the state; and when a row shown
// failed, an ERROR column before the parameters, with the first line of
// each failed row's error cut to tableErrorWidth characters (ShortError)
// and "-" for the others; when a row shown has fold scores, a MEAN ± STD
// column after SECONDS with their mean and population standard deviation
// (scikit-learn's mean_test_score and std_test_score; "-" for rows
// without). Unranked rows show "-" as rank, failed rows "-" as score. Text from the spec or the journal (metric, model, budget and
// parameter names, parameter values, errors) is written through
// Printable: control characters show as escapes.
func WriteTable(w io.Writer, rows []Row, top int, metric string) error {
	if metric == "" {
		metric = "score"
	}
	metric = Printable(strings.ToUpper(metric))
	shown := rows
	if top > 0 && len(rows) > top {
		shown = rows[:top]
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	budgeted := hasBudget(shown)
	failed := hasFailed(shown)
	folds := hasFolds(shown)
	header := []string{"RANK", "TRIAL", "STATE"}
	if budgeted {
		header = append(header, "RUNG", "BUDGET")
	}
	header = append(header, "MODEL", metric, "SECONDS")
	if folds {
		header = append(header, "MEAN ± STD")
	}
	if failed {
		header = append(header, "ERROR")
	}
	fmt.Fprintln(tw, strings.Join(append(header, "PARAMS"), "\t"))
	for _, row := range shown {
		r := row.Result
		rank, score := "-", "-"
		if row.Rank > 0 {
			rank = strconv.Itoa(row.Rank)
		}
		if r.State != trial.Failed {
			score = strconv.FormatFloat(r.Score, 'g', 6, 64)
		}
		cells := []string{rank, strconv.Itoa(r.Number), Printable(string(r.State))}
		if budgeted {
			rung, budget := "-", "-"
			if r.Budget.Name != "" {
				rung = strconv.Itoa(r.Budget.Rung)
				budget = Printable(r.Budget.Name) + "=" + trial.FormatValue(r.Budget.Value)
			}
			cells = append(cells, rung, budget)
		}
		cells = append(cells, Printable(r.Model), score, strconv.FormatFloat(r.Seconds, 'f', 2, 64))
		if folds {
			cells = append(cells, foldCell(r))
		}
		if failed {
			msg := "-"
			if r.State == trial.Failed {
				if msg = ShortError(r.Error, tableErrorWidth); msg == "" {
					msg = "(no reason recorded)"
				}
			}
			cells = append(cells, msg)
		}
		fmt.Fprintln(tw, strings.Join(append(cells, Printable(r.Params.Format())), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("results: write table: %w", err)
	}
	if more := len(rows) - len(shown); more > 0 {
		if _, err := fmt.Fprintf(w, "... %d more trials\n", more); err != nil {
			return fmt.Errorf("results: write table: %w", err)
		}
	}
	return nil
}

// WriteCSV writes rows as CSV with a header: rank (empty when unranked),
// trial, state, model, score (empty when failed), seconds, error,
// fold_scores (separated by ";"), fold_mean and fold_std (their mean and
// population standard deviation, empty without fold scores), under early stopping budget_name,
// budget, rung and config, then one params_NAME column per parameter name
// found in any row, sorted. Numbers keep full precision.
//
// Text cells (state, model, error, budget name, parameter names and
// values that are not numbers) go through CSVCell, so that a spreadsheet
// shows them as text: one that starts with =, +, - or @ gets a leading
// single quote unless it is a plain number. Number columns are written
// as numbers.
func WriteCSV(w io.Writer, rows []Row) error {
	var names []string
	seen := map[string]bool{}
	for _, row := range rows {
		for name := range row.Result.Params {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	cw := csv.NewWriter(w)
	header := []string{"rank", "trial", "state", "model", "score", "seconds", "error", "fold_scores", "fold_mean", "fold_std"}
	budgeted := hasBudget(rows)
	if budgeted {
		header = append(header, "budget_name", "budget", "rung", "config")
	}
	for _, name := range names {
		header = append(header, CSVCell("params_"+name))
	}
	cw.Write(header)
	for _, row := range rows {
		r := row.Result
		rank, score := "", ""
		if row.Rank > 0 {
			rank = strconv.Itoa(row.Rank)
		}
		if r.State != trial.Failed {
			score = formatFloat(r.Score)
		}
		folds := make([]string, len(r.FoldScores))
		for i, f := range r.FoldScores {
			folds[i] = formatFloat(f)
		}
		mean, std := "", ""
		if len(r.FoldScores) > 0 && r.State != trial.Failed {
			m, sd := FoldStats(r.FoldScores)
			mean, std = formatFloat(m), formatFloat(sd)
		}
		record := []string{rank, strconv.Itoa(r.Number), CSVCell(string(r.State)), CSVCell(r.Model), score,
			formatFloat(r.Seconds), CSVCell(r.Error), strings.Join(folds, ";"), mean, std}
		if budgeted {
			if b := r.Budget; b.Name != "" {
				record = append(record, CSVCell(b.Name), formatFloat(b.Value), strconv.Itoa(b.Rung), strconv.Itoa(b.Config))
			} else {
				record = append(record, "", "", "", "")
			}
		}
		for _, name := range names {
			v, ok := r.Params[name]
			f, isFloat := v.(float64)
			switch {
			case !ok:
				record = append(record, "")
			case isFloat:
				record = append(record, formatFloat(f))
			default:
				record = append(record, CSVCell(trial.FormatValue(v)))
			}
		}
		cw.Write(record)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: write csv: %w", err)
	}
	return nil
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// tableErrorWidth is the widest a failed row's error is in WriteTable.
const tableErrorWidth = 48

// hasFailed reports whether some row failed.
func hasFailed(rows []Row) bool {
	for _, row := range rows {
		if row.Result.State == trial.Failed {
			return true
		}
	}
	return false
}

// hasFolds reports whether some row that did not fail has fold scores.
func hasFolds(rows []Row) bool {
	for _, row := range rows {
		if row.Result.State != trial.Failed && len(row.Result.FoldScores) > 0 {
			return true
		}
	}
	return false
}

// foldCell is a row's MEAN ± STD cell: the mean to 4 significant digits
// and the std to as many decimals, so the two line up ("0.9783 ± 0.0059",
// "-2543 ± 312").
func foldCell(r trial.Result) string {
	if r.State == trial.Failed || len(r.FoldScores) == 0 {
		return "-"
	}
	mean, std := FoldStats(r.FoldScores)
	decimals := 3
	if mean != 0 && !math.IsInf(mean, 0) && !math.IsNaN(mean) {
		decimals = max(0, 3-int(math.Floor(math.Log10(math.Abs(mean)))))
	}
	decimals = min(decimals, 12)
	return strconv.FormatFloat(mean, 'f', decimals, 64) + " ± " + strconv.FormatFloat(std, 'f', decimals, 64)
}

// hasBudget reports whether some row ran under early stopping.
func hasBudget(rows []Row) bool {
	for _, row := range rows {
		if row.Result.Budget.Name != "" {
			return true
		}
	}
	return false
}

// jsonRow is one element of WriteJSON's array.
type jsonRow struct {
	Rank       int          `json:"rank,omitempty"`
	Trial      int          `json:"trial"`
	State      trial.State  `json:"state"`
	Model      string       `json:"model"`
	Params     trial.Params `json:"params"`
	Score      jsonNumber   `json:"score"`
	Seconds    jsonNumber   `json:"seconds"`
	Error      string       `json:"error,omitempty"`
	FoldScores []jsonNumber `json:"fold_scores,omitempty"`
	// FoldMean and FoldStd are the fold scores' mean and population
	// standard deviation, omitted without fold scores.
	FoldMean *jsonNumber `json:"fold_mean,omitempty"`
	FoldStd  *jsonNumber `json:"fold_std,omitempty"`
	// Budget is the rung's budget under early stopping.
	Budget *trial.Budget `json:"budget,omitempty"`
}

// jsonNumber is a float64 that encodes NaN and infinities, which JSON
// cannot represent, as null.
type jsonNumber float64

func (n jsonNumber) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// WriteJSON writes rows as an indented JSON array, best first. Each
// element has rank (omitted when unranked), trial, state, model, params,
// score (null when failed), seconds, error (when failed), fold_scores,
// fold_mean and fold_std (population standard deviation, as
// scikit-learn's std_test_score; both omitted without fold scores) and, under early stopping, budget (name, value, rung, config, max).
func WriteJSON(w io.Writer, rows []Row) error {
	out := make([]jsonRow, len(rows))
	for i, row := range rows {
		r := row.Result
		out[i] = jsonRow{
			Rank: row.Rank, Trial: r.Number, State: r.State, Model: r.Model,
			Params: r.Params, Score: jsonNumber(r.Score), Seconds: jsonNumber(r.Seconds),
			Error: r.Error,
		}
		if r.Budget.Name != "" {
			b := r.Budget
			out[i].Budget = &b
		}
		if out[i].Params == nil {
			out[i].Params = trial.Params{}
		}
		if r.State == trial.Failed {
			out[i].Score = jsonNumber(math.NaN())
		}
		for _, f := range r.FoldScores {
			out[i].FoldScores = append(out[i].FoldScores, jsonNumber(f))
		}
		if len(r.FoldScores) > 0 && r.State != trial.Failed {
			m, sd := FoldStats(r.FoldScores)
			mean, std := jsonNumber(m), jsonNumber(sd)
			out[i].FoldMean, out[i].FoldStd = &mean, &std
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("results: write json: %w", err)
	}
	return nil
}
