package otkit

import (
	"fmt"
	"math"
)

// ε-scaling (annealing): the potentials are first computed at a large
// regularisation, where Sinkhorn converges in a few iterations, and carried
// down a geometric schedule of ε to the target, where they start close to
// the fixed point. This is GeomLoss's schedule: ε_0 of the order of the
// diameter^p of the data, ε_{k+1} = Scaling·ε_k, a few symmetric updates per
// level (f and g both from the previous pair, averaged with it), then the
// ordinary Sinkhorn loop at the target ε until the marginal error is below
// the threshold.

// EpsScalingOptions configures EpsScaling. The zero value anneals from the
// diameter^p of the data by halving ε with one symmetric update per level,
// then runs the default Sinkhorn loop at the target ε.
type EpsScalingOptions struct {
	Scaling            float64 // ratio ε_{k+1}/ε_k in (0, 1); 0 → 0.5
	InitialEpsilon     float64 // ε_0; 0 → the largest cost (diameter^p for point clouds)
	IterationsPerLevel int     // symmetric updates per annealing level; 0 → 1
	// Sinkhorn configures the final phase at the target ε (threshold,
	// maximum iterations, tau for unbalanced problems, ...). InitF and
	// InitG, if set, start the annealing instead of zeros.
	Sinkhorn SinkhornOptions
}

// resolve applies the defaults and checks the options.
func (o EpsScalingOptions) resolve(geom *Geometry) (EpsScalingOptions, error) {
	if o.Scaling == 0 {
		o.Scaling = 0.5
	}
	if !(o.Scaling > 0 && o.Scaling < 1) {
		return o, fmt.Errorf("otkit: EpsScaling: Scaling must be in (0, 1), have %g", o.Scaling)
	}
	if math.IsNaN(o.InitialEpsilon) || math.IsInf(o.InitialEpsilon, 0) || o.InitialEpsilon < 0 {
		return o, fmt.Errorf("otkit: EpsScaling: InitialEpsilon must be positive and finite (0 for the default), have %g", o.InitialEpsilon)
	}
	if o.InitialEpsilon == 0 {
		o.InitialEpsilon = geom.costDiameter()
	}
	if o.IterationsPerLevel < 0 {
		return o, fmt.Errorf("otkit: EpsScaling: IterationsPerLevel must not be negative, have %d", o.IterationsPerLevel)
	}
	if o.IterationsPerLevel == 0 {
		o.IterationsPerLevel = 1
	}
	return o, nil
}

// ScalingLevel describes one level of an annealed solve.
type ScalingLevel struct {
	Epsilon      float64
	Iterations   int
	KeptFraction float64 // fraction of the n·m kernel entries evaluated (1 when not truncated)
	Coarse       bool    // solved on the cluster centroids (MultiscaleSinkhorn)
}

// EpsScalingResult is the Sinkhorn result at the target ε with the
// annealing levels that led to it.
//
// Its Convergence (promoted from SinkhornResult) is the record of the final
// Sinkhorn loop at the target ε: Iterations and Errors count that phase
// only, against SinkhornOptions.MaxIterations, the cap that bounds it. The
// annealing updates, which no threshold stops, are listed in Levels.
type EpsScalingResult struct {
	*SinkhornResult
	// Levels lists the annealing levels (IterationsPerLevel symmetric
	// updates each) followed by the final loop at the target ε.
	Levels []ScalingLevel
}

// EpsScaling solves the same problem as Sinkhorn (same ε, options, weights,
// potentials) by ε-scaling: annealing levels ε_k = ε_0·Scaling^k > ε run
// IterationsPerLevel symmetric updates each, then the Sinkhorn loop of
// opt.Sinkhorn continues at the target ε from the annealed potentials. It
// works on any geometry; its potentials are those of the target ε.
//
// Bad input and a result that float64 cannot hold are errors, as for
// Sinkhorn (the same checks: SinkhornResult.Check). A final phase that does
// not reach its threshold is not: the result is returned with a nil error
// and reports it in Converged; Err names the cap.
func EpsScaling(geom *Geometry, a, b []float64, opt EpsScalingOptions) (*EpsScalingResult, error) {
	s, err := newCheckedSolver("EpsScaling", geom, a, b, opt.Sinkhorn)
	if err != nil {
		return nil, err
	}
	sc, err := opt.resolve(geom)
	if err != nil {
		return nil, err
	}
	levels := annealingLevels(sc.InitialEpsilon, geom.eps, sc.Scaling)
	s.sc = nil // the annealing moves f and g in ways the scaling form does not track
	res := &EpsScalingResult{Levels: make([]ScalingLevel, 0, len(levels)+1)}
	for k, eps := range levels {
		n := s.anneal(eps, sc.IterationsPerLevel, k == 0 && opt.Sinkhorn.InitF == nil && opt.Sinkhorn.InitG == nil)
		res.Levels = append(res.Levels, ScalingLevel{Epsilon: eps, Iterations: n, KeptFraction: 1})
	}
	s.run()
	r := s.result()
	if err := s.diagnose(r); err != nil {
		return nil, within("EpsScaling", err)
	}
	r.kind = epsScalingLoop
	res.SinkhornResult = r
	res.Levels = append(res.Levels, ScalingLevel{Epsilon: geom.eps, Iterations: r.Iterations, KeptFraction: 1})
	return res, nil
}

// epsScalingLoop names EpsScaling's final loop in its *ConvergenceError.
var epsScalingLoop = &loopKind{op: "EpsScaling: final Sinkhorn loop at the target epsilon", cap: "SinkhornOptions.MaxIterations",
	help: "raise EpsScalingOptions.Sinkhorn.MaxIterations or its Threshold, or anneal more slowly (Scaling closer to 1, more IterationsPerLevel)"}

// annealingLevels returns ε_0·ratio^k for k = 0, 1, ... while above target.
func annealingLevels(eps0, target, ratio float64) []float64 {
	var out []float64
	for e := eps0; e > target*(1+1e-9) && len(out) < 200; e *= ratio {
		out = append(out, e)
	}
	return out
}

// costDiameter is GeomLoss's ε_0: the largest cost, from the bounding box of
// both clouds for the squared Euclidean and Euclidean costs (diameter^p, an
// upper bound on every cost), otherwise by scanning the costs.
func (g *Geometry) costDiameter() float64 {
	if g.x != nil {
		_, isEuclid := g.costFn.(Euclidean)
		if g.sqEuclid || isEuclid {
			lo, hi := boundingBox(g.x, g.d)
			lo2, hi2 := boundingBox(g.y, g.d)
			var d2 float64
			for k := range lo {
				w := math.Max(hi[k], hi2[k]) - math.Min(lo[k], lo2[k])
				d2 += w * w
			}
			if isEuclid {
				d2 = math.Sqrt(d2)
			}
			return math.Max(d2*g.invScale, g.eps)
		}
	}
	mx := g.eps
	g.eachRow(func(_ int, row []float64) {
		for _, v := range row {
			mx = math.Max(mx, v)
		}
	})
	return mx
}

// boundingBox returns the coordinate-wise minimum and maximum of flat
// row-major points of dimension d.
func boundingBox(p []float64, d int) (lo, hi []float64) {
	lo, hi = make([]float64, d), make([]float64, d)
	for k := range lo {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
	}
	for i := 0; i < len(p); i += d {
		for k := 0; k < d; k++ {
			lo[k] = math.Min(lo[k], p[i+k])
			hi[k] = math.Max(hi[k], p[i+k])
		}
	}
	return lo, hi
}

// anneal runs iters symmetric updates at eps: f and g are both computed from
// the previous pair and averaged with it (GeomLoss), except on a cold start
// (first level from zero potentials), where the first update replaces them.
// It returns the number of updates.
func (s *solver) anneal(eps float64, iters int, cold bool) int {
	tauA, tauB := s.cfg.TauA, s.cfg.TauB
	for t := 0; t < iters; t++ {
		w := 0.5
		if cold && t == 0 {
			w = 1
		}
		s.reduce(false, s.bufM, s.f, eps)
		s.reduce(true, s.bufN, s.g, eps)
		s.update(s.g, s.bufM, s.logB, eps, tauB, w)
		s.update(s.f, s.bufN, s.logA, eps, tauA, w)
	}
	s.colFOK = false
	return iters
}
