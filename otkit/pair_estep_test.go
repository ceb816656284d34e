package otkit

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPFEChunk2MatchesGeneral: the d = 2 chunk gives bit for bit the
// statistics of the general chunk, with and without weights (some zero),
// with and without the log-likelihood, for several K, including far points
// whose minor posteriors are dropped.
func TestPFEChunk2MatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 0))
	const n = 300
	for _, k := range []int{1, 3, eStepFastK} {
		pm := &preparedMixture{d: 2, k: k, mu: make([]float64, 2*k), linv: make([]float64, 4*k), cst: make([]float64, k)}
		for c := 0; c < k; c++ {
			pm.mu[2*c], pm.mu[2*c+1] = 3*rng.NormFloat64(), 3*rng.NormFloat64()
			pm.linv[4*c], pm.linv[4*c+2], pm.linv[4*c+3] = 0.5+rng.Float64(), rng.NormFloat64(), 0.5+rng.Float64()
			pm.cst[c] = rng.NormFloat64()
		}
		pm.diff = make([]float64, 2)
		x := make([]float64, 2*n)
		for i := range x {
			x[i] = 4 * rng.NormFloat64()
		}
		x[0], x[1] = 80, -90 // minor posteriors below e^-40
		w := make([]float64, n)
		for i := range w {
			if i%7 != 0 {
				w[i] = rng.Float64()
			}
		}
		for _, ww := range [][]float64{nil, w} {
			for _, ll := range []bool{false, true} {
				ref, fast := newEStepStats(k, 2), newEStepStats(k, 2)
				for c := 0; c < 2*k; c++ {
					ref.c[c] = pm.mu[c] + 0.1
					fast.c[c] = ref.c[c]
				}
				lo, hi := 5, n
				eStepRange(ref, pm, x, ww, lo, hi, ll)
				eStepChunk2D(fast, pm, x, ww, lo, hi, ll)
				// Include point 0 in a second chunk added to the same sums.
				eStepRange(ref, pm, x, ww, 0, 5, ll)
				eStepChunk2D(fast, pm, x, ww, 0, 5, ll)
				if ref.n[0] == 0 || (ll && ref.logLik == 0) {
					t.Fatal("the reference chunk accumulated nothing")
				}
				for name, p := range map[string][2][]float64{
					"n": {ref.n, fast.n}, "s": {ref.s, fast.s}, "S": {ref.S, fast.S},
					"logLik": {{ref.logLik}, {fast.logLik}},
				} {
					for i := range p[0] {
						if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
							t.Fatalf("K %d weights %v logLik %v: %s[%d] = %v, general %v", k, ww != nil, ll, name, i, p[1][i], p[0][i])
						}
					}
				}
			}
		}
	}
}
