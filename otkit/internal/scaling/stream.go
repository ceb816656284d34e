package scaling

import (
	"math"
	"sync"

	"github.com/otlab/gootlab/otkit/internal/parallel"
	"github.com/otlab/gootlab/otkit/internal/simd"
)

// The scaling form of large stored problems (doc.go has the rules, small.go
// the small form).
//
// A log-domain iteration costs two exponentials per entry; in scaling form
// it is two multiply-adds per entry of the stored stabilised kernel K̃
// (float64, or float32 when the caller asks and Float32OK), so its time is that of
// reading K̃ from memory once. One streamed pass per iteration does both
// halves: with v from the column sums c_j = Σ_i K̃_ij u_i of the previous
// pass, each row i gives r_i = Σ_j K̃_ij v_j, hence u_i = a_i / r_i, and
// while the row is still in cache it adds K̃_ij u_i into the column sums
// the next iteration's v needs (and the balanced error v_j c_j reads).
// Rows go in fixed blocks of scalingBlockRows, each with its own partial
// column sums, added in block order afterwards: the bits do not depend on
// GOMAXPROCS. Successive passes run the blocks in opposite directions, so
// the end of one pass is still in the last-level cache at the start of the
// next (a block's rows are always taken in the same order, so the direction
// changes nothing in the results).
//
// An absorption rebuilds K̃ = exp(F̃_i + G̃_j − C_ij/ε) with the vectorised
// exp and the column sums in the same pass. Right after a step the rows of
// the plan carry the weights, so an entry of K̃ = P (u = v = 1) is at most
// a_i: float64 cannot overflow, and float32 is used only for weights below
// scalingMaxWeight32 (and a mass above scalingMinMass32). A rebuild that
// finds a non-finite entry all the same reports failure and the solve
// returns to the log domain.

// scalingBlockRows is the fixed row block of the streamed pass: large enough
// that the partial column sums (one m-vector per block) cost a few per cent
// of the pass, small enough for load balance on two cores.
const scalingBlockRows = 128

// scalingBound32 is the absorption bound with a float32 K̃: an entry that
// underflowed (below 1.4e-45) then weighs at most 1.4e-45·1e28 in the plan,
// all of them together (n·m ≤ StreamMaxEntries) under 1e-8 of a plan whose
// mass is at least scalingMinMass32.
const scalingBound32 = 1e14

// scalingMaxWeight32 and scalingMinMass32 bound the weights for which K̃ may
// be float32: entries of K̃ after an absorption are at most a_i, and the
// underflow bound above is relative to the mass.
const (
	scalingMaxWeight32 = 1e30
	scalingMinMass32   = 1e-3
)

// streamMinSum is the smallest row or column sum of K̃ a streamed step
// accepts: far above the subnormal range, where a quotient would lose
// precision.
const streamMinSum = 1e-290

// streamKernel is the stored K̃ of a large scaling form and the state of
// its passes.
type streamKernel struct {
	n, m  int
	cost  []float64 // the geometry's C (row-major, not scaled by 1/ε)
	k64   []float64 // K̃, n·m, unless k32 is used
	k32   []float32
	f32   bool      // K̃ is k32
	c     []float64 // Σ_i K̃_ij u_i for the current u
	cNew  []float64
	parts []float64 // per-block partial column sums, nBlocks·m
	bad   []bool    // per block: a row sum that is zero or not finite
	newF  []float64 // F̃ + log u at an absorption, n
	newG  []float64 // G̃ + log v, m
	tmpG  []float64 // rebuild's G̃ in units of cost, m
	zbuf  sync.Pool // exponent rows of a rebuild
	pass  int       // passes so far; odd passes run the blocks backwards

	broken bool // a rebuild failed: K̃ is not usable any more
}

// done leaves K̃'s storage to the next solve (kernelCache).
func (st *streamKernel) done() {
	kernelCache.Lock()
	if st.k64 != nil {
		kernelCache.k64 = st.k64
	}
	if st.k32 != nil {
		kernelCache.k32 = st.k32
	}
	kernelCache.Unlock()
	st.k64, st.k32 = nil, nil
}

// kernelCache keeps the storage of the last streamed solve's K̃, one buffer
// per precision, for the next solve of the same size: a fresh n·m buffer
// costs as much in page faults as several iterations (a first stored solve
// at 16000×16000 took 0.4 s (float64) to 1.1 s (float32) longer than the
// next ones, bench/README.md §1), and repeated solves of one size (a
// benchmark, a loop over data, a flow) are the common case. A sync.Pool would not do: the garbage
// collector empties it at every cycle, which large allocations trigger.
// At most one buffer per precision stays allocated between solves, the
// size of the last problem solved in that precision.
var kernelCache struct {
	sync.Mutex
	k64 []float64
	k32 []float32
}

// takeKernel returns the cached buffer in slot if it has the given size,
// or a new one; either way the slot is emptied (a buffer of another size is
// left to the collector). kernelCache must be locked.
func takeKernel[T float32 | float64](slot *[]T, size int) []T {
	k := *slot
	*slot = nil
	if len(k) == size {
		return k
	}
	return make([]T, size)
}

func newStreamKernel(cost []float64, n, m int, f32 bool) *streamKernel {
	nb := (n + scalingBlockRows - 1) / scalingBlockRows
	st := &streamKernel{
		n: n, m: m, cost: cost, f32: f32,
		c: make([]float64, m), cNew: make([]float64, m),
		parts: make([]float64, nb*m), bad: make([]bool, nb),
		newF: make([]float64, n), newG: make([]float64, m),
		tmpG: make([]float64, m),
	}
	st.zbuf.New = func() any { b := make([]float64, m); return &b }
	return st
}

// takeStorage gives K̃ its n·m storage, on the first rebuild: a form that
// is never entered (a solve whose caller switches to another kernel)
// allocates none.
func (st *streamKernel) takeStorage() {
	kernelCache.Lock()
	if st.f32 {
		st.k32 = takeKernel(&kernelCache.k32, st.n*st.m)
	} else {
		st.k64 = takeKernel(&kernelCache.k64, st.n*st.m)
	}
	kernelCache.Unlock()
}

// bound is the absorption bound of the scalings.
func (st *streamKernel) bound() float64 {
	if st.f32 {
		return scalingBound32
	}
	return scalingBound
}

// forBlocks runs body on every row block b = lo/scalingBlockRows
// (parallelChunksOrder), in ascending or (reverse) descending order.
func forBlocks(n, work int, reverse bool, body func(b, lo, hi int)) {
	parallel.ChunksOrder(n, scalingBlockRows, work, reverse, func(lo, hi int) {
		body(lo/scalingBlockRows, lo, hi)
	})
}

// sumParts adds the blocks' partial column sums into out, in block order.
func (st *streamKernel) sumParts(out []float64) {
	m, nb := st.m, len(st.bad)
	parallel.Chunks(m, 4096, nb*m, func(lo, hi int) {
		o := out[lo:hi]
		copy(o, st.parts[lo:hi])
		for b := 1; b < nb; b++ {
			p := st.parts[b*m+lo : b*m+hi]
			for j := range o {
				o[j] += p[j]
			}
		}
	})
}

// rebuild sets K̃_ij = exp(ft_i + gt_j − C_ij/ε) and c to its column sums
// (u = 1). It reports false, leaving K̃ unusable, if an entry overflows
// (float32 when K̃ is float32) or a row's largest entry is so small that
// the row loses precision (below e^-600, or e^-80 in float32: subnormal
// entries there are rounded by less than 1e-10 of the row's largest).
//
// With u non-nil (the cold start, ft = 0) every row is shifted instead:
// ft_i = −x with x the row's largest exponent (found first, without
// exponentials), so that its largest entry is 1, and u_i = e^x keeps the
// products u_i K̃_ij (c is then Σ_i K̃_ij u_i). The first scalings then stay
// within a few orders of 1/n, far inside the absorption bound, however far
// a source is from the targets' nearest sources.
func (st *streamKernel) rebuild(ft, gt []float64, eps float64, u []float64) bool {
	n, m := st.n, st.m
	if st.k64 == nil && st.k32 == nil {
		st.takeStorage()
	}
	// planExpRow takes potentials in units of cost.
	gs := st.tmpG
	for j, x := range gt {
		gs[j] = x * eps
	}
	inv := 1 / eps
	top, floor := maxExpArg-1, -600.0
	if st.f32 {
		top, floor = 88, -80 // e^88 < MaxFloat32
	}
	for b := range st.bad {
		st.bad[b] = false
	}
	forBlocks(n, n*m, false, func(b, lo, hi int) {
		zp := st.zbuf.Get().(*[]float64)
		z := *zp
		part := st.parts[b*m : (b+1)*m]
		clear(part)
		for i := lo; i < hi; i++ {
			row := st.cost[i*m : (i+1)*m]
			k := z
			if !st.f32 {
				k = st.k64[i*m : (i+1)*m]
			}
			ui := 1.0
			if u != nil {
				x := simd.DenseMax(z, row, gs, inv)
				ft[i], ui = -x, math.Exp(x)
				u[i] = ui
			}
			mx := simd.PlanExpRow(k, row, gs, ft[i]*eps, inv)
			if !(mx <= top && mx >= floor) {
				st.bad[b] = true
			}
			if st.f32 {
				k32 := st.k32[i*m : (i+1)*m]
				simd.ToFloat32(k32, k)
				simd.AxpyRow32(part, k32, ui)
			} else {
				simd.AxpyRow64(part, k, ui)
			}
		}
		st.zbuf.Put(zp)
	})
	st.broken = false
	for _, bad := range st.bad {
		if bad {
			st.broken = true
			return false
		}
	}
	st.sumParts(st.c)
	return true
}

// colMins sets out_j = min_i C_ij (one pass over C, no exponentials).
func (st *streamKernel) colMins(out []float64) {
	n, m := st.n, st.m
	forBlocks(n, n*m, false, func(b, lo, hi int) {
		part := st.parts[b*m : (b+1)*m]
		copy(part, st.cost[lo*m:(lo+1)*m])
		for i := lo + 1; i < hi; i++ {
			for j, c := range st.cost[i*m : (i+1)*m] {
				part[j] = min(part[j], c)
			}
		}
	})
	copy(out, st.parts[:m])
	for b := 1; b < len(st.bad); b++ {
		for j, c := range st.parts[b*m : (b+1)*m] {
			out[j] = min(out[j], c)
		}
	}
}

// EnterCold starts the streamed form before the first iteration, from
// f = g = 0: G̃_j = min_i C_ij/ε, so that every column of exp(G̃_j − C_ij/ε)
// has an entry 1, and every row is shifted by rebuild (F̃_i = −its largest
// exponent, u_i = e^{−F̃_i} ≤ 1: the same products u_i K̃_ij as F̃ = 0,
// u = 1), so that the first v = b / (K̃ᵀu) gives the log-domain g of the
// first iteration and no row of K̃ underflows. It reports false (then the
// first iteration runs in the log domain and the form is entered after
// it) only if K̃ would overflow.
func (sc *Form) EnterCold() bool {
	st := sc.st
	st.colMins(sc.gt)
	inv := 1 / sc.eps
	for j := range sc.gt {
		sc.gt[j] *= inv
	}
	clear(sc.ft)
	if !st.rebuild(sc.ft, sc.gt, sc.eps, sc.u) {
		return false
	}
	sc.cold, sc.on = true, true
	return true
}

// stream computes, for the scalings v, the new un_i = a_i / Σ_j K̃_ij v_j and
// cNew_j = Σ_i K̃_ij un_i. It reports false if a row sum is zero or not
// finite.
func (st *streamKernel) stream(a, v, un []float64) bool {
	n, m := st.n, st.m
	for b := range st.bad {
		st.bad[b] = false
	}
	reverse := st.pass%2 == 1
	st.pass++
	forBlocks(n, n*m, reverse, func(b, lo, hi int) {
		part := st.parts[b*m : (b+1)*m]
		clear(part)
		// Rows go four at a time: four dot products, then one pass adding
		// the four rows into the column sums (the same operations, in row
		// order, as four single additions).
		var rows32 [4][]float32
		var rows64 [4][]float64
		var us [4]float64
		for i := lo; i < hi; i += 4 {
			k := min(4, hi-i)
			for r := 0; r < k; r++ {
				var sum float64
				if st.f32 {
					rows32[r] = st.k32[(i+r)*m : (i+r+1)*m]
					sum = simd.DotRow32(rows32[r], v)
				} else {
					rows64[r] = st.k64[(i+r)*m : (i+r+1)*m]
					sum = simd.DotRow64(rows64[r], v)
				}
				if !(sum >= streamMinSum && sum <= math.MaxFloat64) {
					st.bad[b] = true
					return
				}
				us[r] = a[i+r] / sum
				un[i+r] = us[r]
			}
			switch {
			case k == 4 && st.f32:
				simd.AxpyRows32(part, &rows32, &us)
			case k == 4:
				simd.AxpyRows64(part, &rows64, &us)
			default:
				for r := 0; r < k; r++ {
					if st.f32 {
						simd.AxpyRow32(part, rows32[r], us[r])
					} else {
						simd.AxpyRow64(part, rows64[r], us[r])
					}
				}
			}
		}
	})
	for _, bad := range st.bad {
		if bad {
			return false
		}
	}
	st.sumParts(st.cNew)
	return true
}

// streamStep is step for the streamed form: v = b / c, then one pass for u
// and the next column sums; an absorption when a scaling leaves the bound.
// It reports false, changing nothing but (after a failed rebuild) K̃, if a
// sum is zero or not finite.
func (sc *Form) streamStep() bool {
	st := sc.st
	if st.broken {
		return false
	}
	vn, un := sc.vn, sc.un
	for j, cj := range st.c {
		if !(cj >= streamMinSum && cj <= math.MaxFloat64) {
			return false
		}
		vn[j] = sc.b[j] / cj
	}
	if !st.stream(sc.a, vn, un) {
		return false
	}
	hi := st.bound()
	lo := 1 / hi
	absorb := false
	for _, x := range vn {
		absorb = absorb || x > hi || x < lo
	}
	for _, x := range un {
		absorb = absorb || x > hi || x < lo
	}
	if !absorb {
		sc.cold = false
		copy(sc.v, vn)
		copy(sc.u, un)
		st.c, st.cNew = st.cNew, st.c
		return true
	}
	for i, x := range un {
		st.newF[i] = sc.ft[i] + math.Log(x)
	}
	for j, x := range vn {
		st.newG[j] = sc.gt[j] + math.Log(x)
	}
	if !st.rebuild(st.newF, st.newG, sc.eps, nil) {
		return false
	}
	sc.absorbs++
	sc.cold = false
	copy(sc.ft, st.newF)
	copy(sc.gt, st.newG)
	for i := range sc.u {
		sc.u[i] = 1
	}
	for j := range sc.v {
		sc.v[j] = 1
	}
	return true
}

// streamColMarginal is ColMarginal for the streamed form: the column
// marginal of P = diag(u) K̃ diag(v) is v_j c_j.
func (sc *Form) streamColMarginal() []float64 {
	for j, cj := range sc.st.c {
		sc.col[j] = sc.v[j] * cj
	}
	return sc.col
}

// maxExpArg is the largest x with a finite exp(x).
const maxExpArg = 709.78
