package search

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hpsearch/hpsearch/trial"
)

// A command study runs the user's own program as its objective instead
// of a model of the catalog:
//
//	name: my-sgd
//	command: [python3, train.py, --alpha, "{alpha}"]
//	direction: maximize
//	metric: val_accuracy
//	timeout: 10m
//	early_stopping: {type: median, budget: step, min: 3}
//	parameters:
//	  alpha: {min: 1.0e-6, max: 1.0, log: true}
//
// The spec then has exactly one family, of model CommandModel, holding
// the top-level parameters; dataset, target, task, cv and preprocess do
// not apply. Package commandrun runs the trials (its doc comment is the
// protocol); early stopping with budget: step prunes a trial while it
// runs, from the intermediate values it reports (see NewPruner).

// CommandModel is the model name of a command study's only family, and
// so of its trials.
const CommandModel = "command"

// StepBudget is the early_stopping budget of a command study: the steps
// at which the command reports intermediate values.
const StepBudget = "step"

// InTrialTypes are the early_stopping types a command study accepts.
var InTrialTypes = []string{"median", "asha"}

// commandInfo is the declaration a command study's parameters are
// checked against: any name, any value.
var commandInfo = trial.ModelInfo{Name: CommandModel, FreeForm: true, Objective: true}

// placeholder matches {name} in a command argument; a name is what a
// parameter of a command study may be called. Both compile on first use,
// not when hpsearch starts.
var (
	placeholder = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`) })
	paramName   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
)

// IsCommand reports whether s is a command study, or a study of a Go
// function (Func), which is validated as one without the command.
func (s *Spec) IsCommand() bool { return len(s.Command) > 0 || s.given("command") || s.Func }

// ParseFunc is Parse for a study whose objective is a Go function: the
// spec of a command study without command: (name, direction, metric,
// timeout, search, early_stopping, stop and parameters).
func ParseFunc(r io.Reader, file string) (*Spec, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("search: read spec: %w", err)
	}
	if len(raw) > MaxSpecBytes {
		return nil, tooLarge(file, -1)
	}
	c := &collector{}
	s, err := decode(raw, file, c)
	if err != nil {
		return nil, err
	}
	s.Func = true
	if !c.full() {
		s.validate(nil, c)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// IsCommandGiven reports whether the spec names a command.
func (s *Spec) IsCommandGiven() bool { return len(s.Command) > 0 || s.given("command") }

// TrialTimeout returns Timeout as a duration; zero when unset or invalid
// (Validate rejects invalid ones).
func (s *Spec) TrialTimeout() time.Duration {
	d, _ := time.ParseDuration(s.Timeout)
	return max(d, 0)
}

// InTrial reports whether early stopping prunes trials while they run
// (budget: step, a command study) rather than by rungs of separate trials.
func (es *EarlyStopping) InTrial() bool { return es != nil && es.Budget == StepBudget }

// command decodes command: a list of strings, or one string split into
// words as a shell would (see SplitCommand; no shell runs it).
func (d *decoder) command(n *yaml.Node, field string) error {
	n = deref(n)
	switch {
	case isNull(n):
		d.s.Command = []string{}
		return nil
	case n.Kind == yaml.ScalarNode:
		words, err := SplitCommand(n.Value)
		if err != nil {
			return d.errf(n, field, "%v", err)
		}
		d.s.Command = words
		return nil
	case n.Kind != yaml.SequenceNode:
		return d.errf(n, field, "must be a list of words [program, arg, ...] or one string, not %s", describe(n))
	}
	d.s.Command = []string{}
	for i, item := range n.Content {
		item = deref(item)
		f := fmt.Sprintf("%s[%d]", field, i)
		d.s.Lines[f] = item.Line
		if item.Kind != yaml.ScalarNode || isNull(item) {
			return d.errf(item, f, "must be a word of the command line, not %s", describe(item))
		}
		d.s.Command = append(d.s.Command, item.Value)
	}
	return nil
}

// SplitCommand splits a command line into words the way a POSIX shell
// does for a simple command: blanks separate words, 'single quotes' keep
// everything, "double quotes" keep everything but \" \\ \$ \`, and a
// backslash outside quotes keeps the next character. Nothing is expanded:
// no variables, globs or pipes, as no shell runs the command.
func SplitCommand(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' quote in %q", line)
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					i++
				}
				w.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, fmt.Errorf("unterminated \" quote in %q", line)
			}
			inWord = true
		case c == '\\':
			if i+1 >= len(line) {
				return nil, fmt.Errorf("a backslash ends %q", line)
			}
			i++
			w.WriteByte(line[i])
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// modelOnlyFields are the keys that describe a built-in model's data and
// validation, meaningless for a command, which reads its own data.
var modelOnlyFields = []string{"dataset", "target", "task", "cv", "preprocess"}

// refuseCommandFields reports direction: or timeout: in a model study.
func (s *Spec) refuseCommandFields() error {
	for _, f := range []string{"direction", "timeout"} {
		if s.given(f) {
			return s.Errorf(f, "applies to command studies only (command: [program, args...]); a model study's metric sets its direction")
		}
	}
	return nil
}

// validateCommand is validate for a command study.
func (s *Spec) validateCommand(c *collector) {
	c.add(s.validateName())
	for _, f := range []string{"model", "models"} {
		switch {
		case s.given(f) && s.Func:
			c.add(s.Errorf(f, "a study of a Go function has no %s: the function is the objective; remove %s:", f, f))
			c.quiet("model")
		case s.given(f):
			c.add(s.Errorf(f, "command and %s are alternatives: a command study runs your program, a model study a built-in model; remove one", f))
			c.quiet("model")
		}
	}
	for _, f := range modelOnlyFields {
		if s.given(f) {
			c.add(s.Errorf(f, "applies to model studies only; a command reads its own data"))
		}
	}
	switch {
	case s.Func && s.IsCommandGiven():
		c.add(s.Errorf("command", "a study of a Go function runs no command; remove command:"))
	case s.Func:
	case len(s.Command) == 0 || s.Command[0] == "":
		c.add(s.Errorf("command", "is empty: give the program to run and its arguments, such as [python3, train.py]"))
	}
	switch s.Direction {
	case trial.Maximize, trial.Minimize:
	case "":
		c.add(s.Errorf("direction", "is required with command: maximize or minimize, whichever is better for the score your command prints"))
	default:
		dirs := []string{string(trial.Maximize), string(trial.Minimize)}
		c.add(s.Errorf("direction", "must be maximize or minimize, not %q%s", s.Direction, didYouMean(string(s.Direction), dirs)))
	}
	if s.Metric == "" {
		s.Metric = "score"
	}
	if s.Timeout != "" {
		if d, err := time.ParseDuration(s.Timeout); err != nil {
			c.add(s.Errorf("timeout", "%q is not a duration; write one like 90s, 10m or 1h30m", s.Timeout))
		} else if d <= 0 {
			c.add(s.Errorf("timeout", "must be positive, not %s", s.Timeout))
		}
	}
	paramsOK := s.validateCommandParams(c)
	s.validateSearch(c, paramsOK)
	if paramsOK {
		c.add(s.validateInTrial())
	}
	s.validateStop(c)
	c.add(s.validateBackend())
	if kind, _ := s.Backend["type"].(string); kind == "lambda" && s.EarlyStopping.InTrial() {
		c.add(s.Errorf("early_stopping", "in-trial pruning runs with backend: local only for now: on Lambda a command runs to its end (pruning a running invocation is not built yet)"))
	}
	if s.Func && s.Timeout != "" {
		c.add(s.Errorf("timeout", "applies to command studies; a Go function is given its context, cancel it there"))
	}
}

// validateCommandParams checks the parameters of a command study and the
// placeholders of its command, and makes them the study's only family.
func (s *Spec) validateCommandParams(c *collector) (ok bool) {
	if s.given("model") || s.given("models") {
		return false
	}
	if len(s.Models) == 0 {
		s.Models = []ModelSpace{{}}
	}
	ms := &s.Models[0]
	ms.Model = CommandModel
	ok = true
	names := make([]string, 0, len(ms.Params))
	for j := range ms.Params {
		dim := &ms.Params[j]
		field := "parameters." + dim.Name
		if !paramName().MatchString(dim.Name) {
			c.add(s.Errorf(field, "%q cannot be a placeholder {name} in the command: a parameter of a command study is named with letters, digits and _, not starting with a digit", dim.Name))
			ok = false
			continue
		}
		if err := s.resolveDimension(commandInfo, dim, field); err != nil {
			c.add(err)
			ok = false
		}
		names = append(names, dim.Name)
	}
	if len(ms.Params) == 0 {
		c.add(s.Errorf("parameters", "is required with command: the parameters to tune, such as alpha: {min: 1e-6, max: 1, log: true}"))
		return false
	}
	for i, arg := range s.Command {
		for _, m := range placeholder().FindAllStringSubmatch(arg, -1) {
			if !contains(names, m[1]) {
				c.add(s.Errorf(fmt.Sprintf("command[%d]", i), "placeholder {%s} names no parameter%s (parameters: %s)",
					m[1], didYouMean(m[1], names), strings.Join(names, ", ")))
			}
		}
	}
	return ok
}

// validateInTrial checks a command study's early_stopping: block: type
// median or asha, budget step; min is the first step judged (median:
// steps before it are never pruned; asha: the first rung, default 1),
// max (asha only) the last rung's step, eta (asha only) the factor
// between rungs, default DefaultEta.
func (s *Spec) validateInTrial() error {
	es := s.EarlyStopping
	if es == nil {
		return nil
	}
	const f = "early_stopping"
	switch {
	case es.Type == "":
		return s.Errorf(f+".type", "is required: %s", strings.Join(InTrialTypes, ", "))
	case es.Type == "hyperband":
		return s.Errorf(f+".type", "hyperband starts configurations at different budgets, but a command runs from its first step; use asha or median")
	case !contains(InTrialTypes, es.Type):
		return s.Errorf(f+".type", "unknown type %q%s (types: %s)", es.Type, didYouMean(es.Type, InTrialTypes), strings.Join(InTrialTypes, ", "))
	case es.Budget == "":
		return s.Errorf(f+".budget", "is required: step (a command study is judged at the steps it reports)")
	case es.Budget != StepBudget:
		return s.Errorf(f+".budget", "a command study's budget is step, the steps it reports, not %q", es.Budget)
	case len(es.Rungs) > 0:
		return s.Errorf(f+".rungs", "applies to model studies; a command study's rungs follow from min, max and eta")
	case s.given(f + ".brackets"):
		return s.Errorf(f+".brackets", "applies to type: hyperband only")
	case es.Type == "median" && (s.given(f+".max") || es.Max != 0):
		return s.Errorf(f+".max", "applies to type: asha only; median judges every step from min on")
	case es.Type == "median" && s.given(f+".eta"):
		return s.Errorf(f+".eta", "applies to type: asha only")
	}
	for _, b := range []struct {
		field string
		v     float64
	}{{f + ".min", es.Min}, {f + ".max", es.Max}} {
		if b.v < 0 || b.v != math.Trunc(b.v) || b.v > 1<<53 {
			return s.Errorf(b.field, "a step is a whole number of at least 0, not %s", trial.FormatValue(b.v))
		}
	}
	if es.Type == "asha" {
		if s.given(f+".eta") && es.Eta < 2 {
			return s.Errorf(f+".eta", "must be at least 2, not %d: each rung keeps the top 1/eta", es.Eta)
		}
		if es.Eta == 0 {
			es.Eta = DefaultEta
		}
		if s.given(f+".min") && es.Min == 0 {
			return s.Errorf(f+".min", "asha's first rung is at a step of at least 1")
		}
		if es.Min == 0 {
			es.Min = 1
		}
		if es.Max != 0 && es.Max <= es.Min {
			return s.Errorf(f+".max", "max %s must be above min %s", trial.FormatValue(es.Max), trial.FormatValue(es.Min))
		}
	}
	return nil
}
