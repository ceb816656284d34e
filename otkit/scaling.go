package otkit

import "math"

// Balanced iterations of stored problems in stabilised scaling form.
//
// With f = ε(F̃ + log u) and g = ε(G̃ + log v) the log-domain updates
//
//	g_j = ε log b_j − ε LSE_i (f_i − C_ij)/ε,  f_i = ε log a_i − ε LSE_j (g_j − C_ij)/ε
//
// are exactly v_j = b_j / Σ_i K̃_ij u_i and u_i = a_i / Σ_j K̃_ij v_j with the
// stabilised kernel K̃_ij = exp(F̃_i + G̃_j − C_ij/ε) (Schmitzer's
// absorption): the same iterates, a multiply-add per entry and no exp or
// log. When a scaling leaves [1e-50, 1e50] it is absorbed into F̃, G̃ and K̃
// is recomputed; an entry of K̃ that underflowed then stays below 1e-270 of
// the sums it would enter. If a sum is zero or not finite the solve returns
// to the log domain for good.
//
// Two forms share these rules. The small form (this file; up to
// scalingMaxEntries entries) serves the pair fit, which solves a K0×K1
// component problem (K of a few) hundreds of times, each up to
// MaxIterations iterations: there a log-domain iteration costs far more in
// exponentials and per-call bookkeeping than the arithmetic. Its first
// iteration runs in the log domain, so K̃ starts as the current coupling,
// whose rows carry the weights. The streamed form (scaling_stream.go) serves
// larger problems, where an iteration becomes one pass over K̃ in memory
// instead of two passes of exponentials; it starts before the first
// iteration where it can (enterCold).
//
// The loop rules (blocks, error checks, stopping, iteration count) are the
// solver's own; only the iteration and the balanced §2.3 error change form.
// It is used where it gives the log domain's iterates: balanced, stored
// cost, constant ε, sequential updates without acceleration, positive
// weights, zero start, fast kernel allowed (ReferenceKernel keeps the plain
// log-domain solver, which the tests compare it with).

// scalingMaxEntries is the size up to which the small form is used.
const scalingMaxEntries = 256

// streamMaxEntries bounds the streamed form: its K̃ is one more n·m matrix
// (8 bytes an entry, 4 with Float32) next to the geometry's costs during
// the solve; above this the solve stays in the log domain, which needs no
// n·m memory.
const streamMaxEntries = 1 << 29

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
	ktT    []float64 // K̃ᵀ, m·n: the v update reads columns contiguously
	col    []float64 // scratch, m
	on     bool

	st   *streamKernel // large problems: K̃ and the streamed passes; nil for the small form
	cold bool          // entered by enterCold, no step yet: the potentials are still 0
	// For the tests: whether enterCold succeeded.
	coldStart bool

	// For the tests: absorptions, returns to the log domain, and an
	// iteration (counted from 1) whose scaling step reports a failure.
	nAbsorb, nFallback int
	failAt             int
}

// useScalingForm reports whether the solve may run in scaling form: the
// small form up to scalingMaxEntries entries (not with Float32), the
// streamed form (scaling_stream.go) above.
func useScalingForm(geom *Geometry, a, b []float64, c sinkhornConfig) bool {
	n, m := geom.Shape()
	if geom.cost == nil || (n*m <= scalingMaxEntries && c.Float32) || n*m > streamMaxEntries {
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

// scalingFloat32 reports whether a streamed form with Float32 may store K̃
// in float32 (scalingMaxWeight32, scalingMinMass32); otherwise it is
// float64.
func scalingFloat32(a []float64, c sinkhornConfig) bool {
	if !c.Float32 {
		return false
	}
	mass := 0.0
	for _, v := range a {
		if v > scalingMaxWeight32 {
			return false
		}
		mass += v
	}
	return mass >= scalingMinMass32
}

func newScalingForm(geom *Geometry, a, b []float64, c sinkhornConfig) *scalingForm {
	n, m := geom.Shape()
	s := &scalingForm{
		n: n, m: m, a: a, b: b, eps: geom.eps,
		ft: make([]float64, n), gt: make([]float64, m),
		u: make([]float64, n), v: make([]float64, m),
		un: make([]float64, n), vn: make([]float64, m),
		col: make([]float64, m),
	}
	if n*m > scalingMaxEntries {
		s.st = newStreamKernel(geom.cost, n, m, scalingFloat32(a, c))
		return s
	}
	s.cs, s.kt, s.ktT = make([]float64, n*m), make([]float64, n*m), make([]float64, n*m)
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
	sc.on = sc.absorbKernel()
}

// absorbKernel sets u = v = 1 and K̃ from F̃, G̃; false if K̃ (streamed)
// has an entry that is not finite.
func (sc *scalingForm) absorbKernel() bool {
	m := sc.m
	for i := range sc.u {
		sc.u[i] = 1
	}
	for j := range sc.v {
		sc.v[j] = 1
	}
	if sc.st != nil {
		return sc.st.rebuild(sc.ft, sc.gt, sc.eps, nil)
	}
	n := sc.n
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			// Below −746 math.Exp returns exactly 0; skip the call.
			k := 0.0
			if e := sc.ft[i] + sc.gt[j] - sc.cs[i*m+j]; e > -746 {
				k = math.Exp(e)
			}
			sc.kt[i*m+j], sc.ktT[j*n+i] = k, k
		}
	}
	return true
}

// sync writes f = ε(F̃ + log u) and g = ε(G̃ + log v).
func (sc *scalingForm) sync(f, g []float64) {
	if sc.cold {
		clear(f)
		clear(g)
		return
	}
	for i, x := range sc.u {
		f[i] = sc.eps * (sc.ft[i] + math.Log(x))
	}
	for j, x := range sc.v {
		g[j] = sc.eps * (sc.gt[j] + math.Log(x))
	}
}

// colError is the balanced §2.3 error ‖Pᵀ1 − b‖_p with P_ij = u_i K̃_ij v_j.
func (sc *scalingForm) colError(p float64) float64 {
	if sc.st != nil {
		return sc.streamColError(p)
	}
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
	if sc.st != nil {
		return sc.streamStep()
	}
	if sc.n == 3 && sc.m == 3 {
		return sc.step3()
	}
	return sc.stepGeneric()
}

// stepGeneric is step for any shape; it is the reference step3 is tested
// against.
func (sc *scalingForm) stepGeneric() bool {
	n, m := sc.n, sc.m
	kt, u, vn, un := sc.kt, sc.u[:n], sc.vn[:m], sc.un[:n]
	for j := range vn {
		col := sc.ktT[j*n : (j+1)*n]
		var sum float64
		for i, kij := range col {
			sum += kij * u[i]
		}
		if !(sum > 0 && sum <= math.MaxFloat64) {
			return false
		}
		vn[j] = sc.b[j] / sum
	}
	for i := range un {
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

// steps runs up to count scaling iterations t0, t0+1, … and returns how many
// succeeded; it stops before an iteration whose step fails (or is made to
// fail by failAt), which the caller then runs through scaledIterate, so the
// iterates are those of calling scaledIterate count times. It saves the
// solver's per-iteration dispatch and, for 3×3, keeps the scalings and the
// kernel in registers across iterations (steps3).
func (sc *scalingForm) steps(t0, count int) int {
	if sc.n == 3 && sc.m == 3 {
		return sc.steps3(t0, count)
	}
	for k := 0; k < count; k++ {
		if t0+k+1 == sc.failAt || !sc.step() {
			return k
		}
	}
	return count
}

// steps3 is steps for a 3×3 problem: step3's operations in a loop that
// reloads the kernel only after an absorption.
func (sc *scalingForm) steps3(t0, count int) int {
	kt, u, v, a, b := sc.kt[:9], sc.u[:3], sc.v[:3], sc.a[:3], sc.b[:3]
	a0, a1, a2, b0, b1, b2 := a[0], a[1], a[2], b[0], b[1], b[2]
	u0, u1, u2 := u[0], u[1], u[2]
	k00, k01, k02 := kt[0], kt[1], kt[2]
	k10, k11, k12 := kt[3], kt[4], kt[5]
	k20, k21, k22 := kt[6], kt[7], kt[8]
	const hi, lo = scalingBound, 1 / scalingBound
	for k := 0; k < count; k++ {
		if t0+k+1 == sc.failAt {
			return k
		}
		var s0, s1, s2 float64
		s0 += k00 * u0
		s0 += k10 * u1
		s0 += k20 * u2
		s1 += k01 * u0
		s1 += k11 * u1
		s1 += k21 * u2
		s2 += k02 * u0
		s2 += k12 * u1
		s2 += k22 * u2
		if !(s0 > 0 && s0 <= math.MaxFloat64) || !(s1 > 0 && s1 <= math.MaxFloat64) || !(s2 > 0 && s2 <= math.MaxFloat64) {
			return k
		}
		v0, v1, v2 := b0/s0, b1/s1, b2/s2
		var r0, r1, r2 float64
		r0 += k00 * v0
		r0 += k01 * v1
		r0 += k02 * v2
		r1 += k10 * v0
		r1 += k11 * v1
		r1 += k12 * v2
		r2 += k20 * v0
		r2 += k21 * v1
		r2 += k22 * v2
		if !(r0 > 0 && r0 <= math.MaxFloat64) || !(r1 > 0 && r1 <= math.MaxFloat64) || !(r2 > 0 && r2 <= math.MaxFloat64) {
			return k
		}
		u0, u1, u2 = a0/r0, a1/r1, a2/r2
		v[0], v[1], v[2] = v0, v1, v2
		u[0], u[1], u[2] = u0, u1, u2
		if v0 > hi || v0 < lo || v1 > hi || v1 < lo || v2 > hi || v2 < lo ||
			u0 > hi || u0 < lo || u1 > hi || u1 < lo || u2 > hi || u2 < lo {
			sc.nAbsorb++
			for i, x := range u {
				sc.ft[i] += math.Log(x)
			}
			for j, x := range v {
				sc.gt[j] += math.Log(x)
			}
			sc.absorbKernel()
			u0, u1, u2 = u[0], u[1], u[2]
			k00, k01, k02 = kt[0], kt[1], kt[2]
			k10, k11, k12 = kt[3], kt[4], kt[5]
			k20, k21, k22 = kt[6], kt[7], kt[8]
		}
	}
	return count
}

// step3 is step for a 3×3 problem (the pair fit's K = 3 tutorial), with
// the kernel and scalings in registers and the loops unrolled. It performs
// the same operations in the same order as the general step, so the
// iterates are bit for bit the same (TestScalingStep3MatchesStep).
func (sc *scalingForm) step3() bool {
	kt, u, v, a, b := sc.kt[:9], sc.u[:3], sc.v[:3], sc.a[:3], sc.b[:3]
	u0, u1, u2 := u[0], u[1], u[2]
	k00, k01, k02 := kt[0], kt[1], kt[2]
	k10, k11, k12 := kt[3], kt[4], kt[5]
	k20, k21, k22 := kt[6], kt[7], kt[8]
	var s0, s1, s2 float64
	s0 += k00 * u0
	s0 += k10 * u1
	s0 += k20 * u2
	s1 += k01 * u0
	s1 += k11 * u1
	s1 += k21 * u2
	s2 += k02 * u0
	s2 += k12 * u1
	s2 += k22 * u2
	if !(s0 > 0 && s0 <= math.MaxFloat64) || !(s1 > 0 && s1 <= math.MaxFloat64) || !(s2 > 0 && s2 <= math.MaxFloat64) {
		return false
	}
	v0, v1, v2 := b[0]/s0, b[1]/s1, b[2]/s2
	var r0, r1, r2 float64
	r0 += k00 * v0
	r0 += k01 * v1
	r0 += k02 * v2
	r1 += k10 * v0
	r1 += k11 * v1
	r1 += k12 * v2
	r2 += k20 * v0
	r2 += k21 * v1
	r2 += k22 * v2
	if !(r0 > 0 && r0 <= math.MaxFloat64) || !(r1 > 0 && r1 <= math.MaxFloat64) || !(r2 > 0 && r2 <= math.MaxFloat64) {
		return false
	}
	u0, u1, u2 = a[0]/r0, a[1]/r1, a[2]/r2
	v[0], v[1], v[2] = v0, v1, v2
	u[0], u[1], u[2] = u0, u1, u2
	const hi, lo = scalingBound, 1 / scalingBound
	if v0 > hi || v0 < lo || v1 > hi || v1 < lo || v2 > hi || v2 < lo ||
		u0 > hi || u0 < lo || u1 > hi || u1 < lo || u2 > hi || u2 < lo {
		sc.nAbsorb++
		for i, x := range u {
			sc.ft[i] += math.Log(x)
		}
		for j, x := range v {
			sc.gt[j] += math.Log(x)
		}
		sc.absorbKernel()
	}
	return true
}
