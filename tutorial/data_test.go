package tutorial

import (
	"github.com/otlab/gootlab/otkit"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func TestFlowClouds(t *testing.T) {
	x, y := FlowClouds(0)
	if r, c := x.Dims(); r != 25 || c != 2 {
		t.Fatalf("x is %d×%d, want 25×2", r, c)
	}
	if r, c := y.Dims(); r != 50 || c != 2 {
		t.Fatalf("y is %d×%d, want 50×2", r, c)
	}
	// Same seed, same points; another seed, other points.
	x2, y2 := FlowClouds(0)
	if !mat.Equal(x, x2) || !mat.Equal(y, y2) {
		t.Fatal("same seed gave different clouds")
	}
	x3, _ := FlowClouds(1)
	if mat.Equal(x, x3) {
		t.Fatal("seeds 0 and 1 gave the same source cloud")
	}
	// Location and scale: sample means within 4 standard errors, sample
	// standard deviations within 35% (n = 25 and 50).
	for _, c := range []struct {
		name          string
		p             *mat.Dense
		cx, cy, scale float64
	}{{"x", x, 0, 0, 0.25}, {"y", y, 6, 0, 0.5}} {
		n, _ := c.p.Dims()
		for j, centre := range []float64{c.cx, c.cy} {
			col := mat.Col(nil, j, c.p)
			m, s := stat.MeanStdDev(col, nil)
			if se := c.scale / math.Sqrt(float64(n)); math.Abs(m-centre) > 4*se {
				t.Errorf("%s column %d: mean %.3f, want %.3f ± %.3f", c.name, j, m, centre, 4*se)
			}
			if math.Abs(s/c.scale-1) > 0.35 {
				t.Errorf("%s column %d: std %.3f, want about %.3f", c.name, j, s, c.scale)
			}
		}
	}
}

func TestGMMGenerators(t *testing.T) {
	g, err := GMMGenerators()
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != 2 {
		t.Fatalf("%d generators, want 2", len(g))
	}
	// Covariance [[p,q],[q,r]] rotated on the left by θ has symmetric part
	// [[c·p − s·q, c·q + s·(p−r)/2], [·, s·q + c·r]].
	type comp struct {
		mean    [2]float64
		p, q, r float64
		w       float64
	}
	base := []comp{{[2]float64{2, -1}, 0.6, 0, 0.3, 0.2}, {[2]float64{-2, 0}, 1.8, 0, 0.9, 0.2}, {[2]float64{4, 3}, 1.5, -1.2, 1.5, 0.6}}
	shift := [][2]float64{{1, -0.5}, {-1, -1}, {-1, 0}}
	deg := []float64{5, -5, -10}
	w1 := []float64{0.4, 0.4, 0.2}
	for k, b := range base {
		c, s := math.Cos(deg[k]*math.Pi/180), math.Sin(deg[k]*math.Pi/180)
		want := [2]struct {
			mean          [2]float64
			c00, c01, c11 float64
			w             float64
		}{
			{b.mean, b.p, b.q, b.r, b.w},
			{[2]float64{b.mean[0] + shift[k][0], b.mean[1] + shift[k][1]}, c*b.p - s*b.q, c*b.q + s*(b.p-b.r)/2, s*b.q + c*b.r, w1[k]},
		}
		for j := 0; j < 2; j++ {
			m := g[j]
			cov := mustCovs(t, m)[k]
			got := []float64{m.Loc[k][0], m.Loc[k][1], cov.At(0, 0), cov.At(0, 1), cov.At(1, 1), m.Weights()[k]}
			exp := []float64{want[j].mean[0], want[j].mean[1], want[j].c00, want[j].c01, want[j].c11, want[j].w}
			for i := range got {
				if math.Abs(got[i]-exp[i]) > 1e-12 {
					t.Errorf("generator %d component %d: parameters %v, want %v", j, k, got, exp)
					break
				}
			}
		}
	}
	// One value written out: generator 1, component 2, off-diagonal.
	if v := mustCovs(t, g[1])[2].At(0, 1); math.Abs(v-(-1.1817693)) > 1e-6 {
		t.Errorf("generator 1 component 2 covariance(0,1) = %.7f, want -1.1817693", v)
	}
}

func TestPermuteKeepsTheDistribution(t *testing.T) {
	g, err := GMMGenerators()
	if err != nil {
		t.Fatal(err)
	}
	m := g[0]
	p, err := m.Permute([]int{2, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	w, pw := m.Weights(), p.Weights()
	for i, k := range []int{2, 0, 1} {
		if math.Abs(pw[i]-w[k]) > 1e-14 || p.Loc[i][0] != m.Loc[k][0] || p.Scale[i][1] != m.Scale[k][1] {
			t.Errorf("component %d of the permuted mixture is not component %d of the original", i, k)
		}
	}
	x := mat.NewDense(3, 2, []float64{0, 0, 2, -1, 4, 2.5})
	a, err := m.LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			t.Errorf("log density at point %d: %.15g before, %.15g after permuting", i, a[i], b[i])
		}
	}
	for _, bad := range [][]int{{0, 1}, {0, 0, 1}, {0, 1, 3}, {-1, 0, 1}} {
		if _, err := m.Permute(bad); err == nil {
			t.Errorf("Permute(%v) gave no error", bad)
		}
	}
}

func TestGMMOrder(t *testing.T) {
	g, err := GMMGenerators()
	if err != nil {
		t.Fatal(err)
	}
	ref := g[0].Means()
	m, err := GMMOrder(g[0], ref, []int{2, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []int{2, 1, 0} {
		if m.Loc[i][0] != ref[k][0] || m.Loc[i][1] != ref[k][1] {
			t.Errorf("position %d holds mean %v, want %v", i, m.Loc[i], ref[k])
		}
	}
	if _, err := GMMOrder(g[0], [][]float64{{2, -1}, {2.1, -1}, {4, 3}}, []int{0, 1, 2}); err == nil {
		t.Error("two reference means with the same nearest component gave no error")
	}
	if _, err := GMMOrder(g[0], ref, []int{0, 1}); err == nil {
		t.Error("short order gave no error")
	}
}

// mustCovs is Covariances for mixtures known to be well formed.
func mustCovs(t testing.TB, m *otkit.GaussianMixture) []*mat.SymDense {
	t.Helper()
	c, err := m.Covariances()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The first points of seed 0, pinned here and in otkit/tutorial_clouds_test.go
// (otkit's own tests draw the same clouds without importing this package).
func TestFlowCloudsPinned(t *testing.T) {
	x, y := FlowClouds(0)
	got := []float64{x.At(0, 0), x.At(0, 1), y.At(0, 0), y.At(0, 1)}
	want := []float64{-0.12716839845095196, -0.05429515843443866, 5.5105579128197775, -0.2438538295127448}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("first points of seed 0: %v, want %v", got, want)
		}
	}
}

func TestGMMOrderNil(t *testing.T) {
	if _, err := GMMOrder(nil, nil, nil); err == nil {
		t.Fatal("nil mixture: no error")
	}
}
