package otkit

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Fast log-sum-exp kernels.
//
// A log-domain Sinkhorn iteration is two log-sum-exp reductions over the n×m
// cost matrix, i.e. 2·n·m exponentials; math.Exp (about 20 ns) makes that the
// whole cost. The kernels here
//
//   - use their own exp (expNeg): range reduction to |r| ≤ ln2/2 and a
//     degree-12 Taylor polynomial, all fused multiply-adds, no table, no branch, so
//     it runs four lanes at a time in AVX2 (lse_fast_amd64.s) and is within
//     a few ulp of math.Exp;
//   - shift by the maximum in the same single pass: each lane keeps a running
//     maximum M and a sum S scaled by exp(-M); a new exponent z costs exactly
//     one exp, exp(min(M,z) − max(M,z)), which either rescales S (z > M) or
//     is added to it;
//   - compute squared-Euclidean costs on the fly from norms and dot products
//     (the norm form of OTT), never reading an n×m matrix, with d = 2
//     specialised;
//   - block the columns so the per-column data stays in cache, and split the
//     independent outputs (rows for rowLSE, column blocks for a dense
//     colLSE) over GOMAXPROCS goroutines. Every output is reduced by one
//     goroutine in a fixed order, so results do not depend on GOMAXPROCS.
//
// The pure-Go loops below are the fallback and the specification of the
// assembly: the same operations in the same order, so both give the same
// bits. Lane l of an accumulator takes the terms j ≡ l (mod 8) of a row.

// Polynomial exp constants: 1.5·2^52 rounds to an integer, ln2 split in a
// high and a low part, 1/k! for k ≤ 12.
const (
	expLog2e = 1.4426950408889634
	expMagic = 0x1.8p52
	expLn2Hi = 0.6931471805599453
	expLn2Lo = 2.3190468138462996e-17
	// expLow is the flush-to-zero limit: exp(-708) ≈ 3e-308 is the smallest
	// result kept. In a log-sum-exp every term is divided by the largest one,
	// so terms below that limit do not change the sum.
	expLow = -708.0

	expC2  = 0.5
	expC3  = 0.16666666666666666
	expC4  = 0.041666666666666664
	expC5  = 0.0083333333333333332
	expC6  = 0.0013888888888888889
	expC7  = 0.00019841269841269841
	expC8  = 2.4801587301587302e-05
	expC9  = 2.7557319223985893e-06
	expC10 = 2.7557319223985888e-07
	expC11 = 2.505210838544172e-08
	expC12 = 2.08767569878681e-09
)

// expNeg returns e^x for -708 ≤ x < 709 to within about 2e-16 relative, and
// exactly 0 for x < -708, x = -Inf and NaN (the log-sum-exp kernels only
// evaluate x ≤ 0, where a NaN can only come from −Inf − (−Inf), a term that
// must contribute nothing).
func expNeg(x float64) float64 {
	if !(x >= expLow) {
		return 0
	}
	t := math.FMA(x, expLog2e, expMagic) // 1.5·2^52 + round(x·log2 e)
	n := t - expMagic
	r := math.FMA(-n, expLn2Hi, x)
	r = math.FMA(-n, expLn2Lo, r)
	p := math.FMA(r, expC12, expC11)
	p = math.FMA(r, p, expC10)
	p = math.FMA(r, p, expC9)
	p = math.FMA(r, p, expC8)
	p = math.FMA(r, p, expC7)
	p = math.FMA(r, p, expC6)
	p = math.FMA(r, p, expC5)
	p = math.FMA(r, p, expC4)
	p = math.FMA(r, p, expC3)
	p = math.FMA(r, p, expC2)
	p = math.FMA(r, p, 1)
	p = math.FMA(r, p, 1)
	// The low bits of t hold n + 2^51; adding the bias and shifting drops
	// the 2^51 and leaves (n+1023)<<52, the bits of 2^n.
	return p * math.Float64frombits((math.Float64bits(t)+1023)<<52)
}

// expVec sets dst[j] = expNeg(src[j]). It is the exp throughput ceiling the
// kernels are measured against.
func expVec(dst, src []float64) {
	dst = dst[:len(src)]
	k := 0
	if useAVX {
		k = len(src) &^ 7
		if k > 0 {
			expVecAVX(&dst[0], &src[0], k)
		}
	}
	for j := k; j < len(src); j++ {
		dst[j] = expNeg(src[j])
	}
}

// lseLanes holds eight running log-sum-exp states: [0,8) the maxima M_l,
// [8,16) the sums S_l = Σ exp(z − M_l) over the terms seen by lane l.
type lseLanes [16]float64

func (a *lseLanes) reset() {
	for l := 0; l < 8; l++ {
		a[l] = math.Inf(-1)
		a[8+l] = 0
	}
}

// result combines the lanes in a fixed order into log Σ exp(z), −Inf if no
// term was finite.
func (a *lseLanes) result() float64 {
	m := math.Inf(-1)
	for l := 0; l < 8; l++ {
		if a[l] > m {
			m = a[l]
		}
	}
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for l := 0; l < 8; l++ {
		s += a[8+l] * expNeg(a[l]-m)
	}
	return m + math.Log(s)
}

// lseStep folds exponent z into the state (m, s); the Go twin of UPDATE in
// lse_fast_amd64.s.
func lseStep(m, s, z float64) (float64, float64) {
	lo, hi := z, z
	if m < z {
		lo = m
	}
	if m > z {
		hi = m
	}
	e := expNeg(lo - hi)
	if z > m {
		s = math.FMA(e, s, 1)
	} else {
		s += e
	}
	return hi, s
}

// accRowDense folds z_j = (h_j − c_j)/eps into acc. c must start at a
// column index that is a multiple of 8.
func accRowDense(c, h []float64, invEps float64, acc *lseLanes) {
	h = h[:len(c)]
	k := 0
	if useAVX {
		k = len(c) &^ 7
		if k > 0 {
			accRowDenseAVX(&c[0], &h[0], k, invEps, acc)
		}
	}
	for j := k; j < len(c); j++ {
		l := j & 7
		acc[l], acc[8+l] = lseStep(acc[l], acc[8+l], (h[j]-c[j])*invEps)
	}
}

// accRowPC2 folds z_j = a_j + x0·y0_j + x1·y1_j (two fused steps) into acc.
func accRowPC2(a, y0, y1 []float64, x0, x1 float64, acc *lseLanes) {
	y0 = y0[:len(a)]
	y1 = y1[:len(a)]
	k := 0
	if useAVX {
		k = len(a) &^ 7
		if k > 0 {
			accRowPC2AVX(&a[0], &y0[0], &y1[0], k, x0, x1, acc)
		}
	}
	for j := k; j < len(a); j++ {
		l := j & 7
		z := math.FMA(x1, y1[j], math.FMA(x0, y0[j], a[j]))
		acc[l], acc[8+l] = lseStep(acc[l], acc[8+l], z)
	}
}

// accRowZ folds the given exponents into acc.
func accRowZ(z []float64, acc *lseLanes) {
	k := 0
	if useAVX {
		k = len(z) &^ 7
		if k > 0 {
			accRowZAVX(&z[0], k, acc)
		}
	}
	for j := k; j < len(z); j++ {
		l := j & 7
		acc[l], acc[8+l] = lseStep(acc[l], acc[8+l], z[j])
	}
}

// accColDense folds z_j = (hi − c_j)/eps into the per-column states (mx_j, s_j).
func accColDense(c []float64, hi, invEps float64, mx, s []float64) {
	mx = mx[:len(c)]
	s = s[:len(c)]
	k := 0
	if useAVX {
		k = len(c) &^ 7
		if k > 0 {
			accColDenseAVX(&c[0], k, hi, invEps, &mx[0], &s[0])
		}
	}
	for j := k; j < len(c); j++ {
		mx[j], s[j] = lseStep(mx[j], s[j], (hi-c[j])*invEps)
	}
}

const (
	// fastParallelWork is the n·m below which a reduction runs on the calling
	// goroutine: starting goroutines costs more than it saves there.
	fastParallelWork = 1 << 15
	// fastColBlock is the column block (a multiple of 8) of the cache-blocked
	// loops: three such float64 slices stay in L1.
	fastColBlock = 1024
)

// parallelChunks calls body(lo, hi) on consecutive chunks of [0, n) of
// the given size, from up to GOMAXPROCS goroutines that take chunks in
// turn. The chunks must write disjoint outputs, each computed the same way
// whichever goroutine runs it, so results do not depend on GOMAXPROCS.
func parallelChunks(n, chunk, work int, body func(lo, hi int)) {
	nChunks := (n + chunk - 1) / chunk
	workers := min(runtime.GOMAXPROCS(0), nChunks)
	if workers <= 1 || work < fastParallelWork {
		for lo := 0; lo < n; lo += chunk {
			body(lo, min(lo+chunk, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= nChunks {
					return
				}
				lo := c * chunk
				body(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}

// rowChunk picks how many rows a goroutine takes at a time: enough chunks
// for load balance on a shared machine, at most 64 rows so the per-row
// states of a chunk stay in cache.
func rowChunk(n int) int {
	return max(1, min(64, n/(8*runtime.GOMAXPROCS(0))))
}

// denseFastLSE is the fast lseKernel of a materialised row-major n×m cost
// matrix.
type denseFastLSE struct {
	c    []float64
	n, m int
}

func newDenseFastLSE(c []float64, n, m int) *denseFastLSE {
	return &denseFastLSE{c: c[:n*m], n: n, m: m}
}

func (k *denseFastLSE) rowLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	n, m := k.n, k.m
	h = h[:m]
	out = out[:n]
	parallelChunks(n, rowChunk(n), n*m, func(lo, hi int) {
		var acc lseLanes
		for i := lo; i < hi; i++ {
			acc.reset()
			accRowDense(k.c[i*m:(i+1)*m], h, inv, &acc)
			out[i] = eps * acc.result()
		}
	})
}

// colLSE walks the rows in order for a block of columns at a time. Like
// rowLSE it keeps eight running states per output, row i feeding state
// i mod 8, and combines them the same way: on a symmetric matrix rowLSE and
// colLSE then give the same bits (symmetric problems keep f = g exactly).
// Column blocks are independent.
func (k *denseFastLSE) colLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	n, m := k.n, k.m
	h = h[:n]
	out = out[:m]
	// mx[l*m+j], s[l*m+j]: state l of column j.
	mx := make([]float64, 8*m)
	s := make([]float64, 8*m)
	workers := runtime.GOMAXPROCS(0)
	// Column blocks: at most fastColBlock/2 wide (16 states per column stay
	// in L2), a multiple of 8, and enough of them to keep every goroutine
	// busy.
	nb := max((m+fastColBlock/2-1)/(fastColBlock/2), min(4*workers, (m+63)/64))
	blk := ((m+nb-1)/nb + 7) &^ 7
	parallelChunks(m, blk, n*m, func(lo, hi int) {
		for l := 0; l < 8; l++ {
			bm := mx[l*m+lo : l*m+hi]
			for j := range bm {
				bm[j] = math.Inf(-1)
			}
		}
		for i := 0; i < n; i++ {
			if math.IsInf(h[i], -1) {
				continue // a zero-weight row adds exactly nothing
			}
			l := (i & 7) * m
			accColDense(k.c[i*m+lo:i*m+hi], h[i], inv, mx[l+lo:l+hi], s[l+lo:l+hi])
		}
		var acc lseLanes
		for j := lo; j < hi; j++ {
			for l := 0; l < 8; l++ {
				acc[l], acc[8+l] = mx[l*m+j], s[l*m+j]
			}
			out[j] = eps * acc.result()
		}
	})
}

// sqEuclidFastLSE is the fast lseKernel of an online squared-Euclidean point
// cloud: C_ij = scale·(‖x_i‖² + ‖y_j‖² − 2⟨x_i, y_j⟩), OTT's norm form,
// evaluated on the fly. Memory is O((n+m)·d).
type sqEuclidFastLSE struct {
	n, m, d int
	scale   float64
	xs, ys  []float64 // coordinates, transposed: xs[k*n+i] = x_i[k]
	nx, ny  []float64 // squared norms
}

// newSqEuclidFastLSE takes row-major n×d and m×d coordinates, their squared
// norms (the geometry's, so that both kernels see the same costs) and the
// factor multiplying every cost (1/ScaleCost).
func newSqEuclidFastLSE(x, y, nx, ny []float64, n, m, d int, scale float64) *sqEuclidFastLSE {
	return &sqEuclidFastLSE{n: n, m: m, d: d, scale: scale,
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

func (k *sqEuclidFastLSE) rowLSE(out, h []float64, eps float64) {
	onlineSqLSE(out, h, eps, k.scale, k.d, k.xs, k.nx, k.n, k.ys, k.ny, k.m)
}

// colLSE is rowLSE with the clouds swapped: the cost is symmetric in (x, y).
func (k *sqEuclidFastLSE) colLSE(out, h []float64, eps float64) {
	onlineSqLSE(out, h, eps, k.scale, k.d, k.ys, k.ny, k.m, k.xs, k.nx, k.n)
}

// onlineSqLSE computes, for the nr points p (transposed ps, norms pn) against
// the nc points q,
//
//	out[i] = eps·log Σ_j exp((h_j − s·(‖p_i‖² + ‖q_j‖² − 2⟨p_i, q_j⟩))/eps)
//	       = eps·LSE_j(a_j + Σ_k p_ik·w_kj) − s·‖p_i‖²,
//
// with a_j = (h_j − s‖q_j‖²)/eps and w_kj = (2s/eps)·q_jk prepared once per
// call. Rows are processed in chunks and columns in cache-sized blocks, the
// per-row states of a chunk carried across blocks.
func onlineSqLSE(out, h []float64, eps, s float64, d int, ps, pn []float64, nr int, qs, qn []float64, nc int) {
	inv := 1 / eps
	h = h[:nc]
	out = out[:nr]
	a := make([]float64, nc)
	for j := range a {
		a[j] = (h[j] - s*qn[j]) * inv
	}
	w := make([]float64, d*nc)
	two := 2 * s * inv
	for t, v := range qs[:d*nc] {
		w[t] = two * v
	}
	parallelChunks(nr, rowChunk(nr), nr*nc*max(1, d/2), func(lo, hi int) {
		accs := make([]lseLanes, hi-lo)
		for r := range accs {
			accs[r].reset()
		}
		var z []float64
		if d != 2 {
			z = make([]float64, min(fastColBlock, nc))
		}
		for b := 0; b < nc; b += fastColBlock {
			e := min(b+fastColBlock, nc)
			for i := lo; i < hi; i++ {
				acc := &accs[i-lo]
				if d == 2 {
					accRowPC2(a[b:e], w[b:e], w[nc+b:nc+e], ps[i], ps[nr+i], acc)
					continue
				}
				zz := z[:e-b]
				copy(zz, a[b:e])
				for t := 0; t < d; t++ {
					pt := ps[t*nr+i]
					wt := w[t*nc+b : t*nc+e]
					for j := range zz {
						zz[j] = math.FMA(pt, wt[j], zz[j])
					}
				}
				accRowZ(zz, acc)
			}
		}
		for i := lo; i < hi; i++ {
			out[i] = eps*accs[i-lo].result() - s*pn[i]
		}
	})
}

func init() { fastKernel = fastKernelFor }

// fastKernelFor is the solver's fast kernel for a geometry (the hook in
// lse_ref.go): the dense kernel for a materialised cost matrix, the online
// kernel for an online squared-Euclidean cloud. Other online costs keep the
// reference kernel (nil), whose time goes into evaluating the user's cost.
func fastKernelFor(g *Geometry) lseKernel {
	switch {
	case g.cost != nil:
		return newDenseFastLSE(g.cost, g.n, g.m)
	case g.sqEuclid:
		return newSqEuclidFastLSE(g.x, g.y, g.nx, g.ny, g.n, g.m, g.d, g.invScale)
	}
	return nil
}
