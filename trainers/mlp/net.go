package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hpsearch/hpsearch/internal/fastmath"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/dense"
	"gonum.org/v1/gonum/blas/blas64"
)

// activation is a hidden-layer nonlinearity.
type activation int

const (
	relu activation = iota
	tanh
	logistic
	identity
)

func parseActivation(s string) (activation, error) {
	switch s {
	case "relu":
		return relu, nil
	case "tanh":
		return tanh, nil
	case "logistic":
		return logistic, nil
	case "identity":
		return identity, nil
	}
	return 0, fmt.Errorf("mlp: unknown activation %q", s)
}

// apply overwrites z with act(z).
func (a activation) apply(z []float64) {
	switch a {
	case relu:
		// Clearing negatives through the sign bit avoids a branch that
		// would mispredict for half the units.
		for i, v := range z {
			b := math.Float64bits(v)
			z[i] = math.Float64frombits(b &^ uint64(int64(b)>>63))
		}
	case tanh:
		for i, v := range z {
			z[i] = math.Tanh(v)
		}
	case logistic:
		for i, v := range z {
			z[i] = sigmoid(v)
		}
	}
}

// backprop multiplies delta by act'(z), written in terms of a = act(z).
func (a activation) backprop(act, delta []float64) {
	switch a {
	case relu:
		// Half the units are off, at random: a branch would mispredict,
		// so the mask is built without one.
		delta = delta[:len(act)]
		for i, v := range act {
			var keep uint64
			if v > 0 {
				keep = ^uint64(0)
			}
			delta[i] = math.Float64frombits(math.Float64bits(delta[i]) & keep)
		}
	case tanh:
		for i, v := range act {
			delta[i] *= 1 - v*v
		}
	case logistic:
		for i, v := range act {
			delta[i] *= v * (1 - v)
		}
	}
}

// output is the kind of output layer and loss.
type output int

const (
	outIdentity output = iota // squared error, regression
	outLogistic               // one sigmoid unit, binary log loss
	outSoftmax                // softmax, multinomial log loss
)

// layer holds the weights (in×out, row-major) and biases of one layer,
// their gradients and Adam moments.
type layer struct {
	w, b   blas64.General
	gw, gb []float64
	mw, vw []float64
	mb, vb []float64
}

// network is the whole model.
type network struct {
	layers []layer
	act    activation
	out    output
	rng    *rand.Rand
}

// newNetwork draws Glorot-uniform weights and biases like sklearn: bound
// sqrt(6/(fan_in+fan_out)), or sqrt(2/…) for the logistic activation.
func newNetwork(sizes []int, act activation, out output, seed uint64) *network {
	n := &network{act: act, out: out, rng: rand.New(rand.NewPCG(seed, 0x6d6c70))}
	factor := 6.0
	if act == logistic {
		factor = 2
	}
	for l := 0; l+1 < len(sizes); l++ {
		in, o := sizes[l], sizes[l+1]
		bound := math.Sqrt(factor / float64(in+o))
		ly := layer{
			w:  blas64.General{Rows: in, Cols: o, Stride: o, Data: make([]float64, in*o)},
			b:  blas64.General{Rows: 1, Cols: o, Stride: o, Data: make([]float64, o)},
			gw: make([]float64, in*o), gb: make([]float64, o),
			mw: make([]float64, in*o), vw: make([]float64, in*o),
			mb: make([]float64, o), vb: make([]float64, o),
		}
		for i := range ly.w.Data {
			ly.w.Data[i] = (2*n.rng.Float64() - 1) * bound
		}
		for i := range ly.b.Data {
			ly.b.Data[i] = (2*n.rng.Float64() - 1) * bound
		}
		n.layers = append(n.layers, ly)
	}
	return n
}

// forward computes the activations of every layer for the rows of
// acts[0] (rows×in), writing acts[l+1]; the last is the output layer.
func (n *network) forward(acts []blas64.General) {
	for l, ly := range n.layers {
		a, z := acts[l], acts[l+1]
		for i := 0; i < z.Rows; i++ {
			copy(z.Data[i*z.Stride:i*z.Stride+z.Cols], ly.b.Data)
		}
		gemm(false, false, 1, a, ly.w, 1, z)
		if l < len(n.layers)-1 {
			n.act.apply(z.Data[:z.Rows*z.Stride])
			continue
		}
		switch n.out {
		case outLogistic:
			for i, v := range z.Data[:z.Rows] {
				z.Data[i] = sigmoid(v)
			}
		case outSoftmax:
			for i := 0; i < z.Rows; i++ {
				softmax(z.Data[i*z.Stride : i*z.Stride+z.Cols])
			}
		}
	}
}

// buffers allocates activation and delta matrices for batches of rows.
func (n *network) buffers(rows int) (acts, deltas []blas64.General) {
	in := n.layers[0].w.Rows
	acts = []blas64.General{{Rows: rows, Cols: in, Stride: in, Data: make([]float64, rows*in)}}
	for _, ly := range n.layers {
		o := ly.w.Cols
		acts = append(acts, blas64.General{Rows: rows, Cols: o, Stride: o, Data: make([]float64, rows*o)})
		deltas = append(deltas, blas64.General{Rows: rows, Cols: o, Stride: o, Data: make([]float64, rows*o)})
	}
	return acts, deltas
}

// forwardAll returns the output layer for all rows of X.
func (n *network) forwardAll(X trainers.Matrix) blas64.General {
	acts, _ := n.buffers(X.Rows)
	copy(acts[0].Data, X.Data)
	n.forward(acts)
	return acts[len(acts)-1]
}

func sigmoid(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + fastmath.Exp(-t))
	}
	e := fastmath.Exp(t)
	return e / (1 + e)
}

func softmax(z []float64) {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var s float64
	for i, v := range z {
		z[i] = fastmath.Exp(v - m)
		s += z[i]
	}
	inv := 1 / s
	for i := range z {
		z[i] *= inv
	}
}

// gemm is dense.Gemm on blas64.General operands: c = alpha·op(a)·op(b) +
// beta·c, op transposing when the flag is set.
func gemm(transA, transB bool, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	k := a.Cols
	if transA {
		k = a.Rows
	}
	dense.Gemm(transA, transB, c.Rows, c.Cols, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
}
