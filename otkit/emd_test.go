package otkit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// checkEMDCertificate asserts what makes an EMD result optimal by itself:
// the plan has the marginals a and b and at most n+m−1 entries, the
// potentials are dual feasible, tight on the plan, and the dual objective
// equals the cost.
func checkEMDCertificate(t *testing.T, name string, c []float64, n, m int, r *EMDResult) {
	t.Helper()
	if !r.Optimal() {
		t.Fatalf("%s: status %v after %d pivots", name, r.Status, r.Iterations)
	}
	if len(r.Plan) > n+m-1 {
		t.Errorf("%s: %d plan entries, a basic plan has at most n+m−1 = %d", name, len(r.Plan), n+m-1)
	}
	var cmax float64
	for _, v := range c {
		cmax = math.Max(cmax, math.Abs(v))
	}
	tol := 1e-10 * math.Max(cmax, 1e-300)
	// Subnormal masses carry fewer significant bits: allow a few units of
	// the smallest subnormal per term besides the relative part, scaled by
	// the costs and potentials they multiply in the cost and the dual.
	subnormal := float64(16*(n+m)) * math.SmallestNonzeroFloat64
	scale := math.Max(1, cmax)
	for _, v := range append(append([]float64{}, r.F...), r.G...) {
		scale = math.Max(scale, math.Abs(v))
	}
	rowSum, colSum := make([]float64, n), make([]float64, m)
	var cost float64
	for _, e := range r.Plan {
		if !(e.Mass > 0) {
			t.Fatalf("%s: non-positive plan entry %+v", name, e)
		}
		rowSum[e.I] += e.Mass
		colSum[e.J] += e.Mass
		cost += e.Mass * c[e.I*m+e.J]
		if gap := c[e.I*m+e.J] - r.F[e.I] - r.G[e.J]; math.Abs(gap) > tol {
			t.Errorf("%s: complementary slackness fails at (%d,%d): C − F − G = %g", name, e.I, e.J, gap)
		}
	}
	mass := sum(r.A)
	for i := range rowSum {
		if math.Abs(rowSum[i]-r.A[i]) > 1e-12*mass+subnormal {
			t.Errorf("%s: row %d has mass %g, want %g", name, i, rowSum[i], r.A[i])
		}
	}
	for j := range colSum {
		if math.Abs(colSum[j]-r.B[j]) > 1e-12*mass+subnormal {
			t.Errorf("%s: column %d has mass %g, want %g", name, j, colSum[j], r.B[j])
		}
	}
	minGap := math.Inf(1)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			minGap = math.Min(minGap, c[i*m+j]-r.F[i]-r.G[j])
		}
	}
	if minGap < -tol {
		t.Errorf("%s: dual infeasible: min C − F − G = %g", name, minGap)
	}
	var dual float64
	for i, v := range r.A {
		dual += v * r.F[i]
	}
	for j, v := range r.B {
		dual += v * r.G[j]
	}
	if math.Abs(dual-r.Cost) > 1e-10*math.Max(math.Abs(r.Cost), cmax*mass)+subnormal*scale {
		t.Errorf("%s: dual objective %.15g ≠ cost %.15g", name, dual, r.Cost)
	}
	if math.Abs(cost-r.Cost) > 1e-12*math.Max(math.Abs(cost), 1)+subnormal*scale {
		t.Errorf("%s: Cost %.15g ≠ Σ mass·C %.15g", name, r.Cost, cost)
	}
}

// randomEMDProblem draws costs with many ties (small integers) or
// continuous costs, and weights with some zeros.
func randomEMDProblem(rng *rand.Rand, n, m int, ties bool) (c, a, b []float64) {
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
		for {
			for i := range w {
				w[i] = 0
				if rng.IntN(5) > 0 {
					w[i] = float64(1 + rng.IntN(5)) // integer masses: exact ties in the simplex
				}
			}
			if sum(w) > 0 {
				break
			}
		}
		s := sum(w)
		for i := range w {
			w[i] /= s
		}
		return w
	}
	return c, weights(n), weights(m)
}

// EMD on random problems with tied costs and zero weights: each result must
// carry its optimality certificate (the solver itself is also checked
// against a shortest-path reference in internal/netsimplex).
func TestEMDRandomCertificates(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 14))
	for trial := 0; trial < 300; trial++ {
		n, m := 1+rng.IntN(12), 1+rng.IntN(12)
		ties := trial%2 == 0
		c, a, b := randomEMDProblem(rng, n, m, ties)
		r, err := EMD(mat.NewDense(n, m, c), a, b, EMDOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkEMDCertificate(t, fmt.Sprintf("trial %d (%d×%d, ties %v)", trial, n, m, ties), c, n, m, r)
	}
}

func TestEMDPointsMedium(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 14))
	for _, sz := range [][2]int{{200, 150}, {1, 40}, {40, 1}} {
		n, m := sz[0], sz[1]
		x, y := mat.NewDense(n, 3, nil), mat.NewDense(m, 3, nil)
		for i := 0; i < n; i++ {
			for k := 0; k < 3; k++ {
				x.Set(i, k, rng.NormFloat64())
			}
		}
		for j := 0; j < m; j++ {
			for k := 0; k < 3; k++ {
				y.Set(j, k, rng.NormFloat64()+1)
			}
		}
		a := make([]float64, n)
		for i := range a {
			a[i] = rng.Float64()
		}
		s := sum(a)
		for i := range a {
			a[i] /= s
		}
		r, err := EMDPoints(x, y, a, nil, EMDOptions{})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := NewPointCloud(x, y, PointCloudOptions{Epsilon: 1})
		checkEMDCertificate(t, "points", g.cost, n, m, r)

	}
}

func TestEMDIterationLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 14))
	c, a, b := randomEMDProblem(rng, 30, 30, false)
	full, err := EMD(mat.NewDense(30, 30, c), a, b, EMDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if full.Iterations < 3 {
		t.Fatalf("problem too easy: %d pivots", full.Iterations)
	}
	r, err := EMD(mat.NewDense(30, 30, c), a, b, EMDOptions{MaxIterations: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Optimal() || r.Status != EMDIterationLimit || r.Iterations != 2 {
		t.Fatalf("status %v after %d pivots, want the iteration limit after 2", r.Status, r.Iterations)
	}
	if !strings.Contains(r.Status.String(), "not optimal") {
		t.Errorf("status string %q does not say the plan is not optimal", r.Status)
	}
	// Still a coupling of a and b, and no better than the optimum.
	p := r.Matrix()
	for i := 0; i < 30; i++ {
		if s := mat.Sum(p.RowView(i)); math.Abs(s-r.A[i]) > 1e-12 {
			t.Fatalf("row %d of the limited plan has mass %g, want %g", i, s, r.A[i])
		}
	}
	if r.Cost < full.Cost-1e-12 {
		t.Fatalf("limited plan cost %g below the optimum %g", r.Cost, full.Cost)
	}
}

func TestEMDBadInput(t *testing.T) {
	c := mat.NewDense(2, 2, []float64{0, 1, 1, 0})
	nanC := mat.NewDense(2, 2, []float64{0, math.NaN(), 1, 0})
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"nil cost", func() error { _, err := EMD(nil, nil, nil, EMDOptions{}); return err }, "nil cost"},
		{"empty cost", func() error { _, err := EMD(&mat.Dense{}, nil, nil, EMDOptions{}); return err }, "empty"},
		{"NaN cost", func() error { _, err := EMD(nanC, nil, nil, EMDOptions{}); return err }, "not finite"},
		{"unequal masses", func() error { _, err := EMD(c, []float64{1, 1}, []float64{0.5, 0.5}, EMDOptions{}); return err }, "equal masses"},
		{"negative weight", func() error { _, err := EMD(c, []float64{1.5, -0.5}, nil, EMDOptions{}); return err }, "negative"},
		{"zero mass", func() error { _, err := EMD(c, []float64{0, 0}, []float64{0, 0}, EMDOptions{}); return err }, "zero total mass"},
		{"wrong length", func() error { _, err := EMD(c, []float64{1}, nil, EMDOptions{}); return err }, "length"},
		{"NaN weight", func() error { _, err := EMD(c, []float64{math.NaN(), 1}, nil, EMDOptions{}); return err }, "non-finite"},
		{"negative limit", func() error { _, err := EMD(c, nil, nil, EMDOptions{MaxIterations: -1}); return err }, "MaxIterations"},
		{"nil points", func() error { _, err := EMDPoints(nil, nil, nil, nil, EMDOptions{}); return err }, "nil point"},
		{"almost equal masses", func() error {
			r, err := EMD(c, []float64{0.5, 0.5 + 1e-9}, nil, EMDOptions{})
			if err == nil && math.Abs(sum(r.B)-sum(r.A)) > 1e-15 {
				return errors.New("b not rescaled to Σa")
			}
			return errors.New("ok")
		}, "ok"},
		{"dimension mismatch", func() error {
			_, err := EMDPoints(mat.NewDense(2, 2, nil), mat.NewDense(2, 3, nil), nil, nil, EMDOptions{})
			return err
		}, "dimension"},
		{"Inf point", func() error {
			_, err := EMDPoints(mat.NewDense(1, 1, []float64{math.Inf(1)}), nil, nil, nil, EMDOptions{})
			return err
		}, "non-finite"},
	}
	for _, tc := range cases {
		err := tc.run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

// A view into a larger matrix (stride > m) gives the same result as a copy.
func TestEMDStridedView(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 14))
	c, a, b := randomEMDProblem(rng, 9, 13, false)
	big := mat.NewDense(12, 20, nil)
	for i := 0; i < 9; i++ {
		for j := 0; j < 13; j++ {
			big.Set(i+2, j+3, c[i*13+j])
		}
	}
	view := big.Slice(2, 11, 3, 16).(*mat.Dense)
	rv, err := EMD(view, a, b, EMDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := EMD(mat.NewDense(9, 13, c), a, b, EMDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rv.Cost != rc.Cost || len(rv.Plan) != len(rc.Plan) {
		t.Fatalf("view: cost %g with %d entries, copy: %g with %d", rv.Cost, len(rv.Plan), rc.Cost, len(rc.Plan))
	}
}

// TestEMDHugeCostsAreNumericalErrors: costs whose potentials' sums overflow
// float64 give an error wrapping ErrNumerical, not an infinite cost.
func TestEMDHugeCostsAreNumericalErrors(t *testing.T) {
	c := mat.NewDense(2, 2, []float64{1e308, -1e308, 7, 0})
	r, err := EMD(c, nil, nil, EMDOptions{})
	if !errors.Is(err, ErrNumerical) || r != nil {
		t.Fatalf("want ErrNumerical and no result, have %v, %v", r, err)
	}
	if !strings.Contains(err.Error(), "rescale the costs") {
		t.Errorf("error does not name the fix: %v", err)
	}
}
