package otkit

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

type potBarycenterFile struct {
	Fixed []struct {
		Name            string      `json:"name"`
		Reg             float64     `json:"reg"`
		X               []float64   `json:"x"`
		Cost            [][]float64 `json:"cost"`
		Hists           [][]float64 `json:"hists"`
		Weights         []float64   `json:"weights"`
		BarDefault      []float64   `json:"bar_default"`
		NiterDefault    int         `json:"niter_default"`
		ErrDefault      []float64   `json:"err_default"`
		BarTight        []float64   `json:"bar_tight"`
		BarTightScaling []float64   `json:"bar_tight_scaling"`
	} `json:"fixed"`
	Conv []struct {
		Name         string        `json:"name"`
		Reg          float64       `json:"reg"`
		Images       [][][]float64 `json:"images"`
		Weights      []float64     `json:"weights"`
		BarDefault   [][]float64   `json:"bar_default"`
		NiterDefault int           `json:"niter_default"`
		ErrDefault   []float64     `json:"err_default"`
		BarTight     [][]float64   `json:"bar_tight"`
		BarTightStab [][]float64   `json:"bar_tight_stab"`
	} `json:"conv"`
	Free []struct {
		Name          string        `json:"name"`
		Locations     [][][]float64 `json:"locations"`
		Masses        [][]float64   `json:"masses"`
		XInit         [][]float64   `json:"x_init"`
		B             []float64     `json:"b"`
		Weights       []float64     `json:"weights"`
		X             [][]float64   `json:"x"`
		Displacements []float64     `json:"displacements"`
	} `json:"free"`
}

func loadPOTBarycenters(t *testing.T) potBarycenterFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "barycenter", "problems.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f potBarycenterFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Fixed) < 3 || len(f.Conv) < 2 || len(f.Free) < 2 {
		t.Fatalf("too few POT cases: %d fixed, %d conv, %d free", len(f.Fixed), len(f.Conv), len(f.Free))
	}
	return f
}

func maxAbsDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	if len(a) != len(b) {
		return math.Inf(1)
	}
	return d
}

func flatRows(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// TestPOTBarycenter: with POT's default threshold our iterates and stopping
// point are POT's log-domain ones (same iteration count, same errors); with a
// tight threshold both reach the same fixed point.
func TestPOTBarycenter(t *testing.T) {
	for _, c := range loadPOTBarycenters(t).Fixed {
		geom, err := NewGeometry(denseFromRows(c.Cost), GeometryOptions{Epsilon: c.Reg})
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []bool{false, true} {
			r, err := Barycenter(geom, c.Hists, BarycenterOptions{Weights: c.Weights, ReferenceKernel: ref})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Converged || r.Iterations != c.NiterDefault+1 || len(r.Errors) != len(c.ErrDefault) {
				t.Errorf("%s: converged %v after %d iterations, %d errors; POT stopped at index %d with %d errors",
					c.Name, r.Converged, r.Iterations, len(r.Errors), c.NiterDefault, len(c.ErrDefault))
			}
			if d := maxAbsDiff(r.Histogram, c.BarDefault); d > 1e-12 {
				t.Errorf("%s (reference kernel %v): default threshold differs from POT by %.2g", c.Name, ref, d)
			}
			if d := maxAbsDiff(r.Errors, c.ErrDefault); d > 1e-12 {
				t.Errorf("%s: error record differs from POT by %.2g", c.Name, d)
			}
		}
		r, err := Barycenter(geom, c.Hists, BarycenterOptions{Weights: c.Weights, Threshold: 1e-13, MaxIterations: 200000})
		if err != nil {
			t.Fatal(err)
		}
		dTight := maxAbsDiff(r.Histogram, c.BarTight)
		if !r.Converged || dTight > 1e-11 {
			t.Errorf("%s: tight: converged %v, differs from POT by %.2g", c.Name, r.Converged, dTight)
		}
		if math.Abs(sum(r.Histogram)-1) > 1e-9 {
			t.Errorf("%s: barycenter mass %v", c.Name, sum(r.Histogram))
		}
		// POT's scaling form keeps the unweighted start's product of
		// scalings: right for uniform weights only (gen.py docstring).
		dScal := maxAbsDiff(r.Histogram, c.BarTightScaling)
		uniformW := maxAbsDiff(c.Weights, uniform(len(c.Weights))) < 1e-15
		if uniformW && dScal > 1e-11 || !uniformW && dScal < 1e-3 {
			t.Errorf("%s: scaling-form POT differs by %.2g (uniform weights %v)", c.Name, dScal, uniformW)
		}
		t.Logf("%s: tight %d iterations, vs POT %.1e; POT scaling form %.1e", c.Name, r.Iterations, dTight, dScal)
	}
}

func TestPOTConvolutionalBarycenter(t *testing.T) {
	for _, c := range loadPOTBarycenters(t).Conv {
		ims := make([]*mat.Dense, len(c.Images))
		for k, im := range c.Images {
			ims[k] = denseFromRows(im)
		}
		for _, ref := range []bool{false, true} {
			r, err := ConvolutionalBarycenter(ims, ConvolutionalBarycenterOptions{Epsilon: c.Reg, Weights: c.Weights, ReferenceConvolution: ref})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Converged || r.Iterations != c.NiterDefault+1 {
				t.Errorf("%s: converged %v after %d iterations; POT stopped at index %d", c.Name, r.Converged, r.Iterations, c.NiterDefault)
			}
			if d := maxAbsDiff(r.Image.RawMatrix().Data, flatRows(c.BarDefault)); d > 1e-12 {
				t.Errorf("%s (reference %v): differs from POT by %.2g", c.Name, ref, d)
			}
		}
		r, err := ConvolutionalBarycenter(ims, ConvolutionalBarycenterOptions{Epsilon: c.Reg, Weights: c.Weights, Threshold: 1e-13, MaxIterations: 200000})
		if err != nil {
			t.Fatal(err)
		}
		d := maxAbsDiff(r.Image.RawMatrix().Data, flatRows(c.BarTight))
		if !r.Converged || d > 1e-11 {
			t.Errorf("%s: tight: converged %v, differs from POT's scaling form by %.2g", c.Name, r.Converged, d)
		}
		// POT's public scaling form adds 1e-30 inside its logarithm while
		// its scalings drift to that size: a visible offset (gen.py).
		dStab := maxAbsDiff(r.Image.RawMatrix().Data, flatRows(c.BarTightStab))
		if dStab < 1e-10 {
			t.Errorf("%s: POT's stabilised scaling form agrees to %.2g; expected its documented offset", c.Name, dStab)
		}
		t.Logf("%s: tight %d iterations, vs POT %.1e (POT with stabThr 1e-30: %.1e)", c.Name, r.Iterations, d, dStab)
	}
}

// The convolutional barycenter is the dense one on the grid geometry.
func TestConvolutionalMatchesDense(t *testing.T) {
	const R, C, eps = 7, 5, 0.02
	rng := rand.New(rand.NewPCG(3, 4))
	ims := make([]*mat.Dense, 3)
	hists := make([][]float64, 3)
	for k := range ims {
		h := make([]float64, R*C)
		for i := range h {
			h[i] = math.Pow(rng.Float64(), 4)
		}
		h[rng.IntN(R*C)] = 0 // a zero pixel: −Inf potential on both paths
		s := sum(h)
		for i := range h {
			h[i] /= s
		}
		hists[k] = h
		ims[k] = mat.NewDense(R, C, append([]float64(nil), h...))
	}
	pts := mat.NewDense(R*C, 2, nil)
	s, tt := gridCoordinates(R), gridCoordinates(C)
	for i := 0; i < R; i++ {
		for j := 0; j < C; j++ {
			pts.Set(i*C+j, 0, s[i])
			pts.Set(i*C+j, 1, tt[j])
		}
	}
	geom, err := NewPointCloud(pts, nil, PointCloudOptions{Epsilon: eps})
	if err != nil {
		t.Fatal(err)
	}
	w := []float64{0.5, 0.3, 0.2}
	opt := BarycenterOptions{Weights: w, Threshold: 1e-12, MaxIterations: 50000}
	dense, err := Barycenter(geom, hists, opt)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := ConvolutionalBarycenter(ims, ConvolutionalBarycenterOptions{Epsilon: eps, Weights: w, Threshold: 1e-12, MaxIterations: 50000})
	if err != nil {
		t.Fatal(err)
	}
	if !dense.Converged || !conv.Converged {
		t.Fatalf("converged: dense %v, conv %v", dense.Converged, conv.Converged)
	}
	if d := maxAbsDiff(dense.Histogram, conv.Image.RawMatrix().Data); d > 1e-10 {
		t.Errorf("convolutional vs dense barycenter: %.2g", d)
	}
}

// The fast grid convolution against the plain log-sum-exp, on inputs whose
// dynamic range forces the per-pixel fallback.
func TestGridConvolutionFastMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		R, C int
		eps  float64
		span float64
	}{{9, 13, 0.01, 5}, {12, 4, 0.001, 3000}, {1, 6, 0.05, 1}, {20, 20, 0.0005, 200}} {
		g := newGridConvolution(tc.R, tc.C, tc.eps)
		h := make([]float64, tc.R*tc.C)
		for i := range h {
			h[i] = tc.eps * tc.span * (rng.Float64()*2 - 1)
		}
		h[rng.IntN(len(h))] = math.Inf(-1)
		fast := make([]float64, len(h))
		ref := make([]float64, len(h))
		g.apply(fast, h, tc.eps)
		g.applyReference(ref, h, tc.eps)
		for i := range ref {
			if d := math.Abs(fast[i] - ref[i]); !(d <= 1e-12*math.Max(1, math.Abs(ref[i]))) {
				t.Fatalf("%d×%d eps %g: pixel %d fast %v reference %v", tc.R, tc.C, tc.eps, i, fast[i], ref[i])
			}
		}
	}
}

func TestBarycenterBadInput(t *testing.T) {
	geom, err := NewGeometry(mat.NewDense(2, 2, []float64{0, 1, 1, 0}), GeometryOptions{Epsilon: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	img := mat.NewDense(2, 2, []float64{0.25, 0.25, 0.25, 0.25})
	for _, tc := range []struct {
		name, want string
		run        func() error
	}{
		{"nil geometry", "nil geometry", func() error { _, err := Barycenter(nil, [][]float64{{1, 0}}, BarycenterOptions{}); return err }},
		{"no histograms", "no input", func() error { _, err := Barycenter(geom, nil, BarycenterOptions{}); return err }},
		{"mismatched support", "mismatched supports", func() error {
			_, err := Barycenter(geom, [][]float64{{0.5, 0.5}, {1, 0, 0}}, BarycenterOptions{})
			return err
		}},
		{"NaN", "non-finite", func() error {
			_, err := Barycenter(geom, [][]float64{{0.5, math.NaN()}}, BarycenterOptions{})
			return err
		}},
		{"negative", "negative", func() error { _, err := Barycenter(geom, [][]float64{{1.5, -0.5}}, BarycenterOptions{}); return err }},
		{"zero mass", "zero total mass", func() error { _, err := Barycenter(geom, [][]float64{{0, 0}}, BarycenterOptions{}); return err }},
		{"unequal mass", "divide each by its sum", func() error {
			_, err := Barycenter(geom, [][]float64{{0.5, 0.5}, {1, 1}}, BarycenterOptions{})
			return err
		}},
		{"negative weight", "negative", func() error {
			_, err := Barycenter(geom, [][]float64{{0.5, 0.5}, {1, 0}}, BarycenterOptions{Weights: []float64{1, -1}})
			return err
		}},
		{"weights length", "length 1", func() error {
			_, err := Barycenter(geom, [][]float64{{0.5, 0.5}, {1, 0}}, BarycenterOptions{Weights: []float64{1}})
			return err
		}},
		{"zero weights", "zero total mass", func() error {
			_, err := Barycenter(geom, [][]float64{{0.5, 0.5}, {1, 0}}, BarycenterOptions{Weights: []float64{0, 0}})
			return err
		}},
		{"threshold", "Threshold", func() error {
			_, err := Barycenter(geom, [][]float64{{0.5, 0.5}}, BarycenterOptions{Threshold: math.NaN()})
			return err
		}},
		{"conv eps", "Epsilon must be positive", func() error {
			_, err := ConvolutionalBarycenter([]*mat.Dense{img}, ConvolutionalBarycenterOptions{Epsilon: -1})
			return err
		}},
		{"conv eps unset", "ConvolutionalBarycenterOptions.Epsilon is 0", func() error {
			_, err := ConvolutionalBarycenter([]*mat.Dense{img}, ConvolutionalBarycenterOptions{})
			return err
		}},
		{"conv sizes", "mismatched supports", func() error {
			_, err := ConvolutionalBarycenter([]*mat.Dense{img, mat.NewDense(1, 4, []float64{0.25, 0.25, 0.25, 0.25})}, ConvolutionalBarycenterOptions{Epsilon: 0.1})
			return err
		}},
		{"conv nil", "image 1 is empty", func() error {
			_, err := ConvolutionalBarycenter([]*mat.Dense{img, nil}, ConvolutionalBarycenterOptions{Epsilon: 0.1})
			return err
		}},
		{"conv NaN", "non-finite", func() error {
			_, err := ConvolutionalBarycenter([]*mat.Dense{mat.NewDense(1, 2, []float64{math.NaN(), 1})}, ConvolutionalBarycenterOptions{Epsilon: 0.1})
			return err
		}},
	} {
		err := tc.run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// Inputs on 12 points, barycenter on 5 others (a rectangular geometry): the
// couplings rebuilt from F and G have the inputs as row marginals and the
// barycenter as column marginals.
func TestBarycenterRectangularSupportMarginals(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	x := mat.NewDense(12, 1, nil)
	for i := 0; i < 12; i++ {
		x.Set(i, 0, rng.Float64())
	}
	y := mat.NewDense(5, 1, []float64{0.1, 0.3, 0.5, 0.7, 0.9})
	geom, err := NewPointCloud(x, y, PointCloudOptions{Epsilon: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	hists := make([][]float64, 3)
	for k := range hists {
		h := make([]float64, 12)
		for i := range h {
			h[i] = rng.Float64()
		}
		s := sum(h)
		for i := range h {
			h[i] /= s
		}
		hists[k] = h
	}
	r, err := Barycenter(geom, hists, BarycenterOptions{Weights: []float64{1, 2, 3}, Threshold: 1e-12})
	if err != nil || !r.Converged {
		t.Fatalf("err %v, converged %v", err, r != nil && r.Converged)
	}
	cost := geom.CostMatrix()
	for k, h := range hists {
		row := make([]float64, 12)
		col := make([]float64, 5)
		for i := 0; i < 12; i++ {
			for j := 0; j < 5; j++ {
				p := math.Exp((r.F[k][i] + r.G[k][j] - cost.At(i, j)) / r.Epsilon)
				row[i] += p
				col[j] += p
			}
		}
		if d := maxAbsDiff(row, h); d > 1e-12 {
			t.Errorf("input %d: row marginal off by %.2g", k, d)
		}
		if d := maxAbsDiff(col, r.Histogram); d > 1e-11 {
			t.Errorf("input %d: column marginal differs from the barycenter by %.2g", k, d)
		}
	}
}

// gonum's Dgemm goes parallel on a 100×100 image; the bits must not depend
// on GOMAXPROCS.
func TestGridConvolutionDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	g := newGridConvolution(100, 100, 0.003)
	h := make([]float64, 100*100)
	for i := range h {
		h[i] = 0.01 * rng.NormFloat64()
	}
	outs := make([][]float64, 2)
	for k, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		outs[k] = make([]float64, len(h))
		g.apply(outs[k], h, 0.003)
		runtime.GOMAXPROCS(prev)
	}
	for i := range h {
		if math.Float64bits(outs[0][i]) != math.Float64bits(outs[1][i]) {
			t.Fatalf("pixel %d: %v at GOMAXPROCS 1, %v at 2", i, outs[0][i], outs[1][i])
		}
	}
}
