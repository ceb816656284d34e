package otkit

import (
	"fmt"
	"math"
)

// This file holds the closed-form pieces of the coupled-mixture M-step
// gradient (note §8.3–8.4), on flat row-major slices so that one Adam step
// costs O(K·d³) whatever the number of points:
//
//   - a mixture's parameters packed into one vector (paramLayout),
//   - the quantities derived from them once per step (flatMixture: L, Σ, Σ⁻¹,
//     log|Σ|, π),
//   - the E-step sufficient statistics (eStepStats, see pair_estep.go) and Q with
//     its gradient from them,
//   - the Bures cost between components with its symmetric gradients,
//   - the chain rules to the Cholesky parameters and to the logits.

// paramLayout describes how one mixture's free parameters sit in a flat vector:
// K·d means, then K·d(d+1)/2 Cholesky parameters (row-major lower triangle,
// log on the diagonal), then K−1 logits. It is the order Adam sees them in.
type paramLayout struct{ k, d int }

func (l paramLayout) nTri() int { return l.d * (l.d + 1) / 2 }
func (l paramLayout) size() int { return l.k*l.d + l.k*l.nTri() + l.k - 1 }
func (l paramLayout) loc(th []float64) []float64 {
	return th[:l.k*l.d]
}
func (l paramLayout) scale(th []float64) []float64 {
	return th[l.k*l.d : l.k*l.d+l.k*l.nTri()]
}
func (l paramLayout) logits(th []float64) []float64 {
	return th[l.k*l.d+l.k*l.nTri():]
}

// triIndex is the index of L_ij (i ≥ j) in a Cholesky parameter vector.
func triIndex(i, j int) int { return i*(i+1)/2 + j }

// flatMixture holds what one gradient evaluation derives from a parameter vector.
type flatMixture struct {
	lay    paramLayout
	loc    []float64 // K·d, aliases the parameter vector
	chol   []float64 // K·d², lower-triangular L_k
	cov    []float64 // K·d², Σ_k = L_k L_kᵀ
	prec   []float64 // K·d², Σ_k⁻¹
	linv   []float64 // K·d², L_k⁻¹ (lower triangular)
	logDet []float64 // K, log|Σ_k|
	pi     []float64 // K, softmax([θ, 0])
	logPi  []float64 // K
	sqrt   []float64 // K·d², Σ_k^{1/2} (filled by buresCost for the source side)
	isqrt  []float64 // K·d², Σ_k^{-1/2}
}

func newFlatMixture(lay paramLayout) *flatMixture {
	k, d := lay.k, lay.d
	return &flatMixture{
		lay:    lay,
		chol:   make([]float64, k*d*d),
		cov:    make([]float64, k*d*d),
		prec:   make([]float64, k*d*d),
		linv:   make([]float64, k*d*d),
		logDet: make([]float64, k),
		pi:     make([]float64, k),
		logPi:  make([]float64, k),
		sqrt:   make([]float64, k*d*d),
		isqrt:  make([]float64, k*d*d),
	}
}

// set derives L, Σ, Σ⁻¹, log|Σ| and π from the parameter vector th. It fails
// on non-finite parameters and on a covariance whose Cholesky factor has a
// zero or non-finite diagonal.
func (m *flatMixture) set(th []float64) error {
	lay := m.lay
	k, d, nt := lay.k, lay.d, lay.nTri()
	for i, v := range th {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("non-finite parameter %d (%v)", i, v)
		}
	}
	m.loc = lay.loc(th)
	sc := lay.scale(th)
	for c := 0; c < k; c++ {
		p := sc[c*nt : (c+1)*nt]
		l := m.chol[c*d*d : (c+1)*d*d]
		var logDet float64
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				switch {
				case j < i:
					l[i*d+j] = p[triIndex(i, j)]
				case j == i:
					l[i*d+j] = math.Exp(p[triIndex(i, i)])
					logDet += 2 * p[triIndex(i, i)]
				default:
					l[i*d+j] = 0
				}
			}
			if l[i*d+i] == 0 || math.IsInf(l[i*d+i], 0) {
				return fmt.Errorf("component %d: Cholesky diagonal %d is %v (log %v)", c, i, l[i*d+i], p[triIndex(i, i)])
			}
		}
		m.logDet[c] = logDet
		cv := m.cov[c*d*d : (c+1)*d*d]
		for i := 0; i < d; i++ {
			for j := 0; j <= i; j++ {
				var s float64
				for r := 0; r <= j; r++ {
					s += l[i*d+r] * l[j*d+r]
				}
				cv[i*d+j], cv[j*d+i] = s, s
			}
		}
		cholInverse(m.prec[c*d*d:(c+1)*d*d], m.linv[c*d*d:(c+1)*d*d], l, d)
	}
	softmaxLogits(m.pi, m.logPi, lay.logits(th))
	return nil
}

// cholInverse writes L⁻¹ (lower triangular, by forward substitution) into
// inv and Σ⁻¹ = L⁻ᵀL⁻¹ into dst for the lower-triangular L.
func cholInverse(dst, inv, l []float64, d int) {
	triLowerInvTo(inv, l, d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			var s float64
			for r := i; r < d; r++ {
				s += inv[r*d+i] * inv[r*d+j]
			}
			dst[i*d+j], dst[j*d+i] = s, s
		}
	}
}

// softmaxLogits writes softmax([θ, 0]) and its logarithm.
func softmaxLogits(pi, logPi, theta []float64) {
	k := len(pi)
	mx := 0.0
	for _, t := range theta {
		mx = math.Max(mx, t)
	}
	var s float64
	for c := 0; c < k; c++ {
		t := 0.0
		if c < k-1 {
			t = theta[c]
		}
		s += math.Exp(t - mx)
	}
	ls := mx + math.Log(s)
	for c := 0; c < k; c++ {
		t := 0.0
		if c < k-1 {
			t = theta[c]
		}
		logPi[c] = t - ls
		pi[c] = math.Exp(logPi[c])
	}
}

// mixtureGrad is the gradient of J with respect to one mixture, before the
// Cholesky and softmax chains: means, symmetric covariance gradients G_k
// (dJ = Σ_k tr(G_k dΣ_k)) and the logit gradient.
type mixtureGrad struct {
	loc    []float64 // K·d
	g      []float64 // K·d²
	logits []float64 // K−1
}

func newMixtureGrad(lay paramLayout) *mixtureGrad {
	return &mixtureGrad{
		loc:    make([]float64, lay.k*lay.d),
		g:      make([]float64, lay.k*lay.d*lay.d),
		logits: make([]float64, lay.k-1),
	}
}

func (g *mixtureGrad) reset() {
	clear(g.loc)
	clear(g.g)
	clear(g.logits)
}

// expectedLogLik returns Q (note §8.3) of the mixture m under the statistics st and,
// when gr is not nil, adds its gradient to gr. With δ_k = μ_k − c_k (c_k the
// centre the statistics were accumulated around),
//
//	M_k = S_k − s_k δᵀ − δ s_kᵀ + N_k δ δᵀ,
//	Q   = Σ_k N_k log π_k − ½ N_k (d log 2π + log|Σ_k|) − ½ tr(Σ_k⁻¹ M_k),
//	∂Q/∂μ_k = Σ_k⁻¹ (s_k − N_k δ),
//	G_k = ½ Σ_k⁻¹ M_k Σ_k⁻¹ − ½ N_k Σ_k⁻¹,
//	∂Q/∂θ_j = N_j − π_j Σ_k N_k.
func expectedLogLik(m *flatMixture, st *eStepStats, gr *mixtureGrad) float64 {
	k, d := m.lay.k, m.lay.d
	log2pi := math.Log(2 * math.Pi)
	var buf [3 * 64]float64
	var mk, pm, delta []float64
	if 2*d*d+d <= len(buf) {
		mk, pm, delta = buf[:d*d], buf[d*d:2*d*d], buf[2*d*d:2*d*d+d]
	} else {
		mk, pm, delta = make([]float64, d*d), make([]float64, d*d), make([]float64, d)
	}
	var q, nTot float64
	for c := 0; c < k; c++ {
		n := st.n[c]
		nTot += n
		s := st.s[c*d : (c+1)*d]
		bigS := st.S[c*d*d : (c+1)*d*d]
		for i := 0; i < d; i++ {
			delta[i] = m.loc[c*d+i] - st.c[c*d+i]
		}
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				mk[i*d+j] = bigS[i*d+j] - s[i]*delta[j] - delta[i]*s[j] + n*delta[i]*delta[j]
			}
		}
		prec := m.prec[c*d*d : (c+1)*d*d]
		var tr float64
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				tr += prec[i*d+j] * mk[j*d+i]
			}
		}
		if n > 0 {
			q += n * m.logPi[c]
		}
		q += -0.5*n*(float64(d)*log2pi+m.logDet[c]) - 0.5*tr
		if gr == nil {
			continue
		}
		for i := 0; i < d; i++ {
			var v float64
			for j := 0; j < d; j++ {
				v += prec[i*d+j] * (s[j] - n*delta[j])
			}
			gr.loc[c*d+i] += v
		}
		// pm = Σ⁻¹ M; G += ½ pm Σ⁻¹ − ½ N Σ⁻¹.
		mulTo(pm, prec, mk, d)
		g := gr.g[c*d*d : (c+1)*d*d]
		for i := 0; i < d; i++ {
			for j := 0; j <= i; j++ {
				var v, w float64
				for r := 0; r < d; r++ {
					v += pm[i*d+r] * prec[r*d+j]
					w += pm[j*d+r] * prec[r*d+i]
				}
				add := 0.25*(v+w) - 0.5*n*prec[i*d+j]
				g[i*d+j] += add
				if i != j {
					g[j*d+i] += add
				}
			}
		}
	}
	if gr != nil {
		for c := 0; c < k-1; c++ {
			gr.logits[c] += st.n[c] - m.pi[c]*nTot
		}
	}
	return q
}

// addWeightGrad adds the logit gradient of −w·R through π = softmax([θ,0])
// given γ = ∂R/∂π: ∂/∂θ_j = −w π_j (γ_j − ⟨π, γ⟩).
func addWeightGrad(gr *mixtureGrad, pi, gamma []float64, w float64) {
	var mean float64
	for c := range pi {
		mean += pi[c] * gamma[c]
	}
	for c := 0; c < len(pi)-1; c++ {
		gr.logits[c] -= w * pi[c] * (gamma[c] - mean)
	}
}

// chainToParams writes the gradient with respect to the packed parameter vector
// (layout lay) into dst from the mean gradients, the symmetric covariance
// gradients G_k and the logit gradient: for Σ = LLᵀ, ∂J/∂L = tril(2GL); the
// diagonal parameters are log L_ii, so their entries are (2GL)_ii·L_ii.
func chainToParams(dst []float64, lay paramLayout, m *flatMixture, gr *mixtureGrad) {
	k, d, nt := lay.k, lay.d, lay.nTri()
	copy(lay.loc(dst), gr.loc)
	sc := lay.scale(dst)
	for c := 0; c < k; c++ {
		g := gr.g[c*d*d : (c+1)*d*d]
		l := m.chol[c*d*d : (c+1)*d*d]
		p := sc[c*nt : (c+1)*nt]
		for i := 0; i < d; i++ {
			for j := 0; j <= i; j++ {
				var v float64
				for r := j; r < d; r++ {
					v += g[i*d+r] * l[r*d+j]
				}
				v *= 2
				if i == j {
					v *= l[i*d+i]
				}
				p[triIndex(i, j)] = v
			}
		}
	}
	copy(lay.logits(dst), gr.logits)
}

// sqrtPair writes a^{1/2} and a^{-1/2} of the symmetric positive definite
// d×d matrix a and returns tr a^{1/2}. vals, vecs and work are scratch.
func sqrtPair(sq, isq, a, vals, vecs, work []float64, d int) (float64, error) {
	if err := symEigen(vals, vecs, a, work, d); err != nil {
		return 0, err
	}
	mx := 0.0
	for _, l := range vals {
		mx = math.Max(mx, math.Abs(l))
	}
	var tr float64
	for i, l := range vals {
		if !(l > 1e-14*mx) || math.IsInf(l, 0) {
			return 0, fmt.Errorf("matrix is not positive definite (eigenvalue %g)", l)
		}
		vals[i] = math.Sqrt(l)
		tr += vals[i]
	}
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			var s, si float64
			for r := 0; r < d; r++ {
				vv := vecs[i*d+r] * vecs[j*d+r]
				s += vv * vals[r]
				si += vv / vals[r]
			}
			sq[i*d+j], sq[j*d+i] = s, s
			if isq != nil {
				isq[i*d+j], isq[j*d+i] = si, si
			}
		}
	}
	return tr, nil
}

// buresCost holds the Bures cost matrix between the components of two
// mixtures and, per pair, the Monge matrices T (T Σ0 T = Σ1) and T⁻¹ whose
// complements are the symmetric gradients: ∂C_kl/∂Σ0k = I − T_kl and
// ∂C_kl/∂Σ1l = I − T_kl⁻¹; ∂C_kl/∂μ0k = 2(μ0k − μ1l).
type buresCost struct {
	k0, k1, d int
	cost      []float64 // k0·k1
	t, tInv   []float64 // k0·k1·d²
	scratch   []float64
}

func newBuresCost(k0, k1, d int) *buresCost {
	return &buresCost{
		k0: k0, k1: k1, d: d,
		cost:    make([]float64, k0*k1),
		t:       make([]float64, k0*k1*d*d),
		tInv:    make([]float64, k0*k1*d*d),
		scratch: make([]float64, 6*d*d+d),
	}
}

// compute fills the cost and, when grad is true, T and T⁻¹ for every pair.
// It also fills m0.sqrt and m0.isqrt. Errors name the side and component.
func (b *buresCost) compute(m0, m1 *flatMixture, grad bool) error {
	d := b.d
	dd := d * d
	vals := b.scratch[:d]
	vecs := b.scratch[d : d+dd]
	work := b.scratch[d+dd : d+2*dd]
	mm := b.scratch[d+2*dd : d+3*dd]
	rm := b.scratch[d+3*dd : d+4*dd]
	irm := b.scratch[d+4*dd : d+5*dd]
	tmp := b.scratch[d+5*dd : d+6*dd]
	for k := 0; k < b.k0; k++ {
		if _, err := sqrtPair(m0.sqrt[k*dd:(k+1)*dd], m0.isqrt[k*dd:(k+1)*dd], m0.cov[k*dd:(k+1)*dd], vals, vecs, work, d); err != nil {
			return fmt.Errorf("gmm0 component %d covariance: %v", k, err)
		}
	}
	for k := 0; k < b.k0; k++ {
		r0 := m0.sqrt[k*dd : (k+1)*dd]
		ir0 := m0.isqrt[k*dd : (k+1)*dd]
		s0 := m0.cov[k*dd : (k+1)*dd]
		mu0 := m0.loc[k*d : (k+1)*d]
		for l := 0; l < b.k1; l++ {
			s1 := m1.cov[l*dd : (l+1)*dd]
			mu1 := m1.loc[l*d : (l+1)*d]
			sandwichTo(mm, r0, s1, tmp, d)
			var isq []float64
			if grad {
				isq = irm
			}
			trRoot, err := sqrtPair(rm, isq, mm, vals, vecs, work, d)
			if err != nil {
				return fmt.Errorf("Bures cost between gmm0 component %d and gmm1 component %d: %v", k, l, err)
			}
			var c float64
			for i := 0; i < d; i++ {
				dm := mu0[i] - mu1[i]
				c += dm*dm + s0[i*d+i] + s1[i*d+i]
			}
			b.cost[k*b.k1+l] = c - 2*trRoot
			if grad {
				idx := (k*b.k1 + l) * dd
				sandwichTo(b.t[idx:idx+dd], ir0, rm, tmp, d)
				sandwichTo(b.tInv[idx:idx+dd], r0, irm, tmp, d)
			}
		}
	}
	return nil
}

// addTransportGrad adds the gradient of −w·Σ_kl P_kl C_kl (P frozen, the
// envelope theorem) to both mixtures' mean and covariance gradients. gr1 may
// be nil (gmm1 locked).
func addTransportGrad(gr0, gr1 *mixtureGrad, b *buresCost, m0, m1 *flatMixture, p []float64, w float64) {
	d, dd := b.d, b.d*b.d
	for k := 0; k < b.k0; k++ {
		for l := 0; l < b.k1; l++ {
			pkl := p[k*b.k1+l]
			if pkl == 0 {
				continue
			}
			wp := w * pkl
			idx := (k*b.k1 + l) * dd
			for i := 0; i < d; i++ {
				dm := m0.loc[k*d+i] - m1.loc[l*d+i]
				gr0.loc[k*d+i] -= 2 * wp * dm
				if gr1 != nil {
					gr1.loc[l*d+i] += 2 * wp * dm
				}
			}
			for i := 0; i < dd; i++ {
				e := 0.0
				if i%(d+1) == 0 {
					e = 1
				}
				gr0.g[k*dd+i] -= wp * (e - b.t[idx+i])
				if gr1 != nil {
					gr1.g[l*dd+i] -= wp * (e - b.tInv[idx+i])
				}
			}
		}
	}
}

// adamState is Adam (b1 0.9, b2 0.999, eps 1e-8, eps_root 0, bias correction
// with the step count starting at 1) used for ascent, as OTT's pair fit.
type adamState struct {
	lr   float64
	m, v []float64
	t    int
}

func (a *adamState) reset(n int) {
	if cap(a.m) < n {
		a.m, a.v = make([]float64, n), make([]float64, n)
	}
	a.m, a.v = a.m[:n], a.v[:n]
	clear(a.m)
	clear(a.v)
	a.t = 0
}

// ascend moves th by one Adam step along +grad.
func (a *adamState) ascend(th, grad []float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	a.t++
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	for i, g := range grad {
		a.m[i] = b1*a.m[i] + (1-b1)*g
		a.v[i] = b2*a.v[i] + (1-b2)*g*g
		mh := a.m[i] / c1
		vh := a.v[i] / c2
		th[i] += a.lr * mh / (math.Sqrt(vh) + eps)
	}
}
