package bestconfig

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// Estimator is a scikit-learn estimator as Python source: the
// preprocessing steps of its Pipeline (none: the model alone), the model,
// and notes on where it differs from hpsearch's.
type Estimator struct {
	// Steps are the Pipeline's steps before the model, in order.
	Steps []Step
	// Model is the family's estimator.
	Model Call
	// Notes are comments for the reader of the snippet, one line each.
	Notes []string
}

// Step is one named step of a Pipeline.
type Step struct {
	Name string
	Call Call
}

// Call is a Python constructor call: Class imported from Module, called
// with keyword arguments in order.
type Call struct {
	Module string
	Class  string
	Args   []Arg
}

// Arg is one keyword argument; Value is Python source (a literal).
type Arg struct {
	Name  string
	Value string
}

// Arg returns the value of the named argument and whether c has it.
func (c Call) Arg(name string) (string, bool) {
	for _, a := range c.Args {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// Sklearn translates c into its scikit-learn estimator. It returns
// ErrNoEstimator for a test objective, and an error wrapping
// trial.ErrBadInput for a family this package has no mapping for, a
// task the family does not handle, or a study whose task is unknown.
func Sklearn(c Config) (*Estimator, error) {
	if !c.learner {
		return nil, fmt.Errorf("bestconfig: %w for %s, a test objective that is not trained on data", ErrNoEstimator, c.Model)
	}
	fm, ok := families[c.Model]
	if !ok {
		return nil, fmt.Errorf("bestconfig: %w: no scikit-learn mapping for model %s", trial.ErrBadInput, c.Model)
	}
	var class string
	switch c.Task {
	case trial.Classification:
		class = fm.classifier
	case trial.Regression:
		class = fm.regressor
	default:
		return nil, fmt.Errorf("bestconfig: %w: the study records no task and its metric %q does not say; cannot choose between a classifier and a regressor", trial.ErrBadInput, c.Metric)
	}
	if class == "" {
		return nil, fmt.Errorf("bestconfig: %w: %s has no %s estimator", trial.ErrBadInput, c.Model, c.Task)
	}
	e := &Estimator{Model: Call{Module: fm.module, Class: class}}
	for _, name := range paramOrder(c) {
		m, ok := fm.params[name]
		if !ok {
			return nil, fmt.Errorf("bestconfig: %w: no scikit-learn mapping for parameter %s of %s", trial.ErrBadInput, name, c.Model)
		}
		arg, note := m(c.Params[name], c)
		if arg.Name != "" {
			e.Model.Args = append(e.Model.Args, arg)
		}
		if note != "" {
			e.Notes = append(e.Notes, note)
		}
	}
	if fm.fixed != nil {
		e.Model.Args = append(e.Model.Args, fm.fixed(c)...)
	}
	if fm.seeded {
		// numpy's RandomState takes seeds below 2^32.
		e.Model.Args = append(e.Model.Args, Arg{"random_state", strconv.FormatUint(c.Seed&0xffffffff, 10)})
		e.Notes = append(e.Notes, "random_state is the trial's seed (mod 2^32); hpsearch draws its own random numbers, so the same seed does not give the same model.")
	}
	if fm.notes != nil {
		e.Notes = append(e.Notes, fm.notes(c)...)
	}
	if c.Preprocess.Impute != "" {
		e.Steps = append(e.Steps, Step{"impute", Call{Module: "sklearn.impute", Class: "SimpleImputer",
			Args: []Arg{{"strategy", pyString(c.Preprocess.Impute)}}}})
	}
	switch c.Preprocess.Scale {
	case "standard":
		e.Steps = append(e.Steps, Step{"scale", Call{Module: "sklearn.preprocessing", Class: "StandardScaler"}})
	case "minmax":
		e.Steps = append(e.Steps, Step{"scale", Call{Module: "sklearn.preprocessing", Class: "MinMaxScaler"}})
	}
	enc := "one-hot (a 0/1 column per category, categories sorted)"
	if c.Preprocess.Encoding == "ordinal" {
		enc = "ordinal (a category's index in sorted order)"
	}
	e.Notes = append(e.Notes, "If the data has string feature columns: hpsearch encodes them as "+enc+" when it loads the data, before this; give the estimator features encoded the same way.")
	return e, nil
}

// WritePython writes e as a runnable Python snippet: a comment heading
// (each line of heading, which may be empty), the imports, the notes as
// comments, and the assignment of the estimator to `estimator`.
func (e *Estimator) WritePython(w io.Writer, heading ...string) error {
	var b strings.Builder
	for _, h := range heading {
		fmt.Fprintf(&b, "# %s\n", comment(h))
	}
	imports := map[string][]string{}
	calls := []Call{e.Model}
	for _, s := range e.Steps {
		calls = append(calls, s.Call)
	}
	if len(e.Steps) > 0 {
		calls = append(calls, Call{Module: "sklearn.pipeline", Class: "Pipeline"})
	}
	for _, c := range calls {
		if !slices.Contains(imports[c.Module], c.Class) {
			imports[c.Module] = append(imports[c.Module], c.Class)
		}
	}
	modules := make([]string, 0, len(imports))
	for m := range imports {
		modules = append(modules, m)
	}
	slices.Sort(modules)
	for _, m := range modules {
		slices.Sort(imports[m])
		fmt.Fprintf(&b, "from %s import %s\n", m, strings.Join(imports[m], ", "))
	}
	b.WriteByte('\n')
	for _, n := range e.Notes {
		fmt.Fprintf(&b, "# %s\n", comment(n))
	}
	if len(e.Steps) == 0 {
		b.WriteString("estimator = ")
		writeCall(&b, e.Model, "")
		b.WriteByte('\n')
	} else {
		b.WriteString("estimator = Pipeline([\n")
		for _, s := range e.Steps {
			fmt.Fprintf(&b, "    (%s, ", pyString(s.Name))
			writeCall(&b, s.Call, "    ")
			b.WriteString("),\n")
		}
		b.WriteString(`    ("model", `)
		writeCall(&b, e.Model, "    ")
		b.WriteString("),\n])\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("bestconfig: write python: %w", err)
	}
	return nil
}

// writeCall writes c: on one line when it has at most one argument,
// else its arguments one per line indented past indent.
func writeCall(b *strings.Builder, c Call, indent string) {
	b.WriteString(c.Class)
	switch len(c.Args) {
	case 0:
		b.WriteString("()")
		return
	case 1:
		fmt.Fprintf(b, "(%s=%s)", c.Args[0].Name, c.Args[0].Value)
		return
	}
	b.WriteString("(\n")
	for _, a := range c.Args {
		fmt.Fprintf(b, "%s    %s=%s,\n", indent, a.Name, a.Value)
	}
	b.WriteString(indent + ")")
}

// WriteSklearn writes the scikit-learn snippet of c (see Sklearn and
// WritePython), headed by the trial it comes from.
func WriteSklearn(w io.Writer, c Config) error {
	e, err := Sklearn(c)
	if err != nil {
		return err
	}
	return e.WritePython(w, heading(c), "Written by hpsearch best --format sklearn; the mapping of each family: docs/sklearn.md")
}
