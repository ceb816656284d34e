package otkit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MultiscaleDivergenceOptions configures MultiscaleDivergence. The zero
// value is Divergence's default (squared Euclidean cost, ε = 0.05·std of the
// x–y costs shared by the three problems, symmetric self-solves) with the
// default multiscale solver.
type MultiscaleDivergenceOptions struct {
	Cost       Cost    // nil → SqEuclidean{}; SqEuclidean or Euclidean
	Epsilon    float64 // 0 → 0.05·std(C_xy)
	Multiscale MultiscaleOptions
}

// resolve checks the options; their zero values are resolved where they
// are used (NewPointCloud, MultiscaleSinkhorn).
func (o MultiscaleDivergenceOptions) resolve() (MultiscaleDivergenceOptions, error) {
	if math.IsNaN(o.Epsilon) || math.IsInf(o.Epsilon, 0) || o.Epsilon < 0 {
		return o, fmt.Errorf("otkit: multiscale divergence: epsilon must be positive, or 0 for the default; have %g", o.Epsilon)
	}
	return o, nil
}

// MultiscaleDivergence is Divergence with the three problems solved by
// MultiscaleSinkhorn on online geometries: the same value
//
//	S_eps = R_xy − ½(R_xx + R_yy) + ½·eps·(Σa − Σb)²
//
// up to the truncation (each R within eps·tol·mass of its full-kernel value
// at the same potentials), and the same result type, whose GradX works on
// the truncated couplings. The self problems use the symmetric update, as
// Divergence does. A solve that stops above its threshold is not an error:
// the result is returned with a nil error and Converged false (Err names
// the solve).
func MultiscaleDivergence(x, y *mat.Dense, a, b []float64, opt MultiscaleDivergenceOptions) (*DivergenceResult, error) {
	if x == nil || y == nil {
		return nil, errors.New("otkit: multiscale divergence: nil point cloud")
	}
	opt, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	gxy, err := NewPointCloud(x, y, PointCloudOptions{Cost: opt.Cost, Epsilon: opt.Epsilon, Online: true})
	if err != nil {
		return nil, fmt.Errorf("otkit: multiscale divergence: x–y geometry: %w", err)
	}
	eps := gxy.Epsilon()
	solve := func(name string, g *Geometry, p, q []float64, o MultiscaleOptions) (*SinkhornResult, error) {
		r, err := MultiscaleSinkhorn(g, p, q, o)
		if err != nil {
			return nil, fmt.Errorf("otkit: multiscale divergence: %s problem: %w", name, err)
		}
		return r.SinkhornResult, nil
	}
	rxy, err := solve("x–y", gxy, a, b, opt.Multiscale)
	if err != nil {
		return nil, err
	}
	self := opt.Multiscale
	self.Sinkhorn.ParallelDualUpdates = true
	self.Sinkhorn.Momentum = 0.5
	self.Sinkhorn.MomentumStart = 0
	res := &DivergenceResult{XY: rxy, Epsilon: eps}
	for _, side := range []struct {
		name string
		pts  *mat.Dense
		w    []float64
		out  **SinkhornResult
	}{{"x–x", x, rxy.A, &res.XX}, {"y–y", y, rxy.B, &res.YY}} {
		g, err := NewPointCloud(side.pts, nil, PointCloudOptions{Cost: opt.Cost, Epsilon: eps, Online: true})
		if err != nil {
			return nil, fmt.Errorf("otkit: multiscale divergence: %s geometry: %w", side.name, err)
		}
		if *side.out, err = solve(side.name, g, side.w, side.w, self); err != nil {
			return nil, err
		}
	}
	res.setConvergence("multiscale divergence")
	dm := sum(rxy.A) - sum(rxy.B)
	res.Divergence = rxy.RegOTCost - 0.5*(res.XX.RegOTCost+res.YY.RegOTCost) + 0.5*eps*dm*dm
	if !isFinite(res.Divergence) {
		// Each cost is finite (MultiscaleSinkhorn checks), so their sum overflowed.
		return nil, numericalError("multiscale divergence: R_xy = %g, R_xx = %g, R_yy = %g sum to %g: rescale the points (or ScaleCost) so the costs are far below 1e308",
			rxy.RegOTCost, res.XX.RegOTCost, res.YY.RegOTCost, res.Divergence)
	}
	return res, nil
}
