package otkit

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func entropicMapProblem(t *testing.T, n, m int, eps float64, cost Cost) (*SinkhornResult, *mat.Dense, *mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 14))
	x, y := mat.NewDense(n, 2, nil), mat.NewDense(m, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
	}
	for j := 0; j < m; j++ {
		y.Set(j, 0, 0.5*rng.NormFloat64()+2)
		y.Set(j, 1, 2*rng.NormFloat64())
	}
	g, err := NewPointCloud(x, y, PointCloudOptions{Epsilon: eps, Cost: cost})
	if err != nil {
		t.Fatal(err)
	}
	a := lineWeights(rng, n, false)
	s := sum(a)
	for i := range a {
		a[i] /= s
	}
	r, err := Sinkhorn(g, a, nil, SinkhornOptions{Threshold: 1e-12, MaxIterations: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Converged {
		t.Fatalf("Sinkhorn did not converge (eps %g)", eps)
	}
	return r, x, y
}

// At the sample points the map is the barycentric projection of the dense
// coupling, and f(x_i) = F_i − eps·log a_i.
func TestEntropicMapAtSamples(t *testing.T) {
	r, x, y := entropicMapProblem(t, 30, 20, 0.5, nil)
	em, err := NewEntropicMap(r)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := em.Transport(x)
	if err != nil {
		t.Fatal(err)
	}
	p := r.Matrix()
	for i := 0; i < 30; i++ {
		row := p.RawRowView(i)
		for c := 0; c < 2; c++ {
			var bary float64
			for j, pij := range row {
				bary += pij * y.At(j, c)
			}
			bary /= mat.Sum(p.RowView(i))
			if math.Abs(bary-tx.At(i, c)) > 1e-10 {
				t.Fatalf("T(x_%d)[%d] = %.12g, barycentric projection of P %.12g", i, c, tx.At(i, c), bary)
			}
		}
	}
	f, err := em.F(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range f {
		if want := r.F[i] - r.Epsilon*math.Log(r.A[i]); math.Abs(v-want) > 1e-9 {
			t.Fatalf("f(x_%d) = %.12g, want F_i − eps log a_i = %.12g", i, v, want)
		}
	}
	// Backwards: the barycentric projection of the columns.
	ty, err := em.InverseTransport(y)
	if err != nil {
		t.Fatal(err)
	}
	for j := 0; j < 20; j++ {
		var bary, mass float64
		for i := 0; i < 30; i++ {
			bary += p.At(i, j) * x.At(i, 0)
			mass += p.At(i, j)
		}
		if math.Abs(bary/mass-ty.At(j, 0)) > 1e-10 {
			t.Fatalf("T⁻¹(y_%d) = %.12g, barycentric projection %.12g", j, ty.At(j, 0), bary/mass)
		}
	}
}

// As eps → 0 the entropic map tends to the barycentric projection of the
// exact plan: here a translation y_i = x_i + v, whose exact plan is the
// identity with a clear gap to every other permutation.
func TestEntropicMapTendsToEMDProjection(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 14))
	n := 12
	x, y := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, 2*rng.NormFloat64())
		x.Set(i, 1, 2*rng.NormFloat64())
		y.Set(i, 0, x.At(i, 0)+1)
		y.Set(i, 1, x.At(i, 1)+0.5)
	}
	exact, err := EMDPoints(x, y, nil, nil, EMDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target := mat.NewDense(n, 2, nil)
	for _, e := range exact.Plan {
		for c := 0; c < 2; c++ {
			target.Set(e.I, c, target.At(e.I, c)+e.Mass*y.At(e.J, c)*float64(n))
		}
	}
	for _, e := range exact.Plan {
		if e.I != e.J {
			t.Fatalf("exact plan is not the identity: %+v", e)
		}
	}
	prevErr := math.Inf(1)
	for _, eps := range []float64{0.5, 0.1, 0.02} {
		g, _ := NewPointCloud(x, y, PointCloudOptions{Epsilon: eps})
		r, err := Sinkhorn(g, nil, nil, SinkhornOptions{Threshold: 1e-5, MaxIterations: 100000})
		if err != nil || !r.Converged {
			t.Fatalf("eps %g: %v, converged %v after %d iterations, errors %v", eps, err, r != nil && r.Converged, r.Iterations, r.Errors[max(0, r.Iterations/10-3):r.Iterations/10])
		}
		em, _ := NewEntropicMap(r)
		tx, err := em.Transport(x)
		if err != nil {
			t.Fatal(err)
		}
		var diff mat.Dense
		diff.Sub(tx, target)
		e := mat.Norm(&diff, math.Inf(1))
		if e >= prevErr {
			t.Fatalf("eps %g: distance to the exact projection %g did not shrink (was %g)", eps, e, prevErr)
		}
		prevErr = e
	}
	if prevErr > 1e-3 {
		t.Fatalf("at eps 0.02 the map is %g away from the exact projection", prevErr)
	}
}

func TestEntropicMapGradientFiniteDifferences(t *testing.T) {
	for _, cost := range []Cost{nil, Euclidean{}} {
		r, _, _ := entropicMapProblem(t, 15, 10, 0.8, cost)
		em, err := NewEntropicMap(r)
		if err != nil {
			t.Fatal(err)
		}
		pts := mat.NewDense(3, 2, []float64{0.3, -0.2, 2.5, 1, -1, 0.7})
		grad, err := em.GradF(pts)
		if err != nil {
			t.Fatal(err)
		}
		gradG, err := em.GradG(pts)
		if err != nil {
			t.Fatal(err)
		}
		const h = 1e-6
		for r := 0; r < 3; r++ {
			for c := 0; c < 2; c++ {
				old := pts.At(r, c)
				pts.Set(r, c, old+h)
				fp, _ := em.F(pts)
				gp, _ := em.G(pts)
				pts.Set(r, c, old-h)
				fm, _ := em.F(pts)
				gm, _ := em.G(pts)
				pts.Set(r, c, old)
				if fd := (fp[r] - fm[r]) / (2 * h); math.Abs(fd-grad.At(r, c)) > 1e-6 {
					t.Errorf("%T: ∂f/∂x[%d,%d] = %.10g, finite differences %.10g", cost, r, c, grad.At(r, c), fd)
				}
				if fd := (gp[r] - gm[r]) / (2 * h); math.Abs(fd-gradG.At(r, c)) > 1e-6 {
					t.Errorf("%T: ∂g/∂y[%d,%d] = %.10g, finite differences %.10g", cost, r, c, gradG.At(r, c), fd)
				}
			}
		}
	}
}

func TestEntropicMapBadInput(t *testing.T) {
	r, _, _ := entropicMapProblem(t, 5, 4, 1, nil)
	em, _ := NewEntropicMap(r)
	geom, _ := NewGeometry(mat.NewDense(2, 2, []float64{0, 1, 1, 0}), GeometryOptions{Epsilon: 1})
	rc, _ := Sinkhorn(geom, nil, nil, SinkhornOptions{})
	re, _, _ := entropicMapProblem(t, 5, 4, 1, Euclidean{})
	eu, _ := NewEntropicMap(re)
	check := func(name string, err error, want string) {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, want)
		}
	}
	_, err := NewEntropicMap(nil)
	check("nil result", err, "nil")
	_, err = NewEntropicMap(rc)
	check("cost matrix", err, "point-cloud")
	_, err = em.F(mat.NewDense(1, 3, nil))
	check("wrong width", err, "columns")
	_, err = em.Transport(mat.NewDense(1, 2, []float64{math.NaN(), 0}))
	check("NaN point", err, "non-finite")
	_, err = em.F(nil)
	check("nil points", err, "empty")
	_, err = eu.Transport(mat.NewDense(1, 2, nil))
	check("no gradient inverse", err, "GradientInverter")
}
