package search

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/hpsearch/hpsearch/trial"
)

// paramKeys are the keys of a parameter block. step and q are synonyms
// (q is W&B's name); value and values are Katib's and Optuna's constant
// and categorical forms.
var paramKeys = []string{"min", "max", "log", "step", "q", "grid_points", "values", "value", "distribution"}

// distribution describes one W&B distribution alias: the form it takes
// and what it implies.
type distribution struct {
	form  string     // "range", "values" or "value"
	log   bool       // log-uniform
	q     bool       // needs q (or step)
	kind  trial.Kind // int or float for free-form models
	valid bool       // false: known W&B name that hpsearch does not support
	hint  string     // for unsupported ones
}

var distributions = map[string]distribution{
	"uniform":                {form: "range", kind: trial.Float, valid: true},
	"int_uniform":            {form: "range", kind: trial.Int, valid: true},
	"q_uniform":              {form: "range", q: true, kind: trial.Float, valid: true},
	"log_uniform_values":     {form: "range", log: true, kind: trial.Float, valid: true},
	"q_log_uniform_values":   {form: "range", log: true, q: true, kind: trial.Float, valid: true},
	"categorical":            {form: "values", valid: true},
	"constant":               {form: "value", valid: true},
	"log_uniform":            {hint: "W&B's log_uniform takes exponents; write log_uniform_values with min and max as the values themselves"},
	"q_log_uniform":          {hint: "W&B's q_log_uniform takes exponents; write q_log_uniform_values with min and max as the values themselves"},
	"inv_log_uniform":        {hint: "it is not supported"},
	"inv_log_uniform_values": {hint: "it is not supported"},
	"normal":                 {hint: "normal distributions are not supported; give min and max"},
	"q_normal":               {hint: "normal distributions are not supported; give min, max and step"},
	"log_normal":             {hint: "normal distributions are not supported; give min, max and log: true"},
	"q_log_normal":           {hint: "normal distributions are not supported; give min, max, log: true and step"},
	"beta":                   {hint: "beta distributions are not supported; give min and max"},
	"q_beta":                 {hint: "beta distributions are not supported; give min, max and step"},
}

func distributionNames() []string {
	var out []string
	for n, d := range distributions {
		if d.valid {
			out = append(out, n)
		}
	}
	return out
}

// parameters decodes a parameters: mapping, keeping YAML order.
func (d *decoder) parameters(n *yaml.Node, path string) ([]Dimension, error) {
	var dims []Dimension
	err := d.mapping(n, path, nil, func(name string, k, v *yaml.Node, field string) error {
		dim, err := d.dimension(name, v, field)
		if err != nil {
			return err
		}
		dim.Line = k.Line
		dims = append(dims, dim)
		return nil
	})
	return dims, err
}

// dimension decodes one parameter: a bare scalar (constant), a bare list
// (values) or a block. Kind is inferred from the YAML (int when every
// bound or value is an integer); Validate replaces it with the declared
// kind for declared parameters.
func (d *decoder) dimension(name string, n *yaml.Node, field string) (Dimension, error) {
	dim := Dimension{Name: name}
	n = deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if isNull(n) {
			return dim, d.errf(n, field, "has no value: give a value, a list of values, or {min, max}")
		}
		v, err := d.scalar(n, field)
		if err != nil {
			return dim, err
		}
		dim.Values = []any{v}
	case yaml.SequenceNode:
		vs, err := d.values(n, field)
		if err != nil {
			return dim, err
		}
		dim.Values = vs
	case yaml.MappingNode:
		if err := d.block(&dim, n, field); err != nil {
			return dim, err
		}
	default:
		return dim, d.errf(n, field, "has no value: give a value, a list of values, or {min, max}")
	}
	if dim.Kind == "" {
		dim.Kind = inferKind(dim.Values)
	}
	return dim, nil
}

// block decodes {min, max, log, step, grid_points}, {values}, {value} and
// their W&B distribution: spellings.
func (d *decoder) block(dim *Dimension, n *yaml.Node, field string) error {
	nodes := map[string]*yaml.Node{}
	err := d.mapping(n, field, paramKeys, func(key string, _, v *yaml.Node, _ string) error {
		nodes[key] = v
		return nil
	})
	if err != nil {
		return err
	}
	var dist *distribution
	var distName string
	if v, ok := nodes["distribution"]; ok {
		f := field + ".distribution"
		if distName, err = d.str(v, f); err != nil {
			return err
		}
		dd, ok := distributions[distName]
		switch {
		case !ok:
			return d.errf(v, f, "unknown distribution %q%s", distName, didYouMean(distName, distributionNames()))
		case !dd.valid:
			return d.errf(v, f, "distribution %s is not supported: %s", distName, dd.hint)
		}
		dist = &dd
	}

	_, hasValue := nodes["value"]
	_, hasValues := nodes["values"]
	_, hasMin := nodes["min"]
	_, hasMax := nodes["max"]
	forms := 0
	form := ""
	for _, f := range []struct {
		on   bool
		name string
	}{{hasValue, "value"}, {hasValues, "values"}, {hasMin || hasMax, "range"}} {
		if f.on {
			forms++
			form = f.name
		}
	}
	switch {
	case forms == 0 && dist != nil:
		form = dist.form
	case forms == 0:
		return d.errf(n, field, "needs value, values, or min and max")
	case forms > 1:
		return d.errf(n, field, "give only one of value, values, or min and max")
	}
	if dist != nil && form != dist.form {
		want := map[string]string{"range": "min and max", "values": "values", "value": "value"}[dist.form]
		return d.errf(nodes["distribution"], field+".distribution", "distribution %s takes %s", distName, want)
	}
	if form != "range" {
		for _, k := range []string{"min", "max", "log", "step", "q", "grid_points"} {
			if v, ok := nodes[k]; ok {
				return d.errf(v, field+"."+k, "%s applies only to a min/max range", k)
			}
		}
	}

	switch form {
	case "value":
		v, ok := nodes["value"]
		if !ok || isNull(v) {
			return d.errf(n, field+".value", "is missing")
		}
		x, err := d.scalar(v, field+".value")
		if err != nil {
			return err
		}
		dim.Values = []any{x}
		return nil
	case "values":
		v, ok := nodes["values"]
		if !ok {
			return d.errf(n, field+".values", "is missing")
		}
		v = deref(v)
		if v.Kind != yaml.SequenceNode {
			return d.errf(v, field+".values", "must be a list, not %s", describe(v))
		}
		vs, err := d.values(v, field+".values")
		dim.Values = vs
		return err
	}

	// A numeric range.
	if !hasMin || !hasMax {
		missing := "max"
		if !hasMin {
			missing = "min"
		}
		return d.errf(n, field+"."+missing, "is missing: a range needs both min and max")
	}
	isInt := true
	for _, k := range []string{"min", "max", "step", "q"} {
		v, ok := nodes[k]
		if !ok {
			continue
		}
		f, err := d.float(v, field+"."+k)
		if err != nil {
			return err
		}
		if deref(v).ShortTag() != "!!int" {
			isInt = false
		}
		switch k {
		case "min":
			dim.Min = f
		case "max":
			dim.Max = f
		case "step", "q":
			if _, both := nodes["step"]; both && k == "q" {
				return d.errf(v, field+".q", "q and step mean the same; give one")
			}
			if f <= 0 {
				return d.errf(v, field+"."+k, "must be positive, not %s", deref(v).Value)
			}
			dim.Step = f
		}
	}
	if v, ok := nodes["log"]; ok {
		if dim.Log, err = d.bool(v, field+".log"); err != nil {
			return err
		}
		if dist != nil && !dist.log && dim.Log {
			return d.errf(v, field+".log", "log: true contradicts distribution %s; use log_uniform_values", distName)
		}
	}
	if v, ok := nodes["grid_points"]; ok {
		if dim.GridPoints, err = d.int(v, field+".grid_points"); err != nil {
			return err
		}
		if dim.GridPoints < 2 || dim.GridPoints > MaxGridPoints {
			return d.errf(v, field+".grid_points", "must be between 2 and %d, not %d", MaxGridPoints, dim.GridPoints)
		}
		if dim.Step > 0 {
			return d.errf(v, field+".grid_points", "give either step or grid_points, not both")
		}
	}
	if dist != nil {
		dim.Log = dim.Log || dist.log
		if dist.q && dim.Step == 0 {
			return d.errf(n, field+".q", "distribution %s needs q", distName)
		}
		if dist.kind == trial.Float {
			isInt = false
		}
	}
	dim.Kind = trial.Float
	if isInt {
		dim.Kind = trial.Int
	}
	return nil
}

// values decodes a list of scalar values.
func (d *decoder) values(n *yaml.Node, field string) ([]any, error) {
	if len(n.Content) == 0 {
		return nil, d.errf(n, field, "has no values: list at least one")
	}
	out := make([]any, len(n.Content))
	for i, item := range n.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		d.s.Lines[f] = item.Line
		v, err := d.scalar(item, f)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// inferKind gives a list of values a kind: int when all are integers,
// float when all are numbers, categorical otherwise.
func inferKind(vs []any) trial.Kind {
	k := trial.Int
	for _, v := range vs {
		switch v.(type) {
		case int:
		case float64:
			k = trial.Float
		default:
			return trial.Categorical
		}
	}
	return k
}
