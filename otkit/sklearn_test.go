package otkit

import (
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The scikit-learn cross-check. input.json holds data sampled here and the
// k-means++ initial mixture computed here; testdata/sklearn/gen.py feeds both
// to sklearn's GaussianMixture (means_init, weights_init, precisions_init,
// reg_covar=0, tol=0, max_iter=steps) and writes expected.json. Regenerate
// with
//
//	go test ./otkit -run TestEMMatchesSklearn -sklearn-input
//	cd otkit/testdata/sklearn && /usr/bin/python3 gen.py
var writeSklearnInput = flag.Bool("sklearn-input", false, "rewrite otkit/testdata/sklearn/input.json")

type skMixture struct {
	Means   [][]float64   `json:"means"`
	Covs    [][][]float64 `json:"covariances"`
	Weights []float64     `json:"weights"`
}

type skInputCase struct {
	Name  string      `json:"name"`
	Seed  uint64      `json:"seed"`
	Steps int         `json:"steps"`
	X     [][]float64 `json:"x"`
	Init  skMixture   `json:"init"`
}

type skExpectedCase struct {
	Name    string    `json:"name"`
	Fit     skMixture `json:"fit"`
	Score   float64   `json:"score"` // mean log-likelihood of the fitted model
	NIter   int       `json:"n_iter"`
	Version string    `json:"sklearn_version"`
}

// skCases describes the generated problems: a ground-truth mixture, a sample
// size, K and the number of EM steps.
func skCases() []struct {
	name     string
	seed     uint64
	n, k     int
	steps    int
	truth    *GaussianMixture
	truthErr error
} {
	mk := func(means [][]float64, covs [][]float64, w []float64) (*GaussianMixture, error) {
		d := len(means[0])
		cs := make([]*mat.SymDense, len(covs))
		for i, c := range covs {
			cs[i] = mat.NewSymDense(d, c)
		}
		return NewGaussianMixture(means, cs, w)
	}
	t2, e2 := mk([][]float64{{2, -1}, {-2, 0}, {4, 3}},
		[][]float64{{0.6, 0, 0, 0.3}, {1.8, 0, 0, 0.9}, {1.5, -1.2, -1.2, 1.5}}, []float64{0.2, 0.2, 0.6})
	t3, e3 := mk([][]float64{{0, 0, 0}, {3, 1, -1}, {-2, 2, 1}, {1, -3, 2}},
		[][]float64{{1, 0.3, 0, 0.3, 0.5, 0.1, 0, 0.1, 0.8}, {0.4, 0, 0, 0, 0.4, 0, 0, 0, 0.4},
			{2, -0.5, 0.2, -0.5, 1, 0, 0.2, 0, 0.6}, {0.7, 0.2, 0.2, 0.2, 0.7, 0.2, 0.2, 0.2, 0.7}},
		[]float64{0.3, 0.2, 0.25, 0.25})
	t1, e1 := mk([][]float64{{-1}, {1.5}}, [][]float64{{0.5}, {0.8}}, []float64{0.4, 0.6})
	return []struct {
		name     string
		seed     uint64
		n, k     int
		steps    int
		truth    *GaussianMixture
		truthErr error
	}{
		{"blobs2d", 11, 600, 3, 25, t2, e2},
		{"blobs3d", 12, 500, 4, 15, t3, e3},
		{"overlap1d", 13, 300, 2, 30, t1, e1},
	}
}

func mixtureToSk(t testing.TB, m *GaussianMixture) skMixture {
	out := skMixture{Means: m.Means(), Weights: m.Weights()}
	for _, c := range mustCovs(t, m) {
		d := c.SymmetricDim()
		rows := make([][]float64, d)
		for i := range rows {
			rows[i] = make([]float64, d)
			for j := range rows[i] {
				rows[i][j] = c.At(i, j)
			}
		}
		out.Covs = append(out.Covs, rows)
	}
	return out
}

func skToMixture(t *testing.T, s skMixture) *GaussianMixture {
	t.Helper()
	covs := make([]*mat.SymDense, len(s.Covs))
	for k, c := range s.Covs {
		d := len(c)
		cs := mat.NewSymDense(d, nil)
		for i := 0; i < d; i++ {
			for j := 0; j <= i; j++ {
				cs.SetSym(i, j, c[i][j])
			}
		}
		covs[k] = cs
	}
	m, err := NewGaussianMixture(s.Means, covs, s.Weights)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func rowsToDense(rows [][]float64) *mat.Dense {
	n, d := len(rows), len(rows[0])
	x := mat.NewDense(n, d, nil)
	for i, r := range rows {
		x.SetRow(i, r)
	}
	return x
}

func denseToRows(x *mat.Dense) [][]float64 {
	n, _ := x.Dims()
	out := make([][]float64, n)
	for i := range out {
		out[i] = mat.Row(nil, i, x)
	}
	return out
}

func TestEMMatchesSklearn(t *testing.T) {
	dir := filepath.Join("testdata", "sklearn")
	var inputs []skInputCase
	for _, c := range skCases() {
		if c.truthErr != nil {
			t.Fatal(c.truthErr)
		}
		rng := rand.New(rand.NewPCG(c.seed, 0))
		x, _, err := c.truth.Sample(rng, c.n)
		if err != nil {
			t.Fatal(err)
		}
		init, err := InitKMeansPlusPlus(rng, x, nil, c.k)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, skInputCase{Name: c.name, Seed: c.seed, Steps: c.steps, X: denseToRows(x), Init: mixtureToSk(t, init)})
	}
	if *writeSklearnInput {
		b, err := json.MarshalIndent(inputs, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "input.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("wrote input.json; now run gen.py and commit expected.json")
		return
	}
	var stored []skInputCase
	readJSON(t, filepath.Join(dir, "input.json"), &stored)
	var expected []skExpectedCase
	readJSON(t, filepath.Join(dir, "expected.json"), &expected)
	if len(stored) != len(inputs) || len(expected) != len(inputs) {
		t.Fatalf("%d stored inputs, %d expected results, %d cases", len(stored), len(expected), len(inputs))
	}
	for i, in := range stored {
		// Same seed → same data and initial mixture as when the reference
		// was produced (JSON round-trips float64 exactly).
		if d := maxAbsDiffRows(in.X, inputs[i].X); d != 0 {
			t.Errorf("%s: regenerated data differ from input.json by %g", in.Name, d)
		}
		if d := maxAbsDiffRows(in.Init.Means, inputs[i].Init.Means); d > 1e-14 {
			t.Errorf("%s: regenerated k-means++ means differ from input.json by %g", in.Name, d)
		}
		ex := expected[i]
		if ex.Name != in.Name || ex.NIter != in.Steps {
			t.Fatalf("expected.json case %d is %q with %d iterations, want %q with %d", i, ex.Name, ex.NIter, in.Name, in.Steps)
		}
		x := rowsToDense(in.X)
		fit, err := fitMixture(skToMixture(t, in.Init), x, EMOptions{Steps: in.Steps})
		if err != nil {
			t.Fatalf("%s: %v", in.Name, err)
		}
		got := mixtureToSk(t, fit)
		dm := maxAbsDiffRows(got.Means, ex.Fit.Means)
		var dc float64
		for k := range got.Covs {
			dc = math.Max(dc, maxAbsDiffRows(got.Covs[k], ex.Fit.Covs[k]))
		}
		dw := maxAbsDiffRows([][]float64{got.Weights}, [][]float64{ex.Fit.Weights})
		lp, err := fit.LogProb(x)
		if err != nil {
			t.Fatal(err)
		}
		var score float64
		for _, v := range lp {
			score += v
		}
		score /= float64(len(lp))
		ds := math.Abs(score - ex.Score)
		t.Logf("%s (%d steps): max |Δ| means %.2g, covariances %.2g, weights %.2g, mean log-lik %.2g", in.Name, in.Steps, dm, dc, dw, ds)
		if dm > 1e-8 || dc > 1e-8 || dw > 1e-8 || ds > 1e-8 {
			t.Errorf("%s: differs from sklearn: means %g, covariances %g, weights %g, score %g", in.Name, dm, dc, dw, ds)
		}
		// The fit must have moved away from the start, or the test proves nothing.
		if maxAbsDiffRows(got.Means, in.Init.Means) < 1e-3 {
			t.Errorf("%s: EM did not move the means", in.Name)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func maxAbsDiffRows(a, b [][]float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var m float64
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return math.Inf(1)
		}
		for j := range a[i] {
			m = math.Max(m, math.Abs(a[i][j]-b[i][j]))
		}
	}
	return m
}
