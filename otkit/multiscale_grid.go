package otkit

import "math"

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
	side      sparseSide // perm, centred transposed coordinates, norms, starts
	lo, hi    []float64  // bounding box of each cluster, centred coordinates
	centroids []float64  // weighted centroid of each cluster, original coordinates
	mass      []float64  // total weight of each cluster
}

func (c *gridClusters) count() int { return len(c.side.starts) - 1 }

// masses returns the clusters' total weights.
func (c *gridClusters) masses(w []float64) []float64 { return c.mass }

// maxReduced returns for each cluster the largest pot_i − eps·log w_i over
// its points of positive weight, −Inf when there are none.
func (c *gridClusters) maxReduced(pot, w []float64, eps float64) []float64 {
	out := make([]float64, c.count())
	for k := range out {
		out[k] = math.Inf(-1)
		for _, o := range c.side.perm[c.side.starts[k]:c.side.starts[k+1]] {
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
	sd.k = k
	sd.perm = make([]int, k)
	pos := append([]int32(nil), count[:cells]...)
	for i := 0; i < k; i++ {
		sd.perm[pos[id[i]]] = i
		pos[id[i]]++
	}
	sd.starts = make([]int, 0, nonEmpty+1)
	for c := 0; c < cells; c++ {
		if count[c+1] > count[c] {
			sd.starts = append(sd.starts, int(count[c]))
		}
	}
	sd.starts = append(sd.starts, k)
	sd.pts = make([]float64, d*k)
	sd.norms = make([]float64, k)
	for i, o := range sd.perm {
		var nrm float64
		for t := 0; t < d; t++ {
			v := p[o*d+t] - center[t]
			sd.pts[t*k+i] = v
			nrm += v * v
		}
		sd.norms[i] = nrm
	}
	nc := len(sd.starts) - 1
	gc.lo, gc.hi = make([]float64, nc*d), make([]float64, nc*d)
	gc.centroids = make([]float64, nc*d)
	gc.mass = make([]float64, nc)
	for c := 0; c < nc; c++ {
		r0, r1 := sd.starts[c], sd.starts[c+1]
		for t := 0; t < d; t++ {
			l, h := math.Inf(1), math.Inf(-1)
			var ws, plain float64
			for i := r0; i < r1; i++ {
				v := sd.pts[t*k+i]
				l, h = math.Min(l, v), math.Max(h, v)
				ws += w[sd.perm[i]] * v
				plain += v
			}
			gc.lo[c*d+t], gc.hi[c*d+t] = l, h
			var m float64
			for i := r0; i < r1; i++ {
				m += w[sd.perm[i]]
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
