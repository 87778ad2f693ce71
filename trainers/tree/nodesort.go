package tree

import "slices"

// sortNode returns the rows of the node [start, end) sorted by feature f,
// in g.ord. It counting-sorts by the feature's value rank when the
// feature has few distinct values for the node's size (small-integer
// features such as pixels), and otherwise sorts (rank, row) keys.
func (g *grower) sortNode(f, start, end int) []int32 {
	ts := g.ts
	rows := g.rows[start:end]
	ord := g.ord[:len(rows)]
	code := ts.code[f*ts.n : (f+1)*ts.n]
	if u := ts.distinct[f]; u <= 2*len(rows) {
		cnt := g.counts[:u+1]
		clear(cnt)
		for _, i := range rows {
			cnt[code[i]+1]++
		}
		for c := 1; c < len(cnt); c++ {
			cnt[c] += cnt[c-1]
		}
		for _, i := range rows {
			c := code[i]
			ord[cnt[c]] = i
			cnt[c]++
		}
		return ord
	}
	keys := g.keys[:len(rows)]
	for k, i := range rows {
		keys[k] = uint64(code[i])<<32 | uint64(i)
	}
	slices.Sort(keys)
	for k, key := range keys {
		ord[k] = int32(uint32(key))
	}
	return ord
}

// partitionRows moves the node's rows that go left to the front of its
// range, keeping their relative order.
func (g *grower) partitionRows(start, end int, s split) {
	x := g.ts.col[s.feature*g.ts.n : (s.feature+1)*g.ts.n]
	seg := g.rows[start:end]
	l, r := 0, 0
	for _, i := range seg {
		if x[i] <= s.thr {
			seg[l] = i
			l++
		} else {
			g.tmp[r] = i
			r++
		}
	}
	copy(seg[l:], g.tmp[:r])
}
