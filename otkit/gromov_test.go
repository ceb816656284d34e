package otkit

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

type potGromovCase struct {
	Name     string      `json:"name"`
	Eps      float64     `json:"eps"`
	X        [][]float64 `json:"x"`
	Y        [][]float64 `json:"y"`
	C1       [][]float64 `json:"c1"`
	C2       [][]float64 `json:"c2"`
	P        []float64   `json:"p"`
	Q        []float64   `json:"q"`
	Coupling [][]float64 `json:"coupling"`
	GWDist   float64     `json:"gw_dist"`
	Errors   []float64   `json:"errors"`
}

func loadPOTGromov(t *testing.T) []potGromovCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "gromov", "problems.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []potGromovCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 3 {
		t.Fatalf("only %d POT GW cases", len(f.Cases))
	}
	return f.Cases
}

func TestPOTEntropicGromovWasserstein(t *testing.T) {
	for _, c := range loadPOTGromov(t) {
		r, err := EntropicGromovWasserstein(denseFromRows(c.C1), denseFromRows(c.C2), c.P, c.Q, GromovOptions{Epsilon: c.Eps, Threshold: 1e-11, MaxIterations: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Converged {
			t.Fatalf("%s: not converged (%d outer, errors %v)", c.Name, r.Iterations, r.Errors)
		}
		var worst float64
		for i, row := range c.Coupling {
			for j, want := range row {
				worst = math.Max(worst, math.Abs(r.Coupling.At(i, j)-want))
			}
		}
		if worst > 1e-8 {
			t.Errorf("%s: coupling differs from POT by %.2g", c.Name, worst)
		}
		if d := relDiff(r.Cost, c.GWDist); d > 1e-7 {
			t.Errorf("%s: GW cost %.12g, POT %.12g (rel %.2g)", c.Name, r.Cost, c.GWDist, d)
		}
		if len(r.Errors) != len(c.Errors) {
			t.Errorf("%s: %d error records, POT %d", c.Name, len(r.Errors), len(c.Errors))
		}
		t.Logf("%s: %d outer / %d inner iterations, coupling vs POT %.1e, cost rel %.1e",
			c.Name, r.Iterations, r.InnerIterations, worst, relDiff(r.Cost, c.GWDist))
	}
}

// A cloud and a rotated, shifted, rescaled copy embedded in 3-D: with the
// dissimilarities normalised by their maximum the spaces are isometric, so
// GW finds the identity matching.
func TestGromovRecoversIsometry(t *testing.T) {
	const n = 12
	rng := rand.New(rand.NewPCG(7, 8))
	x := mat.NewDense(n, 2, nil)
	y := mat.NewDense(n, 3, nil)
	th := 0.9
	perm := rng.Perm(n)
	for i := 0; i < n; i++ {
		// An anisotropic jittered 4×3 grid: well separated, no symmetry.
		u := float64(i%4)*1.5 + 0.4*rng.Float64() + 0.1*float64(i%4*i%4)
		v := float64(i/4) + 0.4*rng.Float64()
		x.Set(i, 0, u)
		x.Set(i, 1, v)
		k := perm[i]
		y.Set(k, 0, 3*(math.Cos(th)*u-math.Sin(th)*v)+1)
		y.Set(k, 1, 3*(math.Sin(th)*u+math.Cos(th)*v)-2)
		y.Set(k, 2, 5)
	}
	c1, _ := selfCostMatrix(x, nil, "x")
	c2, _ := selfCostMatrix(y, nil, "y")
	c1.Scale(1/mat.Max(c1), c1)
	c2.Scale(1/mat.Max(c2), c2)
	r, err := EntropicGromovWasserstein(c1, c2, nil, nil, GromovOptions{Epsilon: 0.02, Threshold: 1e-7})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Converged {
		t.Fatalf("not converged: %v; last inner converged %v after %d", r.Errors, r.Linear.Converged, r.Linear.Iterations)
	}
	for i := 0; i < n; i++ {
		row := mat.Row(nil, i, r.Coupling)
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best != perm[i] {
			t.Errorf("point %d matched to %d, want %d", i, best, perm[i])
		}
	}
	if r.Cost > 0.02 {
		t.Errorf("GW cost of isometric spaces %g", r.Cost)
	}
	// The point-cloud entry point is the matrix one on the raw squared
	// distances, bit for bit.
	rp, err := EntropicGromovWassersteinPoints(x, y, nil, nil, nil, GromovOptions{Epsilon: 1, Threshold: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	raw1, _ := selfCostMatrix(x, SqEuclidean{}, "x")
	raw2, _ := selfCostMatrix(y, SqEuclidean{}, "y")
	rm, err := EntropicGromovWasserstein(raw1, raw2, nil, nil, GromovOptions{Epsilon: 1, Threshold: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(rp.Coupling, rm.Coupling) || rp.Cost != rm.Cost {
		t.Errorf("point-cloud GW differs from GW on the distance matrices")
	}
	// NormalizeDistances on the raw point clouds is the hand-normalised run.
	rn, err := EntropicGromovWassersteinPoints(x, y, nil, nil, nil, GromovOptions{Epsilon: 0.02, Threshold: 1e-7, NormalizeDistances: true})
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(rn.Coupling, r.Coupling) || rn.Cost != r.Cost {
		t.Errorf("NormalizeDistances differs from normalising by hand")
	}
}

// The linearised cost is the gradient of the objective along directions
// that keep the marginals (central differences are exact for a quadratic).
func TestGromovGradientFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const n, m = 5, 4
	sym := func(k int) *mat.Dense {
		c := mat.NewDense(k, k, nil)
		for i := 0; i < k; i++ {
			for j := 0; j < i; j++ {
				v := rng.Float64()
				c.Set(i, j, v)
				c.Set(j, i, v)
			}
		}
		return c
	}
	feat := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			feat.Set(i, j, rng.Float64())
		}
	}
	for _, fc := range []*mat.Dense{nil, feat} {
		p, err := newGromovProblem(sym(n), sym(m), nil, nil, GromovOptions{Epsilon: 0.1, FeatureCost: fc, Alpha: map[bool]float64{true: 0, false: 0.3}[fc == nil]})
		if err != nil {
			t.Fatal(err)
		}
		// A coupling of a, b: the independent one plus a small cycle.
		tc := mat.NewDense(n, m, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				tc.Set(i, j, p.a[i]*p.b[j])
			}
		}
		grad := mat.NewDense(n, m, nil)
		p.gradient(grad, tc)
		for trial := 0; trial < 5; trial++ {
			i, k := rng.IntN(n), rng.IntN(n)
			j, l := rng.IntN(m), rng.IntN(m)
			if i == k || j == l {
				continue
			}
			dir := mat.NewDense(n, m, nil)
			dir.Set(i, j, 1)
			dir.Set(k, l, 1)
			dir.Set(i, l, -1)
			dir.Set(k, j, -1)
			const h = 1e-3
			var tp, tm mat.Dense
			tp.Scale(h, dir)
			tp.Add(&tp, tc)
			tm.Scale(-h, dir)
			tm.Add(&tm, tc)
			fd := (p.objective(&tp) - p.objective(&tm)) / (2 * h)
			an := mat.Sum(elemMul(grad, dir))
			if math.Abs(fd-an) > 1e-9*math.Max(1, math.Abs(an)) {
				t.Errorf("fused %v: directional derivative %g, finite differences %g", fc != nil, an, fd)
			}
		}
	}
}

// Fused GW with Alpha = 1 is plain GW; with a tiny Alpha it is Sinkhorn on
// the feature cost.
func TestFusedGromovLimits(t *testing.T) {
	c := loadPOTGromov(t)[0]
	c1, c2 := denseFromRows(c.C1), denseFromRows(c.C2)
	n, m := len(c.P), len(c.Q)
	rng := rand.New(rand.NewPCG(11, 12))
	feat := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			feat.Set(i, j, rng.Float64())
		}
	}
	opt := GromovOptions{Epsilon: c.Eps, Threshold: 1e-11, MaxIterations: 5000}
	gw, err := EntropicGromovWasserstein(c1, c2, c.P, c.Q, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.FeatureCost, opt.Alpha = feat, 1
	fgw, err := EntropicGromovWasserstein(c1, c2, c.P, c.Q, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(gw.Coupling, fgw.Coupling, 1e-14) || gw.Cost != fgw.Cost {
		t.Errorf("Alpha = 1 differs from GW: cost %g vs %g", fgw.Cost, gw.Cost)
	}
	opt.Alpha = 1e-12
	fgw, err = EntropicGromovWasserstein(c1, c2, c.P, c.Q, opt)
	if err != nil {
		t.Fatal(err)
	}
	geom, _ := NewGeometry(feat, GeometryOptions{Epsilon: c.Eps})
	sk, _ := Sinkhorn(geom, c.P, c.Q, SinkhornOptions{Threshold: 1e-12})
	if !mat.EqualApprox(sk.Matrix(), fgw.Coupling, 1e-9) {
		t.Errorf("tiny Alpha: fused coupling is not Sinkhorn's on the feature cost")
	}
}

func TestGromovBadInput(t *testing.T) {
	c := mat.NewDense(2, 2, []float64{0, 1, 1, 0})
	asym := mat.NewDense(2, 2, []float64{0, 1, 2, 0})
	nan := mat.NewDense(2, 2, []float64{0, math.NaN(), math.NaN(), 0})
	for _, tc := range []struct {
		name, want string
		run        func() error
	}{
		{"nil", "c1 is empty", func() error {
			_, err := EntropicGromovWasserstein(nil, c, nil, nil, GromovOptions{Epsilon: 1})
			return err
		}},
		{"non-square", "square", func() error {
			_, err := EntropicGromovWasserstein(mat.NewDense(2, 3, nil), c, nil, nil, GromovOptions{Epsilon: 1})
			return err
		}},
		{"asymmetric", "not symmetric", func() error {
			_, err := EntropicGromovWasserstein(c, asym, nil, nil, GromovOptions{Epsilon: 1})
			return err
		}},
		{"NaN", "non-finite", func() error {
			_, err := EntropicGromovWasserstein(nan, c, nil, nil, GromovOptions{Epsilon: 1})
			return err
		}},
		{"eps", "Epsilon must be positive", func() error {
			_, err := EntropicGromovWasserstein(c, c, nil, nil, GromovOptions{Epsilon: -1})
			return err
		}},
		{"weights length", "length 3", func() error {
			_, err := EntropicGromovWasserstein(c, c, []float64{1, 1, 1}, nil, GromovOptions{Epsilon: 1})
			return err
		}},
		{"negative", "negative", func() error {
			_, err := EntropicGromovWasserstein(c, c, []float64{1.5, -0.5}, nil, GromovOptions{Epsilon: 1})
			return err
		}},
		{"zero mass", "zero total mass", func() error {
			_, err := EntropicGromovWasserstein(c, c, []float64{0, 0}, nil, GromovOptions{Epsilon: 1})
			return err
		}},
		{"unequal", "equal masses", func() error {
			_, err := EntropicGromovWasserstein(c, c, []float64{1, 1}, nil, GromovOptions{Epsilon: 1})
			return err
		}},
		{"feature shape", "FeatureCost is 1×2", func() error {
			_, err := EntropicGromovWasserstein(c, c, nil, nil, GromovOptions{Epsilon: 1, FeatureCost: mat.NewDense(1, 2, nil)})
			return err
		}},
		{"alpha", "Alpha must be", func() error {
			_, err := EntropicGromovWasserstein(c, c, nil, nil, GromovOptions{Epsilon: 1, FeatureCost: c, Alpha: 2})
			return err
		}},
		{"alpha without features", "FeatureCost is nil", func() error {
			_, err := EntropicGromovWasserstein(c, c, nil, nil, GromovOptions{Epsilon: 1, Alpha: 0.5})
			return err
		}},
		{"normalise zero", "cannot normalise c1", func() error {
			_, err := EntropicGromovWasserstein(mat.NewDense(1, 1, nil), c, nil, nil, GromovOptions{Epsilon: 1, NormalizeDistances: true})
			return err
		}},
		{"points NaN", "non-finite", func() error {
			_, err := EntropicGromovWassersteinPoints(mat.NewDense(1, 2, []float64{math.NaN(), 0}), c, nil, nil, nil, GromovOptions{Epsilon: 1})
			return err
		}},
	} {
		err := tc.run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
