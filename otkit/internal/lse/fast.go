package lse

import (
	"math"
	"runtime"

	"github.com/otlab/gootlab/otkit/internal/parallel"
	"github.com/otlab/gootlab/otkit/internal/simd"
)

// Fast log-sum-exp kernels.
//
// A log-domain Sinkhorn iteration is two log-sum-exp reductions over the n×m
// cost matrix, i.e. 2·n·m exponentials; math.Exp (about 20 ns) makes that the
// whole cost. The kernels here
//
//   - use their own exp (simd.ExpNeg): range reduction to
//     |r| ≤ (log 2)/32, a 16-entry table of 2^(j/16) and a degree-6
//     polynomial, all fused multiply-adds, no branch, so it runs eight lanes
//     at a time with AVX-512 (the table in two registers) or four with AVX2
//     (a gather) (internal/simd, chosen at start-up); it is within 1e-15
//     relative of math.Exp;
//   - shift without a separate pass over memory. Row reductions work on
//     cache-sized blocks of a row: the first (lseHead terms) in two passes,
//     the exponents into an L1 buffer with their maximum, then the sum of
//     exp(z − max); every later block in one pass at the running maximum
//     (with AVX-512 the exponents stay in registers), summed again at its
//     own maximum only if it exceeds the running one by e^simd.ShiftSlack.
//     Column reductions of a stored matrix read it once, row after row,
//     keeping a shift M and sum S per column: a new exponent z costs one
//     exp and one add, S += exp(z − M), unless z exceeds M by more than
//     simd.ShiftSlack, when M moves to z and S is rescaled (shiftStep);
//   - compute squared-Euclidean costs on the fly from norms and dot products
//     (the norm form of OTT), never reading an n×m matrix, with d = 2
//     specialised; the column reduction is the row reduction with the clouds
//     swapped;
//   - split independent outputs (rows, or column blocks of a stored matrix)
//     over GOMAXPROCS goroutines. Every output is reduced by one goroutine
//     in a fixed order, so results do not depend on GOMAXPROCS.
//
// The pure-Go loops below are the fallback and the specification of the
// assembly: the same operations in the same order, so all three paths give
// the same bits. Partial sums of a block use eight lanes, lane l taking the terms
// j ≡ l (mod 8), added in lane order.

// addAtShift completes a block summed at the running maximum m of a
// reduction (finite; one pass instead of two: the block's maximum mb need
// not be known first) and reports false, leaving s, when mb exceeds m by
// more than simd.ShiftSlack: the caller then sums the block again at its own
// maximum (lseBlockMerge). Terms more than 708 below m are flushed to zero,
// negligible next to e^m.
func addAtShift(mb, m, s float64, sums *[8]float64) (float64, bool) {
	if mb > m+simd.ShiftSlack {
		return s, false
	}
	for _, v := range sums {
		s += v
	}
	return s, true
}

// lseBlockMerge folds a block of exponents z with maximum mb into the
// running state (m, s) of a reduction (s = Σ exp(z − m) so far): the block
// is summed shifted by its own maximum, then rescaled to the larger one.
// next is prefetched meanwhile (see expSum).
func lseBlockMerge(z []float64, mb, m, s float64, next []float64) (float64, float64) {
	if math.IsInf(mb, -1) {
		return m, s // every term of the block is zero
	}
	var sums [8]float64
	simd.ExpSum(z, mb, &sums, next)
	sb := 0.0
	for _, v := range sums {
		sb += v
	}
	if mb > m {
		return mb, math.FMA(s, simd.ExpNeg(m-mb), sb)
	}
	return m, math.FMA(sb, simd.ExpNeg(mb-m), s)
}

// lseValue is log Σ exp(z) from a reduction's state.
func lseValue(m, s float64) float64 {
	if math.IsInf(m, -1) {
		return m
	}
	return m + math.Log(s)
}

const (
	// fastColBlock is the widest column block (a multiple of 8) of the dense
	// ColLSE: the block's running maxima and sums stay in L1.
	fastColBlock = 1024
	// lseBlock is the column block of the two-pass row reductions: the
	// block's inputs (up to three slices) and exponent buffer stay in L1
	// (measured best of 512…4096), and the per-block merge (one scalar exp)
	// is amortised over many terms.
	lseBlock = 1024
	// lseHead is the first block of each row reduction (stored matrix, or
	// online with d = 2), summed in two passes to find a shift; the later blocks are summed at
	// the running maximum in one pass (addAtShift).
	lseHead = 256
)

// DenseFast is the fast Kernel of a materialised row-major n×m cost
// matrix.
type DenseFast struct {
	c         []float64
	n, m      int
	symmetric bool // C = Cᵀ exactly (a point cloud against itself)
	scratch   parallel.Scratch[float64]
}

func NewDenseFast(c []float64, n, m int, symmetric bool) *DenseFast {
	return &DenseFast{c: c[:n*m], n: n, m: m, symmetric: symmetric && n == m}
}

func (k *DenseFast) RowLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	n, m := k.n, k.m
	h = h[:m]
	out = out[:n]
	zl := min(lseBlock, m)
	chunk := parallel.RowChunk(n)
	if parallel.Inline(n, chunk, n*m) {
		// Rows are independent: one pass over all of them gives the same
		// bits as the chunked parallel path.
		z, own := k.scratch.Take(zl)
		k.rows(out, h, eps, inv, 0, n, z)
		k.scratch.Release(own)
		return
	}
	parallel.Chunks(n, chunk, n*m, func(lo, hi int) {
		p := parallel.Buf64(zl)
		k.rows(out, h, eps, inv, lo, hi, *p)
		parallel.Put64(p)
	})
}

// rows computes RowLSE outputs lo ≤ i < hi with z (min(lseBlock, m) long)
// as the exponent buffer.
func (k *DenseFast) rows(out, h []float64, eps, inv float64, lo, hi int, z []float64) {
	n, m := k.n, k.m
	for i := lo; i < hi; i++ {
		row := k.c[i*m : (i+1)*m]
		mx, s := math.Inf(-1), 0.0
		for b, e := 0, min(lseHead, m); b < m; b, e = e, min(e+lseBlock, m) {
			zz := z[:e-b]
			cb, hb := row[b:e], h[b:e]
			// Prefetch the next block of the matrix while summing.
			next := k.c[min(i*m+e, n*m):min(i*m+e+lseBlock, n*m)]
			if math.IsInf(mx, -1) {
				mx, s = lseBlockMerge(zz, simd.DenseMax(zz, cb, hb, inv), mx, s, next)
				continue
			}
			var sums [8]float64
			mb := simd.DenseExpSum(zz, cb, hb, inv, mx, &sums, next)
			var ok bool
			if s, ok = addAtShift(mb, mx, s, &sums); !ok {
				mx, s = lseBlockMerge(zz, simd.DenseMax(zz, cb, hb, inv), mx, s, nil)
			}
		}
		out[i] = eps * lseValue(mx, s)
	}
}

// ColLSE walks the rows in order for a block of columns at a time, keeping
// one running state per column; column blocks are independent. On a
// symmetric geometry it is RowLSE, so that f = g stays exact in symmetric
// problems.
func (k *DenseFast) ColLSE(out, h []float64, eps float64) {
	if k.symmetric {
		k.RowLSE(out, h, eps)
		return
	}
	inv := 1 / eps
	n, m := k.n, k.m
	h = h[:n]
	out = out[:m]
	workers := runtime.GOMAXPROCS(0)
	// Column blocks: at most fastColBlock wide, a multiple of 16 (no scalar
	// tail for the AVX-512 loop), and enough
	// of them to keep every goroutine busy.
	nb := max((m+fastColBlock-1)/fastColBlock, min(4*workers, (m+63)/64))
	blk := ((m+nb-1)/nb + 15) &^ 15
	if parallel.Inline(m, blk, n*m) {
		// Every column is reduced on its own in row order (the vector and
		// scalar steps are the same operations), so the blocks' results do
		// not depend on where the blocks are cut; inline, the blocks run in
		// turn on the kernel's scratch.
		st, own := k.scratch.Take(2 * blk)
		for lo := 0; lo < m; lo += blk {
			hi := min(lo+blk, m)
			k.cols(out, h, eps, inv, lo, hi, st[:hi-lo], st[blk:blk+hi-lo])
		}
		k.scratch.Release(own)
		return
	}
	mx := make([]float64, m)
	s := make([]float64, m)
	parallel.Chunks(m, blk, n*m, func(lo, hi int) {
		k.cols(out, h, eps, inv, lo, hi, mx[lo:hi], s[lo:hi])
	})
}

// cols computes ColLSE outputs lo ≤ j < hi with bm, bs (hi−lo long) as the
// columns' running maxima and sums.
func (k *DenseFast) cols(out, h []float64, eps, inv float64, lo, hi int, bm, bs []float64) {
	n, m := k.n, k.m
	for j := range bm {
		bm[j] = math.Inf(-1)
		bs[j] = 0
	}
	for i := 0; i < n; i++ {
		if math.IsInf(h[i], -1) {
			continue // a zero-weight row adds exactly nothing
		}
		nx := min(i+1, n-1) * m
		simd.AccColShift(k.c[i*m+lo:i*m+hi], h[i], inv, bm, bs, k.c[nx+lo:nx+hi])
	}
	for j := range bm {
		out[lo+j] = eps * lseValue(bm[j], bs[j])
	}
}

// SqEuclidFast is the fast Kernel of an online squared-Euclidean point
// cloud: C_ij = scale·(‖x_i‖² + ‖y_j‖² − 2⟨x_i, y_j⟩), OTT's norm form,
// evaluated on the fly. Memory is O((n+m)·d).
type SqEuclidFast struct {
	n, m, d int
	scale   float64
	xs, ys  []float64 // coordinates, transposed: xs[k*n+i] = x_i[k]
	nx, ny  []float64 // squared norms
	scratch parallel.Scratch[float64]
}

// NewSqEuclidFast takes row-major n×d and m×d coordinates, their squared
// norms (the geometry's, so that both kernels see the same costs) and the
// factor multiplying every cost (1/ScaleCost).
func NewSqEuclidFast(x, y, nx, ny []float64, n, m, d int, scale float64) *SqEuclidFast {
	return &SqEuclidFast{n: n, m: m, d: d, scale: scale,
		xs: transpose(x, n, d), ys: transpose(y, m, d), nx: nx[:n], ny: ny[:m]}
}

// transpose returns the d×n (coordinate-major) copy of a row-major n×d array.
func transpose(x []float64, n, d int) []float64 {
	xs := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			xs[k*n+i] = x[i*d+k]
		}
	}
	return xs
}

func (k *SqEuclidFast) RowLSE(out, h []float64, eps float64) {
	onlineSqLSE(&k.scratch, out, h, eps, k.scale, k.d, k.xs, k.nx, k.n, k.ys, k.ny, k.m)
}

// ColLSE is RowLSE with the clouds swapped: the cost is symmetric in (x, y).
func (k *SqEuclidFast) ColLSE(out, h []float64, eps float64) {
	onlineSqLSE(&k.scratch, out, h, eps, k.scale, k.d, k.ys, k.ny, k.m, k.xs, k.nx, k.n)
}

// onlineSqLSE computes, for the nr points p (transposed ps, norms pn) against
// the nc points q,
//
//	out[i] = eps·log Σ_j exp((h_j − s·(‖p_i‖² + ‖q_j‖² − 2⟨p_i, q_j⟩))/eps)
//	       = eps·LSE_j(a_j + Σ_k p_ik·w_kj) − s·‖p_i‖²,
//
// with a_j = (h_j − s‖q_j‖²)/eps and w_kj = (2s/eps)·q_jk prepared once per
// call. Rows are processed in chunks and columns in cache-sized blocks. Per
// row, the first block's exponents are computed once into a buffer with
// their maximum, then summed shifted by it (two passes over data in L1,
// cheaper than a running maximum per term); with d = 2 the later blocks are
// summed in one pass at the row's running maximum (addAtShift). Blocks
// merge into a running state per row, in column order.
func onlineSqLSE(sc *parallel.Scratch[float64], out, h []float64, eps, s float64, d int, ps, pn []float64, nr int, qs, qn []float64, nc int) {
	inv := 1 / eps
	h = h[:nc]
	out = out[:nr]
	zl := min(lseBlock, nc)
	chunk := parallel.RowChunk(nr)
	work := nr * nc * max(1, d/2)
	inline := parallel.Inline(nr, chunk, work)
	var buf []float64
	own := false
	if inline {
		buf, own = sc.Take((d+1)*nc + 2*nr + zl)
		defer sc.Release(own)
	} else {
		p := parallel.Buf64((d + 1) * nc)
		defer parallel.Put64(p)
		buf = *p
	}
	a, w := buf[:nc], buf[nc:(d+1)*nc]
	for j := range a {
		a[j] = (h[j] - s*qn[j]) * inv
	}
	two := 2 * s * inv
	for t, v := range qs[:d*nc] {
		w[t] = two * v
	}
	rows := func(lo, hi int, rm, rs, z []float64) {
		for r := range rm {
			rm[r] = math.Inf(-1) // running maxima
			rs[r] = 0            // running sums, scaled by exp(−max)
		}
		for b, e := 0, min(lseHead, nc); b < nc; b, e = e, min(e+lseBlock, nc) {
			zz := z[:e-b]
			for i := lo; i < hi; i++ {
				if d == 2 && !math.IsInf(rm[i-lo], -1) {
					ab, y0, y1, x0, x1 := a[b:e], w[b:e], w[nc+b:nc+e], ps[i], ps[nr+i]
					var sums [8]float64
					mb := simd.PC2ExpSum(zz, ab, y0, y1, x0, x1, rm[i-lo], &sums)
					var ok bool
					if rs[i-lo], ok = addAtShift(mb, rm[i-lo], rs[i-lo], &sums); !ok {
						rm[i-lo], rs[i-lo] = lseBlockMerge(zz, simd.PC2Max(zz, ab, y0, y1, x0, x1), rm[i-lo], rs[i-lo], nil)
					}
					continue
				}
				var mb float64
				if d == 2 {
					mb = simd.PC2Max(zz, a[b:e], w[b:e], w[nc+b:nc+e], ps[i], ps[nr+i])
				} else {
					copy(zz, a[b:e])
					for t := 0; t < d; t++ {
						pt := ps[t*nr+i]
						wt := w[t*nc+b : t*nc+e]
						for j := range zz {
							zz[j] = math.FMA(pt, wt[j], zz[j])
						}
					}
					mb = math.Inf(-1)
					for _, v := range zz {
						if v > mb {
							mb = v
						}
					}
				}
				rm[i-lo], rs[i-lo] = lseBlockMerge(zz, mb, rm[i-lo], rs[i-lo], nil)
			}
		}
		for i := lo; i < hi; i++ {
			out[i] = eps*lseValue(rm[i-lo], rs[i-lo]) - s*pn[i]
		}
	}
	if inline {
		// Every row's reduction is the same whatever chunk it is in: one
		// pass over all rows gives the bits of the chunked path.
		st := buf[(d+1)*nc:]
		rows(0, nr, st[:nr], st[nr:2*nr], st[2*nr:2*nr+zl])
		return
	}
	parallel.Chunks(nr, chunk, work, func(lo, hi int) {
		p := parallel.Buf64(2*(hi-lo) + zl)
		st := *p
		rows(lo, hi, st[:hi-lo], st[hi-lo:2*(hi-lo)], st[2*(hi-lo):])
		parallel.Put64(p)
	})
}
