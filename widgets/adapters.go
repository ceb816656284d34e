package widgets

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// This file turns otkit's results into the plain data the widgets draw. It
// only reads otkit values and calls otkit's own methods (posteriors,
// couplings, geometries); nothing is recomputed here.

// mixtureDataOf labels each point of x with its most likely component under
// m (argmax of otkit's LogComponentPosterior) and collects m's means and
// covariances.
func mixtureDataOf(x *mat.Dense, m *otkit.GaussianMixture) (mixtureData, error) {
	if m == nil {
		return mixtureData{}, fmt.Errorf("widgets: mixture is nil")
	}
	if x == nil {
		return mixtureData{}, fmt.Errorf("widgets: points are nil")
	}
	if err := m.Validate(); err != nil {
		return mixtureData{}, err
	}
	if _, d := x.Dims(); d != 2 || m.Dim() != 2 {
		return mixtureData{}, fmt.Errorf("widgets: the mixture view draws 2-D data, got points of dimension %d and a mixture of dimension %d", d, m.Dim())
	}
	if r, _ := x.Dims(); r == 0 {
		return mixtureData{}, fmt.Errorf("widgets: no points")
	}
	post, err := m.LogComponentPosterior(x)
	if err != nil {
		return mixtureData{}, err
	}
	n, k := post.Dims()
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		best := 0
		for c := 1; c < k; c++ {
			if post.At(i, c) > post.At(i, best) {
				best = c
			}
		}
		labels[i] = best
	}
	covs, err := m.Covariances()
	if err != nil {
		return mixtureData{}, err
	}
	sym := make([]mat.Symmetric, len(covs))
	for i, c := range covs {
		sym[i] = c
	}
	return mixtureData{points: x, labels: labels, means: m.Means(), covs: sym}, nil
}

// MixtureView draws the points x coloured by their most likely component of
// the fitted mixture m, with each component's 2-σ covariance ellipse (the
// tutorial's figure). Data and mixture must be 2-D.
func MixtureView(x *mat.Dense, m *otkit.GaussianMixture, opt MixtureOptions) (*Figure, error) {
	d, err := mixtureDataOf(x, m)
	if err != nil {
		return nil, err
	}
	return mixtureFigure([]mixtureData{d}, opt)
}

// MixturePairView draws two fitted mixtures side by side with shared axes:
// x0 under m0 on the left, x1 under m1 on the right ("Fitted GMM i and
// samples" unless opt.PanelTitles says otherwise).
func MixturePairView(x0 *mat.Dense, m0 *otkit.GaussianMixture, x1 *mat.Dense, m1 *otkit.GaussianMixture, opt MixtureOptions) (*Figure, error) {
	d0, err := mixtureDataOf(x0, m0)
	if err != nil {
		return nil, fmt.Errorf("widgets: mixture 0: %w", err)
	}
	d1, err := mixtureDataOf(x1, m1)
	if err != nil {
		return nil, fmt.Errorf("widgets: mixture 1: %w", err)
	}
	return mixtureFigure([]mixtureData{d0, d1}, opt)
}

// SinkhornPlot is OTT's plot of a Sinkhorn output on a point cloud: the
// geometry's x and y sized by the solve's weights and the coupling's lines
// (see [CouplingLines]). A cost-matrix geometry has no points to draw and is
// an error.
func SinkhornPlot(r *otkit.SinkhornResult, opt LinesOptions) (*Figure, error) {
	x, y, err := solvePoints(r)
	if err != nil {
		return nil, err
	}
	var p mat.Matrix
	if !opt.HideLines {
		p = r.Matrix()
	}
	return CouplingLines(x, y, r.A, r.B, p, opt)
}

func solvePoints(r *otkit.SinkhornResult) (x, y *mat.Dense, err error) {
	if err := checkResult(r); err != nil {
		return nil, nil, err
	}
	x, y = r.Geom.X(), r.Geom.Y()
	if x == nil || y == nil {
		return nil, nil, fmt.Errorf("widgets: the Sinkhorn result's geometry is a cost matrix; there are no points to draw")
	}
	return x, y, nil
}

// checkResult refuses a nil Sinkhorn result, or one assembled by hand whose
// potentials or weights do not match its geometry: r.Matrix would index out
// of range on it.
func checkResult(r *otkit.SinkhornResult) error {
	if r == nil || r.Geom == nil {
		return fmt.Errorf("widgets: Sinkhorn result without a geometry")
	}
	n, m := r.Geom.Shape()
	if len(r.F) != n || len(r.G) != m || len(r.A) != n || len(r.B) != m {
		return fmt.Errorf("widgets: Sinkhorn result has potentials of lengths %d, %d and weights of lengths %d, %d for a %d×%d geometry", len(r.F), len(r.G), len(r.A), len(r.B), n, m)
	}
	return nil
}

// SinkhornCouplingTable is the table of the solve's coupling P against its
// weights a and b (for a mixture pair's solve, the two mixtures' weights).
func SinkhornCouplingTable(r *otkit.SinkhornResult, opt CouplingOptions) (*CouplingTable, error) {
	if err := checkResult(r); err != nil {
		return nil, err
	}
	return NewCouplingTable(r.Matrix(), r.A, r.B, opt)
}

// FlowAnimation animates the frames of otkit.GradientFlow as the tutorial
// does: positions of x over the fixed target y, titled "Iter = i, name:
// value" (value with 5 decimals). Points, weights and couplings come from each
// frame's x–y solve; y may be nil when the frames carry solves (it is then
// the solve's target), and is used for frames without one. Frames must be in
// increasing step order.
//
// The tutorial shows flows without lines: set opt.HideLines and
// opt.FrameRate = 1 for its look.
func FlowAnimation(frames []otkit.FlowFrame, name string, y *mat.Dense, opt AnimationOptions) (*Animation, error) {
	titles := make([]string, len(frames))
	for i, f := range frames {
		titles[i] = fmt.Sprintf("Iter = %d, %s: %.5f", f.Step, name, f.Value)
	}
	return flowAnimation(frames, titles, y, opt)
}

func flowAnimation(frames []otkit.FlowFrame, titles []string, y *mat.Dense, opt AnimationOptions) (*Animation, error) {
	if len(frames) == 0 {
		return nil, fmt.Errorf("widgets: the flow has no frames")
	}
	if len(titles) != len(frames) {
		return nil, fmt.Errorf("widgets: %d titles for %d frames", len(titles), len(frames))
	}
	out := make([]AnimationFrame, len(frames))
	for i, f := range frames {
		if i > 0 && f.Step <= frames[i-1].Step {
			return nil, fmt.Errorf("widgets: flow frames out of order: frame %d has step %d after step %d", i, f.Step, frames[i-1].Step)
		}
		af := AnimationFrame{Title: titles[i], X: f.X, Y: y}
		if s := f.Solve; s != nil && s.Geom != nil {
			if gy := s.Geom.Y(); gy != nil {
				if gx := s.Geom.X(); gx != nil {
					af.X = gx // OTT takes positions from the solve's geometry
				}
				af.Y = gy
				af.A, af.B = s.A, s.B
				if !opt.HideLines {
					af.P = s.Matrix()
				}
			}
		}
		if af.X == nil || af.Y == nil {
			return nil, fmt.Errorf("widgets: flow frame %d (step %d) has no points (pass y, or frames with solves)", i, f.Step)
		}
		out[i] = af
	}
	return NewAnimation(out, opt)
}

// PairFitPlot draws the per-iteration report of otkit.FitPair: the two
// log-likelihood terms and the objective on the left, the transport term on
// the right (its scale differs), against the EM iteration.
func PairFitPlot(res *otkit.PairFitResult, opt LinePlotOptions) (*Figure, error) {
	if res == nil || len(res.Steps) == 0 {
		return nil, fmt.Errorf("widgets: the pair fit has no steps")
	}
	n := len(res.Steps)
	it, q0, q1, obj, tr := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, s := range res.Steps {
		it[i], q0[i], q1[i], obj[i], tr[i] = float64(s.Iter), s.Q0, s.Q1, s.Objective, s.Transport
	}
	markers := n <= 60
	return LinePanels(opt,
		LinePanel{Title: "objective and log-likelihoods", XLabel: "EM iteration", Series: []Series{
			{Name: "q0", X: it, Y: q0, Markers: markers},
			{Name: "q1", X: it, Y: q1, Markers: markers},
			{Name: "objective", X: it, Y: obj, Markers: markers},
		}},
		LinePanel{Title: "transport", XLabel: "EM iteration", Series: []Series{
			{Name: "transport", X: it, Y: tr, Markers: markers},
		}},
	)
}

// PairCouplingTable is the coupling table of a mixture pair: the solve's
// coupling (normalised to mass 1 when normalize is set, as the tutorial
// prints it) against the two mixtures' weights.
func PairCouplingTable(pair *otkit.MixturePair, r *otkit.SinkhornResult, normalize bool, opt CouplingOptions) (*CouplingTable, error) {
	if pair == nil || pair.GMM0 == nil || pair.GMM1 == nil {
		return nil, fmt.Errorf("widgets: mixture pair is incomplete")
	}
	if err := checkResult(r); err != nil {
		return nil, err
	}
	p := r.Matrix()
	if normalize {
		var err error
		if p, err = otkit.NormalizedCoupling(r); err != nil {
			return nil, fmt.Errorf("widgets: %v", err)
		}
	}
	return NewCouplingTable(p, pair.GMM0.Weights(), pair.GMM1.Weights(), opt)
}
