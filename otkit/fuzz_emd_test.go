package otkit

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzEMD feeds arbitrary costs and weights to EMD. A nil error must come
// with a plan that is finite, positive and has the marginals A and B, a cost
// equal to Σ mass·C, and, when the status says optimal, the full optimality
// certificate (dual feasibility, complementary slackness, dual objective =
// cost: checkEMDCertificate).
func FuzzEMD(f *testing.F) {
	f.Add(uint8(2), uint8(3), uint8(0), fuzzSeed(0, 1, 2, 3, 4, 5))
	f.Add(uint8(3), uint8(3), uint8(1), fuzzSeed(1, 1, 1, 0, 2, 2, 3, 0.5, 0, 0.2, 0.3, 0.5, 0, 0.6, 0.4))
	f.Add(uint8(1), uint8(4), uint8(1), fuzzSeed(3, 1, 4, 1, 1, 0.1, 0.2, 0.3, 0.4))
	f.Add(uint8(4), uint8(2), uint8(3), fuzzSeed(1e300, -1e300, 7, 0, 1e-300, 2, 3, 5))
	f.Fuzz(func(t *testing.T, n, m, mode uint8, data []byte) {
		n, m = n%7, m%7
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
		var c *mat.Dense
		if n > 0 && m > 0 {
			c = mat.NewDense(int(n), int(m), take(int(n)*int(m)))
		}
		var a, b []float64
		if mode&1 != 0 {
			w := take(int(n) + int(m) + int(n)*int(m))[int(n)*int(m):]
			a, b = w[:n], w[n:]
			for k := range a {
				a[k] = math.Abs(a[k])
			}
			for k := range b {
				b[k] = math.Abs(b[k])
			}
			if mode&2 != 0 { // equal masses, as a caller would give them
				sa, sb := sum(a), sum(b)
				if sb > 0 && !math.IsInf(sa/sb, 0) {
					for k := range b {
						b[k] *= sa / sb
					}
				}
			}
		}
		r, err := EMD(c, a, b, EMDOptions{})
		if err != nil {
			if r != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		cost := c.RawMatrix().Data
		if !isFinite(r.Cost) {
			t.Fatalf("nil error with cost %v", r.Cost)
		}
		for _, v := range append(append([]float64{}, r.F...), r.G...) {
			if !isFinite(v) {
				t.Fatalf("nil error with a non-finite potential: F %v G %v", r.F, r.G)
			}
		}
		if r.Optimal() {
			checkEMDCertificate(t, "fuzz", cost, int(n), int(m), r)
			return
		}
		t.Fatalf("status %v after %d pivots on a %d×%d problem (the default pivot limit should never be reached here)", r.Status, r.Iterations, n, m)
	})
}
