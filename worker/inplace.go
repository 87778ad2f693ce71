package worker

import (
	"math"

	"github.com/hpsearch/hpsearch/trainers"
)

// foldData hands a trial the rows of each of its folds, either as a
// gathered copy (foldRows) or, where the Worker has its dataset to itself,
// as two row ranges of the dataset itself after reordering its rows in
// place (rowOrder): the training rows first, in the order the copy would
// have them, then the validation rows. A trainer sees the same rows in
// the same order either way, so its scores are the same to the bit; in
// place, a trial on a 1,000,000 × 50 dataset does not hold a second
// 382 MiB copy of it. The trial then imputes and scales the rows where
// they lie (preprocess.Pipeline.FitTransformInPlace), undoing that in
// place before the rows go back, so a family that scales its features
// does not hold a scaled copy either.
//
// It is not safe for concurrent use; each trial has its own.
type foldData struct {
	X trainers.Matrix
	y []float64
	// rows is the Worker's guard of the dataset's rows (Worker.rows):
	// held for reading while a fold is copied out of it and for writing
	// while its rows are out of their order.
	rows interface {
		RLock()
		RUnlock()
		TryLock() bool
		Unlock()
	}
	// inPlace allows the reordering; see Worker.inPlace for when.
	inPlace bool

	copied foldRows
	order  rowOrder
}

// fold is one fold's rows as foldData hands them to a trial: the
// training rows, then the validation rows, in one block of storage.
type fold struct {
	X trainers.Matrix // the training rows, then the validation rows
	y []float64       // their labels
	// train is the number of training rows, at the start of X.
	train int
	// shared says that X is the dataset's own storage, reordered in
	// place: a change to its values (an in-place scaling) must be undone
	// before the fold ends. Otherwise X is the trial's gathered copy,
	// which the next fold gathers afresh: the trial may change it.
	shared bool
}

// parts returns the fold's training rows and validation rows. Full slice
// expressions: an append to one part reallocates instead of writing the
// other part or the rows after it.
func (f fold) parts() (xtr trainers.Matrix, ytr []float64, xva trainers.Matrix, yva []float64) {
	cut, end := f.train*f.X.Cols, f.X.Rows*f.X.Cols
	xtr = trainers.Matrix{Rows: f.train, Cols: f.X.Cols, Data: f.X.Data[:cut:cut]}
	xva = trainers.Matrix{Rows: f.X.Rows - f.train, Cols: f.X.Cols, Data: f.X.Data[cut:end:end]}
	return xtr, f.y[:f.train:f.train], xva, f.y[f.train:f.X.Rows:f.X.Rows]
}

// with calls fn with the training and validation rows of one fold (train
// and valid are row indices of X, each row at most once), and returns
// fn's error. The rows are valid only during fn; a trainer must not
// modify them (trainers.Matrix is read-only), and fn may change their
// values only as fold.shared allows. In place, X and y are back in their
// order before with returns or its panic goes on, whatever fn did:
// returned, failed, panicked or was cancelled (fn's own deferred calls,
// such as undoing a scaling, run first). fn must not leave anything
// reading the rows behind it (no trainer does: Fit and Predict wait for
// the goroutines they start).
//
// In place needs the Worker's rows to itself: when another trial is
// copying a fold out of the same Worker's datasets at that moment, this
// fold is copied instead of waiting; and a fold being copied waits while
// another trial has the rows out of order. (Trials overlap only where
// concurrent trials share a Worker that allows the reordering, which
// LambdaConfigFromEnv avoids.)
func (f *foldData) with(train, valid []int, fn func(fold) error) error {
	n := len(train) + len(valid)
	end := n * f.X.Cols
	if f.inPlace && f.rows.TryLock() {
		if f.order.arrange(f.X, f.y, train, valid) {
			// Deferred, so that they run on a panic too: first the rows
			// go back, then other trials may read them.
			defer f.rows.Unlock()
			defer f.order.restore(f.X, f.y)
			X := trainers.Matrix{Rows: n, Cols: f.X.Cols, Data: f.X.Data[:end:end]}
			return fn(fold{X: X, y: f.y[:n:n], train: len(train), shared: true})
		}
		f.rows.Unlock()
	}
	f.rows.RLock()
	f.copied.gather(f.X, f.y, train, valid)
	f.rows.RUnlock()
	X := trainers.Matrix{Rows: n, Cols: f.X.Cols, Data: f.copied.x[:end:end]}
	return fn(fold{X: X, y: f.copied.y[:n:n], train: len(train)})
}

// rowOrder reorders the rows of a matrix and its labels in place and
// puts them back. Between the two it holds the order's cycles (walk) and
// one row of scratch; while arranging, the order itself and a bitset:
// about 8 bytes a row in all, against the 8 × (columns + 1) bytes a row
// of a gathered copy. All of it is reused fold after fold.
type rowOrder struct {
	order []int32 // order[i] is the original index of the row to put at i
	walk  []int32 // order's cycles; see cycles
	seen  bitset
	tmp   []float64
	// active says the rows are out of their order: arrange succeeded
	// and restore has not run.
	active bool
}

// arrange reorders X's rows and y so that the rows train names come
// first, in train's order, then valid's, then every other row (in their
// original relative order). It reports false, touching nothing, when
// train and valid name a row twice or one outside X (such a fold cannot
// be a permutation), or X has more rows than an int32 counts: the fold
// is copied instead.
func (p *rowOrder) arrange(X trainers.Matrix, y []float64, train, valid []int) bool {
	if p.active {
		panic("worker: rowOrder.arrange called twice without restore")
	}
	n := X.Rows
	if n > math.MaxInt32 {
		return false
	}
	p.seen.reset(n)
	if cap(p.order) < n {
		// Allocated once per trial at full size, not grown: growing
		// would leave garbage of the same order as what it saves.
		p.order, p.walk = make([]int32, 0, n), make([]int32, 0, n)
	}
	p.order = p.order[:0]
	for _, part := range [2][]int{train, valid} {
		for _, r := range part {
			if r < 0 || r >= n || p.seen.has(r) {
				return false
			}
			p.seen.set(r)
			p.order = append(p.order, int32(r))
		}
	}
	for r := range n {
		if !p.seen.has(r) {
			p.order = append(p.order, int32(r))
		}
	}
	p.walk = cycles(p.order, &p.seen, p.walk[:0])
	if cap(p.tmp) < X.Cols {
		p.tmp = make([]float64, X.Cols)
	}
	p.tmp = p.tmp[:X.Cols]
	permuteRows(X, y, p.walk, p.tmp)
	p.active = true
	return true
}

// restore puts X's rows and y back in their original order.
func (p *rowOrder) restore(X trainers.Matrix, y []float64) {
	if !p.active {
		return
	}
	unpermuteRows(X, y, p.walk, p.tmp)
	p.active = false
}

// cycles appends to walk the cycles of the permutation order (order[i]
// is the row to move to position i), one after another, leaving out the
// rows that stay where they are: a cycle c0, c1, ..., cm has order[ci] =
// ci+1 and order[cm] = c0, and its first position is stored as ^c0 (a
// negative number) to mark where it begins. seen is working storage.
//
// Following order from row to row is a chain of dependent loads; doing
// it on the int32 order alone, before any row moves, lets permuteRows and
// unpermuteRows address their rows from a sequential list, so that the
// processor overlaps the rows' cache misses as it does in a gather.
func cycles(order []int32, seen *bitset, walk []int32) []int32 {
	seen.reset(len(order))
	for start := range order {
		if seen.has(start) || int(order[start]) == start {
			continue
		}
		walk = append(walk, ^int32(start))
		seen.set(start)
		for k := order[start]; int(k) != start; k = order[k] {
			walk = append(walk, k)
			seen.set(int(k))
		}
	}
	return walk
}

// permuteRows applies the permutation whose cycles walk lists (see
// cycles) to X's rows and y in place: position ci receives the row at
// ci+1, and the last position of each cycle the row at its first. tmp
// carries one row (X.Cols long).
func permuteRows(X trainers.Matrix, y []float64, walk []int32, tmp []float64) {
	for i := 0; i < len(walk); {
		first := int(^walk[i])
		copy(tmp, X.Row(first))
		ty := y[first]
		prev := first
		for i++; i < len(walk) && walk[i] >= 0; i++ {
			c := int(walk[i])
			copy(X.Row(prev), X.Row(c))
			y[prev] = y[c]
			prev = c
		}
		copy(X.Row(prev), tmp)
		y[prev] = ty
	}
}

// unpermuteRows undoes permuteRows(X, y, walk, tmp): it goes round each
// cycle the other way.
func unpermuteRows(X trainers.Matrix, y []float64, walk []int32, tmp []float64) {
	for end := len(walk); end > 0; {
		start := end - 1
		for walk[start] >= 0 {
			start--
		}
		first := int(^walk[start])
		last := int(walk[end-1])
		copy(tmp, X.Row(last))
		ty := y[last]
		for j := end - 1; j > start; j-- {
			to, from := int(walk[j]), int(walk[j-1])
			if j-1 == start {
				from = first
			}
			copy(X.Row(to), X.Row(from))
			y[to] = y[from]
		}
		copy(X.Row(first), tmp)
		y[first] = ty
		end = start
	}
}

// bitset is a set of row indices.
type bitset []uint64

// reset makes s an empty set of capacity n, reusing its storage.
func (s *bitset) reset(n int) {
	words := (n + 63) / 64
	if cap(*s) < words {
		*s = make(bitset, words)
		return
	}
	*s = (*s)[:words]
	clear(*s)
}

func (s bitset) set(i int)      { s[i/64] |= 1 << (uint(i) % 64) }
func (s bitset) has(i int) bool { return s[i/64]&(1<<(uint(i)%64)) != 0 }
