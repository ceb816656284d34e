package scaling

import "math"

// SmallMaxEntries is the size up to which the small form is used.
const SmallMaxEntries = 256

// StreamMaxEntries bounds the streamed form: its K̃ is one more n·m matrix
// (8 bytes an entry, 4 with Float32) next to the geometry's costs during
// the solve; above this the solve stays in the log domain, which needs no
// n·m memory.
const StreamMaxEntries = 1 << 29

// scalingBound is where a scaling is absorbed into the potentials.
const scalingBound = 1e50

// Form is the scaling form of one solve.
type Form struct {
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

	st      *streamKernel // large problems: K̃ and the streamed passes; nil for the small form
	cold    bool          // entered by EnterCold, no step yet: the potentials are still 0
	absorbs int           // absorptions so far (Absorptions)
}

// Float32OK reports whether a streamed form may store K̃ in float32 for
// the weights a (scalingMaxWeight32, scalingMinMass32); otherwise it is
// float64.
func Float32OK(a []float64) bool {
	mass := 0.0
	for _, v := range a {
		if v > scalingMaxWeight32 {
			return false
		}
		mass += v
	}
	return mass >= scalingMinMass32
}

// New returns the scaling form of the balanced problem with the row-major
// n×m cost c (not copied), regularisation eps and positive weights a, b:
// the small form up to SmallMaxEntries entries, the streamed one above,
// with a float32 K̃ when float32K (see Float32OK). The form is off until
// Enter or EnterCold.
func New(c []float64, n, m int, eps float64, a, b []float64, float32K bool) *Form {
	s := &Form{
		n: n, m: m, a: a, b: b, eps: eps,
		ft: make([]float64, n), gt: make([]float64, m),
		u: make([]float64, n), v: make([]float64, m),
		un: make([]float64, n), vn: make([]float64, m),
		col: make([]float64, m),
	}
	if n*m > SmallMaxEntries {
		s.st = newStreamKernel(c, n, m, float32K)
		return s
	}
	s.cs, s.kt, s.ktT = make([]float64, n*m), make([]float64, n*m), make([]float64, n*m)
	inv := 1 / eps
	for k, cv := range c[:n*m] {
		s.cs[k] = cv * inv
	}
	return s
}

// On reports whether the iterations run in scaling form.
func (sc *Form) On() bool { return sc.on }

// Leave turns the form off after a step that failed; the caller goes on in
// the log domain from the potentials of Sync.
func (sc *Form) Leave() { sc.on = false }

// Streamed reports whether K̃ is streamed (more than SmallMaxEntries).
func (sc *Form) Streamed() bool { return sc.st != nil }

// Float32 reports whether the streamed K̃ is float32.
func (sc *Form) Float32() bool { return sc.st != nil && sc.st.f32 }

// Absorptions is the number of times the scalings were absorbed into the
// potentials (and K̃ rebuilt).
func (sc *Form) Absorptions() int { return sc.absorbs }

// Done leaves a streamed K̃'s storage to the next solve of the same size
// (kernelCache); the form must not be used afterwards.
func (sc *Form) Done() {
	if sc.st != nil {
		sc.st.done()
	}
}

// Enter starts the scaling form from the potentials f, g (at the form's
// eps).
func (sc *Form) Enter(f, g []float64) {
	for i, x := range f {
		sc.ft[i] = x / sc.eps
	}
	for j, x := range g {
		sc.gt[j] = x / sc.eps
	}
	sc.on = sc.absorbKernel()
}

// absorbKernel sets u = v = 1 and K̃ from F̃, G̃; false if K̃ (streamed)
// has an entry that is not finite.
func (sc *Form) absorbKernel() bool {
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

// Sync writes f = ε(F̃ + log u) and g = ε(G̃ + log v).
func (sc *Form) Sync(f, g []float64) {
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

// ColMarginal returns Pᵀ1 with P_ij = u_i K̃_ij v_j, for the balanced §2.3
// error ‖Pᵀ1 − b‖_p. The slice is the form's scratch, valid until the next
// call.
func (sc *Form) ColMarginal() []float64 {
	if sc.st != nil {
		return sc.streamColMarginal()
	}
	n, m := sc.n, sc.m
	for j := 0; j < m; j++ {
		var sum float64
		for i := 0; i < n; i++ {
			sum += sc.u[i] * sc.kt[i*m+j]
		}
		sc.col[j] = sum * sc.v[j]
	}
	return sc.col
}

// Step performs one balanced iteration (v then u) and reports false,
// changing nothing, if a sum is zero or not finite.
func (sc *Form) Step() bool {
	if sc.st != nil {
		return sc.streamStep()
	}
	if sc.n == 3 && sc.m == 3 {
		return sc.step3()
	}
	return sc.stepGeneric()
}

// Steps runs up to count scaling iterations and returns how many
// succeeded; it stops before an iteration whose step fails, which the
// caller then runs through Step (and the log domain), so the iterates are
// those of calling Step count times. It saves the caller's per-iteration
// dispatch and, for 3×3, keeps the scalings and the kernel in registers
// across iterations (steps3).
func (sc *Form) Steps(count int) int {
	if sc.n == 3 && sc.m == 3 {
		return sc.steps3(count)
	}
	for k := 0; k < count; k++ {
		if !sc.Step() {
			return k
		}
	}
	return count
}
