package search

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// EarlyStoppingTypes are the early_stopping types NewSampler knows.
var EarlyStoppingTypes = []string{"asha", "hyperband", "median"}

// DataFraction is the budget that trains on a share of each training fold
// instead of changing a model parameter (the worker's budget of the same
// name); every dataset model accepts it.
const DataFraction = "data_fraction"

// DefaultEta is early_stopping.eta when the spec gives none.
const DefaultEta = 3

// maxRungs bounds the number of rungs, so a tiny min cannot make thousands.
const maxRungs = 64

// validateEarlyStopping checks the early_stopping: block against the
// models and fills in Eta and Rungs (the budget of every rung, from Min
// up to Max). It is idempotent: a resolved block validates to itself.
func (s *Spec) validateEarlyStopping(infos []trial.ModelInfo) error {
	es := s.EarlyStopping
	if es == nil {
		return nil
	}
	const f = "early_stopping"
	switch {
	case es.Type == "":
		return s.Errorf(f+".type", "is required: %s", strings.Join(EarlyStoppingTypes, ", "))
	case !contains(EarlyStoppingTypes, es.Type):
		return s.Errorf(f+".type", "unknown type %q%s (types: %s)", es.Type, didYouMean(es.Type, EarlyStoppingTypes), strings.Join(EarlyStoppingTypes, ", "))
	case s.Search.Method == "grid":
		return s.Errorf(f, "early stopping needs a sampler that can always propose another configuration (method: random, sobol or tpe); a grid ends before the promising configurations are promoted")
	case es.Budget == "":
		return s.Errorf(f+".budget", "is required: a budget parameter of the model (such as n_estimators or max_iter; see hpsearch models) or data_fraction")
	}
	isInt, err := s.checkBudgetParam(infos)
	if err != nil {
		return err
	}
	var decls []trial.ParamDecl // the budget parameter as each family declares it
	for _, info := range infos {
		if d, ok := info.Lookup(es.Budget); ok && d.Budget {
			decls = append(decls, d)
		}
	}
	_, rungsSet := s.Lines[f+".rungs"]
	_, minSet := s.Lines[f+".min"]
	_, maxSet := s.Lines[f+".max"]
	_, etaSet := s.Lines[f+".eta"]
	if rungsSet && (minSet || maxSet) {
		return s.Errorf(f+".rungs", "give either rungs or min and max, not both")
	}
	if etaSet && es.Eta < 2 {
		return s.Errorf(f+".eta", "must be at least 2, not %d: each rung keeps the top 1/eta", es.Eta)
	}
	if es.Eta == 0 {
		es.Eta = DefaultEta
	}
	if es.Eta < 2 {
		return s.Errorf(f+".eta", "must be at least 2, not %d", es.Eta)
	}
	if len(es.Rungs) > 0 {
		for i, r := range es.Rungs {
			field := fmt.Sprintf("%s.rungs[%d]", f, i)
			if err := s.checkBudgetValue(field, r, isInt, decls); err != nil {
				return err
			}
			if i > 0 && r <= es.Rungs[i-1] {
				return s.Errorf(field, "rungs must increase: %s is not above %s", trial.FormatValue(r), trial.FormatValue(es.Rungs[i-1]))
			}
		}
		if len(es.Rungs) < 2 {
			return s.Errorf(f+".rungs", "needs at least two budgets")
		}
		if len(es.Rungs) > maxRungs {
			return s.Errorf(f+".rungs", "has %d budgets; at most %d", len(es.Rungs), maxRungs)
		}
		es.Min, es.Max = es.Rungs[0], es.Rungs[len(es.Rungs)-1]
	} else {
		if !minSet && es.Min == 0 || !maxSet && es.Max == 0 {
			return s.Errorf(f, "needs min and max: the smallest and the full budget (or rungs: [...])")
		}
		if err := s.checkBudgetValue(f+".min", es.Min, isInt, decls); err != nil {
			return err
		}
		if err := s.checkBudgetValue(f+".max", es.Max, isInt, decls); err != nil {
			return err
		}
		if es.Min >= es.Max {
			return s.Errorf(f+".min", "min %s must be less than max %s", trial.FormatValue(es.Min), trial.FormatValue(es.Max))
		}
		es.Rungs = rungBudgets(es.Min, es.Max, es.Eta, isInt)
		if len(es.Rungs) > maxRungs {
			return s.Errorf(f+".min", "min %s and max %s make %d rungs with eta %d; at most %d", trial.FormatValue(es.Min), trial.FormatValue(es.Max), len(es.Rungs), es.Eta, maxRungs)
		}
	}
	if es.Brackets != 0 || s.given(f+".brackets") {
		switch {
		case es.Type != "hyperband":
			return s.Errorf(f+".brackets", "applies to type: hyperband only")
		case es.Brackets < 1 || es.Brackets > len(es.Rungs):
			return s.Errorf(f+".brackets", "must be between 1 and %d (the number of rungs)", len(es.Rungs))
		}
	}
	return nil
}

// checkBudgetParam checks that every model accepts the budget and that no
// family searches it too, and reports whether its values are integers.
func (s *Spec) checkBudgetParam(infos []trial.ModelInfo) (isInt bool, err error) {
	es := s.EarlyStopping
	const field = "early_stopping.budget"
	for i, info := range infos {
		for _, d := range s.Models[i].Params {
			if d.Name == es.Budget {
				return false, s.Errorf(s.modelField(i, "parameters."+d.Name),
					"%s is the early-stopping budget, set per rung from early_stopping min and max; remove it from the parameters", d.Name)
			}
		}
		if es.Budget == DataFraction {
			if info.Objective {
				return false, s.Errorf(field, "data_fraction needs a dataset; objective model %s has none", info.Name)
			}
			continue
		}
		if info.FreeForm {
			continue
		}
		decl, ok := info.Lookup(es.Budget)
		if !ok || !decl.Budget {
			var budgets []string
			for _, p := range info.Param {
				if p.Budget {
					budgets = append(budgets, p.Name)
				}
			}
			what := "is not a parameter of"
			if ok {
				what = "is not a budget parameter of"
			}
			has := "it declares none"
			if len(budgets) > 0 {
				has = "its budget: " + strings.Join(budgets, ", ")
			}
			hint := "; data_fraction works with any model"
			if info.Objective {
				hint = ""
			} else {
				budgets = append(budgets, DataFraction)
			}
			return false, s.errorAt(field, trial.ErrUnknownParam, "%s %s model %s (%s)%s%s", es.Budget, what, info.Name, has, hint, didYouMean(es.Budget, budgets))
		}
		isInt = isInt || decl.Kind == trial.Int
	}
	return isInt, nil
}

// checkBudgetValue checks one budget (min, max or a rung) against the
// budget parameter's declarations, decls.
func (s *Spec) checkBudgetValue(field string, v float64, isInt bool, decls []trial.ParamDecl) error {
	es := s.EarlyStopping
	switch {
	case !(v > 0) || math.IsInf(v, 0):
		return s.Errorf(field, "a budget must be positive, not %s", trial.FormatValue(v))
	case es.Budget == DataFraction && v > 1:
		return s.Errorf(field, "data_fraction is a share of each training fold, in (0, 1], not %s", trial.FormatValue(v))
	case isInt && v != math.Trunc(v):
		return s.Errorf(field, "%s is an int parameter; %s is not an integer", es.Budget, trial.FormatValue(v))
	}
	// Every rung runs the model with this budget, so it must be a value
	// the budget parameter accepts (n_estimators has an upper bound).
	for _, d := range decls {
		if err := inRange(d, v); err != nil {
			return s.Errorf(field, "%s %v", es.Budget, err)
		}
	}
	return nil
}

// rungBudgets returns min, min·eta, min·eta², ... capped at max, which is
// always the last; integer budgets are rounded, and repeats dropped.
func rungBudgets(lo, hi float64, eta int, isInt bool) []float64 {
	var out []float64
	for b := lo; len(out) <= maxRungs; b *= float64(eta) {
		v := min(b, hi)
		if isInt {
			v = math.Round(v)
		} else {
			v = clean(v, lo, hi)
		}
		if len(out) == 0 || v > out[len(out)-1] {
			out = append(out, v)
		}
		if v >= hi {
			break
		}
	}
	return slices.Clip(out)
}
