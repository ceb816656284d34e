package otkit

import (
	"fmt"
	"math"
)

// UnbalancedBarycenterOptions configures UnbalancedBarycenter. Tau has no
// default (τ = 1, balanced, needs equal masses: use Barycenter).
type UnbalancedBarycenterOptions struct {
	// Weights are the barycentric coordinates, one per input (nil →
	// uniform); non-negative with a positive sum, normalised to sum 1.
	Weights []float64
	// Tau in (0, 1) relaxes both marginals of every coupling with KL
	// penalties of strength ρ = ε·τ/(1−τ), as SinkhornOptions.TauA/TauB do
	// (POT's reg_m = ρ; τ = reg_m/(reg_m + reg) is POT's exponent fi).
	Tau float64
	// Threshold bounds the change of the barycenter over one iteration,
	// max|q − q_prev| / max(max q, max q_prev, 1), checked every 10
	// iterations (POT's err); 0 → 1e-6 (POT's stopThr).
	Threshold float64
	// MaxIterations caps the iterations; 0 → 10000.
	MaxIterations int
}

type unbalancedBarycenterConfig struct {
	weights []float64
	tau     float64
	thr     float64
	maxIter int
}

func (o UnbalancedBarycenterOptions) resolve(k int) (unbalancedBarycenterConfig, error) {
	c := unbalancedBarycenterConfig{tau: o.Tau, thr: o.Threshold, maxIter: o.MaxIterations}
	bad := func(format string, args ...any) (unbalancedBarycenterConfig, error) {
		return c, fmt.Errorf("otkit: UnbalancedBarycenter options: "+format, args...)
	}
	if !(o.Tau > 0 && o.Tau < 1) {
		return bad("Tau must be in (0, 1), have %g: set the marginal relaxation (ρ = ε·τ/(1−τ)); for τ = 1 use Barycenter", o.Tau)
	}
	w, s, err := checkWeights(o.Weights, k, "Weights (one per input)")
	if err != nil {
		return c, within("UnbalancedBarycenter options", err)
	}
	for i := range w {
		w[i] /= s
	}
	c.weights = w
	if math.IsNaN(o.Threshold) || o.Threshold < 0 || math.IsInf(o.Threshold, 0) {
		return bad("Threshold must be positive and finite, have %g", o.Threshold)
	}
	if c.thr == 0 {
		c.thr = 1e-6
	}
	if o.MaxIterations < 0 {
		return bad("MaxIterations must not be negative, have %d", o.MaxIterations)
	}
	if c.maxIter == 0 {
		c.maxIter = 10000
	}
	return c, nil
}

// UnbalancedBarycenterResult is the barycenter found by
// UnbalancedBarycenter.
type UnbalancedBarycenterResult struct {
	// Convergence: Errors holds the relative change of the
	// barycenter at iterations 10, 20, ...
	Convergence
	Histogram []float64 // q, one weight per column of the geometry
	Epsilon   float64
	// F, G are the potentials of the couplings, P_k = exp((F_k,i + G_k,j −
	// C_ij)/ε), as in BarycenterResult.
	F, G [][]float64
}

// UnbalancedBarycenter computes the entropic unbalanced barycenter of
// histograms of any masses (each of the length of geom's rows, the
// barycenter on its columns):
//
//	q = argmin_q Σ_k λ_k UOT(a_k, q),
//	UOT(a, q) = min_P ⟨P, C⟩ + ε Σ P (log P − 1) + ρ KL(P1|a) + ρ KL(Pᵀ1|q),
//
// POT's ot.unbalanced.barycenter_unbalanced with reg = ε (the geometry's) and
// reg_m = ρ = ε·τ/(1−τ). The generalised Sinkhorn iteration (Chizat et al.
// 2016) runs in the log domain, so no kernel underflows:
//
//	f_k = τ(ε log a_k − ε LSE_j((g_k,j − C_ij)/ε)),  L_k = ε LSE_i((f_k,i − C_ij)/ε),
//	ε log q = ε/(1−τ) · LSE_k(log λ_k + (1−τ) L_k/ε),  g_k = τ(ε log q − L_k).
//
// The q step is the minimiser over q of the ρ KL(·|q) terms given the
// couplings' column sums (a weighted power mean, exponent 1−τ). Histograms
// may have zeros (their potential is −Inf); a zero histogram is an error.
// Non-convergence returns the result and a nil error (res.Err()).
func UnbalancedBarycenter(geom *Geometry, hists [][]float64, opt UnbalancedBarycenterOptions) (*UnbalancedBarycenterResult, error) {
	const op = "UnbalancedBarycenter"
	if geom == nil {
		return nil, fmt.Errorf("otkit: %s: nil geometry (build one with NewGeometry or NewPointCloud)", op)
	}
	n, m := geom.Shape()
	if len(hists) == 0 {
		return nil, fmt.Errorf("otkit: %s: no input histograms", op)
	}
	logA := make([][]float64, len(hists))
	for k, h := range hists {
		w, _, err := checkWeights(h, n, fmt.Sprintf("histogram %d", k))
		if err != nil {
			return nil, within(op, err)
		}
		logA[k] = logs(w)
	}
	cfg, err := opt.resolve(len(hists))
	if err != nil {
		return nil, err
	}
	eps, tau := geom.Epsilon(), cfg.tau
	kern := float64Kernel(geom, false)
	K := len(hists)
	res := &UnbalancedBarycenterResult{Epsilon: eps, F: make([][]float64, K), G: make([][]float64, K),
		Convergence: Convergence{MaxIterations: cfg.maxIter, Threshold: cfg.thr, kind: unbalancedBarycenterLoop}}
	L := make([][]float64, K)
	for k := range hists {
		res.F[k], res.G[k], L[k] = make([]float64, n), make([]float64, m), make([]float64, m)
	}
	logQ, prev := make([]float64, m), make([]float64, m)
	lw := logs(cfg.weights)
	terms := make([]float64, K)
	it := 0
	for it < cfg.maxIter {
		it++
		for k := range hists {
			kern.RowLSE(res.F[k], res.G[k], eps)
			for i, v := range res.F[k] {
				res.F[k][i] = tau * (eps*logA[k][i] - v)
			}
			kern.ColLSE(L[k], res.F[k], eps)
		}
		copy(prev, logQ)
		for j := range logQ {
			for k := range hists {
				terms[k] = lw[k] + (1-tau)*L[k][j]/eps
			}
			logQ[j] = logSumExp(terms) / (1 - tau)
			for k := range hists {
				res.G[k][j] = tau * (eps*logQ[j] - L[k][j])
			}
		}
		if it%10 == 0 || it == cfg.maxIter {
			e := relMaxChange(logQ, prev)
			res.Errors = append(res.Errors, e)
			if e <= cfg.thr {
				res.Converged = true
				break
			}
			if math.IsNaN(e) {
				break
			}
		}
	}
	res.Iterations = it
	res.Histogram = make([]float64, m)
	for j, v := range logQ {
		res.Histogram[j] = math.Exp(v)
	}
	if !finiteVec(res.Histogram) {
		return nil, numericalError("%s: the barycenter is not finite (ε = %g, τ = %g): rescale the costs or raise epsilon", op, eps, tau)
	}
	return res, nil
}

// logSumExp returns log Σ exp(v), −Inf when every term is.
func logSumExp(v []float64) float64 {
	mx := math.Inf(-1)
	for _, x := range v {
		mx = math.Max(mx, x)
	}
	if math.IsInf(mx, -1) {
		return mx
	}
	var s float64
	for _, x := range v {
		s += math.Exp(x - mx)
	}
	return mx + math.Log(s)
}

// relMaxChange is POT's barycenter error between exp(lq) and exp(lp):
// max|q − p| / max(max q, max p, 1).
func relMaxChange(lq, lp []float64) float64 {
	var d, top float64 = 0, 1
	for j := range lq {
		q, p := math.Exp(lq[j]), math.Exp(lp[j])
		d = math.Max(d, math.Abs(q-p))
		top = math.Max(top, math.Max(q, p))
	}
	return d / top
}

// The loops of the solvers above, for the messages of Err.
var unbalancedBarycenterLoop = &loopKind{op: "UnbalancedBarycenter", cap: "UnbalancedBarycenterOptions.MaxIterations", unit: "iterations", statistic: "relative change of the barycenter", help: "raise UnbalancedBarycenterOptions.MaxIterations, or epsilon"}
