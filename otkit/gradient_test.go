package otkit

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// solvedCost returns RegOTCost of a tight solve, failing the test otherwise.
func solvedCost(t *testing.T, g *Geometry, a, b []float64, opt SinkhornOptions) float64 {
	t.Helper()
	r := mustSinkhorn(t, g, a, b, opt)
	if !r.Converged {
		t.Fatalf("FD solve did not converge: %v", r.Errors[:3])
	}
	return r.RegOTCost
}

func tightTau(ta, tb float64) SinkhornOptions {
	o := tight
	o.TauA, o.TauB = ta, tb
	return o
}

var taus = [][2]float64{{1, 1}, {0.7, 0.85}, {1, 0.6}}

func TestGradCostMatrixFD(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 0))
	n, m := 4, 5
	c := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			c.Set(i, j, rng.Float64()*2)
		}
	}
	a, b := randWeights(32, n, 1), randWeights(33, m, 1)
	for _, tau := range taus {
		opt := tightTau(tau[0], tau[1])
		g, err := NewGeometry(c, GeometryOptions{Epsilon: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		p := mustSinkhorn(t, g, a, b, opt).Matrix()
		const h = 1e-5
		var worst float64
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				cp, cm := mat.DenseCopyOf(c), mat.DenseCopyOf(c)
				cp.Set(i, j, c.At(i, j)+h)
				cm.Set(i, j, c.At(i, j)-h)
				gp, _ := NewGeometry(cp, GeometryOptions{Epsilon: 0.2})
				gm, _ := NewGeometry(cm, GeometryOptions{Epsilon: 0.2})
				fd := (solvedCost(t, gp, a, b, opt) - solvedCost(t, gm, a, b, opt)) / (2 * h)
				worst = math.Max(worst, math.Abs(fd-p.At(i, j)))
			}
		}
		if worst > 1e-8 {
			t.Errorf("tau %v: ∂R/∂C vs FD: max error %g", tau, worst)
		}
		t.Logf("tau %v: ∂R/∂C max FD error %.2g", tau, worst)
	}
}

// TestOTTUnbalancedUpdateGradientIsDanskinOnly documents note §4.4: with
// OTT's update the reported gradient P is not the derivative of the value.
func TestOTTUnbalancedUpdateGradientIsDanskinOnly(t *testing.T) {
	c := mat.NewDense(2, 3, []float64{0.1, 0.9, 0.4, 0.7, 0.2, 0.5})
	a, b := []float64{0.05, 0.95}, []float64{0.2, 0.3, 0.5}
	opt := tightTau(0.5, 0.5)
	opt.OTTUnbalancedUpdate = true
	g, _ := NewGeometry(c, GeometryOptions{Epsilon: 0.3})
	p := mustSinkhorn(t, g, a, b, opt).Matrix()
	const h = 1e-5
	cp, cm := mat.DenseCopyOf(c), mat.DenseCopyOf(c)
	cp.Set(0, 0, 0.1+h)
	cm.Set(0, 0, 0.1-h)
	gp, _ := NewGeometry(cp, GeometryOptions{Epsilon: 0.3})
	gm, _ := NewGeometry(cm, GeometryOptions{Epsilon: 0.3})
	fd := (solvedCost(t, gp, a, b, opt) - solvedCost(t, gm, a, b, opt)) / (2 * h)
	if math.Abs(fd-p.At(0, 0)) < 1e-4 {
		t.Fatalf("expected OTT's Danskin gradient %v to differ from FD %v", p.At(0, 0), fd)
	}
}

// fdDirectional compares ⟨grad, dir⟩ with a central difference of value
// along dir.
func fdDirectional(t *testing.T, name string, grad, dir []float64, value func(s float64) float64, tol float64) {
	t.Helper()
	const h = 1e-5
	fd := (value(h) - value(-h)) / (2 * h)
	var an float64
	for k := range grad {
		an += grad[k] * dir[k]
	}
	if math.Abs(fd-an) > tol*math.Max(1, math.Abs(fd)) {
		t.Errorf("%s: directional derivative %v, FD %v (diff %g)", name, an, fd, fd-an)
	} else {
		t.Logf("%s: FD error %.2g", name, math.Abs(fd-an))
	}
}

func randDir(seed uint64, k int) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := make([]float64, k)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return d
}

func addScaled(x *mat.Dense, dir []float64, s float64) *mat.Dense {
	r, c := x.Dims()
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out.Set(i, j, x.At(i, j)+s*dir[i*c+j])
		}
	}
	return out
}

func TestGradPointsFD(t *testing.T) {
	n, m, d := 5, 6, 2
	x := randCloud(41, n, d, 1, 0)
	y := randCloud(42, m, d, 1, 0.7)
	a, b := randWeights(43, n, 1), randWeights(44, m, 1)
	dx, dy := randDir(45, n*d), randDir(46, m*d)
	type cfg struct {
		name string
		opt  PointCloudOptions
	}
	cfgs := []cfg{
		{"sqeuclid", PointCloudOptions{Epsilon: 0.3}},
		{"sqeuclid-online", PointCloudOptions{Epsilon: 0.3, Online: true}},
		{"euclid", PointCloudOptions{Epsilon: 0.1, Cost: Euclidean{}}},
		{"scale-mean", PointCloudOptions{Epsilon: 0.1, ScaleCostRule: "mean"}},
		{"scale-max_cost", PointCloudOptions{Epsilon: 0.1, ScaleCostRule: "max_cost"}},
		{"scale-median", PointCloudOptions{Epsilon: 0.1, ScaleCostRule: "median"}},
		{"scale-max_norm", PointCloudOptions{Epsilon: 0.1, ScaleCostRule: "max_norm"}},
		{"scale-max_bound", PointCloudOptions{Epsilon: 0.02, ScaleCostRule: "max_bound"}},
		{"scale-const", PointCloudOptions{Epsilon: 0.1, ScaleCost: 2.5}},
		{"euclid-mean", PointCloudOptions{Epsilon: 0.05, Cost: Euclidean{}, ScaleCostRule: "mean"}},
	}
	for _, c := range cfgs {
		for _, tau := range taus {
			opt := tightTau(tau[0], tau[1])
			checkPointGradsFD(t, c.name, x, y, dx, dy, c.opt, a, b, opt)
		}
	}
}

func TestGradSelfCloudFD(t *testing.T) {
	// For y = x the derivative with respect to the shared points is GradX + GradY.
	x := randCloud(47, 6, 2, 1, 0)
	dx := randDir(48, 12)
	opt := PointCloudOptions{Epsilon: 0.4}
	r := mustSinkhorn(t, mustCloud(t, x, nil, opt), nil, nil, tight)
	gx, _ := r.GradX()
	gy, _ := r.GradY()
	var tot mat.Dense
	tot.Add(gx, gy)
	fdDirectional(t, "self", tot.RawMatrix().Data, dx, func(s float64) float64 {
		return solvedCost(t, mustCloud(t, addScaled(x, dx, s), nil, opt), nil, nil, tight)
	}, 1e-7)
}

func TestGradBuresFD(t *testing.T) {
	// Gaussians in 2-D packed as [μ, Σ]; perturb means and covariances
	// symmetrically.
	rng := rand.New(rand.NewPCG(49, 0))
	gauss := func(k int) *mat.Dense {
		x := mat.NewDense(k, 6, nil)
		for i := 0; i < k; i++ {
			l := []float64{0.5 + rng.Float64(), 0.3 * rng.NormFloat64(), 0.5 + rng.Float64()}
			s00 := l[0] * l[0]
			s01 := l[0] * l[1]
			s11 := l[1]*l[1] + l[2]*l[2]
			x.SetRow(i, []float64{rng.NormFloat64(), rng.NormFloat64(), s00, s01, s01, s11})
		}
		return x
	}
	x, y := gauss(3), gauss(4)
	symDir := func(seed uint64, k int) []float64 {
		d := randDir(seed, 6*k)
		for i := 0; i < k; i++ {
			d[i*6+3] = d[i*6+4]
		}
		return d
	}
	dx, dy := symDir(50, 3), symDir(51, 4)
	opt := PointCloudOptions{Epsilon: 0.5, Cost: Bures{Dim: 2}}
	for _, tau := range taus {
		so := tightTau(tau[0], tau[1])
		checkPointGradsFD(t, "bures", x, y, dx, dy, opt, nil, nil, so)
	}
}

func TestGradWeightsFD(t *testing.T) {
	n, m := 5, 4
	g := mustCloud(t, randCloud(52, n, 2, 1, 0), randCloud(53, m, 2, 1, 0.5), PointCloudOptions{Epsilon: 0.3})
	a, b := randWeights(54, n, 1), randWeights(55, m, 1)
	for _, tau := range taus {
		opt := tightTau(tau[0], tau[1])
		r := mustSinkhorn(t, g, a, b, opt)
		da, db := randDir(56, n), randDir(57, m)
		if tau[0] == 1 && tau[1] == 1 {
			// Balanced: stay on equal masses.
			center(da)
			center(db)
		}
		fdDirectional(t, "a", r.GradA(), da, func(s float64) float64 {
			return solvedCost(t, g, axpy(a, da, s), b, opt)
		}, 1e-7)
		fdDirectional(t, "b", r.GradB(), db, func(s float64) float64 {
			return solvedCost(t, g, a, axpy(b, db, s), opt)
		}, 1e-7)
	}
}

func TestGradWeightsAtZeroWeight(t *testing.T) {
	// The gradient at a zero weight is the one-sided derivative.
	n, m := 4, 3
	g := mustCloud(t, randCloud(58, n, 2, 1, 0), randCloud(59, m, 2, 1, 0.5), PointCloudOptions{Epsilon: 0.3})
	a := []float64{0.3, 0, 0.3, 0.4}
	b := []float64{0.5, 0.2, 0.3}
	for _, tau := range taus {
		opt := tightTau(tau[0], tau[1])
		r := mustSinkhorn(t, g, a, b, opt)
		dir := []float64{0, 1, 0, 0}
		if tau[0] == 1 && tau[1] == 1 {
			dir = []float64{0, 1, -1, 0}
		}
		const h = 1e-6
		fd := (solvedCost(t, g, axpy(a, dir, h), b, opt) - r.RegOTCost) / h
		ga := r.GradA()
		an := ga[1]*dir[1] + ga[2]*dir[2]
		if math.Abs(fd-an) > 1e-4 {
			t.Errorf("tau %v: one-sided derivative at a zero weight: FD %v, gradient %v", tau, fd, an)
		}
	}
}

func center(v []float64) {
	s := sum(v) / float64(len(v))
	for i := range v {
		v[i] -= s
	}
}

func axpy(x, d []float64, s float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] + s*d[i]
	}
	return out
}

func TestGradErrors(t *testing.T) {
	g, _ := NewGeometry(mat.NewDense(2, 2, []float64{0, 1, 1, 0}), GeometryOptions{Epsilon: 0.1})
	r := mustSinkhorn(t, g, nil, nil, SinkhornOptions{})
	if _, err := r.GradX(); err == nil {
		t.Fatal("GradX on a cost-matrix geometry must fail")
	}
	gc := mustCloud(t, randCloud(1, 3, 2, 1, 0), nil, PointCloudOptions{Cost: costOnly{}, Epsilon: 0.1})
	r = mustSinkhorn(t, gc, nil, nil, SinkhornOptions{})
	if _, err := r.GradY(); err == nil {
		t.Fatal("GradY with a cost lacking CostGradient must fail")
	}
}

type costOnly struct{}

func (costOnly) Cost(x, y []float64) float64 { return SqEuclidean{}.Cost(x, y) }

// checkPointGradsFD solves on the clouds x, y and checks GradX and GradY
// against central differences of the solved cost along dx and dy (1e-7).
func checkPointGradsFD(t *testing.T, name string, x, y *mat.Dense, dx, dy []float64, geom PointCloudOptions, a, b []float64, opt SinkhornOptions) {
	t.Helper()
	r := mustSinkhorn(t, mustCloud(t, x, y, geom), a, b, opt)
	gx, err := r.GradX()
	if err != nil {
		t.Fatal(err)
	}
	gy, err := r.GradY()
	if err != nil {
		t.Fatal(err)
	}
	fdDirectional(t, name+" x", gx.RawMatrix().Data, dx, func(s float64) float64 {
		return solvedCost(t, mustCloud(t, addScaled(x, dx, s), y, geom), a, b, opt)
	}, 1e-7)
	fdDirectional(t, name+" y", gy.RawMatrix().Data, dy, func(s float64) float64 {
		return solvedCost(t, mustCloud(t, x, addScaled(y, dy, s), geom), a, b, opt)
	}, 1e-7)
}
