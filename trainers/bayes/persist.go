package bayes

import (
	"errors"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
)

var _ trainers.Persistent = (*gaussianModel)(nil)

// maxFeatures bounds the columns a decoded model may claim.
const maxFeatures = 1 << 30

// MarshalBinary encodes the fitted Gaussians: per class its log prior,
// the constant of its normal density, and each feature's mean and inverse
// variance, exactly as Predict uses them.
func (m *gaussianModel) MarshalBinary() ([]byte, error) {
	if m.logPrior == nil {
		return nil, errors.New("naive_bayes: marshal: not fitted")
	}
	w := wire.NewWriter("naive_bayes", 1)
	w.Uint(uint64(m.d))
	w.Floats(m.logPrior)
	w.Floats(m.logNorm)
	for c := range m.logPrior {
		w.Floats(m.mean[c])
		w.Floats(m.invVar[c])
	}
	return w.Bytes(), nil
}

// UnmarshalBinary restores what MarshalBinary encoded, for as many
// classes as m was built with.
func (m *gaussianModel) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "naive_bayes", 1)
	d := r.Count("features", maxFeatures)
	prior := r.FloatsN("log priors", m.classes)
	norm := r.FloatsN("normalizers", m.classes)
	var mean, inv [][]float64
	for c := 0; c < m.classes && r.Err() == nil; c++ {
		mean = append(mean, r.FloatsN("means", d))
		inv = append(inv, r.FloatsN("inverse variances", d))
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("naive_bayes: unmarshal: %w", err)
	}
	m.d, m.logPrior, m.logNorm, m.mean, m.invVar = d, prior, norm, mean, inv
	return nil
}
