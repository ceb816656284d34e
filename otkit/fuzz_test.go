package otkit

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// floatsFrom decodes up to max float64 values from raw fuzz bytes.
func floatsFrom(b []byte, max int) []float64 {
	var out []float64
	for len(b) >= 8 && len(out) < max {
		out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return out
}

// FuzzValidation feeds arbitrary shapes, coordinates, weights and options to
// NewPointCloud, NewGeometry and Sinkhorn (float64 and Float32 kernels). Whatever the input, the calls must
// not panic, and a nil error must come with finite outputs.
func FuzzValidation(f *testing.F) {
	seed := func(vals ...float64) []byte {
		b := make([]byte, 8*len(vals))
		for i, v := range vals {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
		}
		return b
	}
	f.Add(uint8(2), uint8(3), uint8(2), uint8(0), seed(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 0.1, 1.0, 1.0, int16(0))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(1), seed(1, 2), 0.0, 0.5, 1.0, int16(5))
	f.Add(uint8(3), uint8(2), uint8(6), uint8(2), seed(0, 0, 1, 0, 0, 1, 1, 1, 2, 0.5, 0.5, 1), 0.5, 1.0, 0.7, int16(20))
	f.Add(uint8(2), uint8(2), uint8(1), uint8(0), seed(math.NaN(), 1, 2, 3), -1.0, 2.0, 0.0, int16(-1))
	f.Add(uint8(2), uint8(2), uint8(2), uint8(3), seed(1e300, -1e300, 3, 4, 5, 6, 7, 8), 1e-300, 1.0, 1.0, int16(1))
	f.Add(uint8(4), uint8(3), uint8(2), uint8(16+8), seed(0, 0, 1, 0, 0, 1, 1, 1, 0.3, 0.2, 0.5, 0.7), 0.05, 1.0, 0.9, int16(50)) // Float32
	f.Add(uint8(3), uint8(3), uint8(3), uint8(16+4), seed(5, 1, 2, 0.5, 3, 1e-3), 1e-4, 1.0, 1.0, int16(30))                      // Float32, online
	f.Fuzz(func(t *testing.T, n, m, d, mode uint8, data []byte, eps, tauA, tauB float64, iters int16) {
		n, m, d = n%6, m%6, d%7
		vals := floatsFrom(data, 200)
		take := func(k int) []float64 {
			out := make([]float64, k)
			for i := range out {
				if len(vals) > 0 {
					out[i] = vals[i%len(vals)]
				}
			}
			return out
		}
		opt := SinkhornOptions{TauA: tauA, TauB: tauB, MaxIterations: int(iters), Threshold: 1e-6, Float32: mode&16 != 0}
		var geom *Geometry
		var err error
		switch mode % 4 {
		case 0, 1:
			var x, y *mat.Dense
			if n > 0 && d > 0 {
				x = mat.NewDense(int(n), int(d), take(int(n)*int(d)))
			}
			if m > 0 && d > 0 {
				y = mat.NewDense(int(m), int(d), take(int(m)*int(d)))
			}
			var c Cost
			if mode%4 == 1 {
				c = Euclidean{}
			}
			geom, err = NewPointCloud(x, y, PointCloudOptions{Epsilon: eps, Cost: c, Online: mode&4 != 0})
		case 2:
			var x *mat.Dense
			if n > 0 && d > 0 {
				x = mat.NewDense(int(n), int(d), take(int(n)*int(d)))
			}
			geom, err = NewPointCloud(x, nil, PointCloudOptions{Epsilon: eps, Cost: Bures{Dim: 2}})
		case 3:
			var c *mat.Dense
			if n > 0 && m > 0 {
				c = mat.NewDense(int(n), int(m), take(int(n)*int(m)))
			}
			geom, err = NewGeometry(c, GeometryOptions{Epsilon: eps, ScaleCostRule: []string{"", "mean", "median", "max_cost"}[mode>>2%4]})
		}
		if err != nil {
			return
		}
		if e := geom.Epsilon(); !(e > 0) || math.IsInf(e, 0) {
			t.Fatalf("accepted geometry with eps %v", e)
		}
		gn, gm := geom.Shape()
		var a, b []float64
		if mode&8 != 0 {
			a, b = take(gn), take(gm)
		}
		r, err := Sinkhorn(geom, a, b, opt)
		if err != nil {
			if r != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		if len(r.F) != gn || len(r.G) != gm || len(r.Errors) == 0 {
			t.Fatal("result shapes")
		}
		checkSinkhornInvariant(t, r)
	})
}

// checkSinkhornInvariant is what the fuzz targets demand of every result
// returned with a nil error: Check (the invariant Sinkhorn itself enforces),
// and, computed along other paths, a finite plan from Matrix whose mass is
// TransportMass, row and column marginals of the same mass, and finite
// Apply, GradA and GradB; a result that did not converge says why with an
// error wrapping ErrNotConverged.
func checkSinkhornInvariant(t *testing.T, r *SinkhornResult) {
	t.Helper()
	if err := r.Check(); err != nil {
		t.Fatalf("Sinkhorn returned a result that fails Check: %v", err)
	}
	for _, v := range r.Errors {
		if math.IsNaN(v) || math.IsInf(v, -1) {
			t.Fatalf("NaN or −Inf error with a nil error: %v", r.Errors)
		}
	}
	var planMass float64
	for _, v := range r.Matrix().RawMatrix().Data {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("plan entry %v", v)
		}
		planMass += v
	}
	mass := r.TransportMass()
	colMass := sum(r.ColMarginal())
	tol := 1e-9 * math.Max(planMass, mass)
	if math.Abs(planMass-mass) > tol || math.Abs(colMass-mass) > tol+1e-9*colMass {
		t.Fatalf("plan mass %.17g, row marginals %.17g, column marginals %.17g", planMass, mass, colMass)
	}
	for _, c := range []float64{r.RegOTCost, r.EntRegCost, r.DualCost, r.PrimalCost()} {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			t.Fatalf("non-finite cost: reg %v ent %v dual %v primal %v", r.RegOTCost, r.EntRegCost, r.DualCost, r.PrimalCost())
		}
	}
	if !r.Converged {
		if err := r.Err(); !errors.Is(err, ErrNotConverged) {
			t.Fatalf("not converged, Err() = %v", err)
		}
		return
	}
	if err := r.Err(); err != nil {
		t.Fatalf("converged, Err() = %v", err)
	}
	_, gm := r.Geom.Shape()
	ones := make([]float64, gm)
	for j := range ones {
		ones[j] = 1
	}
	pv, err := r.Apply(ones)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range pv {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("converged with a non-finite Apply: %v", pv)
		}
	}
	// The weight gradients are finite, except −Inf at a zero weight of a
	// relaxed side, where the true derivative is below −MaxFloat64 (see
	// GradA).
	for _, s := range []struct {
		grad, w []float64
		tau     float64
	}{{r.GradA(), r.A, r.TauA}, {r.GradB(), r.B, r.TauB}} {
		for k, v := range s.grad {
			if math.IsNaN(v) || math.IsInf(v, 1) || (math.IsInf(v, -1) && !(s.w[k] == 0 && s.tau < 1)) {
				t.Fatalf("converged with a weight gradient %v at %d (weight %v, tau %v)", v, k, s.w[k], s.tau)
			}
		}
	}
}

// fuzzValues decodes fuzz bytes for the mixture targets: raw float64s when
// raw is set (extreme values), otherwise int16 pairs divided by 64, values
// in ±512 on a 1/64 grid, so that most inputs reach the fit (and ties,
// repeated points and near-singular covariances stay frequent).
func fuzzValues(b []byte, raw bool) []float64 {
	if raw {
		return floatsFrom(b, 128)
	}
	var out []float64
	for len(b) >= 2 && len(out) < 128 {
		out = append(out, float64(int16(binary.LittleEndian.Uint16(b)))/64)
		b = b[2:]
	}
	return out
}

// fuzzSeed packs float64 values as fuzz bytes (the inverse of floatsFrom).
func fuzzSeed(vals ...float64) []byte {
	b := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return b
}

// fuzzTake returns k values cycling through vals (zeros when empty).
func fuzzTake(vals []float64, k int) []float64 {
	out := make([]float64, k)
	for i := range out {
		if len(vals) > 0 {
			out[i] = vals[i%len(vals)]
		}
	}
	return out
}

// FuzzDivergence feeds arbitrary clouds, weights, epsilons and options to
// Divergence: no panic; a nil error comes with a finite divergence, three
// (two with StaticB) solves that satisfy the invariant, an Err consistent
// with Converged, and a finite gradient.
func FuzzDivergence(f *testing.F) {
	f.Add(uint8(3), uint8(2), uint8(2), uint8(0), fuzzSeed(0, 0, 1, 0, 0, 1, 2, 2, 3, 1), 0.1, 0.0)
	f.Add(uint8(2), uint8(2), uint8(1), uint8(1), fuzzSeed(0, 1, 3, 4), 0.0, 0.0)
	f.Add(uint8(4), uint8(3), uint8(3), uint8(2), fuzzSeed(1e150, -1e150, 3, 0.5, 7), 0.0, 1.0)
	f.Add(uint8(2), uint8(3), uint8(2), uint8(13), fuzzSeed(0.1, 0.1, 0.1, 0.1, 0.2), 1e-300, 0.5)
	f.Fuzz(func(t *testing.T, n, m, d, mode uint8, data []byte, eps, offset float64) {
		n, m, d = 1+n%5, 1+m%5, 1+d%3
		vals := floatsFrom(data, 64)
		x := mat.NewDense(int(n), int(d), fuzzTake(vals, int(n)*int(d)))
		y := mat.NewDense(int(m), int(d), fuzzTake(vals[min(len(vals), 3):], int(m)*int(d)))
		opt := DivergenceOptions{Epsilon: eps, Online: mode&1 != 0, StaticB: mode&2 != 0, OffsetStaticB: offset}
		if mode&4 != 0 {
			opt.Cost = Euclidean{}
		}
		if mode&8 != 0 {
			opt.Sinkhorn = SinkhornOptions{MaxIterations: 50, Threshold: 1e-9}
		}
		var a, b []float64
		if mode&16 != 0 {
			a, b = fuzzTake(vals, int(n)), fuzzTake(vals[min(len(vals), 1):], int(m))
		}
		r, err := Divergence(x, y, a, b, opt)
		if err != nil {
			return
		}
		if math.IsNaN(r.Divergence) || math.IsInf(r.Divergence, 0) {
			t.Fatalf("divergence %v with a nil error", r.Divergence)
		}
		conv := true
		for _, s := range []*SinkhornResult{r.XY, r.XX, r.YY} {
			if s == nil {
				continue
			}
			checkSinkhornInvariant(t, s)
			conv = conv && s.Converged
		}
		if conv != r.Converged || (r.Err() == nil) != r.Converged {
			t.Fatalf("Converged %v, solves %v, Err %v", r.Converged, conv, r.Err())
		}
		g, err := r.GradX()
		if err != nil {
			return
		}
		for _, v := range g.RawMatrix().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				if r.Converged {
					t.Fatalf("converged divergence with a non-finite gradient %v", g.RawMatrix().Data)
				}
			}
		}
	})
}

// fuzzMixture builds a k-component mixture in dimension d from vals: means,
// covariances L Lᵀ + 1e-3·I with L from vals, weights |v| + 0.01
// normalised. It
// returns nil when NewGaussianMixture refuses them.
func fuzzMixture(vals []float64, k, d int) *GaussianMixture {
	v := fuzzTake(vals, k*(d+d*d+1))
	means := make([][]float64, k)
	covs := make([]*mat.SymDense, k)
	w := make([]float64, k)
	for c := 0; c < k; c++ {
		p := v[c*(d+d*d+1):]
		means[c] = p[:d]
		l := mat.NewDense(d, d, p[d:d+d*d])
		cov := mat.NewSymDense(d, nil)
		cov.SymOuterK(1, l)
		for i := 0; i < d; i++ {
			cov.SetSym(i, i, cov.At(i, i)+1e-3)
		}
		covs[c] = cov
		w[c] = math.Abs(p[d+d*d]) + 0.01
	}
	ws := sum(w)
	for c := range w {
		w[c] /= ws
	}
	m, err := NewGaussianMixture(means, covs, w)
	if err != nil {
		return nil
	}
	return m
}

// checkMixture fails when a mixture returned with a nil error has a
// non-finite parameter or weights that do not sum to 1.
func checkMixture(t *testing.T, what string, m *GaussianMixture) {
	t.Helper()
	if err := m.Validate(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var s float64
	for _, w := range m.Weights() {
		if math.IsNaN(w) || w < 0 {
			t.Fatalf("%s: weights %v", what, m.Weights())
		}
		s += w
	}
	if math.Abs(s-1) > 1e-9 {
		t.Fatalf("%s: weights sum to %v", what, s)
	}
	covs, err := m.Covariances()
	if err != nil {
		t.Fatalf("%s: covariances: %v", what, err)
	}
	for _, c := range covs {
		for _, v := range c.RawSymmetric().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: covariance entry %v", what, v)
			}
		}
	}
}

// FuzzFitEM feeds arbitrary points, starting mixtures, weights and ridges to
// FitEM: no panic, and a nil error comes with a valid mixture (finite
// parameters, weights summing to 1, finite covariances) that gives finite
// log-probabilities to the data.
func FuzzFitEM(f *testing.F) {
	f.Add(uint8(2), uint8(2), uint8(8), uint8(1), []byte("\x00\x00\x10\x00\x40\x00\xc0\xff\x00\x01\x30\x00\x80\x01\x20\x00\x00\xfe\x11\x00\x21\x01\x7f\x00"), 1e-6)
	f.Add(uint8(2), uint8(2), uint8(8), uint8(130), fuzzSeed(0, 0, 1, 0, 0, 1, 0.5, 5, 5, 1, 0, 0, 1, 0.5, 0.1, 0.2, 4.9, 5.2, -0.3, 0.4), 0.0)
	f.Add(uint8(1), uint8(1), uint8(3), uint8(129), fuzzSeed(1, 2, 3), 1e-6)
	f.Add(uint8(3), uint8(1), uint8(6), uint8(131), fuzzSeed(1e150, -1e150, 0, 1e-300, 2, 3), 0.0)
	f.Fuzz(func(t *testing.T, k, d, n, steps uint8, data []byte, ridge float64) {
		vals := fuzzValues(data, steps&128 != 0)
		k, d, n, steps = 1+k%3, 1+d%3, 1+n%12, 1+steps%3
		m := fuzzMixture(vals, int(k), int(d))
		if m == nil {
			return
		}
		x := mat.NewDense(int(n), int(d), fuzzTake(vals[min(len(vals), int(k)):], int(n)*int(d)))
		var w []float64
		if ridge < 0 {
			w = fuzzTake(vals[min(len(vals), 2):], int(n))
		}
		res, err := FitEM(m, x, EMOptions{Steps: int(steps), Ridge: ridge, PointWeights: w})
		if err != nil {
			return
		}
		if res.Err() != nil || res.Iterations != int(steps) || res.LogLikelihood != nil {
			t.Fatalf("FitEM record: Err %v, %d iterations of %d, log-likelihoods %v", res.Err(), res.Iterations, steps, res.LogLikelihood)
		}
		out := res.Mixture
		checkMixture(t, "FitEM", out)
		lp, err := out.LogProb(x)
		if err != nil {
			t.Fatalf("LogProb of the fitted mixture: %v", err)
		}
		for _, v := range lp {
			if math.IsNaN(v) || math.IsInf(v, 1) {
				t.Fatalf("fitted mixture gives log-probabilities %v", lp)
			}
		}
	})
}

// FuzzFitPair feeds arbitrary mixtures, points, epsilons, taus and weights
// to FitPair: no panic, and a nil error comes with finite objective terms in
// the result and every step, valid mixtures, and solve counts that add up.
func FuzzFitPair(f *testing.F) {
	f.Add(uint8(2), uint8(2), uint8(2), uint8(6), uint8(1), []byte("\x00\x00\x10\x00\x40\x00\xc0\xff\x00\x01\x30\x00\x80\x01\x20\x00\x00\xfe\x11\x00\x21\x01\x7f\x00"), 0.5, 1.0, 0.1)
	f.Add(uint8(2), uint8(2), uint8(2), uint8(6), uint8(129), fuzzSeed(0, 0, 1, 0, 0, 1, 0.5, 5, 5, 1, 0, 0, 1, 0.5, 0.1, 0.2, 4.9, 5.2, -0.3, 0.4), 0.1, 1.0, 0.1)
	f.Add(uint8(1), uint8(2), uint8(1), uint8(4), uint8(128), fuzzSeed(1, 2, 3, 0.5), 0.01, 0.5, 1.0)
	f.Add(uint8(2), uint8(1), uint8(2), uint8(5), uint8(130), fuzzSeed(1e150, -1e150, 0, 1e-300, 2, 3), 1e-300, 0.9, 10.0)
	f.Fuzz(func(t *testing.T, k0, k1, d, n, steps uint8, data []byte, eps, tau, wt float64) {
		vals := fuzzValues(data, steps&128 != 0)
		k0, k1, d, n, steps = 1+k0%3, 1+k1%3, 1+d%2, 1+n%8, steps%3
		g0 := fuzzMixture(vals, int(k0), int(d))
		g1 := fuzzMixture(vals[min(len(vals), 1):], int(k1), int(d))
		if g0 == nil || g1 == nil {
			return
		}
		p, err := NewMixturePair(g0, g1, MixturePairOptions{Epsilon: eps, Tau: tau, LockGMM1: steps == 2})
		if err != nil {
			return
		}
		x0 := mat.NewDense(int(n), int(d), fuzzTake(vals[min(len(vals), 2):], int(n)*int(d)))
		x1 := mat.NewDense(int(n), int(d), fuzzTake(vals[min(len(vals), 5):], int(n)*int(d)))
		res, err := FitPair(p, x0, x1, PairFitOptions{WeightTransport: wt, EMSteps: int(steps), MSteps: 2, LearningRate: 0.01})
		if err != nil {
			return
		}
		for _, v := range []float64{res.Objective, res.Q0, res.Q1, res.Transport} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("objective %v = Q0 %v + Q1 %v − w·R %v with a nil error", res.Objective, res.Q0, res.Q1, res.Transport)
			}
		}
		for _, s := range res.Steps {
			for _, v := range []float64{s.Objective, s.Q0, s.Q1, s.Transport} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("step %d: non-finite value in %+v", s.Iter, s)
				}
			}
		}
		if res.Unconverged < 0 || res.Unconverged > res.Solves || res.Solves == 0 {
			t.Fatalf("solves %d, unconverged %d", res.Solves, res.Unconverged)
		}
		checkMixture(t, "FitPair gmm0", res.Pair.GMM0)
		checkMixture(t, "FitPair gmm1", res.Pair.GMM1)
	})
}
