package lambdaexec

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/hpsearch/hpsearch/internal/jsonenc"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// requestShape is what an invocation's payload holds besides its trial:
// the study's settings (Executor.Base, its Trial ignored) and the
// executor's.
type requestShape struct {
	base           worker.Request
	results        *worker.ResultsRef
	trialTimeoutMS int64
	prunePollMS    int64
}

// requestTemplate is the payload of every invocation of one shape, cut
// where the trial goes: prefix, the trial's JSON, suffix. ok is false
// when the shape's payload could not be cut so, and json.Marshal renders
// each payload whole.
type requestTemplate struct {
	shape          requestShape
	results        worker.ResultsRef // *shape.results when it was made
	prefix, suffix []byte
	ok             bool
}

// requestEncoder renders the payloads of an Executor's invocations,
// byte for byte what json.Marshal(worker.LambdaRequest) renders. Every
// invocation of a study differs only in its trial, so the rest is
// rendered once (and again whenever Executor.Base or Results change,
// as between two studies of compare), and each payload is the template
// with the trial spliced in, rendered by jsonenc: at concurrency 1,000
// encoding/json's reflection over the whole request was a few percent of
// the executor's CPU a trial. A trial jsonenc does not render (a
// parameter holding a list, say) is left to json.Marshal. It is safe for
// concurrent use.
type requestEncoder struct {
	template atomic.Pointer[requestTemplate]
}

// encode returns the payload of an invocation of t with the settings of
// shape.
func (r *requestEncoder) encode(shape requestShape, t trial.Trial) ([]byte, error) {
	tmpl := r.template.Load()
	if tmpl == nil || !tmpl.fits(&shape) {
		tmpl = newRequestTemplate(shape)
		r.template.Store(tmpl)
	}
	if tmpl.ok {
		buf := make([]byte, 0, len(tmpl.prefix)+len(tmpl.suffix)+64+32*len(t.Params))
		buf = append(buf, tmpl.prefix...)
		if buf, ok := appendTrial(buf, &t); ok {
			return append(buf, tmpl.suffix...), nil
		}
	}
	req := shape.base
	req.Trial = t
	return json.Marshal(worker.LambdaRequest{Request: req, Results: shape.results,
		TrialTimeoutMS: shape.trialTimeoutMS, PrunePollMS: shape.prunePollMS})
}

// fits reports whether the template renders the payloads of shape.
func (tmpl *requestTemplate) fits(shape *requestShape) bool {
	if shape.trialTimeoutMS != tmpl.shape.trialTimeoutMS || shape.prunePollMS != tmpl.shape.prunePollMS ||
		(shape.results == nil) != (tmpl.shape.results == nil) ||
		shape.results != nil && *shape.results != tmpl.results {
		return false
	}
	return sameSettings(&shape.base, &tmpl.shape.base)
}

// sameSettings reports whether a and b render the same JSON but for their
// trials: whether their exported fields other than Trial are equal (the
// unexported ones are not rendered). TestSameSettingsComparesEveryField
// fails when worker.Request gains a field this does not compare.
func sameSettings(a, b *worker.Request) bool {
	return a.Study == b.Study && a.Dataset == b.Dataset && a.Target == b.Target && a.Task == b.Task &&
		a.Metric == b.Metric && a.CV == b.CV && a.Preprocess == b.Preprocess && slices.Equal(a.Command, b.Command) &&
		a.Workdir == b.Workdir && a.CommandTimeoutMS == b.CommandTimeoutMS
}

// newRequestTemplate renders shape's payload with an empty trial and cuts
// it around the trial. The trial must come second, after the study's
// name, as worker.Request declares it; if it does not, the template is
// not ok.
func newRequestTemplate(shape requestShape) *requestTemplate {
	shape.base.Trial = trial.Trial{}
	tmpl := &requestTemplate{shape: shape}
	if shape.results != nil {
		tmpl.results = *shape.results
	}
	whole, err := json.Marshal(worker.LambdaRequest{Request: shape.base, Results: shape.results,
		TrialTimeoutMS: shape.trialTimeoutMS, PrunePollMS: shape.prunePollMS})
	if err != nil {
		return tmpl
	}
	study, err := json.Marshal(shape.base.Study)
	if err != nil {
		return tmpl
	}
	empty, ok := appendTrial(nil, &trial.Trial{})
	if !ok {
		return tmpl
	}
	prefix := append(append(append([]byte(`{"study":`), study...), `,"trial":`...), empty...)
	if !bytes.HasPrefix(whole, prefix) {
		return tmpl
	}
	tmpl.prefix = prefix[:len(prefix)-len(empty)]
	tmpl.suffix = whole[len(prefix):]
	tmpl.ok = true
	return tmpl
}

// appendTrial appends t as encoding/json renders a trial.Trial; ok is
// false for a trial jsonenc does not render.
func appendTrial(buf []byte, t *trial.Trial) (_ []byte, ok bool) {
	buf = append(buf, `{"number":`...)
	buf = strconv.AppendInt(buf, int64(t.Number), 10)
	buf = append(buf, `,"model":`...)
	buf = jsonenc.AppendString(buf, t.Model)
	buf = append(buf, `,"params":`...)
	if buf, ok = jsonenc.AppendParams(buf, t.Params); !ok {
		return buf, false
	}
	buf = append(buf, `,"seed":`...)
	buf = strconv.AppendUint(buf, t.Seed, 10)
	buf = append(buf, `,"budget":`...)
	if buf, ok = jsonenc.AppendBudget(buf, t.Budget); !ok {
		return buf, false
	}
	if t.Attempt != 0 {
		buf = append(buf, `,"attempt":`...)
		buf = strconv.AppendInt(buf, int64(t.Attempt), 10)
	}
	return append(buf, '}'), true
}
