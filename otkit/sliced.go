package otkit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// SlicedOptions configures SlicedWasserstein. The zero value is POT's
// default: p = 2, 50 random directions (here from the seed-0 stream).
type SlicedOptions struct {
	P           float64 // order p ≥ 1; 0 → 2
	Projections int     // number of random directions; 0 → 50
	// Seed selects the math/rand/v2 PCG stream the random directions are
	// drawn from (normal vectors, normalised): same seed, same directions.
	Seed uint64
	// Directions, when not nil, are the k×d directions to project on (rows,
	// normalised here to unit length); Projections and Seed are then unused.
	Directions *mat.Dense
	// Gradient asks for GradX and GradY.
	Gradient bool
}

// SlicedResult holds the sliced Wasserstein distances between two clouds
// over one set of directions θ_1..θ_k.
type SlicedResult struct {
	// Cost is the mean over directions of W_p^p between the projected
	// clouds; Distance = Cost^(1/p) is POT's ot.sliced_wasserstein_distance
	// and MaxDistance = max_k W_p(θ_k) its ot.max_sliced_wasserstein_distance
	// on the same directions.
	Cost, Distance, MaxDistance float64
	// Projected holds W_p^p for each direction.
	Projected []float64
	// Directions are the unit directions used (k×d).
	Directions *mat.Dense
	// GradX (n×d) and GradY (m×d) are ∂Cost/∂x and ∂Cost/∂y (with
	// Gradient): the mean over directions of θ_k times the 1-D gradients
	// (Wasserstein1DResult). The gradient of Distance is Cost^(1/p−1)/p
	// times these; for MaxDistance, call again with the maximising direction.
	GradX, GradY *mat.Dense
}

// slicedBatch is the number of directions whose 1-D gradients are held at
// once before they are added to GradX and GradY, always in direction order,
// so the result does not depend on GOMAXPROCS.
const slicedBatch = 4

// SlicedWasserstein computes the sliced p-Wasserstein distance between the
// rows of x (n×d, weights a, nil → uniform) and y (m×d, weights b): the
// clouds are projected on each direction and compared by the exact 1-D
// transport (Wasserstein1D). Directions are processed in parallel.
//
// Nil or empty clouds, different dimensions, non-finite points, bad weights
// (as in EMD, but masses are normalised separately), p < 1, a negative
// projection count, and directions of the wrong width, non-finite or zero
// are errors.
func SlicedWasserstein(x, y *mat.Dense, a, b []float64, opt SlicedOptions) (*SlicedResult, error) {
	bad := func(format string, args ...any) (*SlicedResult, error) {
		return nil, fmt.Errorf("otkit: SlicedWasserstein: "+format, args...)
	}
	p, err := resolveOrder(opt.P, 2)
	if err != nil {
		return nil, within("SlicedWasserstein", err)
	}
	if x == nil || y == nil {
		return nil, errors.New("otkit: SlicedWasserstein: nil point matrix")
	}
	xs, n, d, err := flatPoints(x, "x")
	if err != nil {
		return nil, within("SlicedWasserstein", err)
	}
	ys, m, dy, err := flatPoints(y, "y")
	if err != nil {
		return nil, within("SlicedWasserstein", err)
	}
	if dy != d {
		return bad("dimension mismatch: x has %d columns, y has %d", d, dy)
	}
	var wa, wb []float64 // nil: uniform, never permuted
	if a != nil {
		if wa, err = probabilities(a, n, "a"); err != nil {
			return nil, within("SlicedWasserstein", err)
		}
	}
	if b != nil {
		if wb, err = probabilities(b, m, "b"); err != nil {
			return nil, within("SlicedWasserstein", err)
		}
	}
	dirs, err := slicedDirections(opt, d)
	if err != nil {
		return nil, within("SlicedWasserstein", err)
	}
	k, _ := dirs.Dims()
	res := &SlicedResult{Projected: make([]float64, k), Directions: dirs}
	var gx, gy []float64
	if opt.Gradient {
		gx, gy = make([]float64, n*d), make([]float64, m*d)
	}
	workers := min(runtime.GOMAXPROCS(0), slicedBatch, k)
	type scratch struct {
		line   line1D
		pu, pv []float64
	}
	ws := make([]scratch, workers)
	for w := range ws {
		ws[w].pu, ws[w].pv = make([]float64, n), make([]float64, m)
	}
	var grads [slicedBatch][2][]float64 // 1-D gradients of the batch's directions
	if opt.Gradient {
		for s := range grads {
			grads[s] = [2][]float64{make([]float64, n), make([]float64, m)}
		}
	}
	dd := dirs.RawMatrix().Data
	for start := 0; start < k; start += slicedBatch {
		end := min(start+slicedBatch, k)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(sc *scratch) {
				defer wg.Done()
				for kk := start + w; kk < end; kk += workers {
					theta := dd[kk*d : (kk+1)*d]
					project(sc.pu, xs, theta)
					project(sc.pv, ys, theta)
					var gu, gv []float64
					if opt.Gradient {
						gu, gv = grads[kk-start][0], grads[kk-start][1]
					}
					res.Projected[kk] = sc.line.solve(sc.pu, sc.pv, wa, wb, p, gu, gv)
				}
			}(&ws[w])
		}
		wg.Wait()
		if opt.Gradient {
			inv := 1 / float64(k)
			for s := 0; s < end-start; s++ {
				theta := dd[(start+s)*d : (start+s+1)*d]
				addOuter(gx, grads[s][0], theta, inv)
				addOuter(gy, grads[s][1], theta, inv)
			}
		}
	}
	for _, c := range res.Projected {
		res.Cost += c
		res.MaxDistance = math.Max(res.MaxDistance, c)
	}
	res.Cost /= float64(k)
	res.Distance = math.Pow(res.Cost, 1/p)
	res.MaxDistance = math.Pow(res.MaxDistance, 1/p)
	if opt.Gradient {
		res.GradX, res.GradY = mat.NewDense(n, d, gx), mat.NewDense(m, d, gy)
	}
	return res, nil
}

// slicedDirections returns the caller's directions, normalised, or k
// random unit directions from the seeded stream.
func slicedDirections(opt SlicedOptions, d int) (*mat.Dense, error) {
	if opt.Directions != nil {
		k, dd := opt.Directions.Dims()
		if k == 0 || dd != d {
			return nil, fmt.Errorf("Directions are %d×%d, want k×%d with k ≥ 1", k, dd, d)
		}
		out := mat.NewDense(k, d, nil)
		for r := 0; r < k; r++ {
			row := out.RawRowView(r)
			mat.Row(row, r, opt.Directions)
			var s float64
			for _, v := range row {
				s += v * v
			}
			if !(s > 0) || math.IsInf(s, 0) {
				return nil, fmt.Errorf("direction %d is zero or not finite", r)
			}
			inv := 1 / math.Sqrt(s)
			for c := range row {
				row[c] *= inv
			}
		}
		return out, nil
	}
	if opt.Projections < 0 {
		return nil, fmt.Errorf("Projections must not be negative, have %d", opt.Projections)
	}
	k := opt.Projections
	if k == 0 {
		k = 50
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x51ced))
	out := mat.NewDense(k, d, nil)
	for r := 0; r < k; r++ {
		row := out.RawRowView(r)
		var s float64
		for s == 0 {
			for c := range row {
				row[c] = rng.NormFloat64()
				s += row[c] * row[c]
			}
		}
		inv := 1 / math.Sqrt(s)
		for c := range row {
			row[c] *= inv
		}
	}
	return out, nil
}

// project writes the dot products of the rows of the flat points pts with theta.
func project(dst, pts, theta []float64) {
	d := len(theta)
	if d == 2 {
		t0, t1 := theta[0], theta[1]
		for i := range dst {
			dst[i] = pts[2*i]*t0 + pts[2*i+1]*t1
		}
		return
	}
	for i := range dst {
		row := pts[i*d : (i+1)*d]
		var s float64
		for c, t := range theta {
			s += row[c] * t
		}
		dst[i] = s
	}
}

// addOuter adds scale·g_i·theta to row i of the flat n×d matrix out.
func addOuter(out, g, theta []float64, scale float64) {
	d := len(theta)
	for i, gi := range g {
		if gi == 0 {
			continue
		}
		row := out[i*d : (i+1)*d]
		for c, t := range theta {
			row[c] += scale * gi * t
		}
	}
}
