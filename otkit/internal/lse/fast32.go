package lse

import (
	"math"
	"sync/atomic"

	"github.com/otlab/gootlab/otkit/internal/parallel"
	"github.com/otlab/gootlab/otkit/internal/simd"
)

// Float32 log-sum-exp kernels (SinkhornOptions.Float32).
//
// The exponents z = (h_j − C_ij)/eps and their exponentials are evaluated
// in float32 vectors, twice as many lanes per instruction as float64 and
// half the memory traffic; everything that accumulates stays float64: each
// block's exponentials are added eight at a time in float32, converted and
// added to sixteen float64 lane sums (expSum32), blocks merge into a
// float64 running (max, sum), and the potentials, their shifts and the
// reported costs are float64. To keep float32's 24 bits for the part that
// matters, the inputs are shifted before rounding:
//
//   - h by its largest finite entry H (the LSE is shift-invariant, H is
//     added back in float64), so the rounded a_j = (h_j − H)/eps… are ≤ 0
//     and near 0 for the terms that dominate;
//   - in online mode the points by the mean of both clouds (squared
//     Euclidean costs are translation-invariant), so that the norm form
//     ‖p‖² + ‖q‖² − 2⟨p, q⟩ does not cancel for clouds far from the origin.
//
// Each row reduction sums its first lseHead32 terms in two passes (the
// exponents and their maximum into an L1 buffer, then the exps) and every
// later block in one pass at that running maximum (addAtShift32; with
// AVX-512 the exponents then never leave the registers), falling back to
// two passes for a block whose terms exceed the shift by more than
// e^shiftSlack32.
//
// A stored cost matrix gets a float32 copy and a float32 transposed copy
// (together the size of the float64 matrix, built once per geometry): both
// half-iterations are then row reductions over contiguous memory, and each
// reads 4 bytes per term instead of 8.
//
// The kernels follow the float64 ones (fast.go) in structure and in
// their determinism: every output is reduced by one goroutine in a fixed
// order, and the pure-Go loops here are the specification of the AVX2 and
// AVX-512 loops (internal/simd), which give the same bits.

// lseBlock32 is the column block of the float32 row reductions: the block's
// inputs and exponent buffer stay in L1.
const lseBlock32 = 2048

// lseHead32 is the first block of each float32 row reduction, summed in two
// passes (exponents and their maximum, then the exps) to find a shift; the
// later blocks are summed at it in one pass (addAtShift32).
const lseHead32 = 256

// lseBlockOnline32 is the column block of the float32 online reductions in
// dimension 2. Their blocks are summed in one pass (zPC2ExpSum32) that
// writes no exponents, so the block size no longer needs to fit L1; each
// block costs a call and a merge, and fewer of them made the kernel 3–4 %
// faster at n = 4000 and 16000 (2048 → 8192; longer blocks gained
// nothing). A block redone at its own shift is written to the exponent
// buffer, which is this long.
const lseBlockOnline32 = 8192

// shiftSlack32 bounds how far a block's exponents may exceed the running
// shift when the block is summed at that shift (addAtShift32): e^64 ≈
// 6e27 times eight stays far below the float32 overflow (3.4e38).
const shiftSlack32 = 64

// addAtShift32 completes a block summed at the running shift m of a
// reduction (finite; one pass instead of two: the block's maximum mb need
// not be known first) and reports false, leaving s, when mb exceeds m by
// more than shiftSlack32, where float32 exps could overflow: the caller
// then sums the block again at its own maximum (lseBlockMerge32). Terms
// more than 87 below m are flushed to zero, negligible next to e^m.
func addAtShift32(mb float32, m, s float64, sums *[16]float64) (float64, bool) {
	if float64(mb) > m+shiftSlack32 {
		return s, false
	}
	for _, v := range sums {
		s += v
	}
	return s, true
}

// lseBlockMerge32 folds a block of float32 exponents z with maximum mb into
// the float64 running state (m, s), as lseBlockMerge does for float64;
// next is prefetched meanwhile (see expSum32).
func lseBlockMerge32(z []float32, mb float32, m, s float64, next []float32) (float64, float64) {
	if math.IsInf(float64(mb), -1) {
		return m, s
	}
	var sums [16]float64
	simd.ExpSum32(z, mb, &sums, next)
	sb := 0.0
	for _, v := range sums {
		sb += v
	}
	mb64 := float64(mb)
	if mb64 > m {
		return mb64, math.FMA(s, simd.ExpNeg(m-mb64), sb)
	}
	return m, math.FMA(sb, simd.ExpNeg(mb64-m), s)
}

// maxFinite returns the largest entry of h that is not −Inf, and false when
// there is none (every reduction over h is then −Inf).
func maxFinite(h []float64) (float64, bool) {
	H := math.Inf(-1)
	for _, v := range h {
		H = max(H, v)
	}
	return H, !math.IsInf(H, -1)
}

func fillInf(out []float64) {
	for i := range out {
		out[i] = math.Inf(-1)
	}
}

// Dense32 is the float32 Kernel of a materialised cost matrix: c is
// the row-major n×m float32 copy, ct the m×n copy of the transpose (c itself
// for a symmetric geometry). The iterations of a Float32 solve run on it;
// the result's methods use the geometry's float64 kernel (backend.go).
type Dense32 struct {
	c, ct   []float32
	n, m    int
	scratch parallel.Scratch[float32]
}

// NewDense32 returns the float32 kernel of an n×m cost matrix from its
// float32 copies (Float32Copies): c row-major n×m, ct the m×n transpose (c
// itself for a symmetric matrix).
func NewDense32(c, ct []float32, n, m int) *Dense32 {
	return &Dense32{c: c[:n*m], ct: ct[:n*m], n: n, m: m}
}

// Float32Range bounds the magnitudes the float32 kernels accept (costs,
// 1/eps, the online weights 2s·q/eps and s‖q‖²/eps), far enough below the
// float32 overflow (3.4e38) that no intermediate reaches ±Inf; beyond it
// the solver keeps the float64 kernels.
const Float32Range = 1e30

// Float32Copies returns the float32 copy of the row-major n×m matrix c and
// of its transpose (the same slice when symmetric), and the largest |c_ij|.
func Float32Copies(c []float64, n, m int, symmetric bool) (c32, ct32 []float32, maxAbs float64) {
	var maxBits atomic.Uint64 // non-negative floats order as their bits
	c32 = make([]float32, n*m)
	sym := symmetric && n == m
	if !sym {
		ct32 = make([]float32, n*m)
	}
	// Tiles of 64×64: the float64 rows read and the transposed rows written
	// stay in L1. Tiles of rows are independent (plain copies).
	const tile = 64
	parallel.Chunks(n, tile, n*m, func(i0, i1 int) {
		for j0 := 0; j0 < m; j0 += tile {
			j1 := min(j0+tile, m)
			for i := i0; i < i1; i++ {
				src := c[i*m+j0 : i*m+j1]
				dst := c32[i*m+j0 : i*m+j1]
				big := 0.0
				for j, v := range src {
					dst[j] = float32(v)
					big = max(big, math.Abs(v))
				}
				for b := math.Float64bits(big); ; {
					old := maxBits.Load()
					if old >= b || maxBits.CompareAndSwap(old, b) {
						break
					}
				}
				if !sym {
					for j, v := range dst {
						ct32[(j0+j)*n+i] = v
					}
				}
			}
		}
	})
	if sym {
		ct32 = c32
	}
	return c32, ct32, math.Float64frombits(maxBits.Load())
}

func (k *Dense32) RowLSE(out, h []float64, eps float64) {
	reduce32(&k.scratch, out[:k.n], h[:k.m], eps, k.c)
}

func (k *Dense32) ColLSE(out, h []float64, eps float64) {
	reduce32(&k.scratch, out[:k.m], h[:k.n], eps, k.ct)
}

// reduce32 computes out[i] = eps·log Σ_j exp((h_j − c[i·m + j])/eps) for the
// row-major len(out)×len(h) float32 matrix c.
func reduce32(sc *parallel.Scratch[float32], out, h []float64, eps float64, c []float32) {
	nr, nc := len(out), len(h)
	H, ok := maxFinite(h)
	if !ok {
		fillInf(out)
		return
	}
	zl := min(lseBlock32, nc)
	chunk := parallel.RowChunk(nr)
	inline := parallel.Inline(nr, chunk, nr*nc)
	var buf []float32
	own := false
	if inline {
		buf, own = sc.Take(nc + zl)
		defer sc.Release(own)
	} else {
		p := parallel.Buf32(nc)
		defer parallel.Put32(p)
		buf = *p
	}
	hs := buf[:nc]
	for j, v := range h {
		hs[j] = float32(v - H)
	}
	inv := float32(1 / eps)
	rows := func(lo, hi int, z []float32) {
		for i := lo; i < hi; i++ {
			row := c[i*nc : (i+1)*nc]
			mx, s := math.Inf(-1), 0.0
			for b, e := 0, min(lseHead32, nc); b < nc; b, e = e, min(e+lseBlock32, nc) {
				zz := z[:e-b]
				cb, hb := row[b:e], hs[b:e]
				// Prefetch the next block of the matrix while summing.
				next := c[min(i*nc+e, len(c)):min(i*nc+e+lseBlock32, len(c))]
				if math.IsInf(mx, -1) {
					mb := simd.DenseMax32(zz, cb, hb, inv)
					mx, s = lseBlockMerge32(zz, mb, mx, s, next)
					continue
				}
				var sums [16]float64
				mb := simd.DenseExpSum32(zz, cb, hb, inv, float32(mx), &sums, next)
				var ok bool
				if s, ok = addAtShift32(mb, mx, s, &sums); !ok {
					mx, s = lseBlockMerge32(zz, simd.DenseMax32(zz, cb, hb, inv), mx, s, nil)
				}
			}
			out[i] = eps*lseValue(mx, s) + H
		}
	}
	if inline {
		rows(0, nr, buf[nc:nc+zl])
		return
	}
	parallel.Chunks(nr, chunk, nr*nc, func(lo, hi int) {
		p := parallel.Buf32(zl)
		rows(lo, hi, *p)
		parallel.Put32(p)
	})
}

// SqEuclid32 is the float32 Kernel of an online squared-Euclidean
// point cloud, on coordinates centred at the mean of both clouds.
type SqEuclid32 struct {
	n, m, d int
	scale   float64
	xs, ys  []float32 // centred coordinates, transposed: xs[k*n+i]
	xw, yw  []float64 // the same, float64, for the per-call weights
	nx, ny  []float64 // squared norms of the centred points
	scratch parallel.Scratch[float32]
}

func NewSqEuclid32(x, y []float64, n, m, d int, scale float64) *SqEuclid32 {
	mu := make([]float64, d)
	for i := 0; i < n; i++ {
		for t := 0; t < d; t++ {
			mu[t] += x[i*d+t]
		}
	}
	for j := 0; j < m; j++ {
		for t := 0; t < d; t++ {
			mu[t] += y[j*d+t]
		}
	}
	for t := range mu {
		mu[t] /= float64(n + m)
	}
	centre := func(p []float64, np int) (ps32 []float32, ps []float64, norms []float64) {
		ps = make([]float64, np*d)
		ps32 = make([]float32, np*d)
		norms = make([]float64, np)
		for i := 0; i < np; i++ {
			for t := 0; t < d; t++ {
				v := p[i*d+t] - mu[t]
				ps[t*np+i] = v
				ps32[t*np+i] = float32(v)
				norms[i] += v * v
			}
		}
		return ps32, ps, norms
	}
	k := &SqEuclid32{n: n, m: m, d: d, scale: scale}
	k.xs, k.xw, k.nx = centre(x, n)
	k.ys, k.yw, k.ny = centre(y, m)
	return k
}

func (k *SqEuclid32) RowLSE(out, h []float64, eps float64) {
	onlineSqLSE32(&k.scratch, out, h, eps, k.scale, k.d, k.xs, k.nx, k.n, k.yw, k.ny, k.m)
}

func (k *SqEuclid32) ColLSE(out, h []float64, eps float64) {
	onlineSqLSE32(&k.scratch, out, h, eps, k.scale, k.d, k.ys, k.ny, k.m, k.xw, k.nx, k.n)
}

// onlineSqLSE32 is onlineSqLSE in float32: with H the largest finite h,
//
//	out[i] = eps·LSE_j(a_j + Σ_k p_ik·w_kj) + H − s·‖p_i‖²,
//	a_j = float32((h_j − H − s‖q_j‖²)/eps),  w_kj = float32((2s/eps)·q_jk),
//
// ps the float32 transposed row points, qs the float64 transposed column
// points.
func onlineSqLSE32(sc *parallel.Scratch[float32], out, h []float64, eps, s float64, d int, ps []float32, pn []float64, nr int, qs, qn []float64, nc int) {
	h = h[:nc]
	out = out[:nr]
	H, ok := maxFinite(h)
	if !ok {
		fillInf(out)
		return
	}
	inv := 1 / eps
	block := lseBlock32
	if d == 2 {
		block = lseBlockOnline32
	}
	zl := min(block, nc)
	chunk := parallel.RowChunk(nr)
	work := nr * nc * max(1, d/2)
	inline := parallel.Inline(nr, chunk, work)
	var buf []float32
	own := false
	if inline {
		buf, own = sc.Take((d+1)*nc + zl)
		defer sc.Release(own)
	} else {
		p := parallel.Buf32((d + 1) * nc)
		defer parallel.Put32(p)
		buf = *p
	}
	a, w := buf[:nc], buf[nc:(d+1)*nc]
	for j := range a {
		a[j] = float32((h[j] - H - s*qn[j]) * inv)
	}
	two := 2 * s * inv
	for t, v := range qs[:d*nc] {
		w[t] = float32(two * v)
	}
	rows := func(lo, hi int, z []float32) {
		for i := lo; i < hi; i++ {
			mx, sum := math.Inf(-1), 0.0
			for b, e := 0, min(lseHead32, nc); b < nc; b, e = e, min(e+block, nc) {
				zz := z[:e-b]
				if d == 2 && !math.IsInf(mx, -1) {
					ab, y0, y1, x0, x1 := a[b:e], w[b:e], w[nc+b:nc+e], ps[i], ps[nr+i]
					var sums [16]float64
					mb := simd.PC2ExpSum32(zz, ab, y0, y1, x0, x1, float32(mx), &sums)
					var ok bool
					if sum, ok = addAtShift32(mb, mx, sum, &sums); !ok {
						mx, sum = lseBlockMerge32(zz, simd.PC2Max32(zz, ab, y0, y1, x0, x1), mx, sum, nil)
					}
					continue
				}
				var mb float32
				if d == 2 {
					mb = simd.PC2Max32(zz, a[b:e], w[b:e], w[nc+b:nc+e], ps[i], ps[nr+i])
				} else {
					mb = zPCMax32(zz, a, w, ps, i, nr, nc, b, d)
				}
				mx, sum = lseBlockMerge32(zz, mb, mx, sum, nil)
			}
			out[i] = eps*lseValue(mx, sum) + H - s*pn[i]
		}
	}
	if inline {
		rows(0, nr, buf[(d+1)*nc:(d+1)*nc+zl])
		return
	}
	parallel.Chunks(nr, chunk, work, func(lo, hi int) {
		p := parallel.Buf32(zl)
		rows(lo, hi, *p)
		parallel.Put32(p)
	})
}

// zPCMax32 is zPC2Max32 for any dimension d (pure Go): z_j = a_j + Σ_t
// p_t·w_tj over the block starting at column b, coordinates in order.
func zPCMax32(z, a, w, ps []float32, i, nr, nc, b, d int) float32 {
	copy(z, a[b:b+len(z)])
	for t := 0; t < d; t++ {
		pt := ps[t*nr+i]
		wt := w[t*nc+b : t*nc+b+len(z)]
		for j := range z {
			z[j] = z[j] + float32(pt*wt[j])
		}
	}
	mx := float32(math.Inf(-1))
	for _, v := range z {
		if v > mx {
			mx = v
		}
	}
	return mx
}

// Fits reports whether the float32 values of onlineSqLSE32 stay within
// Float32Range at this eps: the weights 2s·q/eps, the terms s‖q‖²/eps and
// the products 2s·p·q/eps ≤ s(p² + q²)/eps. (The potentials enter shifted
// to ≤ 0, where an overflow gives −Inf, a zero term.)
func (k *SqEuclid32) Fits(eps float64) bool {
	big := 0.0
	for _, w := range [][]float64{k.xw, k.yw} {
		for _, v := range w {
			big = max(big, 2*math.Abs(v))
		}
	}
	for _, w := range [][]float64{k.nx, k.ny} {
		for _, v := range w {
			big = max(big, 2*v)
		}
	}
	return k.scale*big/eps <= Float32Range
}
