package otkit

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// gwPair holds the two spaces of a relaxed Gromov–Wasserstein problem
// (semi-relaxed, partial): symmetric dissimilarities c1 (n×n), c2 (m×m)
// and their entrywise squares. Unlike the balanced solver in gromov.go,
// whose marginals are fixed, every quantity here is computed from the
// plan's own marginals, because they move.
type gwPair struct {
	c1, c2     *mat.Dense
	c1sq, c2sq *mat.Dense
	n, m       int
	// scale bounds E on plans of unit mass, (max|c1| + max|c2|)²: the unit
	// of the scale-free stopping tests.
	scale float64
}

func newGWPair(c1, c2 *mat.Dense) (*gwPair, error) {
	if err := checkSymmetric(c1, "c1"); err != nil {
		return nil, err
	}
	if err := checkSymmetric(c2, "c2"); err != nil {
		return nil, err
	}
	n, _ := c1.Dims()
	m, _ := c2.Dims()
	g := &gwPair{c1: c1, c2: c2, c1sq: squareEntries(c1), c2sq: squareEntries(c2), n: n, m: m}
	m1, m2 := denseMaxAbs(c1), denseMaxAbs(c2)
	g.scale = (m1 + m2) * (m1 + m2)
	if g.scale == 0 || math.IsInf(g.scale, 0) {
		g.scale = 1 // all-zero spaces (E ≡ 0) or overflow, caught by the finiteness checks
	}
	return g, nil
}

func denseMaxAbs(c *mat.Dense) float64 {
	var mx float64
	r, k := c.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < k; j++ {
			mx = math.Max(mx, math.Abs(c.At(i, j)))
		}
	}
	return mx
}

// planMarginals returns t1 and tᵀ1.
func planMarginals(t *mat.Dense) (r, s []float64) {
	n, m := t.Dims()
	r, s = make([]float64, n), make([]float64, m)
	raw := t.RawMatrix()
	for i := 0; i < n; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+m] {
			r[i] += v
			s[j] += v
		}
	}
	return r, s
}

// energy is the square-loss GW energy of any n×m matrix d, the quadratic
// form E(d) = Σ_ijkl (c1_ik − c2_jl)² d_ij d_kl
// = rᵀ c1² r + sᵀ c2² s − 2⟨c1 d c2, d⟩ with r = d1, s = dᵀ1. On a plan it
// is the GW objective; on a difference of plans it is the curvature of the
// objective along that direction (the line searches use it).
func (g *gwPair) energy(d *mat.Dense) float64 {
	r, s := planMarginals(d)
	var e float64
	e += quadForm(g.c1sq, r) + quadForm(g.c2sq, s)
	var cd, cdc mat.Dense
	cd.Mul(g.c1, d)
	cdc.Mul(&cd, g.c2)
	return e - 2*mat.Sum(elemMul(&cdc, d))
}

// gradient writes ∇E(t) = 2·(c1² r 1ᵀ + 1 (c2² s)ᵀ − 2·c1 t c2) into dst
// (c1, c2 symmetric), with r, s the marginals of t.
func (g *gwPair) gradient(dst, t *mat.Dense) {
	r, s := planMarginals(t)
	u, v := make([]float64, g.n), make([]float64, g.m)
	mulVec(u, g.c1sq, r)
	mulVec(v, g.c2sq, s)
	var ct mat.Dense
	ct.Mul(g.c1, t)
	dst.Mul(&ct, g.c2)
	dst.Apply(func(i, j int, x float64) float64 { return 2 * (u[i] + v[j] - 2*x) }, dst)
}

// energyGradient writes ∇E(t) into dst and returns E(t), sharing the
// product c1 t c2 between them: E(t) = ½⟨∇E(t), t⟩ + ½(rᵀc1²r + sᵀc2²s)
// (the gradient counts the marginal terms twice, the coupling term once
// with factor 2 too: E = ⟨u, r⟩ + ⟨v, s⟩ − 2⟨c1 t c2, t⟩ with u = c1²r,
// v = c2²s, and ⟨∇E, t⟩ = 2⟨u, r⟩ + 2⟨v, s⟩ − 4⟨c1 t c2, t⟩).
func (g *gwPair) energyGradient(dst, t *mat.Dense) float64 {
	r, s := planMarginals(t)
	u, v := make([]float64, g.n), make([]float64, g.m)
	mulVec(u, g.c1sq, r)
	mulVec(v, g.c2sq, s)
	var ct mat.Dense
	ct.Mul(g.c1, t)
	dst.Mul(&ct, g.c2)
	var cross float64
	for i := 0; i < g.n; i++ {
		row := dst.RawRowView(i)
		for j, x := range row {
			cross += x * t.At(i, j)
			row[j] = 2 * (u[i] + v[j] - 2*x)
		}
	}
	var e float64
	for i, x := range r {
		e += x * u[i]
	}
	for j, x := range s {
		e += x * v[j]
	}
	return e - 2*cross
}

// lineSearch returns the γ in [0, 1] that minimises the quadratic
// f(γ) = f(0) + b·γ + a·γ² (a = E(d), b = ⟨∇E(t), d⟩ for the step t + γd).
func lineSearch(a, b float64) float64 {
	if a > 0 {
		return math.Min(1, math.Max(0, -b/(2*a)))
	}
	if a+b < 0 { // concave or linear: the better endpoint
		return 1
	}
	return 0
}

// frobeniusDot returns ⟨a, b⟩.
func frobeniusDot(a, b *mat.Dense) float64 { return mat.Sum(elemMul(a, b)) }
