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
// are errors. Directions of any norm (1e-200, 1e200) are normalised without
// over- or underflow, and points whose projections would overflow are
// projected after dividing them by a power of two; a Cost, Distance,
// MaxDistance, Projected or gradient value float64 cannot hold is an
// ErrNumerical error naming the fix.
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
	wa, err := checkLineWeights(a, n, "a") // nil: uniform, never permuted
	if err != nil {
		return nil, within("SlicedWasserstein", err)
	}
	wb, err := checkLineWeights(b, m, "b")
	if err != nil {
		return nil, within("SlicedWasserstein", err)
	}
	dirs, err := slicedDirections(opt, d)
	if err != nil {
		return nil, within("SlicedWasserstein", err)
	}
	k, _ := dirs.Dims()
	shift := projectionShift(xs, ys, d)
	res := &SlicedResult{Projected: make([]float64, k), Directions: dirs}
	costs := make([]lineCost, k)
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
					project(sc.pu, xs, theta, shift)
					project(sc.pv, ys, theta, shift)
					var gu, gv []float64
					if opt.Gradient {
						gu, gv = grads[kk-start][0], grads[kk-start][1]
					}
					costs[kk] = sc.line.solve(sc.pu, sc.pv, wa, wb, p, shift, gu, gv)
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
	mean := meanLineCost(costs, p)
	res.Cost, res.Distance = mean.cost(p), mean.distance(p)
	const data = "the points x and y"
	if err := mean.check(p, "SlicedWasserstein", data); err != nil {
		return nil, err
	}
	for kk, c := range costs {
		if err := c.check(p, fmt.Sprintf("SlicedWasserstein: direction %d", kk), data); err != nil {
			return nil, err
		}
		res.Projected[kk] = c.cost(p)
		res.MaxDistance = math.Max(res.MaxDistance, c.distance(p))
	}
	if opt.Gradient {
		if !finiteVec(gx) || !finiteVec(gy) {
			return nil, numericalError("SlicedWasserstein: the gradient overflows float64 (distance %g, order p = %g): rescale %s", res.Distance, p, data)
		}
		res.GradX, res.GradY = mat.NewDense(n, d, gx), mat.NewDense(m, d, gy)
	}
	return res, nil
}

// meanLineCost returns the mean of the directions' W_p^p, summed
// (compensated) on the scale of the largest R so that the mean stays
// precise when W_p^p itself over- or underflows float64.
func meanLineCost(costs []lineCost, p float64) lineCost {
	out := lineCost{exp: math.MinInt, lost: math.Inf(-1)}
	for _, c := range costs {
		out.lost = math.Max(out.lost, c.lost)
		if c.scaled != 0 {
			out.exp = max(out.exp, c.exp)
		}
	}
	if out.exp == math.MinInt {
		out.exp = 0
		return out
	}
	var s neumaier
	for _, c := range costs {
		if c.scaled != 0 {
			s.add(pow2Scale(c.scaled, float64(c.exp-out.exp)*p))
		}
	}
	out.scaled = s.sum() / float64(len(costs))
	return out
}

// projectionShift returns the power of two the points are divided by before
// projecting: 0 unless a projection (at most √d times the largest
// coordinate) or the difference of two could overflow, then just enough to
// prevent it, so that only coordinates below ~2^(shift−1022), far under the
// rounding of the largest, lose digits.
func projectionShift(xs, ys []float64, d int) int {
	var mx float64
	for _, pts := range [2][]float64{xs, ys} {
		for _, v := range pts {
			if a := math.Abs(v); a > mx {
				mx = a
			}
		}
	}
	_, e := math.Frexp(mx) // mx < 2^e
	_, ed := math.Frexp(float64(d))
	// |projection| ≤ √d·mx < 2^(e + ed/2 + 1); keep it below 2^1020.
	if top := e + ed/2 + 1; top > 1020 {
		return top - 1020
	}
	return 0
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
			for c, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("direction %d has a non-finite entry %g at %d", r, v, c)
				}
			}
			if !normalize(row) {
				return nil, fmt.Errorf("direction %d is zero: give a non-zero row", r)
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
		for {
			for c := range row {
				row[c] = rng.NormFloat64()
			}
			if normalize(row) {
				break
			}
		}
	}
	return out, nil
}

// normalize divides the finite vector v by its Euclidean norm, reporting
// false when v is zero. The entries are first divided by the power of two
// just above the largest magnitude (exact), so that the sum of squares
// neither overflows for entries near 1e200 nor underflows for entries near
// 1e-200; for other vectors the power of two cancels exactly and the result
// is the plain v/‖v‖.
func normalize(v []float64) bool {
	var mx float64
	for _, x := range v {
		mx = math.Max(mx, math.Abs(x))
	}
	if mx == 0 {
		return false
	}
	_, e := math.Frexp(mx)
	var s float64
	for i, x := range v {
		v[i] = math.Ldexp(x, -e)
		s += v[i] * v[i]
	}
	inv := 1 / math.Sqrt(s)
	for i := range v {
		v[i] *= inv
	}
	return true
}

// project writes the dot products of the rows of the flat points pts with
// theta, the points divided by 2^shift first (exact in the range
// projectionShift chooses it for).
func project(dst, pts, theta []float64, shift int) {
	d := len(theta)
	if shift != 0 {
		for i := range dst {
			row := pts[i*d : (i+1)*d]
			var s float64
			for c, t := range theta {
				s += math.Ldexp(row[c], -shift) * t
			}
			dst[i] = s
		}
		return
	}
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
