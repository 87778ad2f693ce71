package preprocess

import (
	"encoding"
	"errors"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers/internal/wire"
)

var (
	_ encoding.BinaryMarshaler   = (*Pipeline)(nil)
	_ encoding.BinaryUnmarshaler = (*Pipeline)(nil)
)

// maxCols bounds the columns a decoded pipeline may claim.
const maxCols = 1 << 30

// MarshalBinary encodes the fitted statistics of every step, under the
// same contract as trainers.Persistent: deterministic bytes, and a
// pipeline made by NewPipeline with the same scale and impute and then
// restored transforms bit for bit as this one. A pipeline without steps
// has nothing to fit and marshals whether or not Fit was called; one with
// steps must be fitted first.
func (p *Pipeline) MarshalBinary() ([]byte, error) {
	w := wire.NewWriter("pipeline", 1)
	w.Uint(uint64(len(p.steps)))
	for _, s := range p.steps {
		switch s := s.(type) {
		case *Imputer:
			if s.fill == nil {
				return nil, errors.New("preprocess: marshal: imputer not fitted")
			}
			w.String("impute")
			w.String(s.strategy)
			w.Floats(s.fill)
		case *Scaler:
			if s.scale == nil {
				return nil, errors.New("preprocess: marshal: scaler not fitted")
			}
			w.String("scale")
			w.String(s.method)
			w.Floats(s.center)
			w.Floats(s.scale)
		default:
			return nil, fmt.Errorf("preprocess: marshal: step %T has no encoding", s)
		}
	}
	return w.Bytes(), nil
}

// UnmarshalBinary restores statistics encoded by MarshalBinary into a
// pipeline built with the same settings: the steps, their methods and
// their column counts must match, or it returns an error wrapping
// trainers.ErrBadState and leaves p as it was.
func (p *Pipeline) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "pipeline", 1)
	if n := r.Count("steps", len(p.steps)); r.Err() == nil && n != len(p.steps) {
		r.Failf("%d steps, this pipeline has %d", n, len(p.steps))
	}
	type restored struct{ a, b []float64 }
	var got []restored
	cols := -1
	for _, s := range p.steps {
		if r.Err() != nil {
			break
		}
		kind, method := r.String(), r.String()
		var st restored
		switch s := s.(type) {
		case *Imputer:
			if r.Err() == nil && (kind != "impute" || method != s.strategy) {
				r.Failf("step %s %s, want impute %s", kind, method, s.strategy)
			}
			st.a = r.Floats()
		case *Scaler:
			if r.Err() == nil && (kind != "scale" || method != s.method) {
				r.Failf("step %s %s, want scale %s", kind, method, s.method)
			}
			st.a = r.Floats()
			st.b = r.FloatsN("scales", len(st.a))
		}
		if r.Err() == nil && cols >= 0 && len(st.a) != cols {
			r.Failf("a step on %d columns after one on %d", len(st.a), cols)
		}
		if r.Err() == nil && len(st.a) > maxCols {
			r.Failf("%d columns", len(st.a))
		}
		cols = len(st.a)
		got = append(got, st)
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("preprocess: unmarshal: %w", err)
	}
	for i, s := range p.steps {
		switch s := s.(type) {
		case *Imputer:
			s.fill = got[i].a
		case *Scaler:
			s.center, s.scale = got[i].a, got[i].b
		}
	}
	return nil
}
