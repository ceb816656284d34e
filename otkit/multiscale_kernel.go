package otkit

import (
	"math"
	"runtime"

	"github.com/otlab/gootlab/otkit/internal/simd"
)

// blockSparseLSE is the lseKernel of a truncated point-cloud geometry: the
// points of each cloud are sorted by cluster (so a cluster is a contiguous
// range of the sorted order), and the reductions run only over the kept
// cluster pairs, stored per row cluster as ranges of sorted column indices
// (adjacent kept clusters merge into one range) and per column cluster as
// ranges of sorted row indices. Dropped entries count as zero. Which pairs
// are kept, and the error bound that follows, is the truncation rule of
// multiscale.go; this file only evaluates the kernel.
//
// The squared Euclidean cost is evaluated in the norm form of the online
// kernel (onlineSqLSE), from coordinates centred on the clouds' common
// midpoint, with the same vector helpers (zPC2Max for d = 2, lseBlockMerge);
// the Euclidean cost takes a square root per term in a scalar loop. Each
// output is reduced by one goroutine in a fixed order (ranges in order,
// cut in lseBlock pieces), so results do not depend on GOMAXPROCS.
type blockSparseLSE struct {
	n, m, d int
	scale   float64
	euclid  bool
	x, y    sparseSide // rows and columns
	kept    int64      // number of kept (i, j) entries
}

// sparseSide is one cloud in cluster order with the kept ranges of the
// other cloud for each of its clusters.
type sparseSide struct {
	k      int
	perm   []int     // sorted position → original index
	pts    []float64 // sorted centred coordinates, transposed: pts[t*k+i]
	norms  []float64 // their squared norms
	starts []int     // cluster c holds sorted points starts[c] ≤ i < starts[c+1]
	ptr    []int     // cluster c's ranges are lo[ptr[c]:ptr[c+1]], hi[...]
	lo, hi []int32   // ranges of sorted indices of the other cloud
}

func (k *blockSparseLSE) rowLSE(out, h []float64, eps float64) {
	sparseLSE(out, h, eps, k.scale, k.d, k.euclid, &k.x, &k.y)
}

func (k *blockSparseLSE) colLSE(out, h []float64, eps float64) {
	sparseLSE(out, h, eps, k.scale, k.d, k.euclid, &k.y, &k.x)
}

// sparseLSE computes, for every point p_i of side p (original order),
//
//	out[i] = eps·log Σ_{j kept} exp((h_j − c(p_i, q_j))/eps)
//
// over the points q_j of side q in the kept ranges of p_i's cluster; −Inf
// when nothing is kept. h is in q's original order.
func sparseLSE(out, h []float64, eps, s float64, d int, euclid bool, p, q *sparseSide) {
	inv := 1 / eps
	nr, nc := p.k, q.k
	// Inputs in sorted order, prepared once: a_j and w_tj as in onlineSqLSE.
	a := make([]float64, nc)
	w := make([]float64, d*nc)
	two := 2 * s * inv
	for j, o := range q.perm {
		if euclid {
			a[j] = h[o]
		} else {
			a[j] = (h[o] - s*q.norms[j]) * inv
		}
	}
	for t, v := range q.pts[:d*nc] {
		w[t] = two * v
	}
	sorted := make([]float64, nr)
	nClusters := len(p.starts) - 1
	maxSize := 0
	for c := 0; c < nClusters; c++ {
		maxSize = max(maxSize, p.starts[c+1]-p.starts[c])
	}
	work := 0
	for c := 0; c < nClusters; c++ {
		for r := p.ptr[c]; r < p.ptr[c+1]; r++ {
			work += (p.starts[c+1] - p.starts[c]) * int(p.hi[r]-p.lo[r])
		}
	}
	chunk := max(1, min(16, nClusters/(8*max(1, runtime.GOMAXPROCS(0)))))
	parallelChunks(nClusters, chunk, work, func(c0, c1 int) {
		rm := make([]float64, maxSize)
		rs := make([]float64, maxSize)
		z := make([]float64, lseBlock)
		for c := c0; c < c1; c++ {
			r0, r1 := p.starts[c], p.starts[c+1]
			for i := range r1 - r0 {
				rm[i], rs[i] = math.Inf(-1), 0
			}
			for r := p.ptr[c]; r < p.ptr[c+1]; r++ {
				for b := int(p.lo[r]); b < int(p.hi[r]); b += lseBlock {
					e := min(b+lseBlock, int(p.hi[r]))
					zz := z[:e-b]
					for i := r0; i < r1; i++ {
						var mb float64
						switch {
						case euclid:
							mb = zEuclidMax(zz, a[b:e], w, nc, b, p.pts, nr, i, d, p.norms[i], q.norms[b:e], s, inv)
						case d == 2:
							mb = simd.PC2Max(zz, a[b:e], w[b:e], w[nc+b:nc+e], p.pts[i], p.pts[nr+i])
						default:
							mb = zGeneralMax(zz, a[b:e], w, nc, b, p.pts, nr, i, d)
						}
						rm[i-r0], rs[i-r0] = lseBlockMerge(zz, mb, rm[i-r0], rs[i-r0], nil)
					}
				}
			}
			for i := r0; i < r1; i++ {
				v := eps * lseValue(rm[i-r0], rs[i-r0])
				if !euclid {
					v -= s * p.norms[i]
				}
				sorted[i] = v
			}
		}
	})
	for i, o := range p.perm {
		out[o] = sorted[i]
	}
}

// zGeneralMax is the squared-Euclidean exponent of onlineSqLSE for any d:
// z_j = a_j + Σ_t p_it·w_tj, returning the largest.
func zGeneralMax(z, a, w []float64, nc, b int, ps []float64, nr, i, d int) float64 {
	copy(z, a)
	for t := 0; t < d; t++ {
		pt := ps[t*nr+i]
		wt := w[t*nc+b : t*nc+b+len(z)]
		for j := range z {
			z[j] = math.FMA(pt, wt[j], z[j])
		}
	}
	mb := math.Inf(-1)
	for _, v := range z {
		mb = max(mb, v)
	}
	return mb
}

// zEuclidMax writes the Euclidean exponents z_j = (h_j − s·‖p_i − q_j‖)/eps
// with ‖p_i − q_j‖² in norm form (clamped at 0), returning the largest.
// Here a holds h and w holds 2s/eps·q, so ⟨p, q⟩ = (eps/2s)·Σ_t p_t·w_tj.
func zEuclidMax(z, h, w []float64, nc, b int, ps []float64, nr, i, d int, pn float64, qn []float64, s, inv float64) float64 {
	back := 1 / (2 * s * inv)
	mb := math.Inf(-1)
	for j := range z {
		var dot float64
		for t := 0; t < d; t++ {
			dot += ps[t*nr+i] * w[t*nc+b+j]
		}
		d2 := math.Max(0, pn+qn[j]-2*dot*back)
		v := (h[j] - s*math.Sqrt(d2)) * inv
		z[j] = v
		mb = max(mb, v)
	}
	return mb
}

// blockSparseRef is the reference of blockSparseLSE: for every row (or
// column) the plain two-pass log-sum-exp with math.Exp over the kept
// entries, costs from the geometry's own cost function on the original
// points. It shares only the pattern with the fast kernel.
type blockSparseRef struct {
	g  *Geometry
	bk *blockSparseLSE
}

func (k *blockSparseRef) rowLSE(out, h []float64, eps float64) {
	k.reduce(out, h, eps, &k.bk.x, &k.bk.y, true)
}

func (k *blockSparseRef) colLSE(out, h []float64, eps float64) {
	k.reduce(out, h, eps, &k.bk.y, &k.bk.x, false)
}

func (k *blockSparseRef) reduce(out, h []float64, eps float64, p, q *sparseSide, rows bool) {
	g := k.g
	for c := 0; c+1 < len(p.starts); c++ {
		for i := p.starts[c]; i < p.starts[c+1]; i++ {
			oi := p.perm[i]
			var terms []float64
			for r := p.ptr[c]; r < p.ptr[c+1]; r++ {
				for j := p.lo[r]; j < p.hi[r]; j++ {
					oj := q.perm[j]
					var cost float64
					if rows {
						cost = g.costFn.Cost(g.xRow(oi), g.yRow(oj)) * g.invScale
					} else {
						cost = g.costFn.Cost(g.xRow(oj), g.yRow(oi)) * g.invScale
					}
					terms = append(terms, (h[oj]-cost)/eps)
				}
			}
			mx := math.Inf(-1)
			for _, v := range terms {
				mx = math.Max(mx, v)
			}
			if math.IsInf(mx, -1) {
				out[oi] = mx
				continue
			}
			var sm float64
			for _, v := range terms {
				sm += math.Exp(v - mx)
			}
			out[oi] = eps * (mx + math.Log(sm))
		}
	}
}
