package otkit

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// fuzzPartialInput builds an n×m cost and non-negative weights from fuzz
// bytes (n, m ≤ 6), or nil cost for an empty shape.
func fuzzPartialInput(n, m uint8, data []byte) (*mat.Dense, []float64, []float64) {
	vals := floatsFrom(data, 200)
	w := fuzzTake(vals, int(n)*int(m)+int(n)+int(m))
	var c *mat.Dense
	if n > 0 && m > 0 {
		c = mat.NewDense(int(n), int(m), w[:int(n)*int(m)])
	}
	a, b := w[int(n)*int(m):int(n)*int(m)+int(n)], w[int(n)*int(m)+int(n):]
	for k := range a {
		a[k] = math.Abs(a[k])
	}
	for k := range b {
		b[k] = math.Abs(b[k])
	}
	return c, a, b
}

// FuzzPartialEMD feeds arbitrary costs, weights, masses and prices to
// PartialEMD and PartialEMDLagrange. A nil error must come with a finite
// plan: entries ≥ 0, marginals ≤ a and b, total mass m, Cost = Σ mass·C; the
// optimal cost is convex in m (2·cost(m/2) ≤ cost(m), cost(0) = 0), and the
// Lagrangian optimum at any price is at most the partial cost at m minus
// price·m (it minimises over all masses).
func FuzzPartialEMD(f *testing.F) {
	f.Add(uint8(2), uint8(3), uint8(128), 0.5, fuzzSeed(0, 1, 2, 3, 4, 5, 1, 1, 1, 1, 1))
	f.Add(uint8(3), uint8(2), uint8(255), -1.0, fuzzSeed(1, -2, 3, 0, 5, 1e-300, 0, 2, 1, 3, 0.5))
	f.Add(uint8(1), uint8(1), uint8(1), 1e300, fuzzSeed(1e300, 2, 3))
	f.Add(uint8(4), uint8(4), uint8(77), 2.0, fuzzSeed(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 0, 0, 1, 2))
	f.Fuzz(func(t *testing.T, n, m, frac uint8, price float64, data []byte) {
		c, a, b := fuzzPartialInput(n%7, m%7, data)
		sa, sb := sum(a), sum(b)
		mass := float64(frac) / 255 * math.Min(sa, sb)
		r, err := PartialEMD(c, a, b, PartialOptions{Mass: mass})
		if err != nil {
			if r != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		cmax := denseMaxAbs(c)
		if mass == 0 {
			mass = math.Min(sa, sb)
		}
		tol := 1e-9 * (sa + sb)
		if math.Abs(r.Mass-mass) > 1e-9*mass {
			t.Fatalf("plan moves %g, asked %g", r.Mass, mass)
		}
		checkFuzzPartialPlan(t, r, a, b, mass, tol, c)
		if !r.Converged {
			return
		}
		half, err := PartialEMD(c, a, b, PartialOptions{Mass: mass / 2})
		// The simplex resolves flows only to the rounding of the dummy
		// masses (about 1e-16·(Σa + Σb)), each worth up to max|C|; and
		// subnormal costs have no relative precision (+1e-300).
		resolution := 1e-12 * (sa + sb) * cmax
		if err == nil && half.Converged && 2*half.Cost > r.Cost+1e-9*cmax*mass+resolution+1e-300 {
			t.Fatalf("cost not convex in m: 2·cost(%g) = %g > cost(%g) = %g", mass/2, 2*half.Cost, mass, r.Cost)
		}
		l, err := PartialEMDLagrange(c, a, b, PartialLagrangeOptions{Price: price})
		if err != nil || !l.Converged {
			return
		}
		checkFuzzPartialPlan(t, l, a, b, l.Mass, tol, c)
		scale := 1e-9*(cmax+math.Abs(price))*(sa+sb) + resolution
		if obj, bound := l.Cost-price*l.Mass, r.Cost-price*mass; obj > bound+scale {
			t.Fatalf("Lagrangian objective %g above the partial plan's %g at price %g", obj, bound, price)
		}
	})
}

func checkFuzzPartialPlan(t *testing.T, r *PartialResult, a, b []float64, mass, tol float64, c *mat.Dense) {
	t.Helper()
	rows, cols := make([]float64, len(a)), make([]float64, len(b))
	var total, cost float64
	for _, e := range r.Plan {
		if !(e.Mass >= 0) || math.IsInf(e.Mass, 0) {
			t.Fatalf("plan entry %+v", e)
		}
		rows[e.I] += e.Mass
		cols[e.J] += e.Mass
		total += e.Mass
		cost += e.Mass * c.At(e.I, e.J)
	}
	for i := range a {
		if rows[i] > a[i]+tol {
			t.Fatalf("row %d moves %g > a = %g", i, rows[i], a[i])
		}
	}
	for j := range b {
		if cols[j] > b[j]+tol {
			t.Fatalf("column %d moves %g > b = %g", j, cols[j], b[j])
		}
	}
	if math.Abs(total-mass) > tol || math.Abs(total-r.Mass) > tol {
		t.Fatalf("plan moves %g, reported %g, asked %g", total, r.Mass, mass)
	}
	if !isFinite(r.Cost) || math.Abs(cost-r.Cost) > 1e-9*math.Max(1, denseMaxAbs(c))*math.Max(total, 1e-300) {
		t.Fatalf("Cost %g, Σ mass·C = %g", r.Cost, cost)
	}
}

// FuzzEntropicPartial feeds arbitrary costs, weights, masses and ε to
// EntropicPartial. A nil error must come with a finite plan ≥ 0 of mass m;
// when converged, marginals ≤ a, b within the threshold and a cost no
// lower than the exact partial cost (the plan is then feasible for it, to
// the threshold).
func FuzzEntropicPartial(f *testing.F) {
	f.Add(uint8(2), uint8(3), uint8(128), 0.1, fuzzSeed(0, 1, 2, 3, 4, 5, 1, 1, 1, 1, 1))
	f.Add(uint8(3), uint8(2), uint8(255), 1e-3, fuzzSeed(1, 2, 3, 0, 5, 1e-300, 0, 2, 1, 3, 0.5))
	f.Add(uint8(4), uint8(4), uint8(30), 5.0, fuzzSeed(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 0, 0, 1, 2))
	f.Fuzz(func(t *testing.T, n, m, frac uint8, eps float64, data []byte) {
		c, a, b := fuzzPartialInput(n%6, m%6, data)
		if c == nil {
			return
		}
		g, err := NewGeometry(c, GeometryOptions{Epsilon: eps})
		if err != nil {
			return
		}
		mass := float64(frac) / 255 * math.Min(sum(a), sum(b))
		r, err := EntropicPartial(g, a, b, EntropicPartialOptions{Mass: mass, Threshold: 1e-9, MaxIterations: 3000})
		if err != nil {
			if r != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		if mass == 0 {
			mass = math.Min(sum(a), sum(b))
		}
		if !isFinite(r.Cost) || !finiteVec(r.Coupling.RawMatrix().Data) || mat.Min(r.Coupling) < 0 {
			t.Fatalf("non-finite or negative result with a nil error: cost %g", r.Cost)
		}
		// The exponents (F + G + Shift − C)/ε carry an absolute rounding of
		// about 1e-16·max|C|/ε, a relative one in every plan entry.
		rel := 1e-9 + 1e-14*denseMaxAbs(c)/g.Epsilon()
		if math.Abs(r.Mass-mass) > rel*mass {
			t.Fatalf("mass %g, asked %g", r.Mass, mass)
		}
		if !r.Converged {
			return
		}
		rows, cols := planMarginals(r.Coupling)
		tol := 2 * rel * mass
		for i := range a {
			if rows[i] > a[i]+tol {
				t.Fatalf("row %d: %g > a = %g", i, rows[i], a[i])
			}
		}
		for j := range b {
			if cols[j] > b[j]+tol {
				t.Fatalf("column %d: %g > b = %g", j, cols[j], b[j])
			}
		}
		ex, err := PartialEMD(c, a, b, PartialOptions{Mass: mass})
		// The entropic plan may exceed a and b by tol per entry of the
		// marginals, which can lower its cost by up to that mass times the
		// cost range.
		slack := 2 * tol * float64(len(a)+len(b)) * 2 * denseMaxAbs(c)
		// The exact plan is optimal only to the simplex's resolution of
		// flows against the dummy masses, 1e-16·(Σa + Σb) (see FuzzPartialEMD).
		slack += 1e-12 * (sum(a) + sum(b)) * denseMaxAbs(c)
		if err == nil && ex.Converged && r.Cost < ex.Cost-slack-1e-12*denseMaxAbs(c)*mass-1e-300 { // 1e-300: subnormal costs
			t.Fatalf("entropic cost %g below the exact partial cost %g", r.Cost, ex.Cost)
		}
	})
}

// FuzzUnbalancedMM feeds arbitrary costs, weights and penalties to
// UnbalancedMM. A nil error must come with a finite plan ≥ 0 whose
// objective is at most that of the start a bᵀ (MM never increases it).
func FuzzUnbalancedMM(f *testing.F) {
	f.Add(uint8(2), uint8(3), false, 1.0, fuzzSeed(0, 1, 2, 3, 4, 5, 1, 1, 1, 1, 1))
	f.Add(uint8(3), uint8(2), true, 0.01, fuzzSeed(1, 2, 3, 0, 5, 1e-300, 0, 2, 1, 3, 0.5))
	f.Add(uint8(1), uint8(4), false, 1e-3, fuzzSeed(800, 1, 0.5, 2, 1, 1, 3, 4))
	f.Fuzz(func(t *testing.T, n, m uint8, l2 bool, rho float64, data []byte) {
		c, a, b := fuzzPartialInput(n%6, m%6, data)
		pen := PenaltyKL
		if l2 {
			pen = PenaltySquaredL2
		}
		r, err := UnbalancedMM(c, a, b, UnbalancedMMOptions{Penalty: pen, Rho: rho, MaxIterations: 200})
		if err != nil {
			if r != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		if !isFinite(r.Objective) || !finiteVec(r.Coupling.RawMatrix().Data) || mat.Min(r.Coupling) < 0 {
			t.Fatalf("non-finite or negative result with a nil error: objective %g", r.Objective)
		}
		start, err := UnbalancedMM(c, a, b, UnbalancedMMOptions{Penalty: pen, Rho: rho, MaxIterations: 1, Threshold: math.MaxFloat64})
		if err != nil {
			return
		}
		// start ran one step; the objective of a bᵀ itself bounds both.
		n0, m0 := c.Dims()
		ab := mat.NewDense(n0, m0, nil)
		aa, bb := a, b
		if len(aa) == 0 {
			aa = uniform(n0)
		}
		if len(bb) == 0 {
			bb = uniform(m0)
		}
		ab.Apply(func(i, j int, _ float64) float64 { return aa[i] * bb[j] }, ab)
		st := &mmState{c: c.RawMatrix().Data, n: n0, m: m0, a: aa, b: bb, cfg: unbalancedMMConfig{div: pen, rhoA: rho, rhoB: rho},
			p: ab.RawMatrix().Data, r: make([]float64, n0), s: make([]float64, m0)}
		_, obj0 := st.objective()
		// Near the underflow threshold float64 has no relative precision
		// (a bᵀ itself underflows there): an absolute floor of 1e-290.
		scale := 1e-9*(math.Abs(obj0)+denseMaxAbs(c)*sum(aa)*sum(bb)+rho*(sum(aa)+sum(bb))) + 1e-290
		if r.Objective > obj0+scale || start.Objective > obj0+scale {
			t.Fatalf("objective rose: %g after 200 steps, %g after 1, %g at a bᵀ", r.Objective, start.Objective, obj0)
		}
	})
}

// FuzzSemiRelaxedGW feeds arbitrary symmetric dissimilarities and weights
// to SemiRelaxedGW and EntropicSemiRelaxedGW. A nil error must come with a
// finite plan ≥ 0 with rows p whose energy E is at most that of the start
// (conditional gradient with exact line search never increases E) and
// matches Σ (c1_ik − c2_jl)² T_ij T_kl.
func FuzzSemiRelaxedGW(f *testing.F) {
	f.Add(uint8(3), uint8(2), 0.1, fuzzSeed(0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1))
	f.Add(uint8(4), uint8(3), 1e-3, fuzzSeed(1, 2, 3, 0, 5, 1e-300, 0, 2, 1, 3, 0.5, 9, 9, 9))
	f.Add(uint8(1), uint8(1), 1.0, fuzzSeed(0))
	f.Fuzz(func(t *testing.T, n, m uint8, eps float64, data []byte) {
		n, m = n%6, m%5
		vals := floatsFrom(data, 100)
		sym := func(k int, off int) *mat.Dense {
			if k == 0 {
				return nil
			}
			c := mat.NewDense(k, k, nil)
			w := fuzzTake(vals[min(off, len(vals)):], k*k)
			for i := 0; i < k; i++ {
				for j := i; j < k; j++ {
					c.Set(i, j, w[i*k+j])
					c.Set(j, i, w[i*k+j])
				}
			}
			return c
		}
		c1, c2 := sym(int(n), 0), sym(int(m), int(n)*int(n))
		var p []float64
		if len(vals) > 30 {
			p = fuzzTake(vals[30:], int(n))
			for i := range p {
				p[i] = math.Abs(p[i])
			}
		}
		r, err := SemiRelaxedGW(c1, c2, p, SemiRelaxedGWOptions{MaxIterations: 100})
		if err != nil {
			if r != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		if len(p) == 0 {
			p = uniform(int(n))
		}
		g, _ := newGWPair(c1, c2)
		init := mat.NewDense(int(n), int(m), nil)
		init.Apply(func(i, _ int, _ float64) float64 { return p[i] / float64(m) }, init)
		e0 := g.energy(init)
		tol := 1e-9*g.scale*sum(p)*sum(p) + 1e-300 // subnormals: absolute floor
		if !isFinite(r.Cost) || r.Cost > e0+tol || math.Abs(r.Cost-gwEnergyDirect(c1, c2, r.Coupling)) > tol {
			t.Fatalf("energy %g (start %g, direct %g)", r.Cost, e0, gwEnergyDirect(c1, c2, r.Coupling))
		}
		rows, _ := planMarginals(r.Coupling)
		for i := range rows {
			if math.Abs(rows[i]-p[i]) > 1e-9*sum(p)+1e-300 || mat.Min(r.Coupling) < 0 {
				t.Fatalf("row %d sums to %g, p = %g (min entry %g)", i, rows[i], p[i], mat.Min(r.Coupling))
			}
		}
		e, err := EntropicSemiRelaxedGW(c1, c2, p, SemiRelaxedGWOptions{Epsilon: eps, MaxIterations: 50})
		if err != nil {
			return
		}
		if !isFinite(e.Cost) || !finiteVec(e.Coupling.RawMatrix().Data) || mat.Min(e.Coupling) < 0 {
			t.Fatalf("entropic: non-finite or negative result with a nil error (energy %g)", e.Cost)
		}
		rows, _ = planMarginals(e.Coupling)
		for i := range rows {
			if math.Abs(rows[i]-p[i]) > 1e-9*sum(p)+1e-300 {
				t.Fatalf("entropic: row %d sums to %g, p = %g", i, rows[i], p[i])
			}
		}
	})
}
