// Package netsimplex is the exact transport solver behind otkit.EMD: the
// primal network simplex on the dense transportation problem, with its
// plan and dual potentials. It takes plain slices (an n×m row-major cost
// and the two weight vectors, of equal mass) and knows nothing of otkit's
// types; otkit checks the input and assembles the result.
package netsimplex

import (
	"math"
	"slices"
)

// Solver is the primal network simplex on the transportation
// problem: supply nodes 0..n−1 (rows, weights a), demand nodes n..n+m−1
// (columns, weights b), an arc i → n+j of cost C_ij for every pair, and an
// artificial root n+m above row 0 that closes the spanning tree.
//
// The basis is a spanning tree stored by parent pointers with first-child /
// sibling lists. Since every arc goes from a row to a column, the arc to a
// node's parent is determined by the pair (node, parent) and its direction
// by whether the node is a row; flow[u] is the flow on that arc. Non-tree
// arcs carry no flow (the problem is uncapacitated), so no per-arc state is
// stored: the n·m costs are the only O(n·m) memory.
//
// Potentials pi make every tree arc tight: C_ij + pi_i − pi_{n+j} = 0. Each
// pivot shifts pi by one constant on the smaller side of the cut (the
// re-hung subtree or the rest of the tree); the rounding this accumulates
// is removed by an exact recomputation from the tree every recomputeEvery
// pivots and before optimality is declared. The join of a cycle is found
// with subtree sizes, which a pivot changes only along the cycle.
//
// Pivoting: block search (scan the arcs cyclically in blocks of about
// √(n·m), enter the most negative reduced cost of the first block that has
// one). Leaving arc: the blocking arc met last when the cycle is walked from
// the join in the direction of the entering arc, which keeps the tree
// strongly feasible and so prevents cycling on degenerate pivots.
type Solver struct {
	c      []float64 // n×m row-major costs
	n, m   int
	a, b   []float64
	parent []int32
	child  []int32   // first child, −1 if none
	next   []int32   // next sibling, −1 if none
	prev   []int32   // previous sibling, −1 if first
	size   []int32   // number of nodes in the subtree (for the join search)
	flow   []float64 // flow on the arc between u and parent[u]
	arcC   []float64 // cost of that arc (kept here: the matrix is far away in memory)
	pi     []float64
	tol    float64 // entering threshold: reduced cost < −tol
	block  int
	cursor int // where the next pricing scan starts
	pivots int
}

// New builds the initial (north-west corner) basis for the costs c (n×m
// row-major, read but never written) and the weights a (n) and b (m), which
// must be positive and of equal total mass.
func New(c, a, b []float64) *Solver {
	n, m := len(a), len(b)
	N := n + m + 1
	s := &Solver{
		c: c, n: n, m: m, a: a, b: b,
		parent: make([]int32, N), child: make([]int32, N),
		next: make([]int32, N), prev: make([]int32, N),
		size: make([]int32, N), flow: make([]float64, N), arcC: make([]float64, N), pi: make([]float64, N),
	}
	var cmax float64
	for _, v := range c {
		cmax = math.Max(cmax, math.Abs(v))
	}
	s.tol = 1e-12 * cmax
	s.block = max(16, int(math.Sqrt(float64(n*m))))
	for u := range s.child {
		s.child[u], s.next[u], s.prev[u] = -1, -1, -1
	}
	s.initialTree()
	return s
}

// initialTree builds the north-west-corner basis: a staircase path
// root → row 0 → col 0 → … with n+m−1 arcs. When a row and a column run
// out together the path continues with the next row, so the degenerate
// (zero-flow) arc points from the new row up to its parent column: the
// tree is strongly feasible from the start.
func (s *Solver) initialTree() {
	n, m := s.n, s.m
	root := int32(n + m)
	s.parent[root] = -1
	s.attach(0, root)
	i, j := 0, 0
	ra, rb := s.a[0], s.b[0]
	s.attach(int32(n), 0)
	node := int32(n)                // the node whose parent arc is (i, j)
	order := []int32{root, 0, node} // every node after its parent
	for {
		x := math.Min(ra, rb)
		s.flow[node] = x
		ra -= x
		rb -= x
		if i == n-1 && j == m-1 {
			break
		}
		if i == n-1 || (j < m-1 && ra > 0) {
			j++
			rb = s.b[j]
			node = int32(n + j)
			s.attach(node, int32(i))
			order = append(order, node)
		} else {
			i++
			ra = s.a[i]
			node = int32(i)
			s.attach(node, int32(n+j))
			order = append(order, node)
		}
	}
	for k := len(order) - 1; k >= 0; k-- {
		u := order[k]
		s.size[u]++
		if k > 0 {
			s.size[s.parent[u]] += s.size[u]
		}
	}
	s.recompute(0)
}

// attach makes u the first child of p, recording the cost of their arc
// (none for the root).
func (s *Solver) attach(u, p int32) {
	if p != int32(s.n+s.m) {
		s.arcC[u] = s.arcCost(u, p)
	}
	s.link(u, p)
}

// link makes u the first child of p (the arc cost is set by the caller).
func (s *Solver) link(u, p int32) {
	s.parent[u] = p
	s.prev[u] = -1
	s.next[u] = s.child[p]
	if s.child[p] >= 0 {
		s.prev[s.child[p]] = u
	}
	s.child[p] = u
}

// detach removes u from its parent's child list (parent[u] is kept).
func (s *Solver) detach(u int32) {
	p := s.parent[u]
	if s.prev[u] >= 0 {
		s.next[s.prev[u]] = s.next[u]
	} else {
		s.child[p] = s.next[u]
	}
	if s.next[u] >= 0 {
		s.prev[s.next[u]] = s.prev[u]
	}
	s.next[u], s.prev[u] = -1, -1
}

// arcCost is the cost of the tree arc between u and its parent p.
func (s *Solver) arcCost(u, p int32) float64 {
	n := int32(s.n)
	if u < n {
		return s.c[int(u)*s.m+int(p-n)]
	}
	return s.c[int(p)*s.m+int(u-n)]
}

// recompute sets pi exactly from the parents for the subtree rooted at
// top, walking it in preorder without a stack.
func (s *Solver) recompute(top int32) {
	n := int32(s.n)
	root := int32(s.n + s.m)
	s.walk(top, func(u int32) {
		p := s.parent[u]
		switch {
		case p == root:
			s.pi[u] = 0
		case u < n:
			s.pi[u] = s.pi[p] - s.arcC[u]
		default:
			s.pi[u] = s.pi[p] + s.arcC[u]
		}
	})
}

// walk calls fn on every node of the subtree rooted at top, parents first.
func (s *Solver) walk(top int32, fn func(u int32)) {
	u := top
	for {
		fn(u)
		if s.child[u] >= 0 {
			u = s.child[u]
			continue
		}
		for u != top && s.next[u] < 0 {
			u = s.parent[u]
		}
		if u == top {
			return
		}
		u = s.next[u]
	}
}

// shiftOutside adds delta to pi on every node outside the subtree rooted
// at skip.
func (s *Solver) shiftOutside(skip int32, delta float64) {
	root := int32(s.n + s.m)
	u := root
	for {
		descend := u != skip
		if descend {
			s.pi[u] += delta
		}
		if descend && s.child[u] >= 0 {
			u = s.child[u]
			continue
		}
		for u != root && s.next[u] < 0 {
			u = s.parent[u]
		}
		if u == root {
			return
		}
		u = s.next[u]
	}
}

// shift adds delta to pi on the subtree rooted at top.
func (s *Solver) shift(top int32, delta float64) {
	u := top
	for {
		s.pi[u] += delta
		if s.child[u] >= 0 {
			u = s.child[u]
			continue
		}
		for u != top && s.next[u] < 0 {
			u = s.parent[u]
		}
		if u == top {
			return
		}
		u = s.next[u]
	}
}

// recomputeEvery is the number of pivots between exact recomputations of
// the potentials (O(n+m) each, negligible against the pivots).
const recomputeEvery = 4096

// Run pivots until no arc prices out (true: the plan and potentials are
// optimal) or maxPivots pivots ran (false: the plan is feasible). Pivots shift potentials by sums that round; before declaring
// optimality they are recomputed exactly from the tree and priced again.
func (s *Solver) Run(maxPivots int) bool {
	for {
		e := s.entering()
		if e < 0 {
			s.recompute(0)
			if e = s.entering(); e < 0 {
				return true
			}
		}
		if s.pivots >= maxPivots {
			return false
		}
		s.pivot(e/s.m, e%s.m)
		s.pivots++
		if s.pivots%recomputeEvery == 0 {
			// Keep the drift of the shifted potentials far below tol, so
			// that tree arcs (reduced cost 0) never price out.
			s.recompute(0)
		}
	}
}

// entering returns the arc i·m+j of most negative reduced cost in the first
// block (of s.block arcs, scanned cyclically from the cursor) that has one
// below −tol, or −1 when no arc anywhere does.
func (s *Solver) entering() int {
	n, m := s.n, s.m
	total := n * m
	best, bestRC := -1, -s.tol
	piCol := s.pi[n : n+m]
	e, scanned, inBlock := s.cursor, 0, 0
	for scanned < total {
		i, j0 := e/m, e%m
		cnt := min(m-j0, s.block-inBlock, total-scanned)
		row := s.c[i*m+j0 : i*m+j0+cnt]
		cols := piCol[j0 : j0+cnt]
		cols = cols[:len(row)] // same length: lets the compiler drop bounds checks
		pii := s.pi[i]
		for k, cv := range row {
			if rc := cv + pii - cols[k]; rc < bestRC {
				bestRC, best = rc, i*m+j0+k
			}
		}
		scanned += cnt
		inBlock += cnt
		e += cnt
		if e == total {
			e = 0
		}
		if inBlock == s.block {
			if best >= 0 {
				break
			}
			inBlock = 0
		}
	}
	s.cursor = e
	return best
}

// pivot brings the arc (i, j) into the tree: pushes the largest feasible
// flow around the cycle it closes, removes the blocking arc and re-hangs
// the cut-off subtree below the entering arc.
func (s *Solver) pivot(i, j int) {
	n := int32(s.n)
	src, dst := int32(i), n+int32(j)
	// Join: the lowest common ancestor of the two endpoints.
	u, v := src, dst
	for u != v {
		// An ancestor has the larger subtree; with equal sizes neither is
		// an ancestor of the other and either may move up.
		if s.size[u] <= s.size[v] {
			u = s.parent[u]
		} else {
			v = s.parent[v]
		}
	}
	join := u
	// The cycle runs join → … → src → dst → … → join. On the source side
	// it walks each tree arc from parent to child, so a row's arc (row →
	// parent) loses flow; on the target side it walks child to parent, so a
	// column's arc (parent → column) loses flow. Ties: the blocking arc
	// last in cycle order (closest to src on the source side, and any
	// target-side arc, the one closest to the join).
	delta := math.Inf(1)
	out, outOnSrcSide := int32(-1), false
	for u := src; u != join; u = s.parent[u] {
		if u < n && s.flow[u] < delta {
			delta, out, outOnSrcSide = s.flow[u], u, true
		}
	}
	for u := dst; u != join; u = s.parent[u] {
		if u >= n && s.flow[u] <= delta {
			delta, out, outOnSrcSide = s.flow[u], u, false
		}
	}
	if delta > 0 {
		for u := src; u != join; u = s.parent[u] {
			if u < n {
				s.flow[u] -= delta
			} else {
				s.flow[u] += delta
			}
		}
		for u := dst; u != join; u = s.parent[u] {
			if u >= n {
				s.flow[u] -= delta
			} else {
				s.flow[u] += delta
			}
		}
	}
	// The subtree under out is cut off; it contains uIn, which hangs from
	// vIn through the entering arc. Reverse the parent pointers on the
	// stem uIn → … → out, shifting each arc's flow down the stem.
	uIn, vIn := dst, src
	if outOnSrcSide {
		uIn, vIn = src, dst
	}
	// Subtree sizes: the cut-off part (size S) leaves the path from its old
	// parent up to the join and joins the path from vIn up to the join;
	// above the join nothing changes.
	S := s.size[out]
	for u := s.parent[out]; u != join; u = s.parent[u] {
		s.size[u] -= S
	}
	for u := vIn; u != join; u = s.parent[u] {
		s.size[u] += S
	}
	// On the stem uIn = w0, w1, …, out, re-rooted at uIn, the new subtree
	// of w_l is the whole part minus the old subtree of w_{l−1}.
	prevOld := s.size[uIn]
	s.size[uIn] = S
	for w := uIn; w != out; {
		w = s.parent[w]
		old := s.size[w]
		s.size[w] = S - prevOld
		prevOld = old
	}
	rc := s.c[i*s.m+j] + s.pi[src] - s.pi[dst]
	s.detach(out)
	newParent, carried, carriedC := vIn, delta, s.c[i*s.m+j]
	w := uIn
	for {
		oldParent, oldFlow, oldC := s.parent[w], s.flow[w], s.arcC[w]
		if w != out {
			s.detach(w)
		}
		s.link(w, newParent)
		s.flow[w], s.arcC[w] = carried, carriedC
		if w == out {
			break
		}
		newParent, carried, carriedC, w = w, oldFlow, oldC, oldParent
	}
	// The entering arc becomes tight by shifting the re-hung part, or,
	// when that part is the larger one, the rest of the tree the other way
	// (potentials matter only up to a constant).
	sigma := rc
	if uIn == src {
		sigma = -rc
	}
	if 2*int(S) <= s.n+s.m+1 {
		s.shift(uIn, sigma)
	} else {
		s.shiftOutside(uIn, -sigma)
	}
}

// Entry is one positive flow of the plan: Mass from row I to column J.
type Entry struct {
	I, J int
	Mass float64
}

// Pivots returns the number of pivots Run made.
func (s *Solver) Pivots() int { return s.pivots }

// Plan returns the positive tree flows as entries on the caller's indices
// (rows[k], cols[l] for the solver's row k and column l; both increasing),
// sorted by (I, J).
func (s *Solver) Plan(rows, cols []int) []Entry {
	n := int32(s.n)
	out := make([]Entry, 0, s.n+s.m-1)
	for u := int32(0); u < int32(s.n+s.m); u++ {
		p := s.parent[u]
		if p == int32(s.n+s.m) || !(s.flow[u] > 0) {
			continue
		}
		r, c := u, p
		if u >= n {
			r, c = p, u
		}
		out = append(out, Entry{I: rows[r], J: cols[c-n], Mass: s.flow[u]})
	}
	slices.SortFunc(out, func(x, y Entry) int {
		if x.I != y.I {
			return x.I - y.I
		}
		return x.J - y.J
	})
	return out
}

// Potentials returns F_i = −pi_i and G_j = pi_{n+j} on the caller's index
// range (c is the full n×m cost; rows and cols as in Plan). Points left out of the simplex (zero
// weight) get the c-transform of the others, the largest value that keeps
// F_i + G_j ≤ C_ij: first the rows against the solved columns, then the
// columns against all rows.
func (s *Solver) Potentials(c []float64, n, m int, rows, cols []int) (f, g []float64) {
	f, g = make([]float64, n), make([]float64, m)
	solvedRow, solvedCol := make([]bool, n), make([]bool, m)
	for k, i := range rows {
		f[i], solvedRow[i] = -s.pi[k], true
	}
	for l, j := range cols {
		g[j], solvedCol[j] = s.pi[s.n+l], true
	}
	for i := range f {
		if solvedRow[i] {
			continue
		}
		best := math.Inf(1)
		for _, j := range cols {
			best = math.Min(best, c[i*m+j]-g[j])
		}
		f[i] = best
	}
	for j := range g {
		if solvedCol[j] {
			continue
		}
		best := math.Inf(1)
		for i := range f {
			best = math.Min(best, c[i*m+j]-f[i])
		}
		g[j] = best
	}
	return f, g
}
