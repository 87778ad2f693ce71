package trial

// Kind is the type of a declared parameter.
type Kind string

// Parameter kinds.
const (
	Float       Kind = "float"
	Int         Kind = "int"
	Categorical Kind = "categorical" // strings, or numbers from a fixed list
	Bool        Kind = "bool"
)

// ParamDecl declares one parameter of a model: its name, kind, the allowed
// range (Min, Max inclusive, for Float and Int) or choices (for
// Categorical), and its default. A model's declarations are what a spec is
// validated against before any trial runs.
type ParamDecl struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Min and Max bound Float and Int parameters (inclusive); nil means
	// unbounded on that side. MinOpen excludes Min itself (C > 0).
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	MinOpen bool     `json:"min_open,omitempty"`
	// Choices lists the allowed values of a Categorical parameter. A
	// parameter that accepts either a choice or a number in [Min, Max]
	// (max_features: sqrt | log2 | a fraction) sets both Choices and
	// AlsoNumeric.
	Choices     []any `json:"choices,omitempty"`
	AlsoNumeric bool  `json:"also_numeric,omitempty"`
	Default     any   `json:"default"`
	// Budget marks the parameter as the model's natural training budget
	// (n_estimators, max_iter), usable by successive halving.
	Budget bool   `json:"budget,omitempty"`
	Help   string `json:"help,omitempty"`
}

// ModelInfo describes a model family for validation and `hpsearch models`.
type ModelInfo struct {
	Name  string      `json:"name"`
	Tasks []Task      `json:"tasks"`
	Help  string      `json:"help,omitempty"`
	Param []ParamDecl `json:"params"`
	// FreeForm models (noop) accept any parameter name and value.
	FreeForm bool `json:"free_form,omitempty"`
	// Objective models (branin, hartmann6, rosenbrock, noop) need no
	// dataset: their score is a function of the parameters alone.
	Objective bool `json:"objective,omitempty"`
	// DefaultMetric is the metric of objective models ("value").
	DefaultMetric string `json:"default_metric,omitempty"`
}

// Lookup returns the declaration of the named parameter.
func (m ModelInfo) Lookup(name string) (ParamDecl, bool) {
	for _, p := range m.Param {
		if p.Name == name {
			return p, true
		}
	}
	return ParamDecl{}, false
}

// Supports reports whether the model handles task t.
func (m ModelInfo) Supports(t Task) bool {
	for _, x := range m.Tasks {
		if x == t {
			return true
		}
	}
	return false
}

// Catalog finds model declarations by name. The trainers package provides
// the real one; search validates specs against whatever Catalog it is given.
type Catalog interface {
	// Model returns the named model's declaration.
	Model(name string) (ModelInfo, bool)
	// Models returns every model, sorted by name.
	Models() []ModelInfo
}

// Bound returns a pointer to x, for ParamDecl.Min and Max.
func Bound(x float64) *float64 { return &x }
