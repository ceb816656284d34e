package lse

import (
	"math"
	"runtime"

	"github.com/otlab/gootlab/otkit/internal/parallel"
	"github.com/otlab/gootlab/otkit/internal/simd"
)

// BlockSparse is the Kernel of a truncated point-cloud geometry: the
// points of each cloud are sorted by cluster (so a cluster is a contiguous
// range of the sorted order), and the reductions run only over the kept
// cluster pairs, stored per row cluster as ranges of sorted column indices
// (adjacent kept clusters merge into one range) and per column cluster as
// ranges of sorted row indices. Dropped entries count as zero. Which pairs
// are kept, and the error bound that follows, is the truncation rule of
// otkit's MultiscaleSinkhorn; this file only evaluates the kernel.
//
// The squared Euclidean cost is evaluated in the norm form of the online
// kernel (onlineSqLSE), from coordinates centred on the clouds' common
// midpoint, with the same vector helpers (simd.PC2Max for d = 2, lseBlockMerge);
// the Euclidean cost takes a square root per term in a scalar loop. Each
// output is reduced by one goroutine in a fixed order (ranges in order,
// cut in lseBlock pieces), so results do not depend on GOMAXPROCS.
type BlockSparse struct {
	n, m, d int
	scale   float64
	euclid  bool
	x, y    side  // rows and columns
	kept    int64 // number of kept (i, j) entries
}

// Cloud is one point cloud in cluster order (the caller's clustering).
type Cloud struct {
	K      int
	Perm   []int     // sorted position → original index
	Pts    []float64 // sorted centred coordinates, transposed: Pts[t*K+i]
	Norms  []float64 // their squared norms
	Starts []int     // cluster c holds sorted points Starts[c] ≤ i < Starts[c+1]
}

// side is a Cloud with the kept ranges of the other cloud for each of its
// clusters.
type side struct {
	Cloud
	ptr    []int   // cluster c's ranges are lo[ptr[c]:ptr[c+1]], hi[...]
	lo, hi []int32 // ranges of sorted indices of the other cloud
}

// NewBlockSparse returns the kernel of the n×m cost scale·c(x_i, y_j)
// (squared Euclidean, or Euclidean when euclid) in dimension d between the
// clouds x and y, over the cluster pairs (cx, cy) for which keep is true.
func NewBlockSparse(x, y Cloud, n, m, d int, scale float64, euclid bool, keep func(cx, cy int) bool) *BlockSparse {
	nx, ny := len(x.Starts)-1, len(y.Starts)-1
	bk := &BlockSparse{n: n, m: m, d: d, scale: scale, euclid: euclid, x: side{Cloud: x}, y: side{Cloud: y}}
	bk.x.ptr, bk.x.lo, bk.x.hi = ranges(nx, ny, y.Starts, keep)
	bk.y.ptr, bk.y.lo, bk.y.hi = ranges(ny, nx, x.Starts, func(c, o int) bool { return keep(o, c) })
	for c := 0; c < nx; c++ {
		size := int64(x.Starts[c+1] - x.Starts[c])
		for r := bk.x.ptr[c]; r < bk.x.ptr[c+1]; r++ {
			bk.kept += size * int64(bk.x.hi[r]-bk.x.lo[r])
		}
	}
	return bk
}

// ranges lists, for each of nc clusters, the kept clusters of the other side
// as ranges of sorted point indices, merging consecutive clusters.
func ranges(nc, no int, otherStarts []int, kept func(c, o int) bool) (ptr []int, lo, hi []int32) {
	ptr = make([]int, nc+1)
	for c := 0; c < nc; c++ {
		open := false
		for o := 0; o < no; o++ {
			if !kept(c, o) {
				open = false
				continue
			}
			if open {
				hi[len(hi)-1] = int32(otherStarts[o+1])
				continue
			}
			lo = append(lo, int32(otherStarts[o]))
			hi = append(hi, int32(otherStarts[o+1]))
			open = true
		}
		ptr[c+1] = len(lo)
	}
	return ptr, lo, hi
}

// Kept is the number of kept (i, j) entries.
func (k *BlockSparse) Kept() int64 { return k.kept }

// EachKeptPair calls fn(i, j) (original indices) for every kept entry, row
// cluster by row cluster.
func (k *BlockSparse) EachKeptPair(fn func(i, j int)) {
	p, q := &k.x, &k.y
	for c := 0; c+1 < len(p.Starts); c++ {
		for i := p.Starts[c]; i < p.Starts[c+1]; i++ {
			for r := p.ptr[c]; r < p.ptr[c+1]; r++ {
				for j := p.lo[r]; j < p.hi[r]; j++ {
					fn(p.Perm[i], q.Perm[j])
				}
			}
		}
	}
}

func (k *BlockSparse) RowLSE(out, h []float64, eps float64) {
	sparseLSE(out, h, eps, k.scale, k.d, k.euclid, &k.x, &k.y)
}

func (k *BlockSparse) ColLSE(out, h []float64, eps float64) {
	sparseLSE(out, h, eps, k.scale, k.d, k.euclid, &k.y, &k.x)
}

// sparseLSE computes, for every point p_i of side p (original order),
//
//	out[i] = eps·log Σ_{j kept} exp((h_j − c(p_i, q_j))/eps)
//
// over the points q_j of side q in the kept ranges of p_i's cluster; −Inf
// when nothing is kept. h is in q's original order.
func sparseLSE(out, h []float64, eps, s float64, d int, euclid bool, p, q *side) {
	inv := 1 / eps
	nr, nc := p.K, q.K
	// Inputs in sorted order, prepared once: a_j and w_tj as in onlineSqLSE.
	a := make([]float64, nc)
	w := make([]float64, d*nc)
	two := 2 * s * inv
	for j, o := range q.Perm {
		if euclid {
			a[j] = h[o]
		} else {
			a[j] = (h[o] - s*q.Norms[j]) * inv
		}
	}
	for t, v := range q.Pts[:d*nc] {
		w[t] = two * v
	}
	sorted := make([]float64, nr)
	nClusters := len(p.Starts) - 1
	maxSize := 0
	for c := 0; c < nClusters; c++ {
		maxSize = max(maxSize, p.Starts[c+1]-p.Starts[c])
	}
	work := 0
	for c := 0; c < nClusters; c++ {
		for r := p.ptr[c]; r < p.ptr[c+1]; r++ {
			work += (p.Starts[c+1] - p.Starts[c]) * int(p.hi[r]-p.lo[r])
		}
	}
	chunk := max(1, min(16, nClusters/(8*max(1, runtime.GOMAXPROCS(0)))))
	parallel.Chunks(nClusters, chunk, work, func(c0, c1 int) {
		rm := make([]float64, maxSize)
		rs := make([]float64, maxSize)
		z := make([]float64, lseBlock)
		for c := c0; c < c1; c++ {
			r0, r1 := p.Starts[c], p.Starts[c+1]
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
							mb = zEuclidMax(zz, a[b:e], w, nc, b, p.Pts, nr, i, d, p.Norms[i], q.Norms[b:e], s, inv)
						case d == 2:
							mb = simd.PC2Max(zz, a[b:e], w[b:e], w[nc+b:nc+e], p.Pts[i], p.Pts[nr+i])
						default:
							mb = zGeneralMax(zz, a[b:e], w, nc, b, p.Pts, nr, i, d)
						}
						rm[i-r0], rs[i-r0] = lseBlockMerge(zz, mb, rm[i-r0], rs[i-r0], nil)
					}
				}
			}
			for i := r0; i < r1; i++ {
				v := eps * lseValue(rm[i-r0], rs[i-r0])
				if !euclid {
					v -= s * p.Norms[i]
				}
				sorted[i] = v
			}
		}
	})
	for i, o := range p.Perm {
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
