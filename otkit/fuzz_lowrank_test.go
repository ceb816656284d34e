package otkit

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzLowRank feeds arbitrary small clouds or cost matrices, weights, ranks
// and steps to LowRankSinkhorn / LowRankSinkhornCost. Whatever the input:
// no panic; an error comes without a result and names its cause; a nil
// error comes with finite nonnegative factors, g ≥ α, Qᵀ1 = Rᵀ1 = g, row
// marginals within the Dykstra threshold (unless a projection was capped),
// Cost equal to ⟨C, P⟩ and at least the exact optimum (EMD, up to what the
// marginal error can move), and Err() agreeing with Converged.
func FuzzLowRank(f *testing.F) {
	f.Add(uint8(4), uint8(3), uint8(2), uint8(0), fuzzSeed(0, 1, 2, 3, 4, 5, 0.5, 0.25, 7, 1, 2, 3))
	f.Add(uint8(3), uint8(3), uint8(1), uint8(9), fuzzSeed(1, 0, 2, 1e300, 3, 0, 0, 1, 2))
	f.Add(uint8(5), uint8(2), uint8(3), uint8(22), fuzzSeed(1e-300, 2, -3, 1e5, 0, 0.1))
	f.Fuzz(func(t *testing.T, n, m, rank, mode uint8, data []byte) {
		n, m = 1+n%6, 1+m%6
		d := 1 + int(mode%3)
		vals := floatsFrom(data, 200)
		opt := LowRankOptions{Rank: 1 + int(rank%4), Gamma: []float64{0, 1, 100}[int(mode/3)%3], Seed: uint64(mode),
			Init: LowRankInit(int(mode/9) % 4), MaxIterations: 30, DykstraMaxIterations: 2000}
		var x, y, cost *mat.Dense
		if mode&64 != 0 {
			cost = mat.NewDense(int(n), int(m), fuzzTake(vals, int(n)*int(m)))
		} else {
			x = mat.NewDense(int(n), d, fuzzTake(vals, int(n)*d))
			y = mat.NewDense(int(m), d, fuzzTake(vals[min(len(vals), int(n)*d):], int(m)*d))
		}
		var a, b []float64
		if mode&128 != 0 {
			w := fuzzTake(vals[min(len(vals), 3):], int(n)+int(m))
			for k := range w {
				w[k] = math.Abs(w[k])
			}
			a, b = w[:n], w[n:]
			if sa, sb := sum(a), sum(b); sb > 0 && isFinite(sa/sb) {
				for k := range b {
					b[k] *= sa / sb
				}
			}
		}
		var res *LowRankResult
		var err error
		if cost != nil {
			res, err = LowRankSinkhornCost(cost, a, b, opt)
		} else {
			res, err = LowRankSinkhorn(x, y, a, b, opt)
		}
		if err != nil {
			if res != nil || err.Error() == "" {
				t.Fatalf("error %q with result %v", err, res)
			}
			return
		}
		scale := 0.0 // the factored cost's rounding scale (below)
		if cost == nil {
			cost = lrDenseCost(x, y)
			scale = centredNormScale(x, y)
		}
		checkLowRankFuzz(t, res, cost, scale, opt)
	})
}

// centredNormScale is 4·max ‖p − mean‖² over the points of both clouds: a
// factored cost entry ‖x_c‖² + ‖y_c‖² − 2·x_c·y_c (points centred on the
// common mean) is that sum's rounding away from ‖x − y‖², whatever the cost
// itself is (nearly equal points have costs far below it).
func centredNormScale(x, y *mat.Dense) float64 {
	n, d := x.Dims()
	m, _ := y.Dims()
	mean := make([]float64, d)
	for _, c := range []*mat.Dense{x, y} {
		r, _ := c.Dims()
		for i := 0; i < r; i++ {
			for t := 0; t < d; t++ {
				mean[t] += c.At(i, t) / float64(n+m)
			}
		}
	}
	var top float64
	for _, c := range []*mat.Dense{x, y} {
		r, _ := c.Dims()
		for i := 0; i < r; i++ {
			var s float64
			for t := 0; t < d; t++ {
				v := c.At(i, t) - mean[t]
				s += v * v
			}
			top = math.Max(top, s)
		}
	}
	return 4 * top
}

func checkLowRankFuzz(t *testing.T, res *LowRankResult, cost *mat.Dense, scale float64, opt LowRankOptions) {
	o, _ := opt.resolve()
	mass := sum(res.A)
	if (res.Err() == nil) != res.Converged || (!res.Converged && !errors.Is(res.Err(), ErrNotConverged)) {
		t.Fatalf("Err() %v with Converged %v", res.Err(), res.Converged)
	}
	if !isFinite(res.Cost) || !finiteVec(res.G) || !finiteVec(res.Q.RawMatrix().Data) || !finiteVec(res.R.RawMatrix().Data) {
		t.Fatalf("non-finite output with a nil error: cost %g", res.Cost)
	}
	var rowErr float64
	r := len(res.G)
	for _, side := range []struct {
		f *mat.Dense
		w []float64
	}{{res.Q, res.A}, {res.R, res.B}} {
		rows, _ := side.f.Dims()
		col := make([]float64, r)
		for i := 0; i < rows; i++ {
			var s float64
			for k := 0; k < r; k++ {
				v := side.f.At(i, k)
				if v < 0 {
					t.Fatalf("negative factor entry %g", v)
				}
				s += v
				col[k] += v
			}
			rowErr += math.Abs(s - side.w[i])
		}
		// Subnormal numbers round in absolute steps of 2^-1074: with a
		// total mass near them (it scales every factor) only an absolute
		// bound of a few such steps per addend holds.
		sub := float64(4*rows) * math.SmallestNonzeroFloat64
		for k := range col {
			if math.Abs(col[k]-res.G[k]) > 1e-9*mass+sub {
				t.Fatalf("factor column %d sums to %g, g = %g", k, col[k], res.G[k])
			}
			if res.G[k] < o.MinMass*mass*(1-1e-9)-sub {
				t.Fatalf("g[%d] = %g below α", k, res.G[k])
			}
		}
	}
	if res.DykstraCapped == 0 && rowErr > o.DykstraThreshold*mass*(1+1e-9)+float64(4*(len(res.A)+len(res.B))*r)*math.SmallestNonzeroFloat64 {
		t.Fatalf("row marginal error %g above the Dykstra threshold", rowErr)
	}
	var c, cmax float64
	n, m := cost.Dims()
	p := res.Matrix()
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			c += p.At(i, j) * cost.At(i, j)
			cmax = math.Max(cmax, math.Abs(cost.At(i, j)))
		}
	}
	// The factored cost of a point cloud is the dense one to rounding of
	// the centred norms (TestLowRankFactoredCostMatchesDense); 1e-300 more
	// for sums of subnormal numbers, which have no relative precision.
	if math.Abs(c-res.Cost) > 1e-9*(cmax+scale)*mass+1e-300 {
		t.Fatalf("Cost %g, ⟨C, P⟩ %g", res.Cost, c)
	}
	if exact, err := EMD(cost, res.A, res.B, EMDOptions{}); err == nil && exact.Optimal() && res.DykstraCapped == 0 {
		if res.Cost < exact.Cost-rowErr*cmax-1e-9*(cmax+scale)*mass-1e-300 {
			t.Fatalf("low-rank cost %g below the exact optimum %g (row marginal error %g)", res.Cost, exact.Cost, rowErr)
		}
	}
}
