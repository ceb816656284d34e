package otkit

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func testGaussian(t *testing.T, mean []float64, cov []float64) Gaussian {
	t.Helper()
	g, err := NewGaussian(mean, mat.NewSymDense(len(mean), cov))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGaussianScaleLayout(t *testing.T) {
	// L = [[2,0,0],[0.5,3,0],[-1,0.25,0.5]] → Σ = L·Lᵀ; parameters in
	// row-major lower-triangle order with log diagonal.
	l := mat.NewDense(3, 3, []float64{2, 0, 0, 0.5, 3, 0, -1, 0.25, 0.5})
	var s mat.Dense
	s.Mul(l, l.T())
	g, err := NewGaussian([]float64{1, 2, 3}, mustSym(t, &s))
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{math.Log(2), 0.5, math.Log(3), -1, 0.25, math.Log(0.5)}
	for i, v := range want {
		if math.Abs(g.Scale[i]-v) > 1e-14 {
			t.Fatalf("Scale = %v, want %v", g.Scale, want)
		}
	}
	gl, err := g.CholeskyL()
	if err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(gl, l, 1e-14) {
		t.Errorf("CholeskyL = %v", mat.Formatted(gl))
	}
	if gc := mustCov(t, g); !mat.EqualApprox(gc, &s, 1e-13) {
		t.Errorf("Covariance = %v, want %v", mat.Formatted(gc), mat.Formatted(&s))
	}
	if g.Dim() != 3 {
		t.Errorf("Dim = %d", g.Dim())
	}
}

func TestSymmetrize(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 2, 4, 3})
	s, err := Symmetrize(a)
	if err != nil {
		t.Fatal(err)
	}
	if s.At(0, 1) != 3 || s.At(1, 0) != 3 || s.At(0, 0) != 1 || s.At(1, 1) != 3 {
		t.Errorf("Symmetrize = %v", mat.Formatted(s))
	}
	for name, bad := range map[string]mat.Matrix{
		"non-square": mat.NewDense(2, 3, nil),
		"nil":        nil,
		"empty":      &mat.Dense{},
	} {
		if s, err := Symmetrize(bad); err == nil || s != nil {
			t.Errorf("Symmetrize(%s) = %v, %v; want an error", name, s, err)
		}
	}
}

// refLogProb is the textbook normal log density through a general inverse
// and log-determinant (LU), independent of the Cholesky parameterisation.
func refLogProb(mean, cov, x []float64) float64 {
	d := len(mean)
	s := mat.NewDense(d, d, cov)
	var inv mat.Dense
	if err := inv.Inverse(s); err != nil {
		panic(err)
	}
	logDet, _ := mat.LogDet(s)
	diff := mat.NewVecDense(d, nil)
	for i := range mean {
		diff.SetVec(i, x[i]-mean[i])
	}
	q := mat.Inner(diff, &inv, diff)
	return -0.5*float64(d)*math.Log(2*math.Pi) - 0.5*logDet - 0.5*q
}

func TestGaussianLogProbMatchesFormula(t *testing.T) {
	mean := []float64{0.5, -1, 2}
	cov := []float64{2, 0.3, -0.2, 0.3, 1, 0.1, -0.2, 0.1, 0.5}
	g := testGaussian(t, mean, cov)
	for _, x := range [][]float64{{0, 0, 0}, {0.5, -1, 2}, {3, -2, 1}, {-10, 4, 7}} {
		got, err := g.LogProb(x)
		if err != nil {
			t.Fatal(err)
		}
		want := refLogProb(mean, cov, x)
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("LogProb(%v) = %v, formula %v", x, got, want)
		}
	}
	for _, bad := range [][]float64{{1, 2}, nil, {1, 2, 3, 4}, {1, math.NaN(), 0}, {math.Inf(1), 0, 0}} {
		if v, err := g.LogProb(bad); err == nil {
			t.Errorf("LogProb(%v) = %v with no error", bad, v)
		}
	}
}

func TestGaussianSampleMoments(t *testing.T) {
	mean := []float64{1, -2}
	cov := []float64{2, -0.8, -0.8, 1}
	g := testGaussian(t, mean, cov)
	const n = 40000
	x, err := g.Sample(rand.New(rand.NewPCG(1, 2)), n)
	if err != nil {
		t.Fatal(err)
	}
	var m [2]float64
	for r := 0; r < n; r++ {
		m[0] += x.At(r, 0) / n
		m[1] += x.At(r, 1) / n
	}
	var c [4]float64
	for r := 0; r < n; r++ {
		a, b := x.At(r, 0)-m[0], x.At(r, 1)-m[1]
		c[0] += a * a / n
		c[1] += a * b / n
		c[3] += b * b / n
	}
	c[2] = c[1]
	// Standard errors are about sqrt(σ²/n) ≈ 0.007 for means, ≈ 0.015 for covariances.
	for i := 0; i < 2; i++ {
		if math.Abs(m[i]-mean[i]) > 0.04 {
			t.Errorf("sample mean %v, want %v", m, mean)
		}
	}
	for i := range c {
		if math.Abs(c[i]-cov[i]) > 0.06 {
			t.Errorf("sample covariance %v, want %v", c, cov)
		}
	}
	y, err := g.Sample(rand.New(rand.NewPCG(1, 2)), n)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(x, y) {
		t.Error("same seed gave different samples")
	}
}

func TestGaussianW2(t *testing.T) {
	// Commuting (diagonal) covariances: W2² = ‖Δμ‖² + Σ(√a_i − √b_i)².
	g0 := testGaussian(t, []float64{0, 1}, []float64{4, 0, 0, 1})
	g1 := testGaussian(t, []float64{3, -1}, []float64{1, 0, 0, 9})
	got, err := g0.W2(g1)
	if err != nil {
		t.Fatal(err)
	}
	want := 9.0 + 4 + 1 + 4
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("W2 = %v, want %v", got, want)
	}
	// 1-D: (μ0−μ1)² + (σ0−σ1)².
	a := testGaussian(t, []float64{1}, []float64{0.25})
	b := testGaussian(t, []float64{-1}, []float64{4})
	got, _ = a.W2(b)
	if math.Abs(got-(4+1.5*1.5)) > 1e-12 {
		t.Errorf("1-D W2 = %v", got)
	}
	self, _ := g0.W2(g0)
	if math.Abs(self) > 1e-12 {
		t.Errorf("W2 to itself = %v", self)
	}
	if _, err := g0.W2(a); err == nil {
		t.Error("dimension mismatch accepted")
	}
}

func TestGaussianTransport(t *testing.T) {
	g0 := testGaussian(t, []float64{1, 0}, []float64{2, 0.6, 0.6, 1})
	g1 := testGaussian(t, []float64{-1, 3}, []float64{0.5, -0.3, -0.3, 1.5})
	tm, err := g0.TransportMatrix(g1)
	if err != nil {
		t.Fatal(err)
	}
	// T Σ0 T = Σ1 and T positive definite.
	var ts, tst mat.Dense
	ts.Mul(tm, mustCov(t, g0))
	tst.Mul(&ts, tm)
	if !mat.EqualApprox(&tst, mustCov(t, g1), 1e-12) {
		t.Errorf("TΣ0T = %v", mat.Formatted(&tst))
	}
	var ch mat.Cholesky
	if !ch.Factorize(tm) {
		t.Error("T not positive definite")
	}
	x := mat.NewDense(3, 2, []float64{1, 0, 0, 0, 2, -1})
	y, err := g0.Transport(g1, x)
	if err != nil {
		t.Fatal(err)
	}
	// The mean maps to the mean.
	if math.Abs(y.At(0, 0)+1) > 1e-14 || math.Abs(y.At(0, 1)-3) > 1e-14 {
		t.Errorf("Transport(μ0) = %v", mat.Row(nil, 0, y))
	}
	// ∇f = x − Transport(x), by central differences.
	for r := 0; r < 3; r++ {
		p := mat.Row(nil, r, x)
		for i := 0; i < 2; i++ {
			h := 1e-5
			p[i] += h
			fp, _ := g0.FPotential(g1, p)
			p[i] -= 2 * h
			fm, _ := g0.FPotential(g1, p)
			p[i] += h
			fd := (fp - fm) / (2 * h)
			want := p[i] - y.At(r, i)
			if math.Abs(fd-want) > 1e-8 {
				t.Errorf("∂f/∂x%d at %v: FD %v, want %v", i, p, fd, want)
			}
		}
	}
	// W2² = E‖X − T(X)‖² for X ~ g0: check the closed form against samples' exact second moment,
	// E‖X−TX‖² = tr((I−T)Σ0(I−T)) + ‖(μ0−μ1)‖².
	var it mat.Dense
	it.Sub(eye(2), tm)
	var a1, a2 mat.Dense
	a1.Mul(&it, mustCov(t, g0))
	a2.Mul(&a1, &it)
	w2, _ := g0.W2(g1)
	if want := mat.Trace(&a2) + 4 + 9; math.Abs(w2-want) > 1e-12 {
		t.Errorf("W2 = %v, E‖X−T(X)‖² = %v", w2, want)
	}
	if _, err := g0.Transport(g1, mat.NewDense(1, 3, nil)); err == nil {
		t.Error("wrong column count accepted")
	}
	if _, err := g0.FPotential(g1, []float64{1}); err == nil {
		t.Error("wrong point length accepted")
	}
}

func eye(d int) *mat.Dense {
	m := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		m.Set(i, i, 1)
	}
	return m
}

func TestNewGaussianErrors(t *testing.T) {
	cases := []struct {
		name string
		mean []float64
		cov  *mat.SymDense
		want string
	}{
		{"empty", nil, mat.NewSymDense(1, []float64{1}), "empty"},
		{"nil cov", []float64{1}, nil, "nil"},
		{"shape", []float64{1, 2}, mat.NewSymDense(1, []float64{1}), "dimension"},
		{"nan mean", []float64{math.NaN()}, mat.NewSymDense(1, []float64{1}), "NaN"},
		{"inf cov", []float64{0}, mat.NewSymDense(1, []float64{math.Inf(1)}), "NaN or infinite"},
		{"indefinite", []float64{0, 0}, mat.NewSymDense(2, []float64{1, 2, 2, 1}), "not positive definite"},
		{"singular", []float64{0, 0}, mat.NewSymDense(2, []float64{1, 1, 1, 1}), "singular"},
	}
	for _, c := range cases {
		_, err := NewGaussian(c.mean, c.cov)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	bad := Gaussian{Loc: []float64{0, 0}, Scale: []float64{0}}
	good := testGaussian(t, []float64{0, 0}, []float64{1, 0, 0, 1})
	if _, err := good.W2(bad); err == nil {
		t.Error("malformed Gaussian accepted by W2")
	}
	if _, err := bad.TransportMatrix(good); err == nil {
		t.Error("malformed Gaussian accepted by TransportMatrix")
	}
}

// mustSym is Symmetrize for inputs known to be square.
func mustSym(t testing.TB, a mat.Matrix) *mat.SymDense {
	t.Helper()
	s, err := Symmetrize(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustCov is Covariance for Gaussians known to be well formed.
func mustCov(t testing.TB, g Gaussian) *mat.SymDense {
	t.Helper()
	c, err := g.Covariance()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustCovs is Covariances for mixtures known to be well formed.
func mustCovs(t testing.TB, m *GaussianMixture) []*mat.SymDense {
	t.Helper()
	c, err := m.Covariances()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
