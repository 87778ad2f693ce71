package search

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/hpsearch/hpsearch/trial"
)

// MaxSpecBytes is the largest spec Parse and Load accept, 1 MiB: far
// more than any space of parameters needs, and small enough that reading
// and validating it takes well under a second.
const MaxSpecBytes = 1 << 20

// maxSpecNodes bounds the YAML nodes (keys, values, lists, mappings) a
// spec may expand to. Aliases repeat what they refer to, so a spec within
// MaxSpecBytes could otherwise expand to billions of values. A spec
// without aliases stays under it: every node but the document's takes at
// least two bytes.
const maxSpecNodes = MaxSpecBytes / 2

// ErrSpecTooLarge is wrapped by the error for a spec larger than
// MaxSpecBytes, or that YAML aliases expand past 512Ki nodes.
var ErrSpecTooLarge = errors.New("spec too large")

// Load reads the spec file at path, parses it and validates it against
// cat. Errors in the spec are *trial.InputError values naming the file,
// line and field.
func Load(path string, cat trial.Catalog) (*Spec, error) {
	return LoadAs(path, path, cat)
}

// LoadAs is Load for a file that messages call by another name: file, such
// as the s3:// URL a temporary copy was downloaded from. A path that is
// not a regular file (a directory, a device) is refused without reading
// it, and one larger than MaxSpecBytes is refused naming the limit.
func LoadAs(path, file string, cat trial.Catalog) (*Spec, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("search: load spec: %w", err)
	}
	switch {
	case fi.IsDir():
		return nil, &trial.InputError{File: file, Msg: "is a directory, not a spec file"}
	case fi.Mode()&(os.ModeDevice|os.ModeCharDevice|os.ModeSocket) != 0:
		return nil, &trial.InputError{File: file, Msg: "is a device or socket, not a spec file"}
	case fi.Mode().IsRegular() && fi.Size() > MaxSpecBytes:
		return nil, tooLarge(file, fi.Size())
	}
	// Named pipes (a shell's <(...)) are read up to the limit.
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("search: load spec: %w", err)
	}
	defer f.Close()
	return Parse(f, file, cat)
}

// Parse decodes a YAML spec from r and validates it against cat (see
// Validate). file names the input in error messages. Every problem with
// the YAML is a *trial.InputError wrapping trial.ErrBadInput; a spec with
// several problems gets an *Errors listing up to MaxErrors of them in
// file order, except that a YAML syntax error is reported alone. A spec
// larger than MaxSpecBytes is refused after reading one byte past it.
func Parse(r io.Reader, file string, cat trial.Catalog) (*Spec, error) {
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
	if !c.full() {
		s.validate(cat, c)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// tooLarge is the error for a spec past MaxSpecBytes; size is its size
// in bytes, or -1 when it was read from a stream and only known to exceed
// the limit.
func tooLarge(file string, size int64) error {
	what := "is larger than"
	if size >= 0 {
		what = fmt.Sprintf("is %s, larger than", formatBytes(size))
	}
	return &trial.InputError{File: file, Err: ErrSpecTooLarge,
		Msg: fmt.Sprintf("the spec %s the limit of %s (%d bytes); a spec lists parameter spaces, not data", what, formatBytes(MaxSpecBytes), MaxSpecBytes)}
}

// formatBytes renders n as "900 bytes", "2.5 KiB" or "50 MiB".
func formatBytes(n int64) string {
	f := float64(n)
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return strconv.FormatFloat(math.Round(f/(1<<10)*10)/10, 'f', -1, 64) + " KiB"
	}
	return strconv.FormatFloat(math.Round(f/(1<<20)*10)/10, 'f', -1, 64) + " MiB"
}

// topLevelKeys are the keys a spec may have, in documentation order.
var topLevelKeys = []string{"name", "dataset", "target", "task", "model", "metric", "cv",
	"preprocess", "search", "early_stopping", "stop", "backend", "parameters", "models",
	"command", "direction", "timeout"}

// yamlLine compiles on first use, not when hpsearch starts.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): `) })

// yamlParserProblems are the messages of yaml.v3's parser errors, whose
// line numbers it reports 0-based (its scanner errors are 1-based). The
// line is that of the construct being parsed, such as an unclosed [.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// decode turns YAML into a Spec without consulting the catalog: it checks
// the shape of the document (known keys, scalar types, parameter blocks)
// and records the line of every key. A problem that leaves the document
// unreadable (YAML syntax, no mapping) is returned; others are added to c
// and the walk goes on, leaving the field at its zero value (a parameter
// with a problem is left out).
func decode(raw []byte, file string, c *collector) (*Spec, error) {
	s := &Spec{File: file, Lines: map[string]int{}, raw: raw}
	d := &decoder{s: s, c: c}
	// A spec is text: reject invalid UTF-8 up front, with its line.
	if !utf8.Valid(raw) {
		i := 0
		for i < len(raw) {
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		line := 1 + bytes.Count(raw[:i], []byte("\n"))
		return nil, &trial.InputError{File: file, Line: line, Msg: "spec is not valid UTF-8 text"}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, d.errf(nil, "", "spec is empty")
		}
		msg, line := err.Error(), 0
		if m := yamlLine().FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		if line > 0 && contains(yamlParserProblems, msg) {
			line++ // yaml.v3 reports parser (not scanner) errors 0-based
		}
		if tab, col := tabIndent(raw, line, msg); tab > 0 {
			return nil, &trial.InputError{File: file, Line: tab,
				Msg: fmt.Sprintf("a tab in the indentation (column %d); YAML indents with spaces", col)}
		}
		return nil, &trial.InputError{File: file, Line: line, Msg: "YAML syntax error: " + msg}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, d.errf(&extra, "", "spec holds more than one YAML document")
	}
	x := expansion{memo: map[*yaml.Node]int{}}
	switch n := x.nodes(&root); {
	case x.cycle != nil:
		return nil, d.errf(x.cycle, "", "alias *%s is inside the value it refers to", x.cycle.Value)
	case n > maxSpecNodes:
		return nil, &trial.InputError{File: file, Err: ErrSpecTooLarge,
			Msg: fmt.Sprintf("the spec expands to more than %d keys and values (YAML aliases repeat what they refer to); list fewer values", maxSpecNodes)}
	}
	doc := deref(&root)
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = deref(doc.Content[0])
	}
	if isNull(doc) {
		return nil, d.errf(doc, "", "spec is empty")
	}
	var model, params, models *yaml.Node
	err := d.mapping(doc, "", topLevelKeys, func(key string, k, v *yaml.Node, field string) error {
		var err error
		switch key {
		case "name":
			s.Name, err = d.str(v, field)
		case "dataset":
			s.Dataset, err = d.str(v, field)
		case "target":
			s.Target, err = d.str(v, field)
		case "task":
			var t string
			t, err = d.str(v, field)
			s.Task = trial.Task(t)
		case "metric":
			s.Metric, err = d.str(v, field)
		case "model":
			model = v
		case "parameters":
			params = v
		case "models":
			models = v
		case "cv":
			err = d.cv(v, field)
		case "preprocess":
			err = d.preprocess(v, field)
		case "search":
			err = d.search(v, field)
		case "stop":
			err = d.stop(v, field)
		case "early_stopping":
			err = d.earlyStopping(v, field)
		case "backend":
			err = d.backend(v, field)
		case "command":
			err = d.command(v, field)
		case "direction":
			var dir string
			dir, err = d.str(v, field)
			s.Direction = trial.Direction(dir)
		case "timeout":
			s.Timeout, err = d.str(v, field)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case models != nil && (model != nil || params != nil):
		k := model
		if k == nil {
			k = params
		}
		c.add(d.errf(k, "models", "give either models: or a top-level model: and parameters:, not both"))
		c.quiet("model")
	case models != nil:
		if err := d.families(models); err != nil {
			c.add(err)
			c.quiet("model") // no family could be read: "model is required" would mislead
		}
	case model != nil || params != nil:
		s.topLevelModel = true
		var ms ModelSpace
		if model != nil {
			var err error
			ms.Model, err = d.str(model, "model")
			c.add(err)
		}
		if params != nil {
			var err error
			ms.Params, err = d.parameters(params, "parameters")
			c.add(err)
		}
		s.Models = []ModelSpace{ms}
	}
	return s, nil
}

// tabIndent finds the tab in the indentation of a block that made
// yaml.v3 report msg at line: "found character that cannot start any
// token" at the tab's line, or "found a tab character that violates
// indentation" at that line or the one before. It returns the tab's
// 1-based line and column, or 0, 0 when msg is not about such a tab.
func tabIndent(raw []byte, line int, msg string) (int, int) {
	last := line
	switch msg {
	case "found character that cannot start any token":
	case "found a tab character that violates indentation":
		last = line + 1
	default:
		return 0, 0
	}
	if line == 0 {
		line, last = 1, last+1 // yaml.v3 gives no line for the first
	}
	lines := bytes.Split(raw, []byte("\n"))
	for l := line; l <= last && l <= len(lines); l++ {
		text := lines[l-1]
		indent := len(text) - len(bytes.TrimLeft(text, " \t"))
		if i := bytes.IndexByte(text[:indent], '\t'); i >= 0 {
			return l, i + 1
		}
	}
	return 0, 0
}

// expansion counts the nodes of a YAML tree with every alias replaced by
// what it refers to, as the decoder visits them, in time linear in the
// tree as written: each node's count is computed once.
type expansion struct {
	memo  map[*yaml.Node]int // a node's expanded count; -1 while counting it
	cycle *yaml.Node         // an alias found inside what it refers to
}

// nodes returns the expanded count of n, or maxSpecNodes+1 once past it.
func (x *expansion) nodes(n *yaml.Node) int {
	if n == nil || x.cycle != nil {
		return 0
	}
	if n.Kind == yaml.AliasNode {
		if c, ok := x.memo[n.Alias]; ok && c < 0 {
			x.cycle = n
			return 0
		}
		return x.nodes(n.Alias)
	}
	if c, ok := x.memo[n]; ok {
		return max(c, 0)
	}
	x.memo[n] = -1
	total := 1
	for _, c := range n.Content {
		if total += x.nodes(c); total > maxSpecNodes {
			total = maxSpecNodes + 1
			break
		}
	}
	x.memo[n] = total
	return total
}

// decoder walks the YAML tree, recording lines into s.Lines and problems
// into c.
type decoder struct {
	s *Spec
	c *collector
}

// errf returns an InputError at node n's line (or field's recorded line
// when n is nil).
func (d *decoder) errf(n *yaml.Node, field, format string, args ...any) error {
	line := d.s.line(field)
	if n != nil {
		line = n.Line
	}
	return &trial.InputError{File: d.s.File, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// mapping calls fn for each key of the mapping n in order, after checking
// that the key is known (suggesting the nearest when not) and not
// repeated. A null node is an empty mapping. Problems with a key, and
// those fn returns, are added to d.c and the next key is read; mapping
// returns an error only when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string, known []string, fn func(key string, k, v *yaml.Node, field string) error) error {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errf(n, path, "must be a mapping of key: value, not %s", describe(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content) && !d.c.full(); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		field := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.c.add(d.errf(k, path, "keys must be plain names"))
			continue
		}
		if known != nil && !contains(known, k.Value) {
			where := "key"
			if path != "" {
				where = "key in " + path
			}
			d.c.add(d.errf(k, field, "unknown %s: %q%s (keys: %s)", where, k.Value, didYouMean(k.Value, known), strings.Join(known, ", ")))
			if meant, ok := nearest(k.Value, known); ok && !seen[meant] {
				// What the key was meant to set is missing, not wrong.
				d.c.quiet(join(path, meant))
			}
			continue
		}
		if seen[k.Value] {
			d.c.add(d.errf(k, field, "%q is given twice", k.Value))
			continue
		}
		seen[k.Value] = true
		d.s.Lines[field] = k.Line
		d.c.add(fn(k.Value, k, v, field))
	}
	return nil
}

func (d *decoder) cv(n *yaml.Node, path string) error {
	return d.mapping(n, path, []string{"folds", "repeats", "holdout", "seed"}, func(key string, _, v *yaml.Node, f string) error {
		var err error
		switch key {
		case "folds":
			d.s.CV.Folds, err = d.int(v, f)
		case "repeats":
			d.s.CV.Repeats, err = d.int(v, f)
		case "holdout":
			d.s.CV.Holdout, err = d.float(v, f)
		case "seed":
			d.s.CV.Seed, err = d.uint(v, f)
		}
		return err
	})
}

func (d *decoder) preprocess(n *yaml.Node, path string) error {
	return d.mapping(n, path, []string{"scale", "impute", "encoding"}, func(key string, _, v *yaml.Node, f string) error {
		x, err := d.str(v, f)
		switch key {
		case "scale":
			d.s.Preprocess.Scale = x
		case "impute":
			d.s.Preprocess.Impute = x
		case "encoding":
			d.s.Preprocess.Encoding = x
		}
		return err
	})
}

func (d *decoder) search(n *yaml.Node, path string) error {
	return d.mapping(n, path, []string{"method", "max_trials", "parallel", "seed", "n_startup_trials", "startup", "multivariate", "refit"}, func(key string, _, v *yaml.Node, f string) error {
		var err error
		switch key {
		case "method":
			d.s.Search.Method, err = d.str(v, f)
		case "max_trials":
			d.s.Search.MaxTrials, err = d.int(v, f)
		case "parallel":
			d.s.Search.Parallel, err = d.int(v, f)
		case "seed":
			d.s.Search.Seed, err = d.uint(v, f)
		case "n_startup_trials":
			d.s.Search.NStartupTrials, err = d.int(v, f)
		case "startup":
			d.s.Search.Startup, err = d.str(v, f)
		case "multivariate":
			var b bool
			b, err = d.bool(v, f)
			d.s.Search.Multivariate = &b
		case "refit":
			var b bool
			b, err = d.bool(v, f)
			d.s.Search.Refit = &b
		}
		return err
	})
}

// stopKeys are the keys of the stop: block.
var stopKeys = []string{"max_failed_trials", "target", "patience", "max_time", "max_cost"}

func (d *decoder) stop(n *yaml.Node, path string) error {
	return d.mapping(n, path, stopKeys, func(key string, _, v *yaml.Node, f string) error {
		var err error
		switch key {
		case "max_failed_trials":
			d.s.Stop.MaxFailedTrials, err = d.int(v, f)
		case "target":
			if !isNull(deref(v)) {
				var x float64
				x, err = d.float(v, f)
				d.s.Stop.Target = &x
			}
		case "patience":
			d.s.Stop.Patience, err = d.int(v, f)
		case "max_time":
			d.s.Stop.MaxTime, err = d.str(v, f)
		case "max_cost":
			d.s.Stop.MaxCost, err = d.float(v, f)
		}
		return err
	})
}

// earlyStoppingKeys are the keys of the early_stopping: block.
var earlyStoppingKeys = []string{"type", "budget", "min", "max", "eta", "rungs", "brackets"}

func (d *decoder) earlyStopping(n *yaml.Node, path string) error {
	if isNull(deref(n)) {
		return nil
	}
	es := &EarlyStopping{}
	d.s.EarlyStopping = es
	return d.mapping(n, path, earlyStoppingKeys, func(key string, _, v *yaml.Node, f string) error {
		var err error
		switch key {
		case "type":
			es.Type, err = d.str(v, f)
		case "budget":
			es.Budget, err = d.str(v, f)
		case "min":
			es.Min, err = d.float(v, f)
		case "max":
			es.Max, err = d.float(v, f)
		case "eta":
			es.Eta, err = d.int(v, f)
		case "brackets":
			es.Brackets, err = d.int(v, f)
		case "rungs":
			es.Rungs, err = d.floats(v, f)
		}
		return err
	})
}

// floats decodes a list of numbers, recording each item's line as
// field[i].
func (d *decoder) floats(n *yaml.Node, field string) ([]float64, error) {
	n = deref(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, d.errf(n, field, "must be a list of numbers, not %s", describe(n))
	}
	out := make([]float64, len(n.Content))
	for i, item := range n.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		d.s.Lines[f] = deref(item).Line
		var err error
		if out[i], err = d.float(item, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// backend keeps the block as a free-form map and records the line of every
// nested key, so the executor's own checks can point at them.
func (d *decoder) backend(n *yaml.Node, path string) error {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errf(n, path, "must be a mapping of key: value, not %s", describe(n))
	}
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		return d.errf(n, path, "%v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	d.s.Backend = m
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		n = deref(n)
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			f := join(path, n.Content[i].Value)
			d.s.Lines[f] = n.Content[i].Line
			walk(n.Content[i+1], f)
		}
	}
	walk(n, path)
	return nil
}

// families decodes models: [{model: knn, parameters: {...}}, ...].
func (d *decoder) families(n *yaml.Node) error {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		return d.errf(n, "models", "must be a list of {model: ..., parameters: ...}, not %s", describe(n))
	}
	if len(n.Content) == 0 {
		return d.errf(n, "models", "is empty: list at least one model")
	}
	for i, item := range n.Content {
		item = deref(item)
		path := fmt.Sprintf("models[%d]", i)
		d.s.Lines[path] = item.Line
		// Every item takes its place in Models, so that models[i] names
		// the item of the YAML even after a problem with an earlier one.
		var ms ModelSpace
		if item.Kind != yaml.MappingNode {
			d.c.add(d.errf(item, path, "must be a mapping {model: ..., parameters: ...}, not %s", describe(item)))
		} else {
			d.c.add(d.mapping(item, path, []string{"model", "parameters"}, func(key string, _, v *yaml.Node, f string) error {
				var err error
				if key == "model" {
					ms.Model, err = d.str(v, f)
				} else {
					ms.Params, err = d.parameters(v, f)
				}
				return err
			}))
		}
		d.s.Models = append(d.s.Models, ms)
	}
	return nil
}

// Scalar decoding. Each helper accepts a null node as the zero value, so
// "dataset:" with nothing after it means "no dataset".

func (d *decoder) str(n *yaml.Node, field string) (string, error) {
	n = deref(n)
	if isNull(n) {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", d.errf(n, field, "must be a single value, not %s", describe(n))
	}
	return n.Value, nil
}

func (d *decoder) int(n *yaml.Node, field string) (int, error) {
	n = deref(n)
	if isNull(n) {
		return 0, nil
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, d.errf(n, field, "must be an integer, not %s", describe(n))
	}
	var i int
	if err := n.Decode(&i); err != nil {
		return 0, d.errf(n, field, "%s is out of range", n.Value)
	}
	return i, nil
}

func (d *decoder) uint(n *yaml.Node, field string) (uint64, error) {
	n = deref(n)
	if isNull(n) {
		return 0, nil
	}
	var u uint64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&u) != nil {
		return 0, d.errf(n, field, "must be a non-negative integer, not %s", describe(n))
	}
	return u, nil
}

func (d *decoder) float(n *yaml.Node, field string) (float64, error) {
	n = deref(n)
	if isNull(n) {
		return 0, nil
	}
	v, err := d.scalar(n, field)
	if err != nil {
		return 0, err
	}
	f, ok := toFloat(v)
	if !ok {
		return 0, d.errf(n, field, "must be a number, not %s", describe(n))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, d.errf(n, field, "must be a finite number, not %s", n.Value)
	}
	return f, nil
}

func (d *decoder) bool(n *yaml.Node, field string) (bool, error) {
	n = deref(n)
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		return false, d.errf(n, field, "must be true or false, not %s", describe(n))
	}
	return b, nil
}

// scalar decodes a parameter value: nil, bool, int, float64 or string.
// Other YAML types (timestamps, binary) are kept as their text.
func (d *decoder) scalar(n *yaml.Node, field string) (any, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return nil, d.errf(n, field, "must be a single value, not %s", describe(n))
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, nil
		}
	case "!!int":
		var i int
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		return nil, d.errf(n, field, "integer %s is out of range", n.Value)
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil {
			return f, nil
		}
	}
	return n.Value, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names a node's type for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "nothing"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
