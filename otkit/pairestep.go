package otkit

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// pfStats are the E-step sufficient statistics of one mixture (note §8.3),
// normalised by the total point weight W and accumulated around centres c_k
// (the component means at the E-step) so that M_k keeps its precision when
// the data sit far from the origin:
//
//	N_k = Σ_n w_n r_nk / W,
//	s_k = Σ_n w_n r_nk (x_n − c_k) / W,
//	S_k = Σ_n w_n r_nk (x_n − c_k)(x_n − c_k)ᵀ / W.
//
// Q and its gradient depend on the data only through these, so the M-step
// never touches the points again.
type pfStats struct {
	k, d int
	n    []float64 // K
	c    []float64 // K·d
	s    []float64 // K·d
	S    []float64 // K·d²
	// logLik is the weighted mean log density Σ w_n log p(x_n) / W when
	// asked for (it costs a logarithm per point), else 0; NaN if a point's
	// density could not be evaluated.
	logLik float64
}

func newPFStats(k, d int) *pfStats {
	return &pfStats{
		k: k, d: d,
		n: make([]float64, k),
		c: make([]float64, k*d),
		s: make([]float64, k*d),
		S: make([]float64, k*d*d),
	}
}

func (st *pfStats) clear() {
	clear(st.n)
	clear(st.s)
	clear(st.S)
	st.logLik = 0
}

func (st *pfStats) add(o *pfStats) {
	for i, v := range o.n {
		st.n[i] += v
	}
	for i, v := range o.s {
		st.s[i] += v
	}
	for i, v := range o.S {
		st.S[i] += v
	}
	st.logLik += o.logLik
}

// pfChunk is the number of points one E-step task handles. It is fixed, not
// derived from GOMAXPROCS: chunk partial sums are added in chunk order, so
// the statistics are bit-identical however many goroutines ran.
const pfChunk = 2048

// pfEStep computes the responsibilities of the mixture m for the points x
// (n×d, flat) with weights w (nil = all ones) and returns their statistics
// (with the mean log-likelihood when wantLL).
// It costs O(N·K·d²) and runs chunks in parallel (at most GOMAXPROCS
// goroutines) with a fixed reduction order.
func pfEStep(m *pfMix, x, w []float64, wTot float64, wantLL bool) (*pfStats, error) {
	k, d := m.lay.k, m.lay.d
	n := len(x) / d
	nChunks := (n + pfChunk - 1) / pfChunk
	parts := make([]*pfStats, nChunks)
	for i := range parts {
		parts[i] = newPFStats(k, d)
	}
	// Per-component constants: log π_k − ½(d log 2π + log|Σ_k|).
	cst := make([]float64, k)
	for c := 0; c < k; c++ {
		cst[c] = m.logPi[c] - 0.5*(float64(d)*math.Log(2*math.Pi)+m.logDet[c])
	}
	// The log joint densities are the EM's (mixture.go), on the pair's
	// parameters.
	shared := &preparedMixture{d: d, k: k, mu: m.loc, linv: m.linv, cst: cst}
	work := func(ci int) {
		st := parts[ci]
		lo, hi := ci*pfChunk, min((ci+1)*pfChunk, n)
		pm := shared.clone()
		ell := make([]float64, k)
		z := make([]float64, d)
		for p := lo; p < hi; p++ {
			xp := x[p*d : (p+1)*d]
			wp := 1.0
			if w != nil {
				wp = w[p]
			}
			pm.logJoint(ell, xp)
			mx := math.Inf(-1)
			for _, v := range ell {
				if v > mx {
					mx = v
				}
			}
			// Unnormalised posteriors; a term more than 40 below the maximum
			// (e^-40 ≈ 4e-18 relative) is dropped, and the maximum itself is
			// exactly 1, which saves most exponentials when the components
			// are well separated.
			var sum float64
			for c := 0; c < k; c++ {
				switch dl := ell[c] - mx; {
				case dl == 0:
					ell[c] = 1
				case dl > -40:
					ell[c] = expNeg(dl)
				default:
					ell[c] = 0
				}
				sum += ell[c]
			}
			if !(sum >= 1) || math.IsInf(mx, 0) {
				// NaN or an infinite log density: report it below.
				st.logLik = math.NaN()
				continue
			}
			if wantLL {
				st.logLik += wp * (mx + math.Log(sum))
			}
			if wp == 0 {
				continue
			}
			scale := wp / sum
			for c := 0; c < k; c++ {
				r := ell[c] * scale
				if r == 0 {
					continue
				}
				st.n[c] += r
				cc := st.c[c*d : (c+1)*d] // centres are set below, before work runs
				s := st.s[c*d : (c+1)*d]
				bigS := st.S[c*d*d : (c+1)*d*d]
				if d == 2 {
					z0, z1 := xp[0]-cc[0], xp[1]-cc[1]
					rz0, rz1 := r*z0, r*z1
					s[0] += rz0
					s[1] += rz1
					bigS[0] += rz0 * z0
					bigS[2] += rz1 * z0
					bigS[3] += rz1 * z1
					continue
				}
				for i := 0; i < d; i++ {
					z[i] = xp[i] - cc[i]
					s[i] += r * z[i]
				}
				for i := 0; i < d; i++ {
					rz := r * z[i]
					for j := 0; j <= i; j++ {
						bigS[i*d+j] += rz * z[j]
					}
				}
			}
		}
	}
	for _, st := range parts {
		copy(st.c, m.loc)
	}
	workers := min(runtime.GOMAXPROCS(0), nChunks)
	if workers <= 1 {
		for ci := 0; ci < nChunks; ci++ {
			work(ci)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int, nChunks)
		for ci := 0; ci < nChunks; ci++ {
			next <- ci
		}
		close(next)
		for g := 0; g < workers; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ci := range next {
					work(ci)
				}
			}()
		}
		wg.Wait()
	}
	out := newPFStats(k, d)
	copy(out.c, m.loc)
	for _, st := range parts {
		out.add(st)
	}
	inv := 1 / wTot
	for i := range out.n {
		out.n[i] *= inv
	}
	for i := range out.s {
		out.s[i] *= inv
	}
	for c := 0; c < k; c++ {
		bigS := out.S[c*d*d : (c+1)*d*d]
		for i := 0; i < d; i++ {
			for j := 0; j <= i; j++ {
				v := bigS[i*d+j] * inv
				bigS[i*d+j], bigS[j*d+i] = v, v
			}
		}
	}
	out.logLik *= inv
	if math.IsNaN(out.logLik) || math.IsInf(out.logLik, 0) {
		return nil, fmt.Errorf("the log density of a point is not finite")
	}
	return out, nil
}
