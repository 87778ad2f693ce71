package search

import (
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// Values are checked by trial.ParamDecl.Check, the same check the worker
// applies through trainers.Resolve, so a value that passes here passes
// there too. The names below keep this package's callers short.

// checkValue checks one value against its declaration and returns it in
// canonical form (see trial.ParamDecl.Check).
func checkValue(d trial.ParamDecl, v any) (any, error) { return d.Check(v) }

// inRange checks f against the declared bounds.
func inRange(d trial.ParamDecl, f float64) error { return d.CheckRange(f) }

func toFloat(v any) (float64, bool) { return trial.Number(v) }

// equalValue compares parameter values, treating 2 and 2.0 as equal.
func equalValue(a, b any) bool { return trial.EqualValue(a, b) }

func formatAny(v any) string { return trial.QuoteValue(v) }

func formatChoices(cs []any) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = formatAny(c)
	}
	return "[" + strings.Join(out, ", ") + "]"
}
