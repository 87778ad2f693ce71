package search

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/hpsearch/hpsearch/trial"
)

// Configurations returns how many configurations random and sobol search
// can propose: the sum over model families of the product of their
// dimensions' sizes, where a list has its values, an int range or a float
// range with a step its lattice points (grid_points shapes the grid only)
// and a float range with min = max one value. finite is false when some
// float range is a continuum (no step, no list of values) or the count
// passes math.MaxInt64; n is then meaningless. A configuration listed in
// two families of the same model is counted twice.
func (s *Spec) Configurations() (n int64, finite bool) {
	return spaceSize(compile(s))
}

func spaceSize(fams []family) (n int64, finite bool) {
	for _, f := range fams {
		m := int64(1)
		for _, a := range f.axes {
			if a.k == 0 {
				return 0, false
			}
			m = satMul(m, a.k)
		}
		n = satAdd(n, m)
	}
	return n, n < math.MaxInt64
}

// Warnings returns what is valid in a validated spec but probably not
// meant, each located at the spec's file, line and field as its errors
// are: a space of one configuration, where every trial would be the same,
// and a random or sobol search asking for more trials than the space has
// configurations (it stops when they are exhausted).
func (s *Spec) Warnings() []string {
	n, finite := s.Configurations()
	if !finite {
		return nil
	}
	field := "models"
	if s.topLevelModel {
		field = "model"
		if _, ok := s.Lines["parameters"]; ok {
			field = "parameters"
		}
	}
	unique := s.EarlyStopping == nil && (s.Search.Method == "random" || s.Search.Method == "sobol")
	switch {
	case n == 1:
		what := "every trial would be the same"
		if unique || s.Search.Method == "grid" {
			what = "the study runs it once"
		}
		return []string{s.Errorf(field, "the space has one configuration, so %s: nothing is searched; give a parameter a range or several values", what).Error()}
	case unique && int64(s.Search.MaxTrials) > n:
		return []string{s.Errorf("search.max_trials", "%d trials asked, but the space has %d configurations: %s search runs each once and stops", s.Search.MaxTrials, n, s.Search.Method).Error()}
	}
	return nil
}

// unitSource is a sampler that draws each trial from points of the unit
// cube: the family, and for each of the family's axes a u in [0, 1) that
// axis.fromUnit maps to its value.
type unitSource interface {
	units(m int) (fam int, u []float64)
}

// uniqueSampler proposes the configurations of a finite space without
// repeats. Its trials are those of its source (random or sobol) with the
// configurations already proposed skipped: trial n is the n-th distinct
// configuration among the source's draws 0, 1, 2, .... When
// maxRejections draws in a row repeat, trial n is drawn uniformly among
// the configurations not yet proposed instead, with a generator seeded
// from (seed, n), so a nearly exhausted space costs no more than an open
// one. Ask returns ok false once every configuration has been proposed.
//
// Trial n depends on (seed, n) alone, whatever order trials are asked in:
// the sampler remembers the configurations drawn so far (one int64 each)
// and extends them as far as it is asked. It is safe for concurrent use.
type uniqueSampler struct {
	src    unitSource
	fams   []family
	offset []int64 // index of each family's first configuration
	total  int64
	seed   uint64

	mu    sync.Mutex
	next  int     // the source's next draw
	drawn []int64 // configuration index of trial n
	seen  indexSet
	// keys of the configurations drawn, when two families share a model
	// and so may list the same configuration; nil otherwise.
	keys map[string]struct{}
}

var _ Sampler = (*uniqueSampler)(nil)

// maxRejections is how many repeated draws in a row make uniqueSampler
// draw uniformly among the configurations left.
const maxRejections = 32

// uniqueStream is the PCG stream of uniqueSampler's uniform draws.
const uniqueStream = 0x756e69717565 // "unique"

// maxBitset is the largest space whose proposed configurations are held
// as a bitset (2 MiB, with a 1 MiB index to find the k-th one left);
// larger spaces hold them in a map.
const maxBitset = 1 << 24

// newUniqueSampler returns src drawing without replacement, or nil when
// the space of fams is not finite.
func newUniqueSampler(src unitSource, fams []family, seed uint64) *uniqueSampler {
	total, finite := spaceSize(fams)
	if !finite || len(fams) == 0 {
		return nil
	}
	u := &uniqueSampler{src: src, fams: fams, total: total, seed: seed, offset: make([]int64, len(fams))}
	models := map[string]bool{}
	var at int64
	for i, f := range fams {
		u.offset[i] = at
		at += f.configs()
		if models[f.model] {
			u.keys = map[string]struct{}{}
		}
		models[f.model] = true
	}
	if total <= maxBitset {
		u.seen = newBitSet(total)
	} else {
		u.seen = mapSet{}
	}
	return u
}

// configs is the number of configurations random and sobol draw from f.
func (f family) configs() int64 {
	m := int64(1)
	for _, a := range f.axes {
		m = satMul(m, a.k)
	}
	return m
}

func (u *uniqueSampler) Ask(n int) (trial.Trial, bool) {
	if n < 0 || int64(n) >= u.total {
		return trial.Trial{}, false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for len(u.drawn) <= n {
		if !u.drawNext() {
			return trial.Trial{}, false
		}
	}
	return u.trial(u.drawn[n]), true
}

func (u *uniqueSampler) Tell(trial.Result) {}

// drawNext appends the next new configuration to u.drawn, or reports
// that none is left.
func (u *uniqueSampler) drawNext() bool {
	for range maxRejections {
		if u.seen.len() == u.total {
			return false
		}
		f, us := u.src.units(u.next)
		u.next++
		if u.take(u.offset[f] + u.fams[f].indexOf(us)) {
			return true
		}
	}
	rng := rand.New(rand.NewPCG(TrialSeed(u.seed, len(u.drawn)), uniqueStream))
	for u.seen.len() < u.total {
		if u.take(u.seen.free(rng, u.total)) {
			return true
		}
	}
	return false
}

// take marks configuration g proposed and appends it to u.drawn, unless
// it (or, across families, the same model and parameters) was proposed
// already.
func (u *uniqueSampler) take(g int64) bool {
	if u.seen.has(g) {
		return false
	}
	u.seen.add(g)
	if u.keys != nil {
		k := configKey(u.trial(g))
		if _, dup := u.keys[k]; dup {
			return false
		}
		u.keys[k] = struct{}{}
	}
	u.drawn = append(u.drawn, g)
	return true
}

// trial decodes configuration g: its family, then a mixed-radix index
// over the family's axes, the last varying fastest.
func (u *uniqueSampler) trial(g int64) trial.Trial {
	f, _ := slices.BinarySearch(u.offset, g)
	if f == len(u.offset) || u.offset[f] > g {
		f--
	}
	r := g - u.offset[f]
	fam := u.fams[f]
	idx := make([]int64, len(fam.axes))
	for j := len(fam.axes) - 1; j >= 0; j-- {
		idx[j] = r % fam.axes[j].k
		r /= fam.axes[j].k
	}
	return paramsOf(fam, func(j int, a axis) any { return a.drawn(idx[j]) })
}

// indexOf is the index in f of the configuration the units us draw.
func (f family) indexOf(us []float64) int64 {
	var r int64
	for j, a := range f.axes {
		r = r*a.k + a.unitIndex(us[j])
	}
	return r
}

// configKey identifies a configuration by its model and values.
func configKey(t trial.Trial) string {
	var b strings.Builder
	b.WriteString(t.Model)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range t.Params {
			if !yield(k) {
				return
			}
		}
	}) {
		v := t.Params[name]
		fmt.Fprintf(&b, "\x00%s\x00%T:%v", name, v, v)
	}
	return b.String()
}

// An indexSet holds the configurations proposed, by index.
type indexSet interface {
	has(g int64) bool
	add(g int64)
	len() int64
	// free returns a configuration not in the set, drawn with rng
	// (uniformly for a bitSet); the set must not be full.
	free(rng *rand.Rand, total int64) int64
}

// mapSet is the indexSet of a large space, where few of the
// configurations are ever proposed.
type mapSet map[int64]struct{}

func (m mapSet) has(g int64) bool { _, ok := m[g]; return ok }
func (m mapSet) add(g int64)      { m[g] = struct{}{} }
func (m mapSet) len() int64       { return int64(len(m)) }

func (m mapSet) free(rng *rand.Rand, total int64) int64 {
	for {
		if g := rng.Int64N(total); !m.has(g) {
			return g
		}
	}
}

// bitSet is the indexSet of a small space: a bit per configuration, and a
// Fenwick tree of the free bits per word to find the k-th free one in
// O(log n).
type bitSet struct {
	words []uint64
	tree  []int32 // Fenwick tree (1-based) of free bits per word
	n     int64
	set   int64
}

func newBitSet(n int64) *bitSet {
	w := int((n + 63) / 64)
	b := &bitSet{words: make([]uint64, w), tree: make([]int32, w+1), n: n}
	for i := range w {
		free := int32(64)
		if i == w-1 && n%64 != 0 {
			free = int32(n % 64)
			b.words[i] = ^uint64(0) << (n % 64) // bits past n count as taken
		}
		b.tree[i+1] += free
		if p := i + 1 + (i+1)&-(i+1); p <= w {
			b.tree[p] += b.tree[i+1]
		}
	}
	return b
}

func (b *bitSet) has(g int64) bool { return b.words[g/64]>>(g%64)&1 == 1 }
func (b *bitSet) len() int64       { return b.set }

func (b *bitSet) add(g int64) {
	if b.has(g) {
		return
	}
	b.words[g/64] |= 1 << (g % 64)
	b.set++
	for i := int(g/64) + 1; i < len(b.tree); i += i & -i {
		b.tree[i]--
	}
}

func (b *bitSet) free(rng *rand.Rand, _ int64) int64 {
	k := int32(rng.Int64N(b.n - b.set)) // the k-th free bit, 0-based
	// Descend the Fenwick tree to the word holding it.
	w := 0
	for step := 1 << (bits.Len(uint(len(b.tree)-1)) - 1); step > 0; step >>= 1 {
		if w+step < len(b.tree) && b.tree[w+step] <= k {
			w += step
			k -= b.tree[w]
		}
	}
	free := ^b.words[w]
	for range k {
		free &= free - 1 // drop the lowest free bit
	}
	return int64(w)*64 + int64(bits.TrailingZeros64(free))
}
