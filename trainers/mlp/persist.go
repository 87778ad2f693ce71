package mlp

import (
	"errors"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
	"github.com/hpsearch/hpsearch/trial"
	"gonum.org/v1/gonum/blas/blas64"
)

var _ trainers.Persistent = (*model)(nil)

// maxInputs bounds the input width a decoded network may claim.
const maxInputs = 1 << 30

// MarshalBinary encodes the input width and every layer's weights and
// biases; the other layer sizes follow from the parameters and the task.
func (m *model) MarshalBinary() ([]byte, error) {
	if m.net == nil {
		return nil, errors.New("mlp: marshal: not fitted")
	}
	w := wire.NewWriter("mlp", 1)
	w.Uint(uint64(m.net.layers[0].w.Rows))
	for _, ly := range m.net.layers {
		w.Floats(ly.w.Data)
		w.Floats(ly.b.Data)
	}
	return w.Bytes(), nil
}

// UnmarshalBinary restores a network encoded by MarshalBinary, whose
// layers must have the widths m's hidden_layer_sizes and task give.
func (m *model) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "mlp", 1)
	in := r.Count("inputs", maxInputs)
	if r.Err() == nil && in == 0 {
		r.Failf("no inputs")
	}
	out, kind := 1, outIdentity
	if m.task == trial.Classification {
		out, kind = m.classes, outSoftmax
		if m.classes == 2 {
			out, kind = 1, outLogistic
		}
	}
	sizes := append(append([]int{in}, m.hidden...), out)
	net := &network{act: m.act, out: kind}
	for l := 0; l+1 < len(sizes) && r.Err() == nil; l++ {
		a, b := sizes[l], sizes[l+1]
		w := r.FloatsN(fmt.Sprintf("layer %d weights", l+1), a*b)
		bias := r.FloatsN(fmt.Sprintf("layer %d biases", l+1), b)
		net.layers = append(net.layers, layer{
			w: blas64.General{Rows: a, Cols: b, Stride: b, Data: w},
			b: blas64.General{Rows: 1, Cols: b, Stride: b, Data: bias},
		})
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("mlp: unmarshal: %w", err)
	}
	m.net = net
	return nil
}
