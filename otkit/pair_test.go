package otkit

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// pairTestMixture is the tutorial's generator 0: three well separated
// components with weights (.2, .2, .6).
func pairTestMixture(t *testing.T, shift []float64) *GaussianMixture {
	t.Helper()
	means := [][]float64{{2, -1}, {-2, 0}, {4, 3}}
	covs := []*mat.SymDense{
		mat.NewSymDense(2, []float64{0.6, 0, 0, 0.3}),
		mat.NewSymDense(2, []float64{1.8, 0, 0, 0.9}),
		mat.NewSymDense(2, []float64{1.5, -1.2, -1.2, 1.5}),
	}
	for _, m := range means {
		m[0] += shift[0]
		m[1] += shift[1]
	}
	g, err := NewGaussianMixture(means, covs, []float64{0.2, 0.2, 0.6})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestMixturePairCostMatrix checks the Bures cost matrix against the
// Gaussian type's W2 and a Bures point-cloud geometry, two independent
// routes to the same numbers.
func TestMixturePairCostMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 0))
	l0, l1 := paramLayout{3, 2}, paramLayout{2, 2}
	g0 := mixtureFromParams(l0, randPairParams(rng, l0, 2))
	g1 := mixtureFromParams(l1, randPairParams(rng, l1, 2))
	p, err := NewMixturePair(g0, g1, MixturePairOptions{Epsilon: 0.1, Tau: 1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.CostMatrix()
	if err != nil {
		t.Fatal(err)
	}
	if r, k := c.Dims(); r != 3 || k != 2 {
		t.Fatalf("cost is %d×%d, want 3×2", r, k)
	}
	pack := func(g Gaussian) []float64 {
		cov := mustCov(t, g)
		return append(append([]float64(nil), g.Loc...), cov.At(0, 0), cov.At(0, 1), cov.At(1, 0), cov.At(1, 1))
	}
	x, y := mat.NewDense(3, 6, nil), mat.NewDense(2, 6, nil)
	for k, g := range g0.Components() {
		x.SetRow(k, pack(g))
	}
	for l, g := range g1.Components() {
		y.SetRow(l, pack(g))
	}
	geom, err := NewPointCloud(x, y, PointCloudOptions{Cost: Bures{Dim: 2}, Epsilon: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	cc := geom.CostMatrix()
	for k, a := range g0.Components() {
		for l, b := range g1.Components() {
			w, err := a.W2(b)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.At(k, l); math.Abs(got-w) > 1e-10*(1+w) || math.Abs(got-cc.At(k, l)) > 1e-10*(1+w) {
				t.Errorf("C[%d,%d] = %.15g; Gaussian.W2 %.15g, Bures point cloud %.15g", k, l, got, w, cc.At(k, l))
			}
		}
	}
}

// TestMixturePairUpstreamInvariants are OTT's own pair tests (note §8.1)
// at ε = 1e-3: identical mixtures cost ≈ 0 with coupling diag(π); shifting
// every mean by (2, 0) costs ≈ 4 with coupling ≈ diag(π).
func TestMixturePairUpstreamInvariants(t *testing.T) {
	g := pairTestMixture(t, []float64{0, 0})
	pi := g.Weights()
	for _, tc := range []struct {
		shift    []float64
		cost     float64
		costTol  float64
		coupling float64
	}{
		{[]float64{0, 0}, 0, 0.005, 1e-6},
		{[]float64{2, 0}, 4, 0.005, 5e-3},
	} {
		p, err := NewMixturePair(g, pairTestMixture(t, tc.shift), MixturePairOptions{Epsilon: 1e-3, Tau: 1})
		if err != nil {
			t.Fatal(err)
		}
		c, err := p.CostMatrix()
		if err != nil {
			t.Fatal(err)
		}
		r, err := p.Sinkhorn(c, SinkhornOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Converged {
			t.Errorf("shift %v: not converged", tc.shift)
		}
		if math.Abs(r.RegOTCost-tc.cost) > tc.costTol {
			t.Errorf("shift %v: reg cost %v, want %v", tc.shift, r.RegOTCost, tc.cost)
		}
		np, err := NormalizedCoupling(r)
		if err != nil {
			t.Fatal(err)
		}
		if s := mat.Sum(np); math.Abs(s-1) > 1e-12 {
			t.Errorf("normalized coupling sums to %v", s)
		}
		for k := 0; k < 3; k++ {
			for l := 0; l < 3; l++ {
				want := 0.0
				if k == l {
					want = pi[k]
				}
				if math.Abs(np.At(k, l)-want) > tc.coupling {
					t.Errorf("shift %v: coupling[%d,%d] = %v, want %v", tc.shift, k, l, np.At(k, l), want)
				}
			}
		}
	}
}

// TestMixturePairUnbalanced: Rho, the unbalanced solve and both updates.
func TestMixturePairUnbalanced(t *testing.T) {
	g0 := pairTestMixture(t, []float64{0, 0})
	g1 := pairTestMixture(t, []float64{0.5, 0})
	tau := 1 / 1.01
	p, err := NewMixturePair(g0, g1, MixturePairOptions{Epsilon: 0.01, Tau: tau, LockGMM1: true})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.Rho()-1) > 1e-12 {
		t.Errorf("rho = %v, want 1", p.Rho())
	}
	if b, _ := NewMixturePair(g0, g1, MixturePairOptions{Epsilon: 0.01, Tau: 1}); !math.IsInf(b.Rho(), 1) {
		t.Errorf("balanced rho = %v, want +Inf", b.Rho())
	}
	c, _ := p.CostMatrix()
	r, err := p.Sinkhorn(c, SinkhornOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.TauA != tau || r.TauB != tau || r.Epsilon != 0.01 {
		t.Errorf("solve used tau %v/%v eps %v", r.TauA, r.TauB, r.Epsilon)
	}
	if m := r.TransportMass(); !(m < 1) {
		t.Errorf("unbalanced mass %v, want < 1 (shifted components pay to move)", m)
	}
	o, err := p.Sinkhorn(c, SinkhornOptions{OTTUnbalancedUpdate: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(o.RegOTCost - r.RegOTCost); d == 0 || d > 1e-3 {
		t.Errorf("OTT and consistent updates differ by %v; want small but non-zero (note §4.4)", d)
	}
	if _, err := p.Sinkhorn(c, SinkhornOptions{TauB: 0.5}); err == nil || !strings.Contains(err.Error(), "tau") {
		t.Errorf("conflicting TauB: error %v", err)
	}
	if _, err := p.Sinkhorn(mat.NewDense(2, 3, nil), SinkhornOptions{}); err == nil || !strings.Contains(err.Error(), "2×3") {
		t.Errorf("wrong cost shape: error %v", err)
	}
	if np, err := NormalizedCoupling(nil); err == nil || np != nil {
		t.Errorf("NormalizedCoupling(nil) = %v, %v; want an error", np, err)
	}
}

func TestMixturePairBadInput(t *testing.T) {
	g := pairTestMixture(t, []float64{0, 0})
	one := &GaussianMixture{Loc: [][]float64{{0}}, Scale: [][]float64{{0}}}
	bad := g.Clone()
	bad.Scale[1][2] = math.NaN()
	short := g.Clone()
	short.Logits = short.Logits[:1]
	for _, tc := range []struct {
		g0, g1   *GaussianMixture
		eps, tau float64
		want     string
	}{
		{g, one, 0.1, 1, "dimension"},
		{g, bad, 0.1, 1, "gmm1"},
		{short, g, 0.1, 1, "gmm0"},
		{g, g, math.NaN(), 1, "Epsilon"},
		{g, g, 0.1, 1.5, "Tau"},
		{g, g, 0.1, math.NaN(), "Tau"},
	} {
		_, err := NewMixturePair(tc.g0, tc.g1, MixturePairOptions{Epsilon: tc.eps, Tau: tc.tau})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one mentioning %q", err, tc.want)
		}
	}
	// A covariance that is numerically singular is named.
	sing := g.Clone()
	sing.Scale[2][0] = -400
	p := &MixturePair{GMM0: g, GMM1: sing, Epsilon: 0.1, Tau: 1}
	if _, err := p.CostMatrix(); err == nil || !strings.Contains(err.Error(), "gmm1") {
		t.Errorf("singular gmm1 component: error %v", err)
	}
}
