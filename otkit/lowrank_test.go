package otkit

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// lrClouds draws x uniform in the unit cube and y Gaussian around its
// centre (std 0.25), both n×d, from seed.
func lrClouds(seed uint64, n, m, d int) (*mat.Dense, *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 7))
	x, y := mat.NewDense(n, d, nil), mat.NewDense(m, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, rng.Float64())
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < d; j++ {
			y.Set(i, j, 0.5+0.25*rng.NormFloat64())
		}
	}
	return x, y
}

// lrDenseCost is the squared Euclidean cost matrix, ‖x − y‖² summed
// coordinate by coordinate (the reference the factored form is checked
// against).
func lrDenseCost(x, y *mat.Dense) *mat.Dense {
	n, d := x.Dims()
	m, _ := y.Dims()
	c := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			var s float64
			for t := 0; t < d; t++ {
				v := x.At(i, t) - y.At(j, t)
				s += v * v
			}
			c.Set(i, j, s)
		}
	}
	return c
}

// TestLowRankFactoredCostMatchesDense: the factors reproduce every cost
// entry to rounding of the cost scale, and apply/applyT agree with plain
// products by the dense matrix, for clouds far from the origin too (the
// centring keeps the norm form's cancellation small).
func TestLowRankFactoredCostMatchesDense(t *testing.T) {
	for _, shift := range []float64{0, 1e3} {
		x, y := lrClouds(1, 37, 29, 5)
		x.Apply(func(_, _ int, v float64) float64 { return v + shift }, x)
		y.Apply(func(_, _ int, v float64) float64 { return v + shift }, y)
		dense := lrDenseCost(x, y)
		xs, _, _, _ := flatPoints(x, "x")
		ys, _, _, _ := flatPoints(y, "y")
		f := newSqEuclidFactors(xs, ys, 37, 29, 5)
		scale := mat.Max(dense)
		for i := 0; i < 37; i++ {
			for j := 0; j < 29; j++ {
				if diff := math.Abs(f.entry(i, j) - dense.At(i, j)); diff > 1e-13*scale {
					t.Fatalf("shift %g: C[%d,%d] factored %g, dense %g", shift, i, j, f.entry(i, j), dense.At(i, j))
				}
			}
		}
		const k = 3
		rng := rand.New(rand.NewPCG(2, 2))
		vm, vn := make([]float64, 29*k), make([]float64, 37*k)
		for i := range vm {
			vm[i] = rng.Float64()
		}
		for i := range vn {
			vn[i] = rng.Float64()
		}
		dc := &denseCost{n: 37, m: 29, c: dense.RawMatrix().Data}
		for _, c := range []struct {
			name       string
			fast, ref  func(dst, v []float64, k int)
			v          []float64
			rows, cols int
		}{{"apply", f.apply, dc.apply, vm, 37, 29}, {"applyT", f.applyT, dc.applyT, vn, 29, 37}} {
			got, want := make([]float64, c.rows*k), make([]float64, c.rows*k)
			c.fast(got, c.v, k)
			c.ref(want, c.v, k)
			// The dense products themselves against a triple loop.
			for i := 0; i < c.rows; i++ {
				for q := 0; q < k; q++ {
					var s float64
					for j := 0; j < c.cols; j++ {
						var cij float64
						if c.name == "applyT" {
							cij = dense.At(j, i)
						} else {
							cij = dense.At(i, j)
						}
						s += cij * c.v[j*k+q]
					}
					if math.Abs(want[i*k+q]-s) > 1e-12*math.Abs(s) {
						t.Fatalf("%s: dense product %g, loop %g", c.name, want[i*k+q], s)
					}
					if math.Abs(got[i*k+q]-s) > 1e-12*scale*float64(c.cols) {
						t.Fatalf("shift %g, %s: factored %g, dense %g", shift, c.name, got[i*k+q], s)
					}
				}
			}
		}
	}
}

// checkLowRank asserts the invariants of a result: finite factors, g ≥ α,
// Qᵀ1 = Rᵀ1 = g to rounding, and the row marginals within the Dykstra
// threshold; Cost equal to ⟨C, QΛRᵀ⟩ from the dense coupling.
func checkLowRank(t *testing.T, res *LowRankResult, cost *mat.Dense, opt LowRankOptions) {
	t.Helper()
	o, _ := opt.resolve()
	n, r := res.Q.Dims()
	m, _ := res.R.Dims()
	mass := sum(res.A)
	for k, gk := range res.G {
		if !(gk >= o.MinMass*mass*(1-1e-12)) {
			t.Fatalf("g[%d] = %g below α = %g", k, gk, o.MinMass*mass)
		}
	}
	var rowErr float64
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
				if !(v >= 0) || math.IsInf(v, 0) {
					t.Fatalf("factor entry [%d,%d] = %g", i, k, v)
				}
				s += v
				col[k] += v
			}
			rowErr += math.Abs(s - side.w[i])
		}
		for k := range col {
			if math.Abs(col[k]-res.G[k]) > 1e-12*mass {
				t.Fatalf("column %d of a factor sums to %g, g = %g", k, col[k], res.G[k])
			}
		}
	}
	if res.DykstraCapped == 0 && rowErr > o.DykstraThreshold*mass {
		t.Fatalf("row marginal error %g above the Dykstra threshold %g", rowErr, o.DykstraThreshold*mass)
	}
	if cost != nil {
		var c float64
		p := res.Matrix()
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				c += p.At(i, j) * cost.At(i, j)
			}
		}
		if math.Abs(c-res.Cost) > 1e-10*math.Abs(c) {
			t.Fatalf("Cost %g, ⟨C, P⟩ from the dense coupling %g", res.Cost, c)
		}
	}
	if len(res.Costs) != res.Iterations+1 || len(res.Errors) != res.Iterations || res.Costs[len(res.Costs)-1] != res.Cost {
		t.Fatalf("traces: %d costs, %d errors for %d iterations", len(res.Costs), len(res.Errors), res.Iterations)
	}
}

// TestLowRankMarginalsAndCost: every start, both cost forms, weights with
// zeros: the factors keep their marginals and Cost is the coupling's cost.
func TestLowRankMarginalsAndCost(t *testing.T) {
	x, y := lrClouds(3, 60, 45, 3)
	cost := lrDenseCost(x, y)
	a, b := batchWeights(rand.New(rand.NewPCG(4, 4)), 60, true), batchWeights(rand.New(rand.NewPCG(5, 5)), 45, true)
	for _, init := range []LowRankInit{LowRankInitAuto, LowRankInitRank2, LowRankInitRandom} {
		for _, thr := range []float64{0, 1e-7} {
			opt := LowRankOptions{Rank: 6, Init: init, Seed: 9, DykstraThreshold: thr, MaxIterations: 200}
			res, err := LowRankSinkhorn(x, y, a, b, opt)
			if err != nil {
				t.Fatal(err)
			}
			checkLowRank(t, res, cost, opt)
			if init == LowRankInitKMeans {
				continue
			}
			resC, err := LowRankSinkhornCost(cost, a, b, opt)
			if err != nil {
				t.Fatal(err)
			}
			checkLowRank(t, resC, cost, opt)
		}
	}
}

// TestLowRankApproachesExact: on a problem where the exact solution fits,
// the low-rank cost falls as the rank grows: rank 1 is the independent
// coupling's cost ⟨a, C b⟩ (to the projection's tolerance), every rank is at least the exact
// optimum (EMD), and rank n (enough to hold the optimal permutation) comes
// within 2% of it (rank 1 is 9 times the optimum here).
func TestLowRankApproachesExact(t *testing.T) {
	const n = 30
	x, y := lrClouds(11, n, n, 2)
	cost := lrDenseCost(x, y)
	exact, err := EMD(cost, nil, nil, EMDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var indep float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			indep += cost.At(i, j) / (n * n)
		}
	}
	prev := math.Inf(1)
	for _, r := range []int{1, 3, 10, n} {
		t0 := time.Now()
		res, err := LowRankSinkhorn(x, y, nil, nil, LowRankOptions{Rank: r, Gamma: 100, Threshold: 1e-7, MaxIterations: 2000, DykstraThreshold: 1e-7})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("rank %d: cost %.6g (exact %.6g, independent %.6g), %d steps, %d Dykstra iterations, converged %v, %v", r, res.Cost, exact.Cost, indep, res.Iterations, res.DykstraIterations, res.Converged, time.Since(t0))
		// Rank 1 is Q·Rᵀ/g = a·bᵀ up to the projection's marginal error
		// (1e-7 in L1 per factor), each unit of which moves at most max C.
		if r == 1 && math.Abs(res.Cost-indep) > 2e-7*mat.Max(cost) {
			t.Fatalf("rank 1: cost %g, the independent coupling's is %g", res.Cost, indep)
		}
		if res.Cost < exact.Cost*(1-1e-6) {
			t.Fatalf("rank %d: cost %g below the exact optimum %g", r, res.Cost, exact.Cost)
		}
		if res.Cost > prev*(1+1e-9) {
			t.Fatalf("rank %d: cost %g above the lower rank's %g", r, res.Cost, prev)
		}
		prev = res.Cost
	}
	if prev > 1.02*exact.Cost {
		t.Fatalf("rank %d: cost %g not within 2%% of the exact %g", n, prev, exact.Cost)
	}
}

// TestLowRankDeterministic: the same problem gives bit-identical factors
// at GOMAXPROCS 1, 2 and 4 (sizes past the parallel threshold, so the
// blocks really split), and the same seed the same random start.
func TestLowRankDeterministic(t *testing.T) {
	x, y := lrClouds(5, 5000, 4000, 4)
	var ref *LowRankResult
	for _, procs := range []int{1, 2, 4} {
		withProcs(procs, func() {
			res, err := LowRankSinkhorn(x, y, nil, nil, LowRankOptions{Rank: 8, MaxIterations: 5})
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = res
				return
			}
			if !sameBits(res.Q.RawMatrix().Data, ref.Q.RawMatrix().Data) || !sameBits(res.R.RawMatrix().Data, ref.R.RawMatrix().Data) ||
				!sameBits(res.G, ref.G) || !sameBits(res.Costs, ref.Costs) || !sameBits(res.Errors, ref.Errors) {
				t.Fatalf("GOMAXPROCS %d: the result differs from GOMAXPROCS 1", procs)
			}
		})
	}
}

func TestLowRankBadInputAndNonConvergence(t *testing.T) {
	x, y := lrClouds(6, 20, 15, 2)
	cases := []struct {
		name string
		run  func() (*LowRankResult, error)
		want string
	}{
		{"nil x", func() (*LowRankResult, error) { return LowRankSinkhorn(nil, y, nil, nil, LowRankOptions{}) }, "x is empty"},
		{"dims", func() (*LowRankResult, error) {
			return LowRankSinkhorn(x, mat.NewDense(3, 3, nil), nil, nil, LowRankOptions{})
		}, "dimension mismatch"},
		{"NaN point", func() (*LowRankResult, error) {
			return LowRankSinkhorn(mat.NewDense(2, 1, []float64{0, math.NaN()}), nil, nil, nil, LowRankOptions{})
		}, "non-finite"},
		{"weights", func() (*LowRankResult, error) { return LowRankSinkhorn(x, y, []float64{1}, nil, LowRankOptions{}) }, "length 1"},
		{"masses", func() (*LowRankResult, error) {
			a := uniform(20)
			a[0] += 0.5
			return LowRankSinkhorn(x, y, a, nil, LowRankOptions{})
		}, "equal masses"},
		{"rank", func() (*LowRankResult, error) { return LowRankSinkhorn(x, y, nil, nil, LowRankOptions{Rank: -1}) }, "Rank"},
		{"subnormal mass", func() (*LowRankResult, error) {
			a, b := uniform(20), uniform(15)
			for i := range a {
				a[i] *= 1e-310
			}
			for j := range b {
				b[j] *= 1e-310
			}
			return LowRankSinkhorn(x, y, a, b, LowRankOptions{})
		}, "smallest normal"},
		{"gamma", func() (*LowRankResult, error) {
			return LowRankSinkhorn(x, y, nil, nil, LowRankOptions{Gamma: math.Inf(1)})
		}, "Gamma"},
		{"min mass", func() (*LowRankResult, error) {
			return LowRankSinkhorn(x, y, nil, nil, LowRankOptions{Rank: 4, MinMass: 0.25})
		}, "MinMass"},
		{"init", func() (*LowRankResult, error) { return LowRankSinkhorn(x, y, nil, nil, LowRankOptions{Init: 7}) }, "Init"},
		{"k-means on costs", func() (*LowRankResult, error) {
			return LowRankSinkhornCost(lrDenseCost(x, y), nil, nil, LowRankOptions{Init: LowRankInitKMeans})
		}, "point clouds"},
		{"NaN cost", func() (*LowRankResult, error) {
			return LowRankSinkhornCost(mat.NewDense(1, 2, []float64{1, math.NaN()}), nil, nil, LowRankOptions{})
		}, "non-finite"},
	}
	for _, c := range cases {
		res, err := c.run()
		if err == nil || res != nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: want an error containing %q, have %v", c.name, c.want, err)
		}
	}
	big := mat.NewDense(2, 2, []float64{0, 1e308, 1e308, 0})
	big.Scale(10, big) // +Inf: rejected as input
	if _, err := LowRankSinkhornCost(big, nil, nil, LowRankOptions{Rank: 1}); err == nil {
		t.Fatal("infinite cost accepted")
	}
	huge := mat.NewDense(2, 2, []float64{0, 1e308, 1.7e308, 0})
	if _, err := LowRankSinkhornCost(huge, nil, nil, LowRankOptions{Rank: 1}); !errors.Is(err, ErrNumerical) {
		t.Fatalf("costs whose sums overflow: want ErrNumerical, have %v", err)
	}

	res, err := LowRankSinkhorn(x, y, nil, nil, LowRankOptions{MaxIterations: 2, Threshold: 1e-300, Rank: 3})
	if err != nil {
		t.Fatalf("non-convergence must not be an error: %v", err)
	}
	var ce *ConvergenceError
	if e := res.Err(); !errors.Is(e, ErrNotConverged) || !errors.As(e, &ce) || ce.MaxIterations != 2 || res.Converged {
		t.Fatalf("Err() = %v, want a *ConvergenceError with the cap 2", e)
	}
	res, err = LowRankSinkhorn(x, y, nil, nil, LowRankOptions{Rank: 3})
	if err != nil || !res.Converged || res.Err() != nil {
		t.Fatalf("default solve: converged %v, %v, %v", res.Converged, res.Err(), err)
	}
}

// TestLowRankEpsilon: the entropic term keeps the invariants, and a large ε
// pulls the coupling towards the maximum-entropy one (the independent
// coupling a·bᵀ), while ε = 0 stays well below its cost. The large-ε solve
// uses a fixed step: the rescaled one divides γ by the squared gradient,
// which ε·log Q makes large where Q is small (OTT's rule: the step, and so
// the pull, then shrink accordingly).
func TestLowRankEpsilon(t *testing.T) {
	x, y := lrClouds(8, 40, 30, 2)
	cost := lrDenseCost(x, y)
	var indep float64
	for i := 0; i < 40; i++ {
		for j := 0; j < 30; j++ {
			indep += cost.At(i, j) / (40 * 30)
		}
	}
	costs := map[float64]float64{}
	for _, eps := range []float64{0, 0.01, 10} {
		opt := LowRankOptions{Rank: 4, Epsilon: eps, MaxIterations: 500}
		if eps == 10 {
			opt.FixedGamma, opt.Gamma = true, 0.05 // γ·ε = 0.5: log Q halves every step
		}
		res, err := LowRankSinkhorn(x, y, nil, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		checkLowRank(t, res, cost, opt)
		costs[eps] = res.Cost
		t.Logf("eps %g: cost %.5g (independent %.5g), %d steps, converged %v", eps, res.Cost, indep, res.Iterations, res.Converged)
	}
	if !(costs[0] < 0.8*indep) || !(costs[10] > 0.95*indep) || !(costs[0.01] < 0.8*indep) {
		t.Fatalf("costs %v, independent %g: want ε = 0 well below, ε = 10 near the independent cost", costs, indep)
	}
}
