package otkit

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var (
	tmMeans = [][]float64{{2, -1}, {-2, 0}, {4, 3}}
	tmCovs  = [][]float64{{0.6, 0, 0, 0.3}, {1.8, 0, 0, 0.9}, {1.5, -1.2, -1.2, 1.5}}
	tmW     = []float64{0.2, 0.3, 0.5}
)

func testMixture(t testing.TB) *GaussianMixture {
	t.Helper()
	covs := make([]*mat.SymDense, len(tmCovs))
	for i, c := range tmCovs {
		covs[i] = mat.NewSymDense(2, c)
	}
	m, err := NewGaussianMixture(tmMeans, covs, tmW)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewGaussianMixtureParameters(t *testing.T) {
	m := testMixture(t)
	if m.K() != 3 || m.Dim() != 2 {
		t.Fatalf("K, Dim = %d, %d", m.K(), m.Dim())
	}
	// θ_k = log p_k − log p_K.
	want := []float64{math.Log(0.2 / 0.5), math.Log(0.3 / 0.5)}
	for i := range want {
		if math.Abs(m.Logits[i]-want[i]) > 1e-15 {
			t.Errorf("Logits = %v, want %v", m.Logits, want)
		}
	}
	for i, w := range m.Weights() {
		if math.Abs(w-tmW[i]) > 1e-15 {
			t.Errorf("Weights = %v, want %v", m.Weights(), tmW)
		}
	}
	for i, lw := range m.LogWeights() {
		if math.Abs(lw-math.Log(tmW[i])) > 1e-15 {
			t.Errorf("LogWeights = %v", m.LogWeights())
		}
	}
	for k, c := range mustCovs(t, m) {
		if !mat.EqualApprox(c, mat.NewSymDense(2, tmCovs[k]), 1e-14) {
			t.Errorf("covariance %d = %v", k, mat.Formatted(c))
		}
	}
	comps := m.Components()
	comps[0].Loc[0] = 99
	if m.Loc[0][0] != 2 || m.Means()[2][1] != 3 {
		t.Error("Components/Means do not copy")
	}
	c := m.Clone()
	c.Scale[1][0] = 7
	c.Logits[0] = 7
	if m.Scale[1][0] == 7 || m.Logits[0] == 7 {
		t.Error("Clone is shallow")
	}
}

func TestNewGaussianMixtureErrors(t *testing.T) {
	id := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	bad := mat.NewSymDense(2, []float64{1, 2, 2, 1})
	means := [][]float64{{0, 0}, {1, 1}}
	cases := []struct {
		name    string
		means   [][]float64
		covs    []*mat.SymDense
		weights []float64
		want    string
	}{
		{"none", nil, nil, nil, "no components"},
		{"count", means, []*mat.SymDense{id}, []float64{0.5, 0.5}, "2 means, 1 covariances"},
		{"mean length", [][]float64{{0, 0}, {1}}, []*mat.SymDense{id, id}, []float64{0.5, 0.5}, "component 1 has mean of length 1"},
		{"not PD", means, []*mat.SymDense{id, bad}, []float64{0.5, 0.5}, "component 1: "},
		{"cov shape", means, []*mat.SymDense{id, mat.NewSymDense(3, nil)}, []float64{0.5, 0.5}, "component 1"},
		{"nan mean", [][]float64{{0, math.NaN()}, {1, 1}}, []*mat.SymDense{id, id}, []float64{0.5, 0.5}, "component 0"},
		{"sum", means, []*mat.SymDense{id, id}, []float64{0.5, 0.4}, "sum to 0.9"},
		{"negative", means, []*mat.SymDense{id, id}, []float64{1.5, -0.5}, "component 1 is negative"},
		{"zero", means, []*mat.SymDense{id, id}, []float64{1, 0}, "component 1 is 0"},
		{"nan weight", means, []*mat.SymDense{id, id}, []float64{math.NaN(), 1}, "component 0 is NaN"},
	}
	for _, c := range cases {
		_, err := NewGaussianMixture(c.means, c.covs, c.weights)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// Within 1e-6 of 1 is accepted.
	if _, err := NewGaussianMixture(means, []*mat.SymDense{id, id}, []float64{0.5, 0.5 + 5e-7}); err != nil {
		t.Errorf("weights summing to 1+5e-7 rejected: %v", err)
	}
}

func TestMixtureValidate(t *testing.T) {
	m := testMixture(t)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*GaussianMixture){
		"logits": func(m *GaussianMixture) { m.Logits = m.Logits[:1] },
		"scale":  func(m *GaussianMixture) { m.Scale[2] = m.Scale[2][:2] },
		"nan":    func(m *GaussianMixture) { m.Scale[1][0] = math.NaN() },
		"inf":    func(m *GaussianMixture) { m.Logits[0] = math.Inf(1) },
		"loc":    func(m *GaussianMixture) { m.Loc[1] = []float64{1} },
	} {
		c := m.Clone()
		edit(c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate accepted a broken mixture", name)
		}
	}
	c := m.Clone()
	c.Scale[1][0] = math.NaN()
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "component 1") {
		t.Errorf("Validate error %v does not name component 1", err)
	}
}

func TestMixtureDensities(t *testing.T) {
	m := testMixture(t)
	x := mat.NewDense(4, 2, []float64{0, 0, 2, -1, 4.5, 2, -30, 40})
	lp, err := m.LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	cond, err := m.ConditionalLogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	post, err := m.LogComponentPosterior(x)
	if err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 4; r++ {
		p := mat.Row(nil, r, x)
		var joint [3]float64
		for k := 0; k < 3; k++ {
			l := refLogProb(tmMeans[k], tmCovs[k], p)
			if math.Abs(cond.At(r, k)-l) > 1e-11*math.Max(1, math.Abs(l)) {
				t.Errorf("ConditionalLogProb(%d,%d) = %v, formula %v", r, k, cond.At(r, k), l)
			}
			joint[k] = l + math.Log(tmW[k])
		}
		// Direct log of the density sum, shifted for the far point.
		mx := math.Max(joint[0], math.Max(joint[1], joint[2]))
		want := mx + math.Log(math.Exp(joint[0]-mx)+math.Exp(joint[1]-mx)+math.Exp(joint[2]-mx))
		if math.Abs(lp[r]-want) > 1e-11*math.Max(1, math.Abs(want)) {
			t.Errorf("LogProb[%d] = %v, want %v", r, lp[r], want)
		}
		var s float64
		for k := 0; k < 3; k++ {
			if math.Abs(post.At(r, k)-(joint[k]-want)) > 1e-10 {
				t.Errorf("posterior(%d,%d) = %v, want %v", r, k, post.At(r, k), joint[k]-want)
			}
			s += math.Exp(post.At(r, k))
		}
		if math.Abs(s-1) > 1e-14 {
			t.Errorf("posterior row %d sums to %v", r, s)
		}
	}
	// Component log densities agree with Gaussian.LogProb.
	for k, g := range m.Components() {
		if v, err := g.LogProb([]float64{0, 0}); err != nil || math.Abs(v-cond.At(0, k)) > 1e-13 {
			t.Errorf("component %d: %v (%v) vs %v", k, v, err, cond.At(0, k))
		}
	}
	if _, err := m.LogProb(mat.NewDense(1, 3, nil)); err == nil {
		t.Error("dimension mismatch accepted")
	}
	if _, err := m.LogComponentPosterior(mat.NewDense(1, 2, []float64{math.NaN(), 0})); err == nil || !strings.Contains(err.Error(), "point 0") {
		t.Errorf("NaN point: error %v", err)
	}
}

func TestMixtureSample(t *testing.T) {
	m := testMixture(t)
	const n = 30000
	x, labels, err := m.Sample(rand.New(rand.NewPCG(7, 7)), n)
	if err != nil {
		t.Fatal(err)
	}
	var count [3]float64
	var sum [3][2]float64
	for r, k := range labels {
		count[k]++
		sum[k][0] += x.At(r, 0)
		sum[k][1] += x.At(r, 1)
	}
	for k := 0; k < 3; k++ {
		if f := count[k] / n; math.Abs(f-tmW[k]) > 0.015 {
			t.Errorf("component %d drawn with frequency %v, want %v", k, f, tmW[k])
		}
		for i := 0; i < 2; i++ {
			if mu := sum[k][i] / count[k]; math.Abs(mu-tmMeans[k][i]) > 0.05 {
				t.Errorf("component %d sample mean[%d] = %v, want %v", k, i, mu, tmMeans[k][i])
			}
		}
	}
	// Within-component variance of component 2 along the first axis.
	var v float64
	for r, k := range labels {
		if k == 2 {
			a := x.At(r, 0) - tmMeans[2][0]
			v += a * a
		}
	}
	if v /= count[2]; math.Abs(v-1.5) > 0.08 {
		t.Errorf("component 2 variance %v, want 1.5", v)
	}
	y, l2, _ := m.Sample(rand.New(rand.NewPCG(7, 7)), n)
	if !mat.Equal(x, y) || l2[n-1] != labels[n-1] {
		t.Error("same seed gave different samples")
	}
	if _, _, err := m.Sample(rand.New(rand.NewPCG(1, 1)), 0); err == nil {
		t.Error("n = 0 accepted")
	}
	if _, _, err := m.Sample(nil, 3); err == nil {
		t.Error("nil rng accepted")
	}
}

func TestMixtureFromAssignments(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, d, k = 40, 3, 2
	x := mat.NewDense(n, d, nil)
	resp := mat.NewDense(n, k, nil)
	w := make([]float64, n)
	for r := 0; r < n; r++ {
		for i := 0; i < d; i++ {
			x.Set(r, i, rng.NormFloat64()+float64(i))
		}
		p := rng.Float64()
		resp.Set(r, 0, p)
		resp.Set(r, 1, 1-p)
		w[r] = 0.5 + rng.Float64()
	}
	m, err := MixtureFromAssignments(x, w, resp)
	if err != nil {
		t.Fatal(err)
	}
	var wsum float64
	for _, v := range w {
		wsum += v
	}
	covs := mustCovs(t, m)
	for c := 0; c < k; c++ {
		var nk float64
		mu := make([]float64, d)
		for r := 0; r < n; r++ {
			v := w[r] * resp.At(r, c)
			nk += v
			for i := 0; i < d; i++ {
				mu[i] += v * x.At(r, i)
			}
		}
		for i := range mu {
			mu[i] /= nk
		}
		if got := m.Weights()[c]; math.Abs(got-nk/wsum) > 1e-14 {
			t.Errorf("weight %d = %v, want %v", c, got, nk/wsum)
		}
		for i := 0; i < d; i++ {
			if math.Abs(m.Loc[c][i]-mu[i]) > 1e-13 {
				t.Errorf("mean %d = %v, want %v", c, m.Loc[c], mu)
			}
			for j := 0; j < d; j++ {
				var s float64
				for r := 0; r < n; r++ {
					s += w[r] * resp.At(r, c) * (x.At(r, i) - mu[i]) * (x.At(r, j) - mu[j])
				}
				if want := s / nk; math.Abs(covs[c].At(i, j)-want) > 1e-13 {
					t.Errorf("cov %d (%d,%d) = %v, want biased %v", c, i, j, covs[c].At(i, j), want)
				}
			}
		}
	}

	// Errors.
	zero := mat.NewDense(n, k, nil)
	for r := 0; r < n; r++ {
		zero.Set(r, 0, 1)
	}
	if _, err := MixtureFromAssignments(x, nil, zero); err == nil || !strings.Contains(err.Error(), "component 1") {
		t.Errorf("empty component: error %v", err)
	}
	flat := mat.NewDense(4, 2, []float64{0, 0, 1, 1, 2, 2, 3, 3}) // collinear
	if _, err := MixtureFromAssignments(flat, nil, mat.NewDense(4, 1, []float64{1, 1, 1, 1})); err == nil || !strings.Contains(err.Error(), "component 0") || !strings.Contains(err.Error(), "singular") {
		t.Errorf("collinear points: error %v", err)
	}
	neg := mat.DenseCopyOf(resp)
	neg.Set(3, 1, -0.1)
	if _, err := MixtureFromAssignments(x, nil, neg); err == nil {
		t.Error("negative responsibility accepted")
	}
	if _, err := MixtureFromAssignments(x, nil, mat.NewDense(n-1, k, nil)); err == nil {
		t.Error("row mismatch accepted")
	}
	if _, err := MixtureFromAssignments(x, w[:3], resp); err == nil {
		t.Error("short point weights accepted")
	}
	w[0] = -1
	if _, err := MixtureFromAssignments(x, w, resp); err == nil {
		t.Error("negative point weight accepted")
	}
}

func TestMalformedParametersDoNotPanic(t *testing.T) {
	g := Gaussian{Loc: []float64{0, 0}, Scale: []float64{0}}
	if c, err := g.Covariance(); err == nil || c != nil {
		t.Errorf("Covariance of a malformed Gaussian = %v, %v; want an error", c, err)
	}
	if l, err := g.CholeskyL(); err == nil || l != nil {
		t.Errorf("CholeskyL of a malformed Gaussian = %v, %v; want an error", l, err)
	}
	if x, err := g.Sample(rand.New(rand.NewPCG(1, 1)), 3); err == nil || x != nil {
		t.Errorf("Sample of a malformed Gaussian = %v, %v; want an error", x, err)
	}
	if v, err := g.LogProb([]float64{0, 0}); err == nil {
		t.Errorf("LogProb of a malformed Gaussian = %v with no error", v)
	}
	good := testGaussian(t, []float64{0, 0}, []float64{1, 0, 0, 1})
	if _, err := good.Sample(rand.New(rand.NewPCG(1, 1)), 0); err == nil {
		t.Error("Sample with n = 0 accepted")
	}
	if _, err := good.Sample(nil, 3); err == nil {
		t.Error("Sample with a nil rng accepted")
	}
	nan := Gaussian{Loc: []float64{0, math.NaN()}, Scale: []float64{0, 0, 0}}
	if _, err := nan.Covariance(); err == nil {
		t.Error("Covariance of a NaN Gaussian accepted")
	}
	m := testMixture(t)
	m.Scale[1] = m.Scale[1][:1]
	if covs, err := m.Covariances(); err == nil || covs != nil || !strings.Contains(err.Error(), "component 1") {
		t.Errorf("Covariances of a malformed mixture = %v, %v; want an error naming component 1", covs, err)
	}
	if _, err := m.LogProb(mat.NewDense(1, 2, nil)); err == nil || !strings.Contains(err.Error(), "component 1") {
		t.Errorf("LogProb on malformed mixture: %v", err)
	}
	far := mat.NewDense(1, 2, []float64{1e200, 0})
	if _, err := testMixture(t).LogComponentPosterior(far); err == nil || !strings.Contains(err.Error(), "zero density") {
		t.Errorf("posterior of a point with zero density: %v", err)
	}
}
