package netsimplex

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// problem draws an n×m problem: costs with many ties (small integers) or
// continuous ones, and positive integer-valued masses (exact ties in the
// pivoting) normalised to 1.
func problem(rng *rand.Rand, n, m int, ties bool) (c, a, b []float64) {
	c = make([]float64, n*m)
	for k := range c {
		if ties {
			c[k] = float64(rng.IntN(4))
		} else {
			c[k] = rng.Float64()*10 - 2
		}
	}
	weights := func(k int) []float64 {
		w := make([]float64, k)
		var s float64
		for i := range w {
			w[i] = float64(1 + rng.IntN(5))
			s += w[i]
		}
		for i := range w {
			w[i] /= s
		}
		return w
	}
	a, b = weights(n), weights(m)
	// Equal masses exactly, as otkit passes them (b rescaled to Σa).
	var sa, sb float64
	for _, v := range a {
		sa += v
	}
	for _, v := range b {
		sb += v
	}
	for j := range b {
		b[j] *= sa / sb
	}
	return c, a, b
}

func identity(k int) []int {
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// checkOptimal asserts the optimality certificate of a solved problem: the
// plan is basic (≤ n+m−1 entries), positive, sorted, with the marginals a
// and b; the potentials are dual feasible and tight on the plan; the dual
// objective equals the plan's cost. It returns the cost.
func checkOptimal(t *testing.T, name string, s *Solver, c, a, b []float64) float64 {
	t.Helper()
	n, m := len(a), len(b)
	plan := s.Plan(identity(n), identity(m))
	f, g := s.Potentials(c, n, m, identity(n), identity(m))
	if len(plan) > n+m-1 {
		t.Fatalf("%s: %d entries, a basic plan has at most %d", name, len(plan), n+m-1)
	}
	var cmax float64
	for _, v := range c {
		cmax = math.Max(cmax, math.Abs(v))
	}
	tol := 1e-10 * math.Max(cmax, 1)
	rows, cols := make([]float64, n), make([]float64, m)
	var cost float64
	for k, e := range plan {
		if !(e.Mass > 0) {
			t.Fatalf("%s: non-positive entry %+v", name, e)
		}
		if k > 0 && (plan[k-1].I > e.I || plan[k-1].I == e.I && plan[k-1].J >= e.J) {
			t.Fatalf("%s: plan not sorted by (I, J) at %d", name, k)
		}
		rows[e.I] += e.Mass
		cols[e.J] += e.Mass
		cost += e.Mass * c[e.I*m+e.J]
		if gap := c[e.I*m+e.J] - f[e.I] - g[e.J]; math.Abs(gap) > tol {
			t.Fatalf("%s: not tight at (%d,%d): C − F − G = %g", name, e.I, e.J, gap)
		}
	}
	for i := range rows {
		if math.Abs(rows[i]-a[i]) > 1e-12 {
			t.Fatalf("%s: row %d carries %g, want %g", name, i, rows[i], a[i])
		}
	}
	for j := range cols {
		if math.Abs(cols[j]-b[j]) > 1e-12 {
			t.Fatalf("%s: column %d carries %g, want %g", name, j, cols[j], b[j])
		}
	}
	var dual float64
	for i := 0; i < n; i++ {
		dual += a[i] * f[i]
		for j := 0; j < m; j++ {
			if gap := c[i*m+j] - f[i] - g[j]; gap < -tol {
				t.Fatalf("%s: dual infeasible at (%d,%d): %g", name, i, j, gap)
			}
		}
	}
	for j := 0; j < m; j++ {
		dual += b[j] * g[j]
	}
	if math.Abs(dual-cost) > 1e-10*math.Max(1, math.Abs(cost)) {
		t.Fatalf("%s: dual objective %.15g ≠ cost %.15g", name, dual, cost)
	}
	return cost
}

// The simplex against successive shortest paths (reference_test.go) on
// small problems with and without tied costs: both must find the optimal
// cost, and the simplex must prove it by its certificate.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 14))
	for trial := 0; trial < 300; trial++ {
		n, m := 1+rng.IntN(12), 1+rng.IntN(12)
		ties := trial%2 == 0
		c, a, b := problem(rng, n, m, ties)
		s := New(c, a, b)
		if !s.Run(1 << 30) {
			t.Fatalf("trial %d: pivot limit reached", trial)
		}
		name := fmt.Sprintf("trial %d (%d×%d, ties %v)", trial, n, m, ties)
		cost := checkOptimal(t, name, s, c, a, b)
		_, want := emdReference(c, a, b)
		if math.Abs(cost-want) > 1e-12*math.Max(math.Abs(want), 1) {
			t.Fatalf("%s: cost %.16g, reference %.16g", name, cost, want)
		}
	}
}

// The reference itself on a problem with a known answer: for 1-D points
// and a convex cost the monotone plan is optimal.
func TestReferenceIsOptimalOnKnownProblem(t *testing.T) {
	x := []float64{0, 1, 3}
	y := []float64{0.5, 2, 4}
	c := make([]float64, 9)
	for i := range x {
		for j := range y {
			d := x[i] - y[j]
			c[i*3+j] = d * d
		}
	}
	a := []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}
	_, cost := emdReference(c, a, a)
	want := (0.25 + 1 + 1) / 3
	if math.Abs(cost-want) > 1e-15 {
		t.Fatalf("reference cost %g, want %g", cost, want)
	}
}

// A pivot limit stops the solver with a feasible (not proven optimal)
// plan; Plan and Potentials use the caller's index maps.
func TestPivotLimitAndIndexMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	c, a, b := problem(rng, 30, 25, false)
	s := New(c, a, b)
	if s.Run(3) {
		t.Fatal("a 30×25 problem solved in 3 pivots: the limit was not exercised")
	}
	if s.Pivots() != 3 {
		t.Fatalf("%d pivots, want 3", s.Pivots())
	}
	rows, cols := make([]int, 30), make([]int, 25)
	for i := range rows {
		rows[i] = 2*i + 1
	}
	for j := range cols {
		cols[j] = 3 * j
	}
	colSum := make(map[int]float64)
	for _, e := range s.Plan(rows, cols) {
		if e.I%2 != 1 || e.J%3 != 0 {
			t.Fatalf("entry %+v is not on the mapped indices", e)
		}
		colSum[e.J] += e.Mass
	}
	for l, j := range cols {
		if math.Abs(colSum[j]-b[l]) > 1e-12 {
			t.Fatalf("column %d carries %g, want %g", j, colSum[j], b[l])
		}
	}
	if !s.Run(1 << 30) {
		t.Fatal("not optimal after resuming")
	}
	checkOptimal(t, "resumed", s, c, a, b)
}

// BenchmarkSolve500: 500 × 500 squared distances between two random 2-D
// clouds, non-uniform masses.
func BenchmarkSolve500(b *testing.B) {
	rng := rand.New(rand.NewPCG(500, 14))
	n := 500
	x, y := make([]float64, 2*n), make([]float64, 2*n)
	for k := range x {
		x[k], y[k] = rng.NormFloat64(), rng.NormFloat64()+1
	}
	c := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			dx, dy := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
			c[i*n+j] = dx*dx + dy*dy
		}
	}
	_, a, w := problem(rng, n, n, false)
	for b.Loop() {
		s := New(c, a, w)
		if !s.Run(1 << 30) {
			b.Fatal("pivot limit")
		}
	}
}
