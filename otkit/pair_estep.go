package otkit

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/otlab/gootlab/otkit/internal/simd"
)

// eStepStats are the E-step sufficient statistics of one mixture (note §8.3),
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
type eStepStats struct {
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

func newEStepStats(k, d int) *eStepStats {
	return &eStepStats{
		k: k, d: d,
		n: make([]float64, k),
		c: make([]float64, k*d),
		s: make([]float64, k*d),
		S: make([]float64, k*d*d),
	}
}

func (st *eStepStats) clear() {
	clear(st.n)
	clear(st.s)
	clear(st.S)
	st.logLik = 0
}

func (st *eStepStats) add(o *eStepStats) {
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

// eStepChunk is the number of points one E-step task handles. It is fixed, not
// derived from GOMAXPROCS: chunk partial sums are added in chunk order, so
// the statistics are bit-identical however many goroutines ran.
const eStepChunk = 2048

// pairEStep computes the responsibilities of the mixture m for the points x
// (n×d, flat) with weights w (nil = all ones) and returns their statistics
// (with the mean log-likelihood when wantLL).
// It costs O(N·K·d²) and runs chunks in parallel (at most GOMAXPROCS
// goroutines) with a fixed reduction order.
func pairEStep(m *flatMixture, x, w []float64, wTot float64, wantLL bool) (*eStepStats, error) {
	k, d := m.lay.k, m.lay.d
	n := len(x) / d
	nChunks := (n + eStepChunk - 1) / eStepChunk
	// Each chunk's statistics are allocated by the goroutine that fills
	// them (inside work), so two workers never write to one cache line:
	// allocating them all up front put neighbouring chunks' few-float
	// slices side by side, and the false sharing made two cores slower
	// than one.
	parts := make([]*eStepStats, nChunks)
	// Per-component constants: log π_k − ½(d log 2π + log|Σ_k|).
	cst := make([]float64, k)
	for c := 0; c < k; c++ {
		cst[c] = m.logPi[c] - 0.5*(float64(d)*math.Log(2*math.Pi)+m.logDet[c])
	}
	// The log joint densities are the EM's (mixture.go), on the pair's
	// parameters.
	shared := &preparedMixture{d: d, k: k, mu: m.loc, linv: m.linv, cst: cst}
	work := func(ci int) {
		st := newEStepStats(k, d)
		copy(st.c, m.loc)
		parts[ci] = st
		lo, hi := ci*eStepChunk, min((ci+1)*eStepChunk, n)
		if d == 2 && k <= eStepFastK {
			eStepChunk2D(st, shared, x, w, lo, hi, wantLL)
			return
		}
		eStepRange(st, shared, x, w, lo, hi, wantLL)
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
	out := newEStepStats(k, d)
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

// eStepRange accumulates the statistics of points lo..hi−1 into st (whose
// centres are set). It is the general form of every chunk and the
// reference eStepChunk2D is tested against.
func eStepRange(st *eStepStats, shared *preparedMixture, x, w []float64, lo, hi int, wantLL bool) {
	k, d := shared.k, shared.d
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
				ell[c] = simd.ExpNeg(dl)
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
			cc := st.c[c*d : (c+1)*d]
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

// eStepFastK is the largest K that eStepChunk2D handles.
const eStepFastK = 8

// eStepChunk2D is eStepRange for d = 2 and K ≤ eStepFastK: the parameters and the
// running sums live in fixed-size local arrays and the log joint density
// is computed inline, which removes the per-point calls, slicing and
// bounds checks that dominated the tutorial's E-steps. It performs the same
// floating-point operations in the same order as eStepRange, so the
// statistics are bit for bit the same (TestPFEChunk2MatchesGeneral).
func eStepChunk2D(st *eStepStats, pm *preparedMixture, x, w []float64, lo, hi int, wantLL bool) {
	k := pm.k
	var mu, cc, sk [2 * eStepFastK]float64
	var li, bigS [4 * eStepFastK]float64
	var cst, nk, ell [eStepFastK]float64
	copy(mu[:], pm.mu[:2*k])
	copy(li[:], pm.linv[:4*k])
	copy(cst[:], pm.cst[:k])
	copy(cc[:], st.c[:2*k])
	copy(nk[:], st.n[:k])
	copy(sk[:], st.s[:2*k])
	copy(bigS[:], st.S[:4*k])
	logLik := st.logLik
	x = x[2*lo : 2*hi]
	for p := 0; p < hi-lo; p++ {
		x0, x1 := x[2*p], x[2*p+1]
		wp := 1.0
		if w != nil {
			wp = w[lo+p]
		}
		mx := math.Inf(-1)
		for c := 0; c < k; c++ {
			a0 := x0 - mu[2*c]
			a1 := x1 - mu[2*c+1]
			z0 := li[4*c] * a0
			z1 := li[4*c+2]*a0 + li[4*c+3]*a1
			v := cst[c] - 0.5*(z0*z0+z1*z1)
			ell[c] = v
			if v > mx {
				mx = v
			}
		}
		sum := simd.ExpShiftSum(ell[:k], mx)
		if !(sum >= 1) || math.IsInf(mx, 0) {
			logLik = math.NaN()
			continue
		}
		if wantLL {
			logLik += wp * (mx + math.Log(sum))
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
			nk[c] += r
			z0, z1 := x0-cc[2*c], x1-cc[2*c+1]
			rz0, rz1 := r*z0, r*z1
			sk[2*c] += rz0
			sk[2*c+1] += rz1
			bigS[4*c] += rz0 * z0
			bigS[4*c+2] += rz1 * z0
			bigS[4*c+3] += rz1 * z1
		}
	}
	copy(st.n, nk[:k])
	copy(st.s, sk[:2*k])
	copy(st.S, bigS[:4*k])
	st.logLik = logLik
}
