package otkit

import (
	"bytes"
	"math"
	"math/rand/v2"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// tutorialPoints samples n points from each of the two ground-truth mixtures
// of OTT's coupled-GMM tutorial and stacks them.
func tutorialPoints(t testing.TB, seed uint64, n int) *mat.Dense {
	t.Helper()
	rot := func(s []float64, deg float64) *mat.SymDense {
		th := deg * math.Pi / 180
		r := mat.NewDense(2, 2, []float64{math.Cos(th), -math.Sin(th), math.Sin(th), math.Cos(th)})
		var m mat.Dense
		m.Mul(r, mat.NewDense(2, 2, s))
		return mustSym(t, &m) // the tutorial's covariances are non-symmetric
	}
	base := [][]float64{{0.6, 0, 0, 0.3}, {1.8, 0, 0, 0.9}, {1.5, -1.2, -1.2, 1.5}}
	g0, err := NewGaussianMixture([][]float64{{2, -1}, {-2, 0}, {4, 3}},
		[]*mat.SymDense{rot(base[0], 0), rot(base[1], 0), rot(base[2], 0)}, []float64{0.2, 0.2, 0.6})
	if err != nil {
		t.Fatal(err)
	}
	g1, err := NewGaussianMixture([][]float64{{3, -1.5}, {-3, -1}, {3, 3}},
		[]*mat.SymDense{rot(base[0], 5), rot(base[1], -5), rot(base[2], -10)}, []float64{0.4, 0.4, 0.2})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	x0, _, err := g0.Sample(rng, n)
	if err != nil {
		t.Fatal(err)
	}
	x1, _, err := g1.Sample(rng, n)
	if err != nil {
		t.Fatal(err)
	}
	var x mat.Dense
	x.Stack(x0, x1)
	return &x
}

func TestPyRepr(t *testing.T) {
	for v, want := range map[float64]string{
		1: "1.0", -3.8721468: "-3.8721468", 0.1: "0.1", 1e-5: "1e-05", 0.0001: "0.0001",
		1.5e-7: "1.5e-07", 1e16: "1e+16", 1234567890123456: "1234567890123456.0",
		2.5e20: "2.5e+20", 100: "100.0", math.Copysign(0, -1): "-0.0", 0: "0.0",
		math.Inf(-1): "-inf", 123.456: "123.456",
	} {
		if got := pyRepr(v); got != want {
			t.Errorf("pyRepr(%v) = %q, want %q", v, got, want)
		}
	}
	if pyRepr(math.NaN()) != "nan" {
		t.Error("NaN")
	}
}

var reportLine = regexp.MustCompile(`^(\d+)  q=(\S+)  -log prob=(\S+)$`)

func TestFitEMReport(t *testing.T) {
	x := tutorialPoints(t, 5, 300)
	w := make([]float64, 600)
	for i := range w {
		w[i] = 1 + float64(i%3)
	}
	init, err := InitKMeansPlusPlus(rand.New(rand.NewPCG(1, 0)), x, w, 3)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	const steps = 6
	fit, err := fitMixture(init, x, EMOptions{Steps: steps, PointWeights: w, Report: &buf})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != steps {
		t.Fatalf("%d report lines, want %d:\n%s", len(lines), steps, buf.String())
	}
	var wsum float64
	for _, v := range w {
		wsum += v
	}
	prev := init
	prevLoss := math.Inf(1)
	for i, line := range lines {
		f := reportLine.FindStringSubmatch(line)
		if f == nil || f[1] != strconv.Itoa(i) {
			t.Fatalf("line %d = %q, want OTT's format", i, line)
		}
		q, _ := strconv.ParseFloat(f[2], 64)
		loss, _ := strconv.ParseFloat(f[3], 64)
		// Recompute independently: model after i+1 steps, responsibilities of the model after i steps.
		next, err := fitMixture(init, x, EMOptions{Steps: i + 1, PointWeights: w})
		if err != nil {
			t.Fatal(err)
		}
		post, _ := prev.LogComponentPosterior(x)
		cond, _ := next.ConditionalLogProb(x)
		lw := next.LogWeights()
		lp, _ := next.LogProb(x)
		var wantQ, wantLoss float64
		for r := 0; r < 600; r++ {
			for k := 0; k < 3; k++ {
				wantQ += w[r] * math.Exp(post.At(r, k)) * (cond.At(r, k) + lw[k])
			}
			wantLoss -= w[r] * lp[r]
		}
		wantQ /= wsum
		wantLoss /= wsum
		if math.Abs(q-wantQ) > 1e-12*math.Abs(wantQ) || math.Abs(loss-wantLoss) > 1e-12*math.Abs(wantLoss) {
			t.Errorf("step %d: q %v loss %v, recomputed %v %v", i, q, loss, wantQ, wantLoss)
		}
		// EM never increases the weighted negative log-likelihood, and Q ≤ −loss (Jensen).
		if loss > prevLoss+1e-12 {
			t.Errorf("step %d: loss rose from %v to %v", i, prevLoss, loss)
		}
		if q > -loss {
			t.Errorf("step %d: q %v above log-likelihood %v", i, q, -loss)
		}
		prevLoss = loss
		prev = next
	}
	if !mixturesEqual(prev, fit) {
		t.Error("FitEM with 6 steps differs from the step-by-step replay")
	}
}

func mixturesEqual(a, b *GaussianMixture) bool {
	eq := func(u, v []float64) bool {
		if len(u) != len(v) {
			return false
		}
		for i := range u {
			if u[i] != v[i] {
				return false
			}
		}
		return true
	}
	if a.K() != b.K() || !eq(a.Logits, b.Logits) {
		return false
	}
	for k := range a.Loc {
		if !eq(a.Loc[k], b.Loc[k]) || !eq(a.Scale[k], b.Scale[k]) {
			return false
		}
	}
	return true
}

func maxParamDiff(a, b *GaussianMixture) float64 {
	var m float64
	for k := range a.Loc {
		for i := range a.Loc[k] {
			m = math.Max(m, math.Abs(a.Loc[k][i]-b.Loc[k][i]))
		}
		for i := range a.Scale[k] {
			m = math.Max(m, math.Abs(a.Scale[k][i]-b.Scale[k][i]))
		}
	}
	for i := range a.Logits {
		m = math.Max(m, math.Abs(a.Logits[i]-b.Logits[i]))
	}
	return m
}

func TestFitEMPointWeightsAreMultiplicities(t *testing.T) {
	x := tutorialPoints(t, 8, 100)
	n, _ := x.Dims()
	w := make([]float64, n)
	var dup mat.Dense
	var rows []float64
	for r := 0; r < n; r++ {
		w[r] = float64(1 + r%3)
		for c := 0; c < int(w[r]); c++ {
			rows = append(rows, x.RawRowView(r)...)
		}
	}
	dup.CloneFrom(mat.NewDense(len(rows)/2, 2, rows))
	init := testMixture(t)
	a, err := fitMixture(init, x, EMOptions{Steps: 8, PointWeights: w})
	if err != nil {
		t.Fatal(err)
	}
	b, err := fitMixture(init, &dup, EMOptions{Steps: 8})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxParamDiff(a, b); d > 1e-11 {
		t.Errorf("weighted fit and duplicated-points fit differ by %g", d)
	}
	for i := range w {
		w[i] *= 0.25
	}
	c, _ := fitMixture(init, x, EMOptions{Steps: 8, PointWeights: w})
	if d := maxParamDiff(a, c); d > 1e-11 {
		t.Errorf("scaling the point weights changed the fit by %g", d)
	}
	if d := maxParamDiff(a, init); d < 1e-3 {
		t.Error("fit did not move")
	}
}

func TestFitEMSameAtAnyGOMAXPROCS(t *testing.T) {
	x := tutorialPoints(t, 9, 3000) // 6000 points: three chunks
	init, err := InitKMeansPlusPlus(rand.New(rand.NewPCG(2, 0)), x, nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	a, err := fitMixture(init, x, EMOptions{Steps: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(p)
		b, err := fitMixture(init, x, EMOptions{Steps: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !mixturesEqual(a, b) {
			t.Errorf("GOMAXPROCS=%d changed the result by %g", p, maxParamDiff(a, b))
		}
	}
	if init.Loc[0][0] == a.Loc[0][0] {
		t.Error("FitEM did not move, or modified its input")
	}
}

func TestInitKMeansPlusPlus(t *testing.T) {
	x := tutorialPoints(t, 4, 200)
	a, err := InitKMeansPlusPlus(rand.New(rand.NewPCG(10, 0)), x, nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := InitKMeansPlusPlus(rand.New(rand.NewPCG(10, 0)), x, nil, 3)
	if !mixturesEqual(a, b) {
		t.Error("same seed gave different initial mixtures")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	// Hard assignment: the component weights are counts/n, so n·π_k is an integer
	// (no ties in continuous data).
	var s float64
	for k, w := range a.Weights() {
		c := w * 400
		if math.Abs(c-math.Round(c)) > 1e-9 || c < 3 {
			t.Errorf("component %d weight %v is not a count over 400", k, w)
		}
		s += c
	}
	if math.Abs(s-400) > 1e-9 {
		t.Errorf("counts sum to %v", s)
	}
	// Small 1-D data: every draw yields a valid mixture whose weights sum to 1.
	sym := mat.NewDense(7, 1, []float64{-3, -2, -1, 0, 1, 2, 3})
	for seed := uint64(0); seed < 20; seed++ {
		m, err := InitKMeansPlusPlus(rand.New(rand.NewPCG(seed, 0)), sym, nil, 2)
		if err != nil {
			t.Fatal(err)
		}
		var tot float64
		for _, w := range m.Weights() {
			tot += w
		}
		if math.Abs(tot-1) > 1e-14 {
			t.Fatalf("weights sum to %v", tot)
		}
	}
}

func TestInitKMeansPlusPlusTie(t *testing.T) {
	// Symmetric 1-D data with K = 2: when the centres are ±1 (or ±1.2, ±1.5)
	// the two points at 0 are equidistant and belong to both components.
	x := mat.NewDense(8, 1, []float64{-1, -1.5, 0, 1, 1.5, -1.2, 1.2, 0})
	found := false
	for seed := uint64(0); seed < 200 && !found; seed++ {
		m, err := InitKMeansPlusPlus(rand.New(rand.NewPCG(seed, 0)), x, nil, 2)
		if err != nil {
			continue
		}
		means := m.Means()
		if math.Abs(means[0][0]+means[1][0]) < 1e-12 && math.Abs(math.Abs(means[0][0])-0.74) < 1e-12 {
			// Component of {−1.5,−1.2,−1,0,0}: mean −3.7/5 = −0.74; the zeros are in both.
			found = true
			if w := m.Weights(); math.Abs(w[0]-0.5) > 1e-15 {
				t.Errorf("tied weights %v", w)
			}
		}
	}
	if !found {
		t.Error("no draw produced the symmetric tie")
	}
}

func TestFitErrors(t *testing.T) {
	x := tutorialPoints(t, 1, 20)
	m := testMixture(t)
	rng := rand.New(rand.NewPCG(1, 1))
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"k0", func() error { _, err := InitKMeansPlusPlus(rng, x, nil, 0); return err }, "at least 1"},
		{"nil rng", func() error { _, err := InitKMeansPlusPlus(nil, x, nil, 2); return err }, "nil random"},
		{"distinct", func() error {
			_, err := InitKMeansPlusPlus(rng, mat.NewDense(4, 1, []float64{1, 1, 2, 2}), nil, 3)
			return err
		}, "only 2 distinct points"},
		{"attempts", func() error {
			_, err := InitKMeansPlusPlus(rng, mat.NewDense(4, 2, []float64{0, 0, 1, 0, 5, 5, 6, 5}), nil, 2)
			return err
		}, "50 attempts"},
		{"nan init", func() error {
			_, err := InitKMeansPlusPlus(rng, mat.NewDense(3, 1, []float64{1, math.NaN(), 2}), nil, 1)
			return err
		}, "point 1"},
		{"weights", func() error { _, err := InitKMeansPlusPlus(rng, x, []float64{1}, 2); return err }, "point weights"},
		{"steps", func() error { _, err := FitEM(m, x, EMOptions{}); return err }, "Steps"},
		{"ridge", func() error { _, err := FitEM(m, x, EMOptions{Steps: 1, Ridge: -1}); return err }, "Ridge"},
		{"dim", func() error { _, err := FitEM(m, mat.NewDense(5, 3, nil), EMOptions{Steps: 1}); return err }, "dimension 2"},
		{"inf", func() error {
			y := mat.DenseCopyOf(x)
			y.Set(7, 1, math.Inf(1))
			_, err := FitEM(m, y, EMOptions{Steps: 1})
			return err
		}, "point 7"},
		{"distinct fit", func() error {
			_, err := FitEM(m, mat.NewDense(4, 2, []float64{0, 0, 1, 1, 0, 0, 1, 1}), EMOptions{Steps: 1})
			return err
		}, "only 2 distinct"},
		{"neg weight", func() error {
			w := make([]float64, 40)
			w[3] = -1
			_, err := FitEM(m, x, EMOptions{Steps: 1, PointWeights: w})
			return err
		}, "point weight 3"},
		{"bad mixture", func() error {
			c := m.Clone()
			c.Logits = nil
			_, err := FitEM(c, x, EMOptions{Steps: 1})
			return err
		}, "logits"},
	}
	for _, c := range cases {
		if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestFitEMCollapse(t *testing.T) {
	// A blob near the origin and five collinear points far away: the far
	// component's covariance becomes singular after the first M-step.
	rng := rand.New(rand.NewPCG(6, 6))
	var rows []float64
	for i := 0; i < 60; i++ {
		rows = append(rows, rng.NormFloat64(), rng.NormFloat64())
	}
	for i := 0; i < 5; i++ {
		rows = append(rows, 100+float64(i), 50)
	}
	x := mat.NewDense(65, 2, rows)
	id := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	init, err := NewGaussianMixture([][]float64{{0, 0}, {102, 50}}, []*mat.SymDense{id, id}, []float64{0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	_, err = FitEM(init, x, EMOptions{Steps: 3})
	if err == nil || !strings.Contains(err.Error(), "component 1 collapsed") || !strings.Contains(err.Error(), "Ridge") {
		t.Fatalf("error %v, want component 1 collapsed with a Ridge hint", err)
	}
	fit, err := fitMixture(init, x, EMOptions{Steps: 3, Ridge: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	if err := fit.Validate(); err != nil {
		t.Fatal(err)
	}
	// With the ridge the flat direction has variance exactly 1e-6.
	if v := mustCovs(t, fit)[1].At(1, 1); math.Abs(v-1e-6) > 1e-15 {
		t.Errorf("ridged variance %v", v)
	}
}

func BenchmarkEM20k(b *testing.B) {
	x := tutorialPoints(b, 0, 10000)
	init, err := InitKMeansPlusPlus(rand.New(rand.NewPCG(0, 0)), x, nil, 3)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitEM(init, x, EMOptions{Steps: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestInitKMeansPlusPlusRetries(t *testing.T) {
	// 1-D points 0,1,2,3 with K = 2: the centre pairs {0,1} and {2,3} leave a
	// component with a single point (d+1 = 2 distinct points are needed), so
	// that draw fails and the next draw from the same stream is used.
	x := mat.NewDense(4, 1, []float64{0, 1, 2, 3})
	xs := []float64{0, 1, 2, 3}
	for seed := uint64(0); seed < 500; seed++ {
		probe := rand.New(rand.NewPCG(seed, 0))
		if _, err := kmeansPPOnce(probe, xs, 4, 1, nil, 2); err == nil {
			continue
		}
		var want *GaussianMixture
		for want == nil {
			want, _ = kmeansPPOnce(probe, xs, 4, 1, nil, 2)
		}
		got, err := InitKMeansPlusPlus(rand.New(rand.NewPCG(seed, 0)), x, nil, 2)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !mixturesEqual(got, want) {
			t.Errorf("seed %d: retry result differs from the first successful draw", seed)
		}
		return
	}
	t.Fatal("no seed produced a failing first draw")
}

// fitMixture is FitEM for the tests that compare mixtures: the fitted model
// of a run that completed (errors pass through).
func fitMixture(m *GaussianMixture, x *mat.Dense, opt EMOptions) (*GaussianMixture, error) {
	r, err := FitEM(m, x, opt)
	if err != nil {
		return nil, err
	}
	return r.Mixture, nil
}
