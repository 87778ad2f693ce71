package bestconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
	"github.com/hpsearch/hpsearch/trial"
)

// Errors of this package.
var (
	// ErrNoEstimator is returned by Sklearn for a family that is not
	// trained on data (the test objectives): there is no estimator to
	// write. It wraps trial.ErrBadInput.
	ErrNoEstimator = fmt.Errorf("%w: no scikit-learn estimator", trial.ErrBadInput)
	// ErrNoBest is returned by Best for a study without a complete
	// trial at its full budget.
	ErrNoBest = errors.New("no complete trial")
)

// Study is what a Config needs to know of the study a trial ran in, as
// its resolved spec records it.
type Study struct {
	// Name is the study's name, for headings.
	Name string
	// Task is the study's task; empty when the spec left it to the data
	// and did not record it, in which case FromResult infers it from the
	// metric or the family.
	Task       trial.Task
	Metric     string
	Preprocess trial.Preprocess
}

// Config is one trial's configuration as it ran.
type Config struct {
	Study string `json:"study,omitempty"`
	// Trial is the trial's number.
	Trial int    `json:"trial"`
	Model string `json:"model"`
	// Task is empty for the test objectives.
	Task   trial.Task `json:"task,omitempty"`
	Metric string     `json:"metric,omitempty"`
	// Score is the trial's score; FoldMean and FoldStd the mean and
	// population standard deviation of its fold scores (NaN without
	// fold scores).
	Score    float64 `json:"-"`
	FoldMean float64 `json:"-"`
	FoldStd  float64 `json:"-"`
	// Params holds every parameter the family declares, defaults filled
	// in, the early-stopping budget applied (a budget parameter takes
	// the budget's value, as the worker sets it), values in canonical
	// form (ints as int, floats as float64).
	Params trial.Params `json:"params"`
	// Preprocess is the preprocessing the trial ran with: Scale resolved
	// to the family's default when the spec left it out ("none" for no
	// scaling); Impute empty for none.
	Preprocess trial.Preprocess `json:"preprocess"`
	// Seed is the trial's seed.
	Seed uint64 `json:"seed"`
	// Info is the family's declaration.
	Info trial.ModelInfo `json:"-"`
	// learner reports whether the family is trained on data.
	learner bool
}

// FromResult returns the configuration result r ran with in study s. Its
// errors wrap trial.ErrUnknownModel for a family that is not registered
// and trial.ErrBadInput for parameters the family no longer accepts.
func FromResult(r trial.Result, s Study) (Config, error) {
	fam, ok := trainers.Lookup(r.Model)
	if !ok {
		return Config{}, fmt.Errorf("bestconfig: trial %d: %w: %w %q", r.Number, trial.ErrBadInput, trial.ErrUnknownModel, r.Model)
	}
	info := fam.Info()
	params, err := trainers.Resolve(info, r.Params)
	if err != nil {
		return Config{}, fmt.Errorf("bestconfig: trial %d: %w", r.Number, err)
	}
	if b := r.Budget; b.Name != "" && b.Name != "data_fraction" {
		if _, ok := info.Lookup(b.Name); ok {
			params[b.Name] = b.Value
			if params, err = trainers.Resolve(info, params); err != nil {
				return Config{}, fmt.Errorf("bestconfig: trial %d: budget %s: %w", r.Number, b.Name, err)
			}
		}
	}
	mean, std := results.FoldStats(r.FoldScores)
	c := Config{
		Study: s.Name, Trial: r.Number, Model: r.Model, Metric: s.Metric,
		Score: r.Score, FoldMean: mean, FoldStd: std,
		Params: params, Seed: r.Seed, Info: info,
	}
	if _, ok := fam.(trainers.Learner); ok {
		c.learner = true
		c.Task = studyTask(s, info)
		c.Preprocess = trial.Preprocess{
			Scale:    preprocess.ScaleFor(s.Preprocess.Scale, fam),
			Impute:   s.Preprocess.Impute,
			Encoding: s.Preprocess.Encoding,
		}
	}
	return c, nil
}

// studyTask is the study's task: as recorded, else the one its metric
// scores, else the family's only task; empty if none of them says.
func studyTask(s Study, info trial.ModelInfo) trial.Task {
	if s.Task != "" {
		return s.Task
	}
	if m, ok := trial.Metrics[s.Metric]; ok && m.Task != "" {
		return m.Task
	}
	if len(info.Tasks) == 1 {
		return info.Tasks[0]
	}
	return ""
}

// Best returns the first ranked row of a leaderboard (results.Leaderboard):
// the best complete trial at the study's full budget. It returns
// ErrNoBest when no row is ranked.
func Best(rows []results.Row) (trial.Result, error) {
	for _, r := range rows {
		if r.Rank == 1 {
			return r.Result, nil
		}
	}
	return trial.Result{}, ErrNoBest
}

// jsonConfig is WriteJSON's object: Config with its numbers as JSON
// numbers or null.
type jsonConfig struct {
	Config
	Score    *float64 `json:"score"`
	FoldMean *float64 `json:"fold_mean"`
	FoldStd  *float64 `json:"fold_std"`
}

func finite(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// WriteJSON writes c as one indented JSON object: study, trial, model,
// task, metric, params, preprocess, seed, score, fold_mean and fold_std
// (null when not a finite number).
func WriteJSON(w io.Writer, c Config) error {
	if c.Params == nil {
		c.Params = trial.Params{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonConfig{Config: c, Score: finite(c.Score), FoldMean: finite(c.FoldMean), FoldStd: finite(c.FoldStd)}); err != nil {
		return fmt.Errorf("bestconfig: write json: %w", err)
	}
	return nil
}

// WriteYAML writes c as the part of a spec that fixes the configuration,
// to paste into a spec: a comment naming the trial and its score, then
// model, preprocess (the learners) and parameters, each parameter a
// constant in declaration order. Strings are double-quoted (so "64,32"
// stays one string).
func WriteYAML(w io.Writer, c Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", comment(heading(c)))
	fmt.Fprintf(&b, "model: %s\n", yamlScalar(c.Model))
	if c.learner {
		var pp []string
		if c.Preprocess.Scale != "" {
			pp = append(pp, "scale: "+yamlScalar(c.Preprocess.Scale))
		}
		if c.Preprocess.Impute != "" {
			pp = append(pp, "impute: "+yamlScalar(c.Preprocess.Impute))
		}
		if c.Preprocess.Encoding != "" {
			pp = append(pp, "encoding: "+yamlScalar(c.Preprocess.Encoding))
		}
		if len(pp) > 0 {
			fmt.Fprintf(&b, "preprocess: {%s}\n", strings.Join(pp, ", "))
		}
	}
	names := paramOrder(c)
	if len(names) == 0 {
		b.WriteString("parameters: {}\n")
	} else {
		b.WriteString("parameters:\n")
	}
	for _, name := range names {
		fmt.Fprintf(&b, "  %s: %s\n", yamlScalar(name), yamlScalar(c.Params[name]))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("bestconfig: write yaml: %w", err)
	}
	return nil
}

// paramOrder returns c's parameter names in declaration order, then any
// others (a free-form family's) sorted.
func paramOrder(c Config) []string {
	var names []string
	seen := map[string]bool{}
	for _, d := range c.Info.Param {
		if _, ok := c.Params[d.Name]; ok {
			names = append(names, d.Name)
			seen[d.Name] = true
		}
	}
	for _, n := range c.Params.Names() {
		if !seen[n] {
			names = append(names, n)
		}
	}
	return names
}

// heading says which trial c is and how it scored, for the first
// comment line of a snippet.
func heading(c Config) string {
	metric := c.Metric
	if metric == "" {
		metric = "score"
	}
	s := fmt.Sprintf("best trial %d", c.Trial)
	if c.Study != "" {
		s += " of study " + c.Study
	}
	s += fmt.Sprintf(": %s, %s %s", c.Model, metric, formatScore(c.Score))
	if !math.IsNaN(c.FoldMean) {
		s += fmt.Sprintf(" (folds %s ± %s)", formatScore(c.FoldMean), formatScore(c.FoldStd))
	}
	return s
}

func formatScore(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

// yamlScalar renders a parameter value or name as a YAML flow scalar:
// numbers and booleans plain (floats with a decimal point or exponent,
// so that they stay floats), strings as JSON strings, which YAML reads as
// double-quoted scalars.
func yamlScalar(v any) string {
	switch x := v.(type) {
	case string:
		if x != "" && isPlainWord(x) {
			return x
		}
		q, _ := json.Marshal(x)
		return string(q)
	case float64:
		return floatLiteral(x, ".inf", "-.inf", ".nan")
	}
	return trial.FormatValue(v)
}

// isPlainWord reports whether s can be written unquoted in YAML and be
// read back as the same string: lowercase letters, digits after the
// first, and _ (uniform, sqrt, squared_error), and not a word YAML reads
// as something else.
func isPlainWord(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	switch s {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
		return false
	}
	return true
}

// floatLiteral renders f so that it reads back as a float: with a
// decimal point or an exponent, and the given spellings of infinities
// and NaN.
func floatLiteral(f float64, inf, negInf, nan string) string {
	switch {
	case math.IsNaN(f):
		return nan
	case math.IsInf(f, 1):
		return inf
	case math.IsInf(f, -1):
		return negInf
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// comment makes s safe for one comment line: control characters become
// spaces.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}
