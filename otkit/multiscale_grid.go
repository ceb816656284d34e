package otkit

import (
	"math"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// Grid clustering for MultiscaleSinkhorn. Both clouds share one regular grid
// over their common bounding box; a cluster is a non-empty cell, and points
// are sorted by cell (cells in row-major order, axis 0 fastest, points of a
// cell in their original order), so that a cluster is a contiguous range and
// the clusters kept by a row of cells along axis 0 merge into one range. A
// grid is O(n) to build, deterministic, and its cells have the same
// diameter everywhere, which is what the truncation rule's slack depends on.
// (k-means or an octree adapt to the density; not measured here.)

// maxGridCells bounds the number of cells (empty ones included).
const maxGridCells = 1 << 22

// gridClusters is one cloud sorted by cell.
type gridClusters struct {
	d         int
	side      lse.Cloud // perm, centred transposed coordinates, norms, starts
	lo, hi    []float64 // bounding box of each cluster, centred coordinates
	centroids []float64 // weighted centroid of each cluster, original coordinates
	mass      []float64 // total weight of each cluster
}

func (c *gridClusters) count() int { return len(c.side.Starts) - 1 }

// maxReduced returns for each cluster the largest pot_i − eps·log w_i over
// its points of positive weight, −Inf when there are none.
func (c *gridClusters) maxReduced(pot, w []float64, eps float64) []float64 {
	out := make([]float64, c.count())
	for k := range out {
		out[k] = math.Inf(-1)
		for _, o := range c.side.Perm[c.side.Starts[k]:c.side.Starts[k+1]] {
			if w[o] > 0 {
				out[k] = math.Max(out[k], pot[o]-eps*math.Log(w[o]))
			}
		}
	}
	return out
}

// newGridClusters builds the grid of the geometry's two clouds (weights a,
// b) with the given cell side, or the default side when 0.
func newGridClusters(g *Geometry, a, b []float64, cell float64, euclid bool) (cx, cy *gridClusters) {
	d := g.d
	lo, hi := boundingBox(g.x, d)
	lo2, hi2 := boundingBox(g.y, d)
	center := make([]float64, d)
	width := 0.0
	for t := 0; t < d; t++ {
		lo[t], hi[t] = math.Min(lo[t], lo2[t]), math.Max(hi[t], hi2[t])
		center[t] = 0.5 * (lo[t] + hi[t])
		width = math.Max(width, hi[t]-lo[t])
	}
	if cell == 0 {
		// A quarter of the kernel's length scale, but cells of at least
		// ~16 points on average so that the coarse problem stays small.
		length := math.Sqrt(g.eps / g.invScale)
		if euclid {
			length = g.eps / g.invScale
		}
		npts := float64(max(g.n, g.m))
		cell = math.Max(length/4, width/math.Pow(npts/16, 1/float64(d)))
	}
	dims := make([]int, d)
	for {
		total := 1
		for t := 0; t < d; t++ {
			dims[t] = max(1, int(math.Ceil((hi[t]-lo[t])/cell)))
			total *= dims[t]
		}
		if total <= maxGridCells {
			break
		}
		cell *= 1.5
	}
	cellOf := func(p []float64) int {
		idx, stride := 0, 1
		for t := 0; t < d; t++ {
			k := int((p[t] - lo[t]) / cell)
			k = min(max(k, 0), dims[t]-1)
			idx += k * stride
			stride *= dims[t]
		}
		return idx
	}
	total := 1
	for _, v := range dims {
		total *= v
	}
	cx = sortByCell(g.x, g.n, d, a, center, total, cellOf)
	if g.self && equalSlices(a, b) {
		cy = cx
	} else {
		cy = sortByCell(g.y, g.m, d, b, center, total, cellOf)
	}
	return cx, cy
}

// sortByCell counting-sorts the k points p by cell and fills the clusters.
func sortByCell(p []float64, k, d int, w, center []float64, cells int, cellOf func([]float64) int) *gridClusters {
	id := make([]int32, k)
	count := make([]int32, cells+1)
	for i := 0; i < k; i++ {
		c := cellOf(p[i*d : (i+1)*d])
		id[i] = int32(c)
		count[c+1]++
	}
	nonEmpty := 0
	for c := 1; c <= cells; c++ {
		if count[c] > 0 {
			nonEmpty++
		}
		count[c] += count[c-1]
	}
	gc := &gridClusters{d: d}
	sd := &gc.side
	sd.K = k
	sd.Perm = make([]int, k)
	pos := append([]int32(nil), count[:cells]...)
	for i := 0; i < k; i++ {
		sd.Perm[pos[id[i]]] = i
		pos[id[i]]++
	}
	sd.Starts = make([]int, 0, nonEmpty+1)
	for c := 0; c < cells; c++ {
		if count[c+1] > count[c] {
			sd.Starts = append(sd.Starts, int(count[c]))
		}
	}
	sd.Starts = append(sd.Starts, k)
	sd.Pts = make([]float64, d*k)
	sd.Norms = make([]float64, k)
	for i, o := range sd.Perm {
		var nrm float64
		for t := 0; t < d; t++ {
			v := p[o*d+t] - center[t]
			sd.Pts[t*k+i] = v
			nrm += v * v
		}
		sd.Norms[i] = nrm
	}
	nc := len(sd.Starts) - 1
	gc.lo, gc.hi = make([]float64, nc*d), make([]float64, nc*d)
	gc.centroids = make([]float64, nc*d)
	gc.mass = make([]float64, nc)
	for c := 0; c < nc; c++ {
		r0, r1 := sd.Starts[c], sd.Starts[c+1]
		for t := 0; t < d; t++ {
			l, h := math.Inf(1), math.Inf(-1)
			var ws, plain float64
			for i := r0; i < r1; i++ {
				v := sd.Pts[t*k+i]
				l, h = math.Min(l, v), math.Max(h, v)
				ws += w[sd.Perm[i]] * v
				plain += v
			}
			gc.lo[c*d+t], gc.hi[c*d+t] = l, h
			var m float64
			for i := r0; i < r1; i++ {
				m += w[sd.Perm[i]]
			}
			gc.mass[c] = m
			if m > 0 {
				gc.centroids[c*d+t] = ws/m + center[t]
			} else {
				gc.centroids[c*d+t] = plain/float64(r1-r0) + center[t]
			}
		}
	}
	return gc
}

// clusterBound holds, per cluster, a linear lower bound of
// u_i = s‖p_i‖² − φ_i over its points of positive weight (p_i the centred
// coordinates, φ_i = pot_i − eps·log w_i):
//
//	u_i ≥ low + ⟨grad, p_i − mid⟩,
//
// with mid the centre of the cluster's box, half its widths hw and rho =
// ‖hw‖; low is +Inf for a cluster without weight. grad is the least-squares
// slope of u over the cluster (any slope gives a valid bound: low is the
// exact minimum of u_i − ⟨grad, p_i − mid⟩); it follows the potential, so
// the bound stays tight where the potentials are steep.
type clusterBound struct {
	low, grad, mid, hw, rho []float64
}

func (c *gridClusters) linearBound(pot, w []float64, eps, s float64) clusterBound {
	d, nc := c.d, c.count()
	sd := &c.side
	b := clusterBound{low: make([]float64, nc), grad: make([]float64, nc*d), mid: make([]float64, nc*d),
		hw: make([]float64, nc*d), rho: make([]float64, nc)}
	u := make([]float64, 0, 64)
	for k := 0; k < nc; k++ {
		var r2 float64
		for t := 0; t < d; t++ {
			b.mid[k*d+t] = 0.5 * (c.lo[k*d+t] + c.hi[k*d+t])
			b.hw[k*d+t] = 0.5 * (c.hi[k*d+t] - c.lo[k*d+t])
			r2 += b.hw[k*d+t] * b.hw[k*d+t]
		}
		b.rho[k] = math.Sqrt(r2)
		r0, r1 := sd.Starts[k], sd.Starts[k+1]
		u = u[:0]
		var idx []int
		for i := r0; i < r1; i++ {
			o := sd.Perm[i]
			if w[o] > 0 {
				u = append(u, s*sd.Norms[i]-(pot[o]-eps*math.Log(w[o])))
				idx = append(idx, i)
			}
		}
		g := b.grad[k*d : (k+1)*d]
		delta := func(q, t int) float64 { return sd.Pts[t*sd.K+idx[q]] - b.mid[k*d+t] }
		leastSquaresSlope(g, u, len(u), d, delta)
		low := math.Inf(1)
		for q, v := range u {
			for t := 0; t < d; t++ {
				v -= g[t] * delta(q, t)
			}
			low = math.Min(low, v)
		}
		b.low[k] = low
	}
	return b
}

// leastSquaresSlope sets g to the slope of the least-squares affine fit of
// u_q over the points delta(q, ·) (zero when the points are degenerate).
func leastSquaresSlope(g, u []float64, nq, d int, delta func(q, t int) float64) {
	for t := range g {
		g[t] = 0
	}
	if nq <= d {
		return
	}
	var mu, md [3]float64
	for q := 0; q < nq; q++ {
		mu[0] += u[q]
		for t := 0; t < d; t++ {
			md[t] += delta(q, t)
		}
	}
	um := mu[0] / float64(nq)
	for t := 0; t < d; t++ {
		md[t] /= float64(nq)
	}
	var a [3][4]float64 // normal equations, augmented
	for q := 0; q < nq; q++ {
		var e [3]float64
		for t := 0; t < d; t++ {
			e[t] = delta(q, t) - md[t]
		}
		for t := 0; t < d; t++ {
			for v := 0; v < d; v++ {
				a[t][v] += e[t] * e[v]
			}
			a[t][d] += e[t] * (u[q] - um)
		}
	}
	// Gaussian elimination with partial pivoting; give up (slope 0) on a
	// near-singular system.
	var tr float64
	for t := 0; t < d; t++ {
		tr += a[t][t]
	}
	for col := 0; col < d; col++ {
		p := col
		for r := col + 1; r < d; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if !(math.Abs(a[p][col]) > 1e-12*tr) {
			return
		}
		a[col], a[p] = a[p], a[col]
		for r := 0; r < d; r++ {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for v := col; v <= d; v++ {
				a[r][v] -= f * a[col][v]
			}
		}
	}
	for t := 0; t < d; t++ {
		g[t] = a[t][d] / a[t][t]
		if !isFinite(g[t]) {
			for v := range g {
				g[v] = 0
			}
			return
		}
	}
}

// pairBound is a lower bound of the reduced cost r_ij = s‖x_i − y_j‖² − φ_i
// − ψ_j over cluster pair (I, J), from the clusters' linear bounds: with
// x_i = x̄ + δ_i, y_j = ȳ + η_j (x̄, ȳ the box centres),
//
//	r_ij = [u_i − 2s⟨δ_i, ȳ⟩] + [v_j − 2s⟨x̄, η_j⟩] − 2s⟨x̄, ȳ⟩ − 2s⟨δ_i, η_j⟩
//	     ≥ low_I − Σ_t |grad_I − 2sȳ|_t hw_It + low_J − Σ_t |grad_J − 2sx̄|_t hw_Jt
//	       − 2s⟨x̄, ȳ⟩ − 2s·rho_I·rho_J.
func pairBound(bx, by clusterBound, i, j, d int, s float64) float64 {
	v := bx.low[i] + by.low[j] - 2*s*bx.rho[i]*by.rho[j]
	for t := 0; t < d; t++ {
		xm, ym := bx.mid[i*d+t], by.mid[j*d+t]
		v -= 2 * s * xm * ym
		v -= math.Abs(bx.grad[i*d+t]-2*s*ym) * bx.hw[i*d+t]
		v -= math.Abs(by.grad[j*d+t]-2*s*xm) * by.hw[j*d+t]
	}
	return v
}
