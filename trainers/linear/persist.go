package linear

import (
	"errors"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
)

// The fitted state of the three families, for trainers.Persistent: the
// weights as fitted, so a restored model computes the same dot products
// and predicts the same bits.
var (
	_ trainers.Persistent = (*logisticModel)(nil)
	_ trainers.Persistent = (*ridgeModel)(nil)
	_ trainers.Persistent = (*svmModel)(nil)
)

// maxFeatures bounds the number of columns a decoded model may claim, so
// that d×k cannot overflow.
const maxFeatures = 1 << 30

var errUnfitted = errors.New("not fitted")

// MarshalBinary encodes the weights and intercepts.
func (m *logisticModel) MarshalBinary() ([]byte, error) {
	if m.w == nil {
		return nil, fmt.Errorf("logistic_regression: marshal: %w", errUnfitted)
	}
	w := wire.NewWriter("logistic_regression", 1)
	w.Uint(uint64(m.d))
	w.Uint(uint64(m.k))
	w.Floats(m.w)
	return w.Bytes(), nil
}

// UnmarshalBinary restores weights encoded by MarshalBinary for as many
// classes as m was built with.
func (m *logisticModel) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "logistic_regression", 1)
	d := r.Count("features", maxFeatures)
	k := r.Count("outputs", m.classes)
	want := m.classes
	if want == 2 {
		want = 1
	}
	if r.Err() == nil && k != want {
		r.Failf("%d outputs for %d classes, want %d", k, m.classes, want)
	}
	w := r.FloatsN("weights", d*k+k)
	if err := r.Close(); err != nil {
		return fmt.Errorf("logistic_regression: unmarshal: %w", err)
	}
	m.d, m.k, m.w = d, k, w
	return nil
}

// MarshalBinary encodes the coefficients and the intercept.
func (m *ridgeModel) MarshalBinary() ([]byte, error) {
	if m.w == nil {
		return nil, fmt.Errorf("ridge: marshal: %w", errUnfitted)
	}
	w := wire.NewWriter("ridge", 1)
	w.Floats(m.w)
	w.Float(m.intercept)
	return w.Bytes(), nil
}

// UnmarshalBinary restores what MarshalBinary encoded.
func (m *ridgeModel) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "ridge", 1)
	w := r.Floats()
	b := r.Float()
	if err := r.Close(); err != nil {
		return fmt.Errorf("ridge: unmarshal: %w", err)
	}
	m.w, m.intercept = w, b
	return nil
}

// MarshalBinary encodes one weight vector (with its bias last) per
// one-vs-rest problem.
func (m *svmModel) MarshalBinary() ([]byte, error) {
	if m.w == nil {
		return nil, fmt.Errorf("linear_svm: marshal: %w", errUnfitted)
	}
	w := wire.NewWriter("linear_svm", 1)
	w.Uint(uint64(m.d))
	w.Uint(uint64(len(m.w)))
	for _, v := range m.w {
		w.Floats(v)
	}
	return w.Bytes(), nil
}

// UnmarshalBinary restores what MarshalBinary encoded, for as many
// classes as m was built with.
func (m *svmModel) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "linear_svm", 1)
	d := r.Count("features", maxFeatures)
	want := m.classes
	if want == 2 {
		want = 1
	}
	if n := r.Count("problems", want); r.Err() == nil && n != want {
		r.Failf("%d one-vs-rest problems for %d classes, want %d", n, m.classes, want)
	}
	ws := make([][]float64, 0, want)
	for p := 0; p < want && r.Err() == nil; p++ {
		ws = append(ws, r.FloatsN("weights", d+1))
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("linear_svm: unmarshal: %w", err)
	}
	m.d, m.w = d, ws
	return nil
}
