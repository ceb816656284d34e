package otkit

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// randPairParams returns a random parameter vector for a K-component mixture in
// d dimensions: means spread over a few units, moderately conditioned
// covariances, logits in [−1, 1].
func randPairParams(rng *rand.Rand, lay paramLayout, spread float64) []float64 {
	th := make([]float64, lay.size())
	for i := range lay.loc(th) {
		lay.loc(th)[i] = spread * rng.NormFloat64()
	}
	sc := lay.scale(th)
	for c := 0; c < lay.k; c++ {
		for i := 0; i < lay.d; i++ {
			for j := 0; j <= i; j++ {
				v := 0.3 * rng.NormFloat64()
				sc[c*lay.nTri()+triIndex(i, j)] = v
			}
		}
	}
	for i := range lay.logits(th) {
		lay.logits(th)[i] = 2*rng.Float64() - 1
	}
	return th
}

// randPairPoints draws n points around the components of th (flat n×d).
func randPairPoints(rng *rand.Rand, lay paramLayout, th []float64, n int) []float64 {
	m := newFlatMixture(lay)
	if err := m.set(th); err != nil {
		panic(err)
	}
	d := lay.d
	x := make([]float64, n*d)
	z := make([]float64, d)
	for p := 0; p < n; p++ {
		c := rng.IntN(lay.k)
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		for i := 0; i < d; i++ {
			v := m.loc[c*d+i]
			for r := 0; r <= i; r++ {
				v += m.chol[c*d*d+i*d+r] * z[r]
			}
			x[p*d+i] = v
		}
	}
	return x
}

func TestPFBuresMatchesLinalg(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 0))
	for _, d := range []int{1, 2, 3} {
		l0, l1 := paramLayout{3, d}, paramLayout{2, d}
		m0, m1 := newFlatMixture(l0), newFlatMixture(l1)
		if err := m0.set(randPairParams(rng, l0, 2)); err != nil {
			t.Fatal(err)
		}
		if err := m1.set(randPairParams(rng, l1, 2)); err != nil {
			t.Fatal(err)
		}
		b := newBuresCost(3, 2, d)
		if err := b.compute(m0, m1, true); err != nil {
			t.Fatal(err)
		}
		dd := d * d
		for k := 0; k < 3; k++ {
			for l := 0; l < 2; l++ {
				s0, s1 := m0.cov[k*dd:(k+1)*dd], m1.cov[l*dd:(l+1)*dd]
				want, err := buresCov(s0, s1, d)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < d; i++ {
					dm := m0.loc[k*d+i] - m1.loc[l*d+i]
					want += dm * dm
				}
				if got := b.cost[k*2+l]; math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
					t.Errorf("d=%d C[%d,%d] = %v, want %v", d, k, l, got, want)
				}
				tm, ti, err := buresTransport(s0, s1, d)
				if err != nil {
					t.Fatal(err)
				}
				idx := (k*2 + l) * dd
				for i := 0; i < dd; i++ {
					if math.Abs(b.t[idx+i]-tm[i]) > 1e-11 || math.Abs(b.tInv[idx+i]-ti[i]) > 1e-11 {
						t.Fatalf("d=%d pair (%d,%d): T = %v / %v, want %v / %v", d, k, l, b.t[idx:idx+dd], b.tInv[idx:idx+dd], tm, ti)
					}
				}
			}
		}
	}
}

// TestPFQMatchesPointwise checks Q from the centred statistics against the
// direct sum Σ_n w_n Σ_k r_nk (log π_k + log N(x_n; μ_k, Σ_k)) / W, with the
// responsibilities taken at other parameters than Q is evaluated at.
func TestPFQMatchesPointwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	for _, d := range []int{1, 2, 3} {
		lay := paramLayout{3, d}
		thE := randPairParams(rng, lay, 2)
		x := randPairPoints(rng, lay, thE, 3000)
		w := make([]float64, 3000)
		var wTot float64
		for i := range w {
			w[i] = 0.5 + rng.Float64()
			wTot += w[i]
		}
		mE := newFlatMixture(lay)
		if err := mE.set(thE); err != nil {
			t.Fatal(err)
		}
		st, err := pairEStep(mE, x, w, wTot, true)
		if err != nil {
			t.Fatal(err)
		}
		th := append([]float64(nil), thE...)
		for i := range th {
			th[i] += 0.1 * rng.NormFloat64()
		}
		m := newFlatMixture(lay)
		if err := m.set(th); err != nil {
			t.Fatal(err)
		}
		got := expectedLogLik(m, st, nil)
		// Direct evaluation.
		var want, ll float64
		n := len(x) / d
		ellE := make([]float64, 3)
		for p := 0; p < n; p++ {
			xp := x[p*d : (p+1)*d]
			mx := math.Inf(-1)
			for c := 0; c < 3; c++ {
				ellE[c] = mE.logPi[c] + pairTestLogDensity(mE, c, xp)
				mx = math.Max(mx, ellE[c])
			}
			var s float64
			for c := 0; c < 3; c++ {
				s += math.Exp(ellE[c] - mx)
			}
			ll += w[p] * (mx + math.Log(s))
			for c := 0; c < 3; c++ {
				r := math.Exp(ellE[c]-mx) / s
				want += w[p] * r * (m.logPi[c] + pairTestLogDensity(m, c, xp))
			}
		}
		want /= wTot
		ll /= wTot
		if math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("d=%d: Q from statistics %v, pointwise %v", d, got, want)
		}
		if math.Abs(st.logLik-ll) > 1e-12*math.Abs(ll) {
			t.Errorf("d=%d: mean log-likelihood %v, pointwise %v", d, st.logLik, ll)
		}
	}
}

// pairTestLogDensity is log N(x; μ_c, Σ_c) computed through Σ⁻¹ (an
// independent route from the E-step's triangular solve).
func pairTestLogDensity(m *flatMixture, c int, x []float64) float64 {
	d := m.lay.d
	var q float64
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			q += (x[i] - m.loc[c*d+i]) * m.prec[c*d*d+i*d+j] * (x[j] - m.loc[c*d+j])
		}
	}
	return -0.5 * (float64(d)*math.Log(2*math.Pi) + m.logDet[c] + q)
}

// TestPFEStepDeterministicAcrossWorkers checks the chunked reduction gives the
// same bits whatever the number of goroutines.
func TestPFEStepDeterministicAcrossWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 0))
	lay := paramLayout{3, 2}
	th := randPairParams(rng, lay, 2)
	x := randPairPoints(rng, lay, th, 3*eStepChunk+17)
	m := newFlatMixture(lay)
	if err := m.set(th); err != nil {
		t.Fatal(err)
	}
	var ref *eStepStats
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		st, err := pairEStep(m, x, nil, float64(len(x)/2), true)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = st
			continue
		}
		for i := range st.S {
			if st.S[i] != ref.S[i] {
				t.Fatalf("GOMAXPROCS=%d changed S[%d]: %v vs %v", procs, i, st.S[i], ref.S[i])
			}
		}
		if st.logLik != ref.logLik || st.n[0] != ref.n[0] || st.s[1] != ref.s[1] {
			t.Fatalf("GOMAXPROCS=%d changed the statistics", procs)
		}
	}
}

// partialJ is J with the transport part linearised around a fixed plan:
// Q0 + Q1 − w (Σ P_kl C_kl + ⟨γa, π0⟩ + ⟨γb, π1⟩). Its gradient exercises
// every chain rule of the M-step (Q statistics, Bures, Cholesky, softmax)
// without a Sinkhorn solve.
func partialJ(th0, th1 []float64, l0, l1 paramLayout, st0, st1 *eStepStats, p, ga, gb []float64, w float64, g0, g1 []float64) (float64, error) {
	m0, m1 := newFlatMixture(l0), newFlatMixture(l1)
	if err := m0.set(th0); err != nil {
		return 0, err
	}
	if err := m1.set(th1); err != nil {
		return 0, err
	}
	b := newBuresCost(l0.k, l1.k, l0.d)
	if err := b.compute(m0, m1, g0 != nil); err != nil {
		return 0, err
	}
	var gr0, gr1 *mixtureGrad
	if g0 != nil {
		gr0, gr1 = newMixtureGrad(l0), newMixtureGrad(l1)
	}
	j := expectedLogLik(m0, st0, gr0) + expectedLogLik(m1, st1, gr1)
	var r float64
	for i, v := range p {
		r += v * b.cost[i]
	}
	for i, v := range ga {
		r += v * m0.pi[i]
	}
	for i, v := range gb {
		r += v * m1.pi[i]
	}
	j -= w * r
	if g0 != nil {
		addTransportGrad(gr0, gr1, b, m0, m1, p, w)
		addWeightGrad(gr0, m0.pi, ga, w)
		addWeightGrad(gr1, m1.pi, gb, w)
		chainToParams(g0, l0, m0, gr0)
		chainToParams(g1, l1, m1, gr1)
	}
	return j, nil
}

func TestPFChainRulesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	for _, d := range []int{1, 2, 3} {
		l0, l1 := paramLayout{3, d}, paramLayout{2, d}
		th0, th1 := randPairParams(rng, l0, 1.5), randPairParams(rng, l1, 1.5)
		x0 := randPairPoints(rng, l0, th0, 500)
		x1 := randPairPoints(rng, l1, th1, 400)
		m0, m1 := newFlatMixture(l0), newFlatMixture(l1)
		m0.set(th0)
		m1.set(th1)
		st0, _ := pairEStep(m0, x0, nil, 500, true)
		st1, _ := pairEStep(m1, x1, nil, 400, true)
		// Move away from the E-step parameters so that ∂Q ≠ 0.
		for i := range th0 {
			th0[i] += 0.2 * rng.NormFloat64()
		}
		for i := range th1 {
			th1[i] += 0.2 * rng.NormFloat64()
		}
		p := make([]float64, 6)
		for i := range p {
			p[i] = rng.Float64() / 6
		}
		ga := []float64{0.3, -0.2, 0.5}
		gb := []float64{-0.4, 0.1}
		const w = 0.7
		g0, g1 := make([]float64, l0.size()), make([]float64, l1.size())
		if _, err := partialJ(th0, th1, l0, l1, st0, st1, p, ga, gb, w, g0, g1); err != nil {
			t.Fatal(err)
		}
		check := func(name string, th, g []float64) {
			const h = 1e-5
			for i := range th {
				old := th[i]
				th[i] = old + h
				jp, err1 := partialJ(th0, th1, l0, l1, st0, st1, p, ga, gb, w, nil, nil)
				th[i] = old - h
				jm, err2 := partialJ(th0, th1, l0, l1, st0, st1, p, ga, gb, w, nil, nil)
				th[i] = old
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				fd := (jp - jm) / (2 * h)
				if math.Abs(fd-g[i]) > 1e-7*math.Max(1, math.Abs(fd)) {
					t.Errorf("d=%d %s[%d]: gradient %v, finite difference %v", d, name, i, g[i], fd)
				}
			}
		}
		check("gmm0", th0, g0)
		check("gmm1", th1, g1)
	}
}
