package otkit

import "math"

// Balanced iterations of small stored problems in stabilised scaling form.
//
// The pair fit solves a K0×K1 component problem (K of a few) hundreds of
// times, each up to MaxIterations iterations (note §9.1: the tutorial's
// balanced fit runs 600 solves that all hit the 2000-iteration cap). On such
// a problem a log-domain iteration costs K0·K1 exponentials and a logarithm
// per entry plus the kernel's per-call bookkeeping, far more than the
// arithmetic. With f = ε(F̃ + log u) and g = ε(G̃ + log v) the log-domain
// updates
//
//	g_j = ε log b_j − ε LSE_i (f_i − C_ij)/ε,  f_i = ε log a_i − ε LSE_j (g_j − C_ij)/ε
//
// are exactly v_j = b_j / Σ_i K̃_ij u_i and u_i = a_i / Σ_j K̃_ij v_j with the
// stabilised kernel K̃_ij = exp(F̃_i + G̃_j − C_ij/ε) (Schmitzer's
// absorption): the same iterates, a multiply-add per entry and no exp or
// log. When a scaling leaves [1e-50, 1e50] it is absorbed into F̃, G̃ and K̃
// is recomputed; an entry of K̃ that underflowed then stays below 1e-270 of
// the sums it would enter. If a sum is zero or not finite the solve returns
// to the log domain for good. The first iteration always runs in the log
// domain, so K̃ starts as the current coupling, whose rows carry the weights.
//
// The loop rules (blocks, error checks, stopping, iteration count) are the
// solver's own; only the iteration and the balanced §2.3 error change form.
// It is used where it gives the log domain's iterates: balanced, stored
// cost, constant ε, sequential updates without acceleration, positive
// weights, zero start, fast kernel allowed (ReferenceKernel keeps the plain
// log-domain solver, which the tests compare it with).

// scalingMaxEntries bounds the problems that use the scaling form: K̃ is
// n·m and is rebuilt at every absorption, which pays only while the
// per-call overhead of the log-domain kernels dominates.
const scalingMaxEntries = 256

// scalingBound is where a scaling is absorbed into the potentials.
const scalingBound = 1e50

type scalingForm struct {
	n, m   int
	cs     []float64 // C/ε, n·m
	a, b   []float64
	eps    float64
	ft, gt []float64 // absorbed potentials F̃, G̃ (units of ε)
	u, v   []float64
	un, vn []float64
	kt     []float64 // K̃, n·m
	col    []float64 // scratch, m
	on     bool

	// For the tests: absorptions, returns to the log domain, and an
	// iteration (counted from 1) whose scaling step reports a failure.
	nAbsorb, nFallback int
	failAt             int
}

// useScalingForm reports whether the solve may run in scaling form.
func useScalingForm(geom *Geometry, a, b []float64, c sinkhornConfig) bool {
	n, m := geom.Shape()
	if geom.cost == nil || n*m > scalingMaxEntries {
		return false
	}
	sch := geom.schedule
	if !(sch.Init == 1 && sch.Decay == 1) {
		return false
	}
	if c.TauA != 1 || c.TauB != 1 || c.KernelMode || c.ParallelDualUpdates || c.Momentum != 1 ||
		c.MomentumStart != 0 || c.Anderson != 0 || c.InitF != nil || c.InitG != nil || c.ReferenceKernel {
		return false
	}
	for _, w := range [][]float64{a, b} {
		for _, v := range w {
			if !(v > 0) {
				return false
			}
		}
	}
	return true
}

func newScalingForm(geom *Geometry, a, b []float64) *scalingForm {
	n, m := geom.Shape()
	s := &scalingForm{
		n: n, m: m, a: a, b: b, eps: geom.eps,
		cs: make([]float64, n*m), kt: make([]float64, n*m),
		ft: make([]float64, n), gt: make([]float64, m),
		u: make([]float64, n), v: make([]float64, m),
		un: make([]float64, n), vn: make([]float64, m),
		col: make([]float64, m),
	}
	inv := 1 / geom.eps
	for k, c := range geom.cost {
		s.cs[k] = c * inv
	}
	return s
}

// scaledIterate runs iteration t in scaling form when it is on and reports
// whether it did. On a failed step it writes the potentials back into s.f,
// s.g and turns the form off, so the caller redoes the iteration in the log
// domain.
func (s *solver) scaledIterate(t int) bool {
	sc := s.sc
	if !sc.on {
		return false
	}
	if t+1 != sc.failAt && sc.step() {
		return true
	}
	sc.sync(s.f, s.g)
	sc.on = false
	sc.nFallback++
	return false
}

// enter starts the scaling form from the potentials f, g (at eps).
func (sc *scalingForm) enter(f, g []float64, eps float64) {
	for i, x := range f {
		sc.ft[i] = x / eps
	}
	for j, x := range g {
		sc.gt[j] = x / eps
	}
	sc.absorbKernel()
	sc.on = true
}

// absorbKernel sets u = v = 1 and K̃ from F̃, G̃.
func (sc *scalingForm) absorbKernel() {
	m := sc.m
	for i := range sc.u {
		sc.u[i] = 1
	}
	for j := range sc.v {
		sc.v[j] = 1
	}
	for i := 0; i < sc.n; i++ {
		for j := 0; j < m; j++ {
			// Below −746 math.Exp returns exactly 0; skip the call.
			if e := sc.ft[i] + sc.gt[j] - sc.cs[i*m+j]; e > -746 {
				sc.kt[i*m+j] = math.Exp(e)
			} else {
				sc.kt[i*m+j] = 0
			}
		}
	}
}

// sync writes f = ε(F̃ + log u) and g = ε(G̃ + log v).
func (sc *scalingForm) sync(f, g []float64) {
	for i, x := range sc.u {
		f[i] = sc.eps * (sc.ft[i] + math.Log(x))
	}
	for j, x := range sc.v {
		g[j] = sc.eps * (sc.gt[j] + math.Log(x))
	}
}

// colError is the balanced §2.3 error ‖Pᵀ1 − b‖_p with P_ij = u_i K̃_ij v_j.
func (sc *scalingForm) colError(p float64) float64 {
	n, m := sc.n, sc.m
	for j := 0; j < m; j++ {
		var sum float64
		for i := 0; i < n; i++ {
			sum += sc.u[i] * sc.kt[i*m+j]
		}
		sc.col[j] = sum * sc.v[j]
	}
	return lpNorm(sc.col, sc.b, p)
}

// step performs one balanced iteration (v then u) and reports false,
// changing nothing, if a sum is zero or not finite.
func (sc *scalingForm) step() bool {
	n, m := sc.n, sc.m
	kt, u, vn, un := sc.kt, sc.u, sc.vn, sc.un
	for j := 0; j < m; j++ {
		var sum float64
		for i := 0; i < n; i++ {
			sum += kt[i*m+j] * u[i]
		}
		if !(sum > 0 && sum <= math.MaxFloat64) {
			return false
		}
		vn[j] = sc.b[j] / sum
	}
	for i := 0; i < n; i++ {
		row := kt[i*m : (i+1)*m]
		var sum float64
		for j, kij := range row {
			sum += kij * vn[j]
		}
		if !(sum > 0 && sum <= math.MaxFloat64) {
			return false
		}
		un[i] = sc.a[i] / sum
	}
	absorb := false
	for j, x := range vn {
		sc.v[j] = x
		absorb = absorb || x > scalingBound || x < 1/scalingBound
	}
	for i, x := range un {
		u[i] = x
		absorb = absorb || x > scalingBound || x < 1/scalingBound
	}
	if absorb {
		sc.nAbsorb++
		for i, x := range u {
			sc.ft[i] += math.Log(x)
		}
		for j, x := range sc.v {
			sc.gt[j] += math.Log(x)
		}
		sc.absorbKernel()
	}
	return true
}
