package mlp

import (
	"context"
	"math"

	"github.com/hpsearch/hpsearch/trainers"
	"gonum.org/v1/gonum/blas/blas64"
)

// trainSettings are the optimizer settings of one Fit.
type trainSettings struct {
	lr, alpha, tol float64
	epochs, batch  int
	patience       int
}

// Adam's constants, sklearn's defaults.
const (
	beta1, beta2, adamEps = 0.9, 0.999, 1e-8
	probEps               = 1e-10 // clip for log(p), as sklearn's log_loss
)

// train runs mini-batch Adam for up to s.epochs epochs, shuffling the
// rows every epoch, and stops early like sklearn when the epoch loss has
// not improved by s.tol for more than s.patience epochs.
func (n *network) train(ctx context.Context, X trainers.Matrix, y []float64, s trainSettings) error {
	rows := X.Rows
	order := make([]int, rows)
	for i := range order {
		order[i] = i
	}
	acts, deltas := n.buffers(s.batch)
	yb := make([]float64, s.batch)
	best, stale := math.Inf(1), 0
	step := 0
	for epoch := 0; epoch < s.epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		n.rng.Shuffle(rows, func(i, j int) { order[i], order[j] = order[j], order[i] })
		var epochLoss float64
		for start := 0; start < rows; start += s.batch {
			end := min(start+s.batch, rows)
			b := end - start
			a, d := resize(acts, b), resize(deltas, b)
			for i, r := range order[start:end] {
				copy(a[0].Data[i*X.Cols:(i+1)*X.Cols], X.Row(r))
				yb[i] = y[r]
			}
			n.forward(a)
			epochLoss += n.backward(a, d, yb[:b], s.alpha) * float64(b)
			step++
			n.adam(s.lr, step)
		}
		epochLoss /= float64(rows)
		if epochLoss > best-s.tol {
			stale++
		} else {
			stale = 0
		}
		best = min(best, epochLoss)
		if stale > s.patience {
			break
		}
	}
	return nil
}

// resize views the first b rows of each buffer.
func resize(bufs []blas64.General, b int) []blas64.General {
	out := make([]blas64.General, len(bufs))
	for i, m := range bufs {
		m.Rows = b
		out[i] = m
	}
	return out
}

// backward computes the batch loss (with the L2 term) and fills every
// layer's gradient, both averaged over the batch as sklearn does.
func (n *network) backward(acts, deltas []blas64.General, y []float64, alpha float64) float64 {
	b := len(y)
	last := len(n.layers) - 1
	out, dl := acts[last+1], deltas[last]
	k := out.Cols
	var loss float64
	for i := 0; i < b; i++ {
		p := out.Data[i*k : (i+1)*k]
		d := dl.Data[i*k : (i+1)*k]
		copy(d, p)
		switch n.out {
		case outIdentity:
			r := p[0] - y[i]
			loss += 0.5 * r * r
			d[0] = r
		case outLogistic:
			q := min(max(p[0], probEps), 1-probEps)
			if y[i] == 1 {
				loss -= math.Log(q)
			} else {
				loss -= math.Log(1 - q)
			}
			d[0] -= y[i]
		case outSoftmax:
			c := int(y[i])
			loss -= math.Log(min(max(p[c], probEps), 1-probEps))
			d[c]--
		}
	}
	inv := 1 / float64(b)
	var sq float64
	for l := last; l >= 0; l-- {
		ly := &n.layers[l]
		d := deltas[l]
		// gw = (aᵀ·δ + alpha·W) / b; gb = Σ δ / b.
		gw := blas64.General{Rows: ly.w.Rows, Cols: ly.w.Cols, Stride: ly.w.Stride, Data: ly.gw}
		for i, w := range ly.w.Data {
			gw.Data[i] = alpha * w * inv
			sq += w * w
		}
		gemm(true, false, inv, acts[l], d, 1, gw)
		clear(ly.gb)
		for i := 0; i < b; i++ {
			for j, v := range d.Data[i*d.Stride : i*d.Stride+d.Cols] {
				ly.gb[j] += v * inv
			}
		}
		if l > 0 {
			prev := deltas[l-1]
			gemm(false, true, 1, d, ly.w, 0, prev)
			n.act.backprop(acts[l].Data[:b*acts[l].Stride], prev.Data[:b*prev.Stride])
		}
	}
	return loss*inv + 0.5*alpha*sq*inv
}

// adam applies one Adam step with sklearn's bias-corrected learning rate.
func (n *network) adam(lr float64, t int) {
	rate := lr * math.Sqrt(1-math.Pow(beta2, float64(t))) / (1 - math.Pow(beta1, float64(t)))
	for l := range n.layers {
		ly := &n.layers[l]
		adamUpdate(ly.w.Data, ly.gw, ly.mw, ly.vw, rate)
		adamUpdate(ly.b.Data, ly.gb, ly.mb, ly.vb, rate)
	}
}

func adamUpdate(p, g, m, v []float64, rate float64) {
	p, m, v = p[:len(g)], m[:len(g)], v[:len(g)]
	for i, gi := range g {
		m[i] = beta1*m[i] + (1-beta1)*gi
		v[i] = beta2*v[i] + (1-beta2)*gi*gi
		p[i] -= rate * m[i] / (math.Sqrt(v[i]) + adamEps)
	}
}
