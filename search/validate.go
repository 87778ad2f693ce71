package search

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Limits and defaults.
const (
	// MaxGridSize is the largest grid a grid search may enumerate.
	MaxGridSize = 10_000_000
	// DefaultMaxTrials is max_trials for random and sobol search when the
	// spec gives none.
	DefaultMaxTrials = 20
	// DefaultFolds is the number of cross-validation folds when the spec
	// gives neither folds nor holdout.
	DefaultFolds = 5
	// MaxGridPoints bounds grid_points on one range.
	MaxGridPoints = 10_000
	// MaxTrialsLimit is the largest search.max_trials (and --max-trials):
	// as many trials as the largest grid.
	MaxTrialsLimit = MaxGridSize
	// MaxParallel is the largest search.parallel (and --parallel): enough
	// for a study of thousands of concurrent Lambda invocations, few
	// enough that the scheduler's per-slot state stays small.
	MaxParallel = 10_000
)

// Methods are the search methods NewSampler knows.
var Methods = []string{"grid", "random", "sobol", "tpe"}

// comingMethods are methods users of other tools will try; they get "not
// yet supported" rather than "unknown".
var comingMethods = []string{"bayes", "bayesian", "cmaes"}

// DefaultNStartupTrials is TPE's n_startup_trials when the spec gives none.
const DefaultNStartupTrials = 10

// DefaultMultivariate is TPE's multivariate when the spec gives none: one
// joint Parzen estimator per family, which found better optima than
// independent ones and than Optuna's TPESampler on the quality benchmark
// (benchmarks/RESULTS.md).
const DefaultMultivariate = true

// namePattern compiles on first use, not when hpsearch starts.
var namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`) })

// Validate checks the spec against the model catalog and fills in its
// defaults: metric and direction, cv folds (5), search method (random),
// max_trials (the grid size for grid, 20 otherwise; never more than the
// grid), parallel (runtime.NumCPU()), and each dimension's kind and
// canonical values (ints as int, floats as float64). Validate is
// idempotent, so a spec read back from spec.json validates the same way.
// Its error is a *trial.InputError, or an *Errors listing up to MaxErrors
// of them in file order when the spec has several problems.
func (s *Spec) Validate(cat trial.Catalog) error {
	c := &collector{}
	s.validate(cat, c)
	return c.err()
}

// validate is Validate, adding its problems to c. A check that depends on
// another (the metric on the models' tasks, the grid on the parameters)
// is made only when that one passed, so one mistake is reported once.
func (s *Spec) validate(cat trial.Catalog, c *collector) {
	if s.IsCommand() {
		s.validateCommand(c)
		return
	}
	c.add(s.refuseCommandFields())
	c.add(s.validateName())
	infos, modelsOK, paramsOK := s.validateModels(cat, c)
	if modelsOK {
		if !infos[0].Objective && s.Dataset == "" {
			c.add(s.Errorf("dataset", "is required for model %s: a bundled name, a CSV or Parquet path, or an s3:// URI", infos[0].Name))
		}
		task, err := s.validateTask(infos)
		c.add(err)
		if err == nil {
			c.add(s.validateMetric(infos, task))
		} else {
			c.add(s.checkMetricName())
		}
	} else {
		// Without the models, check what does not depend on them.
		if trial.CheckTask(s.Task) != nil {
			c.add(s.unknownTask())
		}
		c.add(s.checkMetricName())
	}
	c.add(s.validateCV())
	s.validatePreprocess(c)
	s.validateSearch(c, paramsOK)
	if modelsOK && paramsOK {
		c.add(s.validateEarlyStopping(infos))
	}
	s.validateStop(c)
	c.add(s.validateBackend())
}

// checkMetricName reports a metric that is not in trial.Metrics.
func (s *Spec) checkMetricName() error {
	if _, ok := trial.Metrics[s.Metric]; s.Metric == "" || ok {
		return nil
	}
	return s.unknownMetric()
}

// metricAliases maps the names other tools give a metric (scikit-learn's
// scoring names, XGBoost's eval_metric) to hpsearch's, for suggestions.
var metricAliases = map[string]string{
	"auc":                         "roc_auc",
	"roc_auc_ovr":                 "roc_auc",
	"roc_auc_ovo":                 "roc_auc",
	"logloss":                     "log_loss",
	"neg_log_loss":                "log_loss",
	"cross_entropy":               "log_loss",
	"f1":                          "f1_macro",
	"f1_score":                    "f1_macro",
	"acc":                         "accuracy",
	"error":                       "accuracy",
	"neg_root_mean_squared_error": "rmse",
	"root_mean_squared_error":     "rmse",
	"neg_mean_absolute_error":     "mae",
	"mean_absolute_error":         "mae",
	"r2_score":                    "r2",
	"r_squared":                   "r2",
}

func (s *Spec) unknownMetric() error {
	names := trial.MetricNames()
	hint := didYouMean(s.Metric, names)
	if m, ok := metricAliases[strings.ToLower(s.Metric)]; ok {
		hint = fmt.Sprintf("; did you mean %q?", m)
	}
	return s.Errorf("metric", "unknown metric %q%s (metrics: %s)", s.Metric, hint, strings.Join(names, ", "))
}

func (s *Spec) unknownTask() error {
	return s.Errorf("task", "unknown task %q%s; use classification or regression",
		s.Task, didYouMean(string(s.Task), []string{"classification", "regression"}))
}

// Backends are the values of the spec's backend.type.
var Backends = []string{"local", "lambda"}

// validateBackend checks backend.type; the executor checks the rest of
// the block.
func (s *Spec) validateBackend() error {
	v, ok := s.Backend["type"]
	if !ok || v == nil {
		return nil
	}
	kind, isString := v.(string)
	if !isString {
		return s.Errorf("backend.type", "must be local or lambda, not %s", formatAny(v))
	}
	if kind != "" && !contains(Backends, kind) {
		return s.Errorf("backend.type", "must be local or lambda, got %q%s", kind, didYouMean(kind, Backends))
	}
	return nil
}

// validateStop checks the stop: block.
func (s *Spec) validateStop(c *collector) {
	st := s.Stop
	if st.MaxFailedTrials < 0 {
		c.add(s.Errorf("stop.max_failed_trials", "must not be negative"))
	}
	if st.Patience < 0 {
		c.add(s.Errorf("stop.patience", "must not be negative"))
	}
	if st.Target != nil && (math.IsNaN(*st.Target) || math.IsInf(*st.Target, 0)) {
		c.add(s.Errorf("stop.target", "must be a finite number"))
	}
	if st.MaxTime != "" {
		d, err := time.ParseDuration(st.MaxTime)
		if err != nil {
			c.add(s.Errorf("stop.max_time", "%q is not a duration; write one like 90s, 10m or 1h30m", st.MaxTime))
		} else if d <= 0 {
			c.add(s.Errorf("stop.max_time", "must be positive, not %s", st.MaxTime))
		}
	}
	if st.MaxCost < 0 {
		c.add(s.Errorf("stop.max_cost", "must not be negative"))
	} else if st.MaxCost > 0 {
		if kind, _ := s.Backend["type"].(string); kind != "lambda" {
			c.add(s.Errorf("stop.max_cost", "max_cost needs backend: lambda (the cost of a local run is not metered)"))
		}
	}
}

// SetTask records the task inferred from the data (when the spec gave
// none) and validates again, which fills in the default metric and
// direction and checks that the models and metric fit the task. It
// returns an error if the spec named a different task.
func (s *Spec) SetTask(t trial.Task, cat trial.Catalog) error {
	if s.Task != "" && s.Task != t {
		return s.Errorf("task", "spec says %s but the data's target is for %s", s.Task, t)
	}
	s.Task = t
	return s.Validate(cat)
}

func (s *Spec) validateName() error {
	switch {
	case s.Name == "":
		return s.Errorf("name", "is required: it names the study and its directory")
	case strings.Contains(s.Name, "/") || strings.Contains(s.Name, `\`):
		return s.Errorf("name", "%q must not contain a slash: it names a directory", s.Name)
	case strings.Contains(s.Name, ".."):
		return s.Errorf("name", "%q must not contain ..", s.Name)
	case len(s.Name) > 128:
		return s.Errorf("name", "is longer than 128 characters")
	case !namePattern().MatchString(s.Name):
		return s.Errorf("name", "%q must be lower-case letters, digits, '.', '_' and '-', starting with a letter or digit", s.Name)
	}
	return nil
}

// validateModels checks each family and its dimensions and returns the
// families' declarations in spec order. modelsOK reports that every
// family names a known model (so infos is complete), paramsOK that every
// dimension passed.
func (s *Spec) validateModels(cat trial.Catalog, c *collector) (infos []trial.ModelInfo, modelsOK, paramsOK bool) {
	if len(s.Models) == 0 {
		c.add(s.Errorf("model", "is required: name a model, or list models:"))
		return nil, false, true
	}
	infos = make([]trial.ModelInfo, len(s.Models))
	modelsOK, paramsOK = true, true
	for i := range s.Models {
		ms := &s.Models[i]
		field := s.modelField(i, "model")
		if ms.Model == "" {
			c.add(s.Errorf(field, "is required"))
			modelsOK = false
			continue
		}
		info, ok := cat.Model(ms.Model)
		if !ok {
			var names []string
			for _, m := range cat.Models() {
				names = append(names, m.Name)
			}
			c.add(s.errorAt(field, trial.ErrUnknownModel, "unknown model %q%s (models: %s)",
				ms.Model, didYouMean(ms.Model, names), strings.Join(names, ", ")))
			modelsOK = false
			continue
		}
		if modelsOK && i > 0 && info.Objective != infos[0].Objective {
			c.add(s.Errorf(field, "cannot search objective and dataset models together (%s and %s)", infos[0].Name, info.Name))
			modelsOK = false
		}
		for j := range ms.Params {
			if err := s.resolveDimension(info, &ms.Params[j], s.modelField(i, "parameters."+ms.Params[j].Name)); err != nil {
				c.add(err)
				paramsOK = false
			}
		}
		infos[i] = info
	}
	return infos, modelsOK, paramsOK
}

// validateTask checks the task and returns the task the metric default
// follows: the spec's, or the only task every model supports, or "".
func (s *Spec) validateTask(infos []trial.ModelInfo) (trial.Task, error) {
	if trial.CheckTask(s.Task) != nil {
		return "", s.unknownTask()
	}
	common := []trial.Task{trial.Classification, trial.Regression}
	for i, info := range infos {
		if len(info.Tasks) == 0 {
			continue
		}
		if s.Task != "" && !info.Supports(s.Task) {
			return "", s.Errorf(s.modelField(i, "model"), "model %s does not support %s (it supports %s)", info.Name, s.Task, taskList(info.Tasks))
		}
		common = slices.DeleteFunc(common, func(t trial.Task) bool { return !info.Supports(t) })
		if len(common) == 0 {
			return "", s.Errorf(s.modelField(i, "model"), "model %s shares no task with the models before it", info.Name)
		}
	}
	if s.Task != "" || infos[0].Objective {
		return s.Task, nil
	}
	if len(common) == 1 {
		return common[0], nil
	}
	return "", nil
}

func (s *Spec) validateMetric(infos []trial.ModelInfo, task trial.Task) error {
	if infos[0].Objective {
		want := objectiveMetric(infos[0])
		for i, info := range infos[1:] {
			if objectiveMetric(info) != want {
				return s.Errorf(s.modelField(i+1, "model"), "model %s reports %q but %s reports %q; all models of a study must agree",
					info.Name, objectiveMetric(info), infos[0].Name, want)
			}
		}
		if s.Metric == "" {
			s.Metric = want
		}
		if s.Metric != want {
			return s.Errorf("metric", "objective model %s reports only %q, not %q", infos[0].Name, want, s.Metric)
		}
	} else if s.Metric == "" && task != "" {
		s.Metric = trial.DefaultMetric(task)
	}
	if s.Metric == "" {
		s.Direction = "" // filled by SetTask once the data says which task
		return nil
	}
	mi, ok := trial.Metrics[s.Metric]
	if !ok {
		return s.unknownMetric()
	}
	if !infos[0].Objective {
		if mi.Task == "" {
			return s.Errorf("metric", "%q is the score of objective models; for %s use a metric such as %s",
				s.Metric, infos[0].Name, trial.DefaultMetric(task))
		}
		if err := trial.CheckMetric(s.Metric, s.Task); err != nil {
			return s.settingError(err)
		}
		for _, info := range infos {
			if len(info.Tasks) > 0 && !info.Supports(mi.Task) {
				return s.Errorf("metric", "%s is a %s metric but model %s supports only %s", s.Metric, mi.Task, info.Name, taskList(info.Tasks))
			}
		}
	}
	s.Direction = mi.Direction
	return nil
}

func objectiveMetric(info trial.ModelInfo) string {
	if info.DefaultMetric != "" {
		return info.DefaultMetric
	}
	return "value"
}

func taskList(ts []trial.Task) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return strings.Join(out, " and ")
}

// validateCV fills in the default folds and checks the cv: block with
// trial.CV.Check, the check the worker applies to every request. A
// setting written as 0 is an error, not its default: holdout: 0 does not
// mean 5-fold cross-validation.
func (s *Spec) validateCV() error {
	cv := &s.CV
	switch {
	case s.given("cv.holdout") && cv.Holdout == 0:
		return s.Errorf("cv.holdout", "must be a fraction between 0 and 1 (exclusive), not 0; for k-fold cross-validation give folds instead")
	case s.given("cv.folds") && cv.Folds == 0:
		return s.Errorf("cv.folds", "must be at least 2, not 0 (for a single split use holdout: 0.2)")
	case s.given("cv.repeats") && cv.Repeats == 0:
		return s.Errorf("cv.repeats", "must be at least 1, not 0")
	}
	if cv.Holdout == 0 && cv.Folds == 0 {
		cv.Folds = DefaultFolds
	}
	return s.settingError(cv.Check())
}

// given reports whether the YAML wrote field (any value, null included).
// A spec read back from spec.json has no lines, and its zero values mean
// the defaults that Validate filled in.
func (s *Spec) given(field string) bool {
	_, ok := s.Lines[field]
	return ok
}

// settingError turns a *trial.SettingError from one of the checks the
// worker shares into an error at the setting's line.
func (s *Spec) settingError(err error) error {
	var se *trial.SettingError
	if errors.As(err, &se) {
		return s.Errorf(se.Field, "%s", se.Msg)
	}
	return err
}

// validatePreprocess checks the preprocess: block with
// trial.Preprocess.Check, adding a suggestion for a misspelt value.
func (s *Spec) validatePreprocess(c *collector) {
	bad := false
	for _, v := range []struct {
		field, value string
		allowed      []string
	}{
		{"preprocess.scale", s.Preprocess.Scale, trial.Scales},
		{"preprocess.impute", s.Preprocess.Impute, trial.Imputes},
		{"preprocess.encoding", s.Preprocess.Encoding, trial.Encodings},
	} {
		if v.value != "" && !contains(v.allowed, v.value) {
			c.add(s.Errorf(v.field, "unknown value %q%s (allowed: %s)", v.value, didYouMean(v.value, v.allowed), strings.Join(v.allowed, ", ")))
			bad = true
		}
	}
	if !bad {
		c.add(s.settingError(s.Preprocess.Check()))
	}
}

// validateSearch checks the search: block and fills in its defaults. The
// checks of the grid's size and of sobol's dimensions need the
// parameters, and are skipped unless paramsOK.
func (s *Spec) validateSearch(c *collector, paramsOK bool) {
	ss := &s.Search
	if ss.Method == "" {
		ss.Method = "random"
	}
	methodOK := false
	switch {
	case ss.Method == "asha" || ss.Method == "hyperband" || ss.Method == "median":
		c.add(s.Errorf("search.method", "%s is early stopping, not a search method: keep method random, sobol or tpe and add early_stopping: {type: %s, budget: ..., min: ..., max: ...}", ss.Method, ss.Method))
	case contains(comingMethods, ss.Method):
		c.add(s.Errorf("search.method", "%s is not yet supported; use %s", ss.Method, strings.Join(Methods, ", ")))
	case !contains(Methods, ss.Method):
		c.add(s.Errorf("search.method", "unknown method %q%s (methods: %s)", ss.Method, didYouMean(ss.Method, Methods), strings.Join(Methods, ", ")))
	default:
		methodOK = true
	}
	if err := checkCount(ss.MaxTrials, s.given("search.max_trials"), MaxTrialsLimit); err != "" {
		c.add(s.Errorf("search.max_trials", "%s", err))
	}
	if err := checkCount(ss.Parallel, s.given("search.parallel"), MaxParallel); err != "" {
		c.add(s.Errorf("search.parallel", "%s", err))
	}
	if !methodOK {
		return
	}
	if ss.Method != "tpe" {
		for _, k := range []string{"n_startup_trials", "startup", "multivariate"} {
			if _, set := s.Lines["search."+k]; set {
				c.add(s.Errorf("search."+k, "applies to method: tpe only, not %s", ss.Method))
			}
		}
	} else {
		if _, set := s.Lines["search.n_startup_trials"]; set && ss.NStartupTrials < 1 {
			c.add(s.Errorf("search.n_startup_trials", "must be at least 1, not %d", ss.NStartupTrials))
		} else if err := checkCount(ss.NStartupTrials, false, MaxTrialsLimit); err != "" {
			c.add(s.Errorf("search.n_startup_trials", "%s", err))
		}
		if ss.NStartupTrials == 0 {
			ss.NStartupTrials = DefaultNStartupTrials
		}
		if ss.Multivariate == nil {
			mv := DefaultMultivariate
			ss.Multivariate = &mv
		}
		switch ss.Startup {
		case "":
			ss.Startup = "random"
		case "random":
		case "sobol":
			if d := sobolDims(s); paramsOK && d > maxSobolDims {
				c.add(s.Errorf("search.startup", "sobol supports at most %d searched dimensions, this spec has %d; use startup: random", maxSobolDims, d))
			}
		default:
			c.add(s.Errorf("search.startup", "unknown startup sampler %q%s; use random or sobol", ss.Startup, didYouMean(ss.Startup, []string{"random", "sobol"})))
		}
	}
	switch ss.Method {
	case "grid":
		if !paramsOK {
			break
		}
		finite := true
		for i, ms := range s.Models {
			for _, d := range ms.Params {
				if d.continuous() && d.GridPoints == 0 {
					c.add(s.Errorf(s.modelField(i, "parameters."+d.Name),
						"grid search needs a finite set of points: give values, step or grid_points for this float range"))
					finite = false
				}
			}
		}
		if !finite {
			break
		}
		n, _ := s.Size()
		if n > MaxGridSize {
			c.add(s.Errorf("search.method", "the grid has %s points, more than the limit of %d; narrow the ranges, use step or grid_points, or use method: random",
				formatCount(n), MaxGridSize))
			break
		}
		if ss.MaxTrials == 0 || int64(ss.MaxTrials) > n {
			ss.MaxTrials = int(n)
		}
	case "sobol":
		if d := sobolDims(s); paramsOK && d > maxSobolDims {
			c.add(s.Errorf("search.method", "sobol supports at most %d searched dimensions, this spec has %d; use method: random", maxSobolDims, d))
		}
	}
	if ss.MaxTrials == 0 {
		ss.MaxTrials = DefaultMaxTrials
	}
	if ss.Parallel == 0 {
		ss.Parallel = runtime.NumCPU()
	}
}

// checkCount checks a count setting that 0 leaves to its default: it
// must lie in [1, limit], or be 0 when not written. It returns what is
// wrong, or "".
func checkCount(n int, written bool, limit int) string {
	switch {
	case n < 0 || n == 0 && written:
		return fmt.Sprintf("must be at least 1, not %d", n)
	case n > limit:
		return fmt.Sprintf("must be at most %d, not %d", limit, n)
	}
	return ""
}

// valueKey identifies a parameter value up to trial.EqualValue: numbers
// by their float64 value, so 2 and 2.0 are one value, and other values by
// their type and text.
type valueKey struct {
	num bool
	f   float64
	s   string
}

func keyOf(v any) valueKey {
	if f, ok := toFloat(v); ok {
		return valueKey{num: true, f: f}
	}
	if x, ok := v.(string); ok {
		return valueKey{s: "string:" + x}
	}
	return valueKey{s: fmt.Sprintf("%T:%v", v, v)}
}

func formatCount(n int64) string {
	if n == math.MaxInt64 {
		return "more than 9e18"
	}
	return fmt.Sprint(n)
}

// resolveDimension checks one dimension against the model's declaration
// (or, for free-form models, the YAML) and puts it in canonical form.
func (s *Spec) resolveDimension(info trial.ModelInfo, dim *Dimension, field string) error {
	decl, declared := info.Lookup(dim.Name)
	if !declared && !info.FreeForm {
		var names []string
		for _, p := range info.Param {
			names = append(names, p.Name)
		}
		return s.errorAt(field, trial.ErrUnknownParam, "unknown parameter %q for model %s%s (parameters: %s)",
			dim.Name, info.Name, didYouMean(dim.Name, names), strings.Join(names, ", "))
	}
	if !declared && info.Extra != nil {
		decl, declared = *info.Extra, true
		decl.Name = dim.Name
	}
	var dp *trial.ParamDecl
	if declared {
		dp = &decl
	}
	if len(dim.Values) > 0 {
		return s.resolveValues(dp, dim, field)
	}
	return s.resolveRange(dp, dim, field)
}

func (s *Spec) resolveValues(dp *trial.ParamDecl, dim *Dimension, field string) error {
	kind := dim.Kind
	if dp != nil {
		kind = dimKind(dp.Kind)
	} else if kind == "" {
		kind = inferKind(dim.Values)
	}
	vs := make([]any, len(dim.Values))
	seen := make(map[valueKey]struct{}, len(dim.Values))
	for i, v := range dim.Values {
		var err error
		if dp != nil {
			v, err = checkValue(*dp, v)
		} else {
			v, err = freeValue(dim.Name, kind, v)
		}
		if err != nil {
			return s.Errorf(s.itemField(field, i), "%v%s", err, suggestChoice(err))
		}
		k := keyOf(v)
		if _, dup := seen[k]; dup {
			return s.Errorf(s.itemField(field, i), "%s is listed twice", formatAny(v))
		}
		seen[k] = struct{}{}
		vs[i] = v
	}
	dim.Kind, dim.Values = kind, vs
	return nil
}

// suggestChoice returns a "did you mean" for a string refused by a
// categorical declaration, naming the nearest of its string choices.
func suggestChoice(err error) string {
	var ve *trial.ValueError
	if !errors.As(err, &ve) || ve.Problem != trial.NotChoice {
		return ""
	}
	given, ok := ve.Value.(string)
	if !ok {
		return ""
	}
	var choices []string
	for _, c := range ve.Decl.Choices {
		if s, ok := c.(string); ok {
			choices = append(choices, s)
		}
	}
	return didYouMean(given, choices)
}

// itemField is the field path of value i of a dimension: "x.values[i]" or
// "x[i]" (bare list) as written, or "x.value" / "x" for a constant.
func (s *Spec) itemField(field string, i int) string {
	for _, f := range []string{fmt.Sprintf("%s.values[%d]", field, i), fmt.Sprintf("%s[%d]", field, i), field + ".value"} {
		if _, ok := s.Lines[f]; ok {
			return f
		}
	}
	return field
}

// freeValue canonicalises a value of a free-form model's parameter.
func freeValue(name string, kind trial.Kind, v any) (any, error) {
	f, isNum := toFloat(v)
	switch kind {
	case trial.Int:
		if !isNum || f != math.Trunc(f) {
			return nil, fmt.Errorf("%s has integer values; %s is not an integer", name, formatAny(v))
		}
		return int(f), nil
	case trial.Float:
		if !isNum {
			return nil, fmt.Errorf("%s has numeric values; %s is not a number", name, formatAny(v))
		}
		return f, nil
	}
	return v, nil
}

func dimKind(k trial.Kind) trial.Kind {
	if k == trial.Int || k == trial.Float {
		return k
	}
	return trial.Categorical
}

func (s *Spec) resolveRange(dp *trial.ParamDecl, dim *Dimension, field string) error {
	kind := dim.Kind
	if dp != nil {
		switch dp.Kind {
		case trial.Int, trial.Float:
			kind = dp.Kind
		case trial.Bool:
			return s.Errorf(field, "%s is true or false: give values: [true, false]", dim.Name)
		case trial.Categorical:
			if !dp.AlsoNumeric {
				return s.Errorf(field, "%s is categorical: give values from %s", dim.Name, formatChoices(dp.Choices))
			}
			kind = trial.Float
		}
	}
	if kind != trial.Int {
		kind = trial.Float
	}
	stepField := field + ".step"
	if _, ok := s.Lines[field+".q"]; ok {
		stepField = field + ".q"
	}
	for _, b := range []struct {
		f string
		v float64
	}{{field + ".min", dim.Min}, {field + ".max", dim.Max}, {stepField, dim.Step}} {
		if math.IsNaN(b.v) || math.IsInf(b.v, 0) {
			return s.Errorf(b.f, "must be a finite number")
		}
		if kind == trial.Int && b.v != math.Trunc(b.v) {
			return s.Errorf(b.f, "%s is an int parameter; %s is not an integer", dim.Name, trial.FormatValue(b.v))
		}
	}
	switch {
	case dim.Min > dim.Max:
		return s.Errorf(field+".min", "min %s is greater than max %s", trial.FormatValue(dim.Min), trial.FormatValue(dim.Max))
	case dim.Log && dim.Min <= 0:
		return s.Errorf(field+".min", "log: true needs min > 0, not %s", trial.FormatValue(dim.Min))
	case dim.Step < 0:
		return s.Errorf(stepField, "must be positive")
	case dim.GridPoints != 0 && (dim.GridPoints < 2 || dim.GridPoints > MaxGridPoints):
		return s.Errorf(field+".grid_points", "must be between 2 and %d", MaxGridPoints)
	case dim.GridPoints != 0 && dim.Step != 0:
		return s.Errorf(field+".grid_points", "give either step or grid_points, not both")
	case kind == trial.Int && math.Max(math.Abs(dim.Min), math.Abs(dim.Max)) > 1<<53:
		return s.Errorf(field, "integer bounds must be within ±2^53")
	}
	if dp != nil {
		if err := inRange(*dp, dim.Min); err != nil {
			return s.Errorf(field+".min", "min %v", err)
		}
		if err := inRange(*dp, dim.Max); err != nil {
			return s.Errorf(field+".max", "max %v", err)
		}
	}
	dim.Kind = kind
	return nil
}
