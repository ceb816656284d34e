package otkit

import "math"

// For the squared Euclidean cost the statistics of all n·m costs follow from
// a few moments of the two clouds, so an online geometry of 10⁵ × 10⁵ points
// resolves its default epsilon (0.05·std(C)) and the "mean" scale rule in
// O((n+m)·d²) instead of scanning 10¹⁰ costs. With u = ‖x‖², v = ‖y‖²,
// w = ⟨x, y⟩ and x, y independent (all pairs):
//
//	E[C]  = E u + E v − 2⟨x̄, ȳ⟩
//	E[C²] = E u² + E v² + 2 E u E v + 4 tr(E[xxᵀ] E[yyᵀ]) − 4⟨E[u x], ȳ⟩ − 4⟨x̄, E[v y]⟩
//
// The costs do not change when both clouds are translated, so the moments are
// taken of x − c and y − c with c the pooled mean: clouds far from the origin
// then do not lose their digits to the cancellation of huge norms (for
// coordinates within a factor 2 of c the subtraction is even exact). Sums are
// compensated (Neumaier), in point order, so the result is deterministic.

// neumaier is a compensated running sum.
type neumaier struct{ s, c float64 }

func (a *neumaier) add(v float64) {
	t := a.s + v
	if math.Abs(a.s) >= math.Abs(v) {
		a.c += (a.s - t) + v
	} else {
		a.c += (v - t) + a.s
	}
	a.s = t
}

func (a *neumaier) sum() float64 { return a.s + a.c }

// cloudMoments holds, for points p centred on c, the means of p, ‖p‖²,
// ‖p‖⁴, p pᵀ (d×d row-major) and ‖p‖² p.
type cloudMoments struct {
	mu    []float64
	u, u2 float64
	s     []float64
	up    []float64
}

func centredMoments(p []float64, d int, c []float64) cloudMoments {
	cnt := len(p) / d
	mu := make([]neumaier, d)
	up := make([]neumaier, d)
	s := make([]neumaier, d*d)
	var u, u2 neumaier
	q := make([]float64, d)
	for i := 0; i < cnt; i++ {
		var ui float64
		for k := range q {
			q[k] = p[i*d+k] - c[k]
			ui += q[k] * q[k]
		}
		u.add(ui)
		u2.add(ui * ui)
		for k, qk := range q {
			mu[k].add(qk)
			up[k].add(ui * qk)
			for l := k; l < d; l++ {
				s[k*d+l].add(qk * q[l])
			}
		}
	}
	f := 1 / float64(cnt)
	r := cloudMoments{mu: make([]float64, d), u: u.sum() * f, u2: u2.sum() * f, s: make([]float64, d*d), up: make([]float64, d)}
	for k := 0; k < d; k++ {
		r.mu[k] = mu[k].sum() * f
		r.up[k] = up[k].sum() * f
		for l := k; l < d; l++ {
			r.s[k*d+l] = s[k*d+l].sum() * f
			r.s[l*d+k] = r.s[k*d+l]
		}
	}
	return r
}

// sqEuclidStats returns the mean and population standard deviation (as
// sqrt(max(0, E[C²] − E[C]²)), like the scan) of the unscaled costs
// ‖x_i − y_j‖² over all pairs of rows of x (n×d) and y (m×d), flat row-major.
// They agree with a scan of the costs to rounding. The results are not finite
// only if the moments overflow (points near 1e77); callers then scan.
func sqEuclidStats(x, y []float64, d int) (mean, std float64) {
	n, m := len(x)/d, len(y)/d
	c := make([]float64, d)
	for k := range c {
		var t neumaier
		for i := 0; i < n; i++ {
			t.add(x[i*d+k])
		}
		for j := 0; j < m; j++ {
			t.add(y[j*d+k])
		}
		c[k] = t.sum() / float64(n+m)
	}
	a := centredMoments(x, d, c)
	b := a
	if &x[0] != &y[0] || n != m {
		b = centredMoments(y, d, c)
	}
	var dotMu, tr, upx, upy neumaier
	for k := 0; k < d; k++ {
		dotMu.add(a.mu[k] * b.mu[k])
		upx.add(a.up[k] * b.mu[k])
		upy.add(a.mu[k] * b.up[k])
		for l := 0; l < d; l++ {
			tr.add(a.s[k*d+l] * b.s[l*d+k])
		}
	}
	var mc neumaier
	mc.add(a.u)
	mc.add(b.u)
	mc.add(-2 * dotMu.sum())
	mean = mc.sum()
	var m2 neumaier
	m2.add(a.u2)
	m2.add(b.u2)
	m2.add(2 * a.u * b.u)
	m2.add(4 * tr.sum())
	m2.add(-4 * upx.sum())
	m2.add(-4 * upy.sum())
	return mean, math.Sqrt(math.Max(0, m2.sum()-mean*mean))
}

// sqEuclidFinite reports whether every online SqEuclidean cost, evaluated as
// (‖x‖² + ‖y‖² − 2⟨x, y⟩)·invScale, is certainly finite: the stored norms are
// finite and the bound (‖x‖ + ‖y‖)²·max(1, invScale) on every intermediate
// has a wide margin below MaxFloat64. False means "unknown": the caller then
// checks each cost, so a failure keeps the scan's error message.
func (g *Geometry) sqEuclidFinite() bool {
	mx, my := 0.0, 0.0
	for _, v := range g.nx {
		mx = math.Max(mx, v)
	}
	for _, v := range g.ny {
		my = math.Max(my, v)
	}
	if math.IsInf(mx, 0) || math.IsInf(my, 0) || math.IsNaN(mx) || math.IsNaN(my) {
		return false
	}
	bound := (mx + my + 2*math.Sqrt(mx)*math.Sqrt(my)) * math.Max(1, g.invScale)
	return bound < math.MaxFloat64/4
}

// onlineSqEuclid reports whether the cost statistics and the finiteness
// check can come from the points instead of a scan of all costs.
func (g *Geometry) onlineSqEuclid() bool { return g.cost == nil && g.sqEuclid }

// sqEuclidCostStats returns the mean and std of the scaled costs of an online
// SqEuclidean geometry from the moments of its points; ok is false for other
// geometries, or if the moments overflow.
func (g *Geometry) sqEuclidCostStats() (mean, std float64, ok bool) {
	// The moments cost O((n+m)·d²) and the scan O(n·m·d): with few points
	// in many dimensions the scan is the cheaper one.
	if !g.onlineSqEuclid() || g.d*(g.n+g.m) > g.n*g.m {
		return 0, 0, false
	}
	mean, std = sqEuclidStats(g.x, g.y, g.d)
	mean *= g.invScale
	std *= g.invScale
	if math.IsNaN(mean) || math.IsInf(mean, 0) || math.IsNaN(std) || math.IsInf(std, 0) {
		return 0, 0, false
	}
	return mean, std, true
}
