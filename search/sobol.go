package search

import (
	"math/bits"
	"math/rand/v2"

	"github.com/hpsearch/hpsearch/trial"
)

// sobolSampler proposes points of a scrambled Sobol sequence, which cover
// the space more evenly than independent random draws: the first 2^k
// points put exactly one point in each of 2^k equal slices of every
// coordinate, and the first two coordinates form a (0, m, 2)-net.
//
// Coordinates are assigned in order: the first picks the model family
// (floor(u·families)) when there are several; the rest go to the family's
// non-constant dimensions in YAML order. Each coordinate is mapped to a
// value as random search maps its uniform draws (axis.fromUnit), so a
// categorical of k values takes floor(u·k).
//
// The sequence uses Joe and Kuo's direction numbers (new-joe-kuo-6.21201)
// with a random linear matrix scramble and a random digital shift, both
// drawn from the study seed (Matoušek's affine scrambling; it keeps the
// net properties). Point n is computed directly from the Gray code of n,
// so it depends on (seed, n) alone.
//
// Over a finite space NewSampler wraps it in a uniqueSampler, which skips
// the configurations already proposed, so the sequence's even coverage
// reaches every configuration early; a continuous space is sampled as
// above.
type sobolSampler struct {
	fams []family
	seq  *sobolSeq
}

var (
	_ Sampler    = (*sobolSampler)(nil)
	_ unitSource = (*sobolSampler)(nil)
)

// maxSobolDims is how many coordinates the direction-number table covers.
const maxSobolDims = 1 + len(joeKuo)

// sobolBits is both the resolution of a coordinate (2^-52) and the number
// of index bits: the sequence has 2^52 points.
const sobolBits = 52

func newSobolSampler(s *Spec) (*sobolSampler, error) {
	d := sobolDims(s)
	if d > maxSobolDims {
		return nil, errUnvalidated("too many sobol dimensions")
	}
	return &sobolSampler{fams: compile(s), seq: newSobolSeq(d, s.Search.Seed)}, nil
}

// sobolDims is the number of sequence coordinates s needs.
func sobolDims(s *Spec) int {
	d := 0
	for _, ms := range s.Models {
		k := 0
		for _, p := range ms.Params {
			if len(p.Values) != 1 {
				k++
			}
		}
		d = max(d, k)
	}
	if len(s.Models) > 1 {
		d++
	}
	return d
}

func (s *sobolSampler) Ask(n int) (trial.Trial, bool) {
	if n < 0 || uint64(n) >= 1<<sobolBits || len(s.fams) == 0 {
		return trial.Trial{}, false
	}
	fi, u := s.units(n)
	return paramsOf(s.fams[fi], func(j int, a axis) any { return a.fromUnit(u[j]) }), true
}

// units returns point n of the sequence as the family and a u per
// dimension of it; a constant takes no coordinate (its u is 0). Beyond
// the sequence's 2^52 points it wraps around.
func (s *sobolSampler) units(n int) (int, []float64) {
	pt := make([]float64, len(s.seq.shift))
	s.seq.point(uint64(n)&(1<<sobolBits-1), pt)
	fi, c := 0, 0
	if len(s.fams) > 1 {
		fi, c = int(index(pt[0], int64(len(s.fams)))), 1
	}
	u := make([]float64, len(s.fams[fi].axes))
	for j, a := range s.fams[fi].axes {
		if !a.constant() {
			u[j] = pt[c]
			c++
		}
	}
	return fi, u
}

func (s *sobolSampler) Tell(trial.Result) {}

// sobolSeq is a scrambled Sobol sequence in a fixed number of dimensions.
type sobolSeq struct {
	dirs  [][sobolBits]uint64 // scrambled direction numbers, [dim][bit]
	shift []uint64            // digital shift per dimension
}

func newSobolSeq(dims int, seed uint64) *sobolSeq {
	rng := rand.New(rand.NewPCG(seed, sobolStream))
	s := &sobolSeq{dirs: make([][sobolBits]uint64, dims), shift: make([]uint64, dims)}
	const all = 1<<sobolBits - 1
	for j := range dims {
		// A random lower-triangular binary matrix with unit diagonal:
		// output digit r (r = 0 is the most significant) is the XOR of
		// input digit r and a random subset of the digits above it, so the
		// first m output digits are a bijection of the first m input
		// digits and every 2^-m stratum keeps its one point.
		var rows [sobolBits]uint64
		for r := range sobolBits {
			above := uint64(all) &^ (1<<(sobolBits-r) - 1)
			rows[r] = rng.Uint64()&above | 1<<(sobolBits-1-r)
		}
		v := directionNumbers(j)
		for k := range v {
			var x uint64
			for r := range sobolBits {
				if bits.OnesCount64(rows[r]&v[k])&1 == 1 {
					x |= 1 << (sobolBits - 1 - r)
				}
			}
			s.dirs[j][k] = x
		}
		s.shift[j] = rng.Uint64() >> (64 - sobolBits)
	}
	return s
}

// point writes point n of the sequence into out (len(out) = dimensions),
// each coordinate in [0, 1).
func (s *sobolSeq) point(n uint64, out []float64) {
	g := n ^ n>>1 // Gray code: the standard Sobol order
	for j := range out {
		x := s.shift[j]
		for k, r := 0, g; r != 0; k, r = k+1, r>>1 {
			if r&1 != 0 {
				x ^= s.dirs[j][k]
			}
		}
		out[j] = float64(x) / (1 << sobolBits)
	}
}

// directionNumbers returns the unscrambled direction numbers v_k of
// dimension j (0-based), as sobolBits-bit fractions: dimension 0 is van
// der Corput's; dimension j > 0 follows primitive polynomial joeKuo[j-1]
// by Bratley and Fox's recurrence.
func directionNumbers(j int) [sobolBits]uint64 {
	var v [sobolBits]uint64
	if j == 0 {
		for k := range v {
			v[k] = 1 << (sobolBits - 1 - k)
		}
		return v
	}
	p := joeKuo[j-1]
	deg := int(p.s)
	for k := range v {
		if k < deg {
			v[k] = uint64(p.m[k]) << (sobolBits - 1 - k)
			continue
		}
		x := v[k-deg] ^ v[k-deg]>>deg
		for i := 1; i < deg; i++ {
			if p.a>>(deg-1-i)&1 == 1 {
				x ^= v[k-i]
			}
		}
		v[k] = x
	}
	return v
}
