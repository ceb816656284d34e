package otkit

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// EpsilonSchedule decays the regularisation used by the potential updates:
// at iteration t the updates use eps_t = max(Init·Decay^t, 1)·target, so a
// large Init starts blurry and sharpens geometrically down to the target.
// Couplings, errors and costs always use the target. The zero value (Init and
// Decay 0, read as 1) is the constant schedule, OTT's default.
type EpsilonSchedule struct{ Init, Decay float64 }

func (s EpsilonSchedule) resolve() (EpsilonSchedule, error) {
	if s.Init == 0 {
		s.Init = 1
	}
	if s.Decay == 0 {
		s.Decay = 1
	}
	if !(s.Init > 0) || math.IsInf(s.Init, 0) {
		return s, fmt.Errorf("otkit: epsilon schedule: Init must be positive and finite, have %g", s.Init)
	}
	if !(s.Decay > 0 && s.Decay <= 1) {
		return s, fmt.Errorf("otkit: epsilon schedule: Decay must be in (0, 1], have %g", s.Decay)
	}
	return s, nil
}

// PointCloudOptions configures NewPointCloud. The zero value is OTT's
// PointCloud default: squared Euclidean cost, no scaling, eps = 0.05·std(C).
type PointCloudOptions struct {
	Cost            Cost    // nil → SqEuclidean{}
	Epsilon         float64 // 0 → 0.05·std(C); with RelativeEpsilon: factor (0 → 0.05)
	RelativeEpsilon string  // "", "mean" or "std"
	ScaleCost       float64 // 0 → 1 (cost divided by this)
	ScaleCostRule   string  // "", "mean", "median", "max_cost", "max_norm", "max_bound"
	Schedule        EpsilonSchedule
	// Online never builds the n×m matrix: the solver evaluates cost rows on
	// demand (memory O(n + m)). Only the "median" scale rule still needs a
	// temporary copy of all costs, and CostMatrix or Matrix build one.
	Online bool
}

// GeometryOptions configures NewGeometry (a geometry from an explicit cost
// matrix). ScaleCostRule accepts "", "mean", "median" and "max_cost".
type GeometryOptions struct {
	Epsilon         float64
	RelativeEpsilon string
	ScaleCost       float64
	ScaleCostRule   string
	Schedule        EpsilonSchedule
}

// Geometry is an n×m cost matrix C with a regularisation epsilon: either
// given explicitly (NewGeometry) or C_ij = c(x_i, y_j)/scale between two
// point clouds (NewPointCloud). A point-cloud geometry in online mode never
// stores C and evaluates cost rows on demand.
//
// Statistics of all costs (the default epsilon 0.05·std(C), RelativeEpsilon
// "mean" and "std", ScaleCostRule "mean") and the check that every cost is
// finite would scan all n·m costs. For an online SqEuclidean geometry they
// are computed from moments of the points instead, in O((n+m)·d²) when that
// is cheaper than the O(n·m·d) scan (see
// sqeuclid_moments.go); they agree with the scan to 1e-12 relative
// (TestSqEuclidStatsMatchScan). They only fix eps and the scale, constants
// every later path shares, so they cannot make two paths disagree.
//
// One cost arithmetic: the stored matrix, online rows, CostMatrix, Matrix,
// PrimalCost, the gradients and the reference LSE kernels all evaluate a cost
// through evalRow, so they see bit-identical costs. The one exception is the
// online SqEuclidean fast kernel, which rearranges the norm form; it is used
// only when its rounding (onlineCostRoundingBound, measured in
// TestOnlineFastRoundingBound) is below 1e-10·eps. The rules
// "median" and "max_cost" still scan every cost ("max_norm" and "max_bound"
// only read the points); a dense geometry always scans its stored matrix.
//
// Fields are read by the kernel choice (backend.go): cost is the
// flat row-major scaled matrix (nil when online); x, y are the flat row-major
// points (nil for a cost-matrix geometry); invScale multiplies the raw cost.
// A Geometry is immutable once built and safe for concurrent use. Its fields
// are unexported, so NewPointCloud and NewGeometry, which check their input,
// are the only way to get one; the accessors need no error.
type Geometry struct {
	n, m, d  int
	x, y     []float64
	self     bool // y is x (y omitted or equal elementwise)
	costFn   Cost
	cost     []float64
	online   bool
	invScale float64
	rule     string // resolved scale rule ("" for a constant factor)
	eps      float64
	schedule EpsilonSchedule

	// sqEuclid marks the built-in SqEuclidean cost; nx, ny hold ‖x_i‖², ‖y_j‖²
	// so that online rows cost one dot product per entry.
	sqEuclid bool
	nx, ny   []float64

	cost32 cost32Cache // float32 copies of cost for SinkhornOptions.Float32, built on first use
}

// NewPointCloud builds the geometry between the rows of x (n×d) and y (m×d),
// with y = x when y is nil. It validates the points (non-empty, same
// dimension, finite, valid for the cost), the resulting costs (finite) and
// the options, and resolves epsilon and the cost scale as OTT does.
func NewPointCloud(x, y *mat.Dense, opt PointCloudOptions) (*Geometry, error) {
	xs, n, d, err := flatPoints(x, "x")
	if err != nil {
		return nil, err
	}
	g := &Geometry{n: n, d: d, x: xs, costFn: opt.Cost, online: opt.Online, invScale: 1}
	if g.costFn == nil {
		g.costFn = SqEuclidean{}
	}
	if y == nil {
		g.y, g.m, g.self = xs, n, true
	} else {
		ys, m, dy, err := flatPoints(y, "y")
		if err != nil {
			return nil, err
		}
		if dy != d {
			return nil, fmt.Errorf("otkit: point cloud: dimension mismatch: x has %d columns, y has %d", d, dy)
		}
		g.y, g.m = ys, m
		g.self = m == n && equalSlices(xs, ys)
	}
	if pv, ok := g.costFn.(pointValidator); ok {
		for i := 0; i < g.n; i++ {
			if err := pv.validatePoint(g.xRow(i), d); err != nil {
				return nil, fmt.Errorf("otkit: point cloud: x row %d: %v", i, err)
			}
		}
		if !g.self {
			for j := 0; j < g.m; j++ {
				if err := pv.validatePoint(g.yRow(j), d); err != nil {
					return nil, fmt.Errorf("otkit: point cloud: y row %d: %v", j, err)
				}
			}
		}
	}
	if _, ok := g.costFn.(SqEuclidean); ok {
		g.sqEuclid = true
		g.nx = make([]float64, g.n)
		for i := range g.nx {
			g.nx[i] = SqEuclidean{}.Norm(g.xRow(i))
		}
		if g.self {
			g.ny = g.nx
		} else {
			g.ny = make([]float64, g.m)
			for j := range g.ny {
				g.ny[j] = SqEuclidean{}.Norm(g.yRow(j))
			}
		}
	}
	if !g.online {
		g.cost = make([]float64, g.n*g.m)
		for i := 0; i < g.n; i++ {
			g.evalRow(g.cost[i*g.m:(i+1)*g.m], i)
		}
	}
	if err := g.checkCosts(); err != nil {
		return nil, err
	}
	factor, err := g.scaleFactor(opt.ScaleCost, opt.ScaleCostRule, true)
	if err != nil {
		return nil, err
	}
	if err := g.setScale(factor); err != nil {
		return nil, err
	}
	g.rule = opt.ScaleCostRule
	if err := g.resolveEpsilon(opt.Epsilon, opt.RelativeEpsilon, opt.Schedule); err != nil {
		return nil, err
	}
	return g, nil
}

// NewGeometry builds a geometry from an explicit n×m cost matrix, which is
// copied. Costs must be finite.
func NewGeometry(cost *mat.Dense, opt GeometryOptions) (*Geometry, error) {
	cs, n, m, err := flatPoints(cost, "cost matrix")
	if err != nil {
		return nil, err
	}
	g := &Geometry{n: n, m: m, cost: cs, invScale: 1}
	if err := g.checkCosts(); err != nil {
		return nil, err
	}
	factor, err := g.scaleFactor(opt.ScaleCost, opt.ScaleCostRule, false)
	if err != nil {
		return nil, err
	}
	if err := g.setScale(factor); err != nil {
		return nil, err
	}
	if err := g.resolveEpsilon(opt.Epsilon, opt.RelativeEpsilon, opt.Schedule); err != nil {
		return nil, err
	}
	return g, nil
}

// flatPoints copies a matrix into a flat row-major slice, rejecting nil,
// empty and non-finite input.
func flatPoints(a *mat.Dense, what string) ([]float64, int, int, error) {
	if a == nil || a.IsEmpty() {
		return nil, 0, 0, fmt.Errorf("otkit: %s is empty", what)
	}
	r, c := a.Dims()
	out := make([]float64, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := a.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, 0, fmt.Errorf("otkit: %s has a non-finite entry %g at [%d,%d]", what, v, i, j)
			}
			out[i*c+j] = v
		}
	}
	return out, r, c, nil
}

func equalSlices(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (g *Geometry) xRow(i int) []float64 { return g.x[i*g.d : (i+1)*g.d] }
func (g *Geometry) yRow(j int) []float64 { return g.y[j*g.d : (j+1)*g.d] }

// evalRow writes row i of the scaled cost of a point-cloud geometry into dst
// (len m). Dense construction and the online kernel both go through here, so
// that the two modes see bit-identical costs.
func (g *Geometry) evalRow(dst []float64, i int) {
	xi := g.xRow(i)
	s := g.invScale
	if g.sqEuclid && g.d == 2 {
		// The common planar case, unrolled; same operations in the same
		// order as the general loop, so the same bits.
		x0, x1, nxi := xi[0], xi[1], g.nx[i]
		ys := g.y[:2*len(dst)]
		ny := g.ny[:len(dst)]
		for j := range dst {
			xy := x0*ys[2*j] + x1*ys[2*j+1]
			dst[j] = (nxi + ny[j] - 2*xy) * s
		}
		return
	}
	if g.sqEuclid {
		nxi := g.nx[i]
		for j := range dst {
			yj := g.yRow(j)
			var xy float64
			for k, v := range xi {
				xy += v * yj[k]
			}
			dst[j] = (nxi + g.ny[j] - 2*xy) * s
		}
		return
	}
	for j := range dst {
		dst[j] = g.costFn.Cost(xi, g.yRow(j)) * s
	}
}

// costRow returns row i of the scaled cost matrix: a view into the stored
// matrix, or dst (len m) filled on demand in online mode.
func (g *Geometry) costRow(dst []float64, i int) []float64 {
	if g.cost != nil {
		return g.cost[i*g.m : (i+1)*g.m]
	}
	g.evalRow(dst, i)
	return dst
}

// checkCosts rejects non-finite costs (a user cost returning NaN, overflow,
// a Bures point that slipped through validation). An online SqEuclidean
// geometry checks a bound from the largest norms instead (O(n + m)), and
// scans only when that bound is inconclusive.
func (g *Geometry) checkCosts() error {
	if g.onlineSqEuclid() && g.sqEuclidFinite() {
		return nil
	}
	buf := make([]float64, g.m)
	for i := 0; i < g.n; i++ {
		row := g.costRow(buf, i)
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("otkit: cost is not finite (%g) at [%d,%d]", v, i, j)
			}
		}
	}
	return nil
}

// scaleFactor resolves OTT's scale_cost: a positive constant, or a statistic
// of the unscaled cost (mean, median, max_cost) or of the points (max_norm,
// max_bound; point clouds only).
func (g *Geometry) scaleFactor(value float64, rule string, points bool) (float64, error) {
	if math.IsNaN(value) || math.IsInf(value, 0) || value < 0 {
		return 0, fmt.Errorf("otkit: ScaleCost must be positive and finite, have %g", value)
	}
	if rule == "" {
		if value == 0 {
			return 1, nil
		}
		return value, nil
	}
	if value != 0 {
		return 0, fmt.Errorf("otkit: set either ScaleCost (%g) or ScaleCostRule (%q), not both", value, rule)
	}
	var f float64
	switch rule {
	case "mean":
		if mean, _, ok := g.sqEuclidCostStats(); ok {
			f = mean
			break
		}
		var s float64
		g.eachRow(func(_ int, row []float64) {
			for _, v := range row {
				s += v
			}
		})
		f = s / float64(g.n*g.m)
	case "max_cost":
		f = math.Inf(-1)
		g.eachRow(func(_ int, row []float64) {
			for _, v := range row {
				f = math.Max(f, v)
			}
		})
	case "median":
		f = median(g.allCosts())
	case "max_norm", "max_bound":
		if !points {
			return 0, fmt.Errorf("otkit: ScaleCostRule %q needs a point cloud", rule)
		}
		nm, ok := g.costFn.(Normer)
		if !ok {
			return 0, fmt.Errorf("otkit: ScaleCostRule %q needs a cost with a Norm method, %T has none", rule, g.costFn)
		}
		mx, my := g.maxNorms(nm)
		if rule == "max_norm" {
			f = math.Max(mx, my)
		} else {
			if !g.sqEuclid {
				return 0, fmt.Errorf("otkit: ScaleCostRule \"max_bound\" needs the SqEuclidean cost, have %T", g.costFn)
			}
			f = mx + my + 2*math.Sqrt(mx*my)
		}
	default:
		return 0, fmt.Errorf("otkit: unknown ScaleCostRule %q (want mean, median, max_cost, max_norm or max_bound)", rule)
	}
	if !(f > 0) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("otkit: ScaleCostRule %q gives the factor %g; it must be positive", rule, f)
	}
	return f, nil
}

func (g *Geometry) maxNorms(nm Normer) (mx, my float64) {
	mx, my = math.Inf(-1), math.Inf(-1)
	for i := 0; i < g.n; i++ {
		mx = math.Max(mx, nm.Norm(g.xRow(i)))
	}
	for j := 0; j < g.m; j++ {
		my = math.Max(my, nm.Norm(g.yRow(j)))
	}
	return mx, my
}

func median(v []float64) float64 {
	sort.Float64s(v)
	k := len(v) / 2
	if len(v)%2 == 1 {
		return v[k]
	}
	return 0.5 * (v[k-1] + v[k])
}

// allCosts returns a fresh copy of every cost entry (the median needs one,
// even in online mode).
func (g *Geometry) allCosts() []float64 {
	out := make([]float64, 0, g.n*g.m)
	g.eachRow(func(_ int, row []float64) { out = append(out, row...) })
	return out
}

// eachRow calls fn with every row of the scaled cost in order. The row slice
// must not be retained or modified.
func (g *Geometry) eachRow(fn func(i int, row []float64)) {
	var buf []float64
	if g.cost == nil {
		buf = make([]float64, g.m)
	}
	for i := 0; i < g.n; i++ {
		fn(i, g.costRow(buf, i))
	}
}

// setScale divides the costs by factor (multiplies by its inverse, as OTT)
// and checks that the scaled costs are still finite.
func (g *Geometry) setScale(factor float64) error {
	if factor == 1 {
		return nil
	}
	g.invScale = 1 / factor
	if math.IsInf(g.invScale, 0) {
		return fmt.Errorf("otkit: cost scale factor %g is too small to divide by", factor)
	}
	for k := range g.cost {
		g.cost[k] *= g.invScale
	}
	if err := g.checkCosts(); err != nil {
		return fmt.Errorf("%v after dividing by the scale factor %g", err, factor)
	}
	return nil
}

// costMoments returns the mean and population standard deviation of the
// scaled cost entries, the std as sqrt(max(0, mean(C²) − mean(C)²)) as OTT.
// An online SqEuclidean geometry takes them from the moments of the points.
func (g *Geometry) costMoments() (mean, std float64) {
	if mean, std, ok := g.sqEuclidCostStats(); ok {
		return mean, std
	}
	var s, s2 float64
	g.eachRow(func(_ int, row []float64) {
		for _, v := range row {
			s += v
			s2 += v * v
		}
	})
	nm := float64(g.n * g.m)
	if math.IsInf(s2, 0) || math.IsInf(s, 0) {
		// C² overflows (costs beyond ~1e154): sum again with every cost
		// scaled by a power of two, which is exact, and scale back.
		_, e := math.Frexp(g.maxAbsCost())
		k := math.Ldexp(1, -e)
		s, s2 = 0, 0
		g.eachRow(func(_ int, row []float64) {
			for _, v := range row {
				v *= k
				s += v
				s2 += v * v
			}
		})
		mean = s / nm
		std = math.Sqrt(math.Max(0, s2/nm-mean*mean))
		return math.Ldexp(mean, e), math.Ldexp(std, e)
	}
	mean = s / nm
	return mean, math.Sqrt(math.Max(0, s2/nm-mean*mean))
}

// resolveEpsilon applies OTT's rules: an explicit value, or a factor (0.05 by
// default) times the std (default) or mean of the scaled cost. The
// data-dependent value is a constant for gradients (OTT's stop-gradient).
func (g *Geometry) resolveEpsilon(eps float64, relative string, sched EpsilonSchedule) error {
	if math.IsNaN(eps) || math.IsInf(eps, 0) || eps < 0 {
		return fmt.Errorf("otkit: Epsilon must be positive and finite, have %g", eps)
	}
	s, err := sched.resolve()
	if err != nil {
		return err
	}
	g.schedule = s
	switch relative {
	case "":
		if eps > 0 {
			g.eps = eps
			return g.checkEpsilonInverse()
		}
		_, std := g.costMoments()
		g.eps = 0.05 * std
		switch {
		case std == 0:
			return errors.New("otkit: default epsilon 0.05·std(C) is 0 because all costs are equal; set Epsilon")
		case !(g.eps > 0) || math.IsInf(g.eps, 0):
			return fmt.Errorf("otkit: default epsilon 0.05·std(C) = %g is not a positive float64 (costs up to %g); rescale the points or set ScaleCost, or set Epsilon", g.eps, g.maxAbsCost())
		}
		return g.checkEpsilonInverse()
	case "mean", "std":
		if eps == 0 {
			eps = 0.05
		}
		mean, std := g.costMoments()
		stat := std
		if relative == "mean" {
			stat = mean
		}
		g.eps = eps * stat
		if !(g.eps > 0) || math.IsInf(g.eps, 0) {
			return fmt.Errorf("otkit: relative epsilon %g·%s(C) = %g is not positive (or overflows float64); set Epsilon", eps, relative, g.eps)
		}
		return g.checkEpsilonInverse()
	default:
		return fmt.Errorf("otkit: unknown RelativeEpsilon %q (want \"\", \"mean\" or \"std\")", relative)
	}
}

// checkEpsilonInverse rejects an epsilon whose inverse overflows: every
// solver multiplies by 1/eps.
func (g *Geometry) checkEpsilonInverse() error {
	if math.IsInf(1/g.eps, 0) {
		return fmt.Errorf("otkit: epsilon %g is too small: 1/eps overflows float64; use Epsilon ≥ %g", g.eps, 1/math.MaxFloat64)
	}
	return nil
}

// Epsilon returns the target regularisation.
func (g *Geometry) Epsilon() float64 { return g.eps }

// epsAt returns the regularisation the potential updates use at iteration t.
func (g *Geometry) epsAt(t int) float64 {
	s := g.schedule
	if s.Init == 1 && s.Decay == 1 {
		return g.eps
	}
	return math.Max(s.Init*math.Pow(s.Decay, float64(t)), 1) * g.eps
}

// Shape returns the number of rows (sources) and columns (targets).
func (g *Geometry) Shape() (n, m int) { return g.n, g.m }

// Online reports whether the geometry evaluates costs on demand.
func (g *Geometry) Online() bool { return g.online }

// Symmetric reports whether the geometry is a point cloud against itself
// (y omitted or equal to x).
func (g *Geometry) Symmetric() bool { return g.self }

// CostMatrix returns a copy of the scaled cost matrix (built on demand for an
// online geometry).
func (g *Geometry) CostMatrix() *mat.Dense {
	out := mat.NewDense(g.n, g.m, nil)
	g.eachRow(func(i int, row []float64) { out.SetRow(i, row) })
	return out
}

// X returns a copy of the source points, nil for a cost-matrix geometry.
func (g *Geometry) X() *mat.Dense {
	if g.x == nil {
		return nil
	}
	return mat.NewDense(g.n, g.d, append([]float64(nil), g.x...))
}

// Y returns a copy of the target points, nil for a cost-matrix geometry.
func (g *Geometry) Y() *mat.Dense {
	if g.y == nil {
		return nil
	}
	return mat.NewDense(g.m, g.d, append([]float64(nil), g.y...))
}

// Cost returns the ground cost, nil for a cost-matrix geometry.
func (g *Geometry) Cost() Cost { return g.costFn }

// ScaleFactor returns the factor the raw cost was divided by.
func (g *Geometry) ScaleFactor() float64 { return 1 / g.invScale }

// maxAbsCost returns the largest |C_ij| of the scaled costs (a full scan;
// used to word error messages).
func (g *Geometry) maxAbsCost() float64 {
	var mx float64
	g.eachRow(func(_ int, row []float64) {
		for _, v := range row {
			mx = math.Max(mx, math.Abs(v))
		}
	})
	return mx
}
