package otkit

import "github.com/otlab/gootlab/otkit/internal/parallel"

// The cost of a low-rank solve enters only through products with n×r and
// m×r factors (C·R, Cᵀ·Q), so a squared Euclidean cost between point
// clouds never needs its n×m matrix: C = A·Bᵀ with A = [‖x‖², 1, −2x] and
// B = [1, ‖y‖², y] (Scetbon, Cuturi & Peyré 2021, §3.2), and C·R =
// A·(Bᵀ·R) costs O((n+m)·(d+2)·r).
//
// Every product here is deterministic at any GOMAXPROCS: rows are split
// into fixed blocks of lrBlockRows, and reductions over rows add the
// blocks' partial sums in block order.

// lrBlockRows is the row block of the parallel loops; fixed, so that the
// partial sums (and the bits) do not depend on the number of cores.
const lrBlockRows = 2048

// lrCost applies an n×m cost matrix to factors.
type lrCost interface {
	shape() (n, m int)
	// apply writes dst (n×k, row-major) = C·f with f m×k.
	apply(dst, f []float64, k int)
	// applyT writes dst (m×k) = Cᵀ·f with f n×k.
	applyT(dst, f []float64, k int)
}

// forRowBlocks runs body on the fixed row blocks of n rows, in parallel
// when the work (entries touched) is large enough to pay for goroutines.
func forRowBlocks(n, work int, body func(b, lo, hi int)) {
	parallel.Chunks(n, lrBlockRows, work, func(lo, hi int) { body(lo/lrBlockRows, lo, hi) })
}

// gramT returns Uᵀ·V (p×k, row-major) for U (rows×p) and V (rows×k):
// per-block partial sums added in block order.
func gramT(u []float64, p int, v []float64, k int, rows int) []float64 {
	nb := (rows + lrBlockRows - 1) / lrBlockRows
	parts := make([]float64, nb*p*k)
	forRowBlocks(rows, rows*p*k, func(b, lo, hi int) {
		acc := parts[b*p*k : (b+1)*p*k]
		for i := lo; i < hi; i++ {
			ui, vi := u[i*p:(i+1)*p], v[i*k:(i+1)*k]
			for s, us := range ui {
				row := acc[s*k : (s+1)*k]
				for t, vt := range vi {
					row[t] += us * vt
				}
			}
		}
	})
	out := make([]float64, p*k)
	for b := 0; b < nb; b++ {
		for t, x := range parts[b*p*k : (b+1)*p*k] {
			out[t] += x
		}
	}
	return out
}

// mulRows writes dst (rows×k) = U (rows×p) · W (p×k).
func mulRows(dst, u []float64, p int, w []float64, k, rows int) {
	forRowBlocks(rows, rows*p*k, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			di := dst[i*k : (i+1)*k]
			clear(di)
			for s, us := range u[i*p : (i+1)*p] {
				for t, wt := range w[s*k : (s+1)*k] {
					di[t] += us * wt
				}
			}
		}
	})
}

// factoredCost is C = A·Bᵀ, A n×p, B m×p.
type factoredCost struct {
	n, m, p int
	a, b    []float64
}

// newSqEuclidFactors factors the squared Euclidean cost between x (n×d)
// and y (m×d), both flat row-major. The points are first centred on the
// mean of both clouds (the cost is translation invariant): the norm form
// ‖x‖² + ‖y‖² − 2x·y loses the digits of ‖x − y‖² that the offset ‖x‖²
// carries, and centring keeps that offset as small as the clouds allow.
func newSqEuclidFactors(x, y []float64, n, m, d int) *factoredCost {
	mean := make([]float64, d)
	for _, pts := range [][]float64{x, y} {
		for i := 0; i < len(pts)/d; i++ {
			for s := 0; s < d; s++ {
				mean[s] += pts[i*d+s]
			}
		}
	}
	for s := range mean {
		mean[s] /= float64(n + m)
	}
	p := d + 2
	f := &factoredCost{n: n, m: m, p: p, a: make([]float64, n*p), b: make([]float64, m*p)}
	fill := func(dst, pts []float64, rows int, left bool) {
		for i := 0; i < rows; i++ {
			row := dst[i*p : (i+1)*p]
			var nrm float64
			for s := 0; s < d; s++ {
				c := pts[i*d+s] - mean[s]
				nrm += c * c
				if left {
					row[2+s] = -2 * c
				} else {
					row[2+s] = c
				}
			}
			if left {
				row[0], row[1] = nrm, 1
			} else {
				row[0], row[1] = 1, nrm
			}
		}
	}
	fill(f.a, x, n, true)
	fill(f.b, y, m, false)
	return f
}

func (f *factoredCost) shape() (int, int) { return f.n, f.m }

func (f *factoredCost) apply(dst, v []float64, k int) {
	w := gramT(f.b, f.p, v, k, f.m) // Bᵀ·v, p×k
	mulRows(dst, f.a, f.p, w, k, f.n)
}

func (f *factoredCost) applyT(dst, v []float64, k int) {
	w := gramT(f.a, f.p, v, k, f.n) // Aᵀ·v
	mulRows(dst, f.b, f.p, w, k, f.m)
}

// entry is C_ij from the factors (tests compare it with the dense cost).
func (f *factoredCost) entry(i, j int) float64 {
	var s float64
	for t := 0; t < f.p; t++ {
		s += f.a[i*f.p+t] * f.b[j*f.p+t]
	}
	return s
}

// denseCost is a stored n×m matrix (row-major).
type denseCost struct {
	n, m int
	c    []float64
}

func (c *denseCost) shape() (int, int) { return c.n, c.m }

func (c *denseCost) apply(dst, v []float64, k int) {
	m := c.m
	forRowBlocks(c.n, c.n*m*k, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			di := dst[i*k : (i+1)*k]
			clear(di)
			for j, cij := range c.c[i*m : (i+1)*m] {
				for t, vt := range v[j*k : (j+1)*k] {
					di[t] += cij * vt
				}
			}
		}
	})
}

// applyT splits the columns of C into blocks, each summing over every row
// in row order: no partial sums, the same bits at any GOMAXPROCS.
func (c *denseCost) applyT(dst, v []float64, k int) {
	m := c.m
	clear(dst[:m*k])
	parallel.Chunks(m, 256, c.n*m*k, func(lo, hi int) {
		for i := 0; i < c.n; i++ {
			vi := v[i*k : (i+1)*k]
			for j, cij := range c.c[i*m+lo : i*m+hi] {
				dj := dst[(lo+j)*k : (lo+j+1)*k]
				for t, vt := range vi {
					dj[t] += cij * vt
				}
			}
		}
	})
}
