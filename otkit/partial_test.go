package otkit

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// partialLPReference solves partial transport as a plain linear program
// with gonum's dense simplex: variables P (n·m) and slacks s (n), u (m) for
// P1 + s = a, Pᵀ1 + u = b, and Σ P = mass (skipped when mass < 0, the
// Lagrangian form, whose costs the caller shifts by −λ). It is the
// reference PartialEMD and PartialEMDLagrange are tested against.
func partialLPReference(t *testing.T, c []float64, n, m int, a, b []float64, mass float64) float64 {
	t.Helper()
	nv := n*m + n + m
	rows := n + m
	if mass >= 0 {
		rows++
	}
	A := mat.NewDense(rows, nv, nil)
	rhs := make([]float64, rows)
	obj := make([]float64, nv)
	copy(obj, c)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			A.Set(i, i*m+j, 1)
			A.Set(n+j, i*m+j, 1)
			if mass >= 0 {
				A.Set(n+m, i*m+j, 1)
			}
		}
		A.Set(i, n*m+i, 1)
		rhs[i] = a[i]
	}
	for j := 0; j < m; j++ {
		A.Set(n+j, n*m+n+j, 1)
		rhs[n+j] = b[j]
	}
	if mass >= 0 {
		rhs[n+m] = mass
	}
	opt, _, err := lp.Simplex(obj, A, rhs, 1e-12, nil)
	if err != nil {
		t.Fatalf("LP reference: %v", err)
	}
	return opt
}

func randomPartialProblem(rng *rand.Rand, n, m int) (*mat.Dense, []float64, []float64) {
	c := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			c.Set(i, j, rng.Float64()*3)
		}
	}
	a, b := make([]float64, n), make([]float64, m)
	for i := range a {
		a[i] = 0.1 + rng.Float64()
	}
	for j := range b {
		b[j] = 0.1 + rng.Float64()
	}
	return c, a, b
}

func TestPartialEMDAgainstLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 1))
	for trial := 0; trial < 12; trial++ {
		n, m := 2+rng.IntN(4), 2+rng.IntN(4)
		cost, a, b := randomPartialProblem(rng, n, m)
		if trial%3 == 0 {
			a[0] = 0 // a zero weight
		}
		mass := rng.Float64() * math.Min(sum(a), sum(b))
		r, err := PartialEMD(cost, a, b, PartialOptions{Mass: mass})
		if err != nil {
			t.Fatal(err)
		}
		want := partialLPReference(t, cost.RawMatrix().Data, n, m, a, b, mass)
		if math.Abs(r.Cost-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("trial %d: cost %.15g, LP %.15g", trial, r.Cost, want)
		}
		checkPartialPlan(t, r, a, b, mass)
	}
}

func TestPartialEMDLagrangeAgainstLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 2))
	for trial := 0; trial < 12; trial++ {
		n, m := 2+rng.IntN(4), 2+rng.IntN(4)
		cost, a, b := randomPartialProblem(rng, n, m)
		price := rng.Float64() * 3.5
		r, err := PartialEMDLagrange(cost, a, b, PartialLagrangeOptions{Price: price})
		if err != nil {
			t.Fatal(err)
		}
		shifted := make([]float64, n*m)
		for k, v := range cost.RawMatrix().Data {
			shifted[k] = v - price
		}
		want := partialLPReference(t, shifted, n, m, a, b, -1)
		if got := r.Cost - price*r.Mass; math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("trial %d: objective %.15g, LP %.15g", trial, got, want)
		}
		checkPartialPlan(t, r, a, b, r.Mass)
	}
}

// checkPartialPlan checks that a plan is feasible: entries ≥ 0, marginals
// ≤ a, b, total mass as reported and as asked.
func checkPartialPlan(t *testing.T, r *PartialResult, a, b []float64, mass float64) {
	t.Helper()
	rows, cols := make([]float64, len(a)), make([]float64, len(b))
	var total float64
	for _, e := range r.Plan {
		if !(e.Mass >= 0) {
			t.Fatalf("plan entry %+v", e)
		}
		rows[e.I] += e.Mass
		cols[e.J] += e.Mass
		total += e.Mass
	}
	tol := 1e-12 * (sum(a) + sum(b))
	for i := range a {
		if rows[i] > a[i]+tol {
			t.Errorf("row %d moves %.15g > a = %.15g", i, rows[i], a[i])
		}
	}
	for j := range b {
		if cols[j] > b[j]+tol {
			t.Errorf("column %d moves %.15g > b = %.15g", j, cols[j], b[j])
		}
	}
	if math.Abs(total-mass) > tol || math.Abs(total-r.Mass) > tol {
		t.Errorf("plan moves %.15g, reported %.15g, asked %.15g", total, r.Mass, mass)
	}
}

// The cost of moving m is convex and increasing in m (for costs ≥ 0), and
// the Lagrangian solution at a price moves a mass whose exact partial cost
// equals the Lagrangian plan's: both solve the same problem at that mass.
func TestPartialCostMonotoneAndLagrangeConsistent(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 3))
	cost, a, b := randomPartialProblem(rng, 9, 7)
	top := math.Min(sum(a), sum(b))
	var prev, prevSlope float64
	prevSlope = -1
	for k := 1; k <= 10; k++ {
		m := top * float64(k) / 10
		r, err := PartialEMD(cost, a, b, PartialOptions{Mass: m})
		if err != nil {
			t.Fatal(err)
		}
		slope := (r.Cost - prev) / (top / 10)
		if r.Cost < prev-1e-12 || slope < prevSlope-1e-9 {
			t.Errorf("m = %.4g: cost %.12g after %.12g (slope %.6g after %.6g): not increasing and convex", m, r.Cost, prev, slope, prevSlope)
		}
		prev, prevSlope = r.Cost, slope
	}
	var lastMass float64
	for _, price := range []float64{0.5, 1, 1.5, 2, 3.5} {
		l, err := PartialEMDLagrange(cost, a, b, PartialLagrangeOptions{Price: price})
		if err != nil {
			t.Fatal(err)
		}
		if l.Mass < lastMass-1e-12 {
			t.Errorf("price %g moves %.12g, less than %.12g at a lower price", price, l.Mass, lastMass)
		}
		lastMass = l.Mass
		if l.Mass == 0 {
			continue
		}
		e, err := PartialEMD(cost, a, b, PartialOptions{Mass: math.Min(l.Mass, top)})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e.Cost-l.Cost) > 1e-9 {
			t.Errorf("price %g: Lagrangian plan costs %.15g for mass %.15g, exact %.15g", price, l.Cost, l.Mass, e.Cost)
		}
	}
	if lastMass < top-1e-12 {
		t.Errorf("a price above every cost moves %.12g, not min(Σa, Σb) = %.12g", lastMass, top)
	}
}

// partialDykstraReference is the entropic partial problem solved by plain
// Dykstra projections on the kernel (Benamou et al. 2015), in the obvious
// way, for ε large enough that the kernel does not underflow. It is the
// reference the log-domain dual ascent is tested against.
func partialDykstraReference(c *mat.Dense, a, b []float64, mass, eps float64, iters int) *mat.Dense {
	n, m := c.Dims()
	p := mat.NewDense(n, m, nil)
	q := [3]*mat.Dense{mat.NewDense(n, m, nil), mat.NewDense(n, m, nil), mat.NewDense(n, m, nil)}
	for k := range q {
		q[k].Apply(func(int, int, float64) float64 { return 1 }, q[k])
	}
	p.Apply(func(i, j int, _ float64) float64 { return math.Exp(-c.At(i, j) / eps) }, p)
	project := func(k int) {
		prev := mat.DenseCopyOf(p)
		p.MulElem(p, q[k])
		switch k {
		case 0:
			for i := 0; i < n; i++ {
				s := mat.Sum(p.RowView(i))
				p.SetRow(i, scaleRow(mat.Row(nil, i, p), math.Min(1, a[i]/s)))
			}
		case 1:
			for j := 0; j < m; j++ {
				s := mat.Sum(p.ColView(j))
				f := math.Min(1, b[j]/s)
				for i := 0; i < n; i++ {
					p.Set(i, j, p.At(i, j)*f)
				}
			}
		case 2:
			p.Scale(mass/mat.Sum(p), p)
		}
		q[k].Apply(func(i, j int, v float64) float64 { return v * prev.At(i, j) / p.At(i, j) }, q[k])
	}
	for it := 0; it < iters; it++ {
		project(0)
		project(1)
		project(2)
	}
	return p
}

func scaleRow(r []float64, f float64) []float64 {
	for k := range r {
		r[k] *= f
	}
	return r
}

func TestEntropicPartialAgainstDykstra(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 4))
	cost, a, b := randomPartialProblem(rng, 6, 8)
	g, err := NewGeometry(cost, GeometryOptions{Epsilon: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	mass := 0.6 * math.Min(sum(a), sum(b))
	r, err := EntropicPartial(g, a, b, EntropicPartialOptions{Mass: mass, Threshold: 1e-13})
	if err != nil || r.Err() != nil {
		t.Fatal(err, r.Err())
	}
	want := partialDykstraReference(cost, a, b, mass, 0.3, 3000)
	var d mat.Dense
	d.Sub(r.Coupling, want)
	if diff := mat.Norm(&d, math.Inf(1)); diff > 1e-10 {
		t.Errorf("log-domain plan differs from the Dykstra reference by %.2e", diff)
	}
	checkPartialKKT(t, r, a, b, 1e-12)
}

// Zero weights get a −Inf multiplier and an empty row or column; the
// rest of the plan is the solution without those points.
func TestEntropicPartialZeroWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 5))
	cost, a, b := randomPartialProblem(rng, 5, 4)
	a[2], b[1] = 0, 0
	g, _ := NewGeometry(cost, GeometryOptions{Epsilon: 0.2})
	r, err := EntropicPartial(g, a, b, EntropicPartialOptions{Mass: 0.5})
	if err != nil || r.Err() != nil {
		t.Fatal(err, r.Err())
	}
	if !math.IsInf(r.F[2], -1) || !math.IsInf(r.G[1], -1) {
		t.Errorf("zero weights: F[2] = %g, G[1] = %g, want −Inf", r.F[2], r.G[1])
	}
	if s := mat.Sum(r.Coupling.RowView(2)) + mat.Sum(r.Coupling.ColView(1)); s != 0 {
		t.Errorf("zero-weight row and column carry %g", s)
	}
	checkPartialKKT(t, r, a, b, 1e-9)
}

func TestEntropicPartialNotConverged(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 6))
	cost, a, b := randomPartialProblem(rng, 10, 10)
	g, _ := NewGeometry(cost, GeometryOptions{Epsilon: 0.01})
	r, err := EntropicPartial(g, a, b, EntropicPartialOptions{MaxIterations: 3})
	if err != nil {
		t.Fatalf("non-convergence must return a nil error, got %v", err)
	}
	var ce *ConvergenceError
	if e := r.Err(); !errors.Is(e, ErrNotConverged) || !errors.As(e, &ce) || ce.MaxIterations != 3 || ce.Iterations != 3 {
		t.Fatalf("Err() = %v", e)
	}
	if len(r.Errors) != 4 || r.Errors[3] <= r.Threshold {
		t.Errorf("trace %v, threshold %g", r.Errors, r.Threshold)
	}
}

func TestPartialBadInput(t *testing.T) {
	cost := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	g, _ := NewGeometry(cost, GeometryOptions{Epsilon: 1})
	nan := mat.NewDense(1, 1, []float64{math.NaN()})
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"mass too large", second(PartialEMD(cost, nil, nil, PartialOptions{Mass: 2})), "lower Mass"},
		{"negative mass", second(PartialEMD(cost, nil, nil, PartialOptions{Mass: -1})), "Mass must be positive"},
		{"NaN cost", second(PartialEMD(nan, nil, nil, PartialOptions{})), "not finite"},
		{"nil cost", second(PartialEMD(nil, nil, nil, PartialOptions{})), "nil cost"},
		{"short a", second(PartialEMD(cost, []float64{1}, nil, PartialOptions{})), "a"},
		{"negative pivots", second(PartialEMD(cost, nil, nil, PartialOptions{MaxIterations: -1})), "MaxIterations"},
		{"NaN price", second(PartialEMDLagrange(cost, nil, nil, PartialLagrangeOptions{Price: math.NaN()})), "Price must be finite"},
		{"entropic nil geometry", second(EntropicPartial(nil, nil, nil, EntropicPartialOptions{})), "nil geometry"},
		{"entropic mass", second(EntropicPartial(g, nil, nil, EntropicPartialOptions{Mass: 3})), "lower Mass"},
		{"entropic threshold", second(EntropicPartial(g, nil, nil, EntropicPartialOptions{Threshold: -1})), "Threshold"},
		{"entropic negative weight", second(EntropicPartial(g, []float64{1, -1}, nil, EntropicPartialOptions{})), "negative"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// The solve's fast LSE kernel gives the iterates of the plain loops (the
// reference, kern = nil) to rounding, also with zero weights.
func TestEntropicPartialKernelMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 7))
	cost, a, b := randomPartialProblem(rng, 37, 29)
	a[3], b[5] = 0, 0
	g, err := NewGeometry(cost, GeometryOptions{Epsilon: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	mass := 0.5 * math.Min(sum(a), sum(b))
	fast := newPartialDual(g.allCosts(), 37, 29, 0.05, a, b, mass, float64Kernel(g, false))
	ref := newPartialDual(g.allCosts(), 37, 29, 0.05, a, b, mass, nil)
	cf, itf, _ := fast.run(1e-12, 5000)
	cr, itr, _ := ref.run(1e-12, 5000)
	if !cf || !cr || itf != itr {
		t.Fatalf("converged %v/%v in %d/%d iterations", cf, cr, itf, itr)
	}
	pf, _, _ := fast.plan()
	pr, _, _ := ref.plan()
	var d mat.Dense
	d.Sub(pf, pr)
	if diff := mat.Norm(&d, math.Inf(1)); diff > 1e-12*mass {
		t.Errorf("fast-kernel plan differs from the reference by %.2e", diff)
	}
}
