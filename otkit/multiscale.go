package otkit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/lse"
	"github.com/otlab/gootlab/otkit/internal/parallel"
)

// Multiscale Sinkhorn for point clouds in d ≤ 3 (GeomLoss's method on the
// CPU). Both clouds are clustered on one regular grid (a cluster is the set
// of points in a non-empty cell); the coarse problem between the clusters'
// weighted centroids, with the clusters' masses as weights, is solved by
// ε-scaling down to the target ε; the coarse potentials are extended to the
// points by one c-transform against the other cloud's centroids; and the
// Sinkhorn loop finishes at the target ε on the points with a block-sparse
// kernel that evaluates only the cluster pairs whose reduced cost can
// matter (lse.BlockSparse).
//
// Truncation rule. With φ_i = f_i − ε log a_i and ψ_j = g_j − ε log b_j (the
// potentials without OTT's log-weight terms), P_ij = a_i b_j exp(−r_ij/ε) with
// the reduced cost r_ij = C_ij − φ_i − ψ_j. A pair of clusters (I, J) is kept
// when a lower bound LB(I, J) of r_ij over I×J satisfies
//
//	LB(I, J) ≤ ε·log(1/Tolerance).
//
// For the Euclidean cost LB = s·dist(box I, box J) − max_I φ − max_J ψ. For
// the squared Euclidean cost, where steep potentials (large displacements)
// would make that bound loose by |∇φ|·(cell size), LB comes from a linear
// lower bound of s‖x‖² − φ over each cluster (pairBound in
// multiscale_grid.go), exact up to O(cell size²) where it matters.
// Every dropped entry then has r_ij > ε·log(1/tol), so P_ij < tol·a_i b_j:
// the mass of P outside the kept pattern is below tol·Σa·Σb, that of row i
// below tol·a_i·Σb. After the loop converges the pattern is rebuilt from
// the final potentials (the pattern used is built with a margin of 2ε on the
// limit, so this rarely fails); if it is not contained in the pattern used,
// the union is taken and the loop continues. So the bound holds for the
// returned potentials: the full kernel's marginals differ from the truncated
// ones in the result by at most tol·Σa·Σb in L1 each, and RegOTCost (which
// uses the truncated mass) by at most ε·tol·Σa·Σb. The fine loop stops at
// Threshold − 2·tol·Σa·Σb, so that the full-kernel marginal error is below
// Threshold as well.

// MultiscaleOptions configures MultiscaleSinkhorn. The zero value truncates
// at 1e-5 (less when the threshold asks for it), picks the grid from ε and
// n, and anneals the coarse problem by halving ε with one symmetric update
// per level.
type MultiscaleOptions struct {
	// Tolerance is tol of the truncation rule, in (0, 1). 0 → 1e-5, or
	// Threshold/(4·Σa·Σb) when that is smaller (Threshold below 4e-5 for
	// unit masses), so that the fine loop's threshold, Threshold −
	// 2·tol·Σa·Σb (see MultiscaleSinkhorn), stays at least Threshold/2
	// whatever the Sinkhorn threshold. A Tolerance set by hand must leave
	// that threshold positive.
	Tolerance          float64
	CellSize           float64 // grid cell side in point units; 0 → max(√(ε/s)/4, side/(n/16)^(1/d))
	Scaling            float64 // ε ratio between annealing levels of the coarse problem; 0 → 0.5
	IterationsPerLevel int     // symmetric updates per coarse level; 0 → 1
	// Sinkhorn configures the loops at the target ε (coarse and fine):
	// threshold, maximum iterations, tau, update rule. KernelMode and
	// Anderson acceleration are not supported; InitF/InitG are ignored.
	Sinkhorn SinkhornOptions
}

// resolve applies the defaults and checks the options; threshold is the
// Sinkhorn threshold and mass = Σa·Σb, which the default Tolerance follows.
func (o MultiscaleOptions) resolve(geom *Geometry, threshold, mass float64) (MultiscaleOptions, error) {
	if o.Tolerance == 0 {
		// The fine loop stops at threshold − 2·tol·mass: keep that at
		// least threshold/2.
		o.Tolerance = min(1e-5, threshold/(4*mass))
	}
	if !(o.Tolerance > 0 && o.Tolerance < 1) {
		return o, fmt.Errorf("otkit: MultiscaleSinkhorn: Tolerance must be in (0, 1), have %g", o.Tolerance)
	}
	if bound := o.Tolerance * mass; !(threshold-2*bound > 0) {
		return o, fmt.Errorf("otkit: MultiscaleSinkhorn: Tolerance %g is too loose for the threshold %g (the dropped mass could reach %g on each marginal); lower Tolerance below %.3g, or leave it 0 to follow the threshold",
			o.Tolerance, threshold, bound, threshold/(2*mass))
	}
	if math.IsNaN(o.CellSize) || math.IsInf(o.CellSize, 0) || o.CellSize < 0 {
		return o, fmt.Errorf("otkit: MultiscaleSinkhorn: CellSize must be positive and finite (0 for the default), have %g", o.CellSize)
	}
	sc, err := EpsScalingOptions{Scaling: o.Scaling, IterationsPerLevel: o.IterationsPerLevel}.resolve(geom)
	if err != nil {
		return o, fmt.Errorf("otkit: MultiscaleSinkhorn: %w", err)
	}
	o.Scaling, o.IterationsPerLevel = sc.Scaling, sc.IterationsPerLevel
	return o, nil
}

// MultiscaleResult is a SinkhornResult (whose methods, gradients included,
// use the truncated kernel) with the multiscale solve's statistics.
//
// Its Convergence (promoted from SinkhornResult) is the record of the last
// fine round: Iterations and Errors of that round's loop, against
// SinkhornOptions.MaxIterations (each round runs under that cap), and
// Threshold the fine loop's, SinkhornOptions.Threshold − 2·MassBound. The
// coarse levels and every fine round, with their iterations, are in Levels.
type MultiscaleResult struct {
	*SinkhornResult
	// Levels lists the coarse annealing levels, the coarse loop at the
	// target ε, and the fine rounds (more than one when the pattern had to
	// grow), in order.
	Levels               []ScalingLevel
	XClusters, YClusters int
	// KeptFraction is the fraction of the n·m kernel entries the final
	// pattern evaluates.
	KeptFraction float64
	// MassBound is tol·Σa·Σb, the bound on the coupling mass outside the
	// pattern at the returned potentials.
	MassBound float64
}

// patternMargin widens the built pattern beyond the checked rule by this many
// units of ε (a factor e^-2 on the tolerance).
const patternMargin = 2

// coarseDirectEntries is the size (clusters × clusters) up to which the
// coarse problem is solved by EpsScaling with the full kernel; larger coarse
// problems are solved by MultiscaleSinkhorn in turn.
const coarseDirectEntries = 1 << 20

// maxFineRounds bounds the rounds of "converge, rebuild the pattern, grow".
const maxFineRounds = 4

// MultiscaleSinkhorn solves the entropic problem of Sinkhorn on a point-cloud
// geometry with the SqEuclidean or Euclidean cost in dimension d ≤ 3 (online
// or not; no data-dependent ScaleCostRule), by coarse-to-fine ε-scaling with
// kernel truncation. Memory is O(n + m) plus the pattern (O(clusters²) bits).
//
// Bad input and non-finite results are errors (the latter wrapping
// ErrNumerical). A fine loop that stops above its threshold, or a pattern
// that still grows after the last round, is not an error: the result is
// returned with a nil error and Converged false, and Err says which.
// SinkhornResult.Check is not applied: it sums the full n·m plan, which
// differs from the truncated one by up to MassBound.
func MultiscaleSinkhorn(geom *Geometry, a, b []float64, opt MultiscaleOptions) (*MultiscaleResult, error) {
	const op = "MultiscaleSinkhorn"
	s, err := newCheckedSolver(op, geom, a, b, opt.Sinkhorn)
	if err != nil {
		return nil, err
	}
	_, euclid := geom.costFn.(Euclidean)
	switch {
	case geom.x == nil:
		return nil, errors.New("otkit: MultiscaleSinkhorn needs a point-cloud geometry (NewPointCloud)")
	case !geom.sqEuclid && !euclid:
		return nil, fmt.Errorf("otkit: MultiscaleSinkhorn supports the SqEuclidean and Euclidean costs, have %T; use EpsScaling", geom.costFn)
	case geom.d > 3:
		return nil, fmt.Errorf("otkit: MultiscaleSinkhorn supports d ≤ 3, have d = %d; use EpsScaling", geom.d)
	case geom.rule != "":
		return nil, fmt.Errorf("otkit: MultiscaleSinkhorn: ScaleCostRule %q is data-dependent; pass the factor as ScaleCost", geom.rule)
	case opt.Sinkhorn.KernelMode || opt.Sinkhorn.Anderson > 0:
		return nil, errors.New("otkit: MultiscaleSinkhorn runs in the log domain without Anderson acceleration; unset KernelMode and Anderson")
	}
	o, err := opt.resolve(geom, s.cfg.Threshold, sum(s.a)*sum(s.b))
	if err != nil {
		return nil, err
	}
	eps := geom.eps
	cx, cy := newGridClusters(geom, s.a, s.b, o.CellSize, euclid)
	res := &MultiscaleResult{XClusters: cx.count(), YClusters: cy.count()}

	// Coarse problem between centroids, annealed to the target ε.
	coarse, err := solveCoarse(geom, cx, cy, o, &res.Levels)
	if err != nil {
		return nil, err
	}
	// Extend the coarse potentials to the points: f from the coarse g
	// against the y centroids, g from the coarse f against the x centroids.
	if err := extendPotential(s, geom.x, cy.centroids, coarse.G, s.f, s.logA, s.cfg.TauA); err != nil {
		return nil, err
	}
	if err := extendPotential(s, geom.y, cx.centroids, coarse.F, s.g, s.logB, s.cfg.TauB); err != nil {
		return nil, err
	}

	// Fine rounds: truncate at the current potentials, converge, rebuild
	// the pattern from the converged potentials; done when it is contained
	// in the pattern used (then the truncation bound holds for the result).
	s.sc = nil
	if opt.Sinkhorn.InnerIterations == 0 {
		// Started close to the fixed point, the fine loop stops within a few
		// iterations; checking every iteration costs little, as the
		// check's reduction is reused by the next update.
		s.cfg.InnerIterations = 1
	}
	// The loop sees the truncated marginals, which differ from the full
	// kernel's by at most MassBound on each side: it stops below the
	// threshold minus both, so that the full-kernel error meets the
	// threshold too.
	res.MassBound = o.Tolerance * sum(s.a) * sum(s.b)
	s.cfg.Threshold -= 2 * res.MassBound // positive: resolve checked it
	k := math.Log(1 / o.Tolerance)
	var used []uint64
	stable := false
	for round := 0; round <= maxFineRounds; round++ {
		if used != nil && subset(truncationPattern(cx, cy, s, geom.invScale, eps, k, euclid), used) {
			stable = true
			break
		}
		if round == maxFineRounds {
			break
		}
		// Built with a margin so that the potentials' last moves rarely
		// push a pair across the limit the check applies.
		used = union(used, truncationPattern(cx, cy, s, geom.invScale, eps, k+patternMargin, euclid))
		bk := newBlockSparseLSE(geom, cx, cy, used, euclid)
		s.use(blockSparseBackend(bk))
		s.colFOK = false
		s.run()
		res.KeptFraction = float64(bk.Kept()) / (float64(geom.n) * float64(geom.m))
		res.Levels = append(res.Levels, ScalingLevel{Epsilon: eps, Iterations: s.iters, KeptFraction: res.KeptFraction})
	}
	r := s.result()
	res.SinkhornResult = r
	if v := r.finiteViolation(); v != "" {
		return nil, numericalError("MultiscaleSinkhorn at eps = %g: %s; use a larger Epsilon or rescale the data (ScaleCost)", eps, v)
	}
	rounds := 0
	for _, l := range res.Levels {
		if !l.Coarse {
			rounds++
		}
	}
	r.kind = &loopKind{op: fmt.Sprintf("%s: fine round %d", op, rounds), cap: "SinkhornOptions.MaxIterations (per fine round)",
		help: "raise MultiscaleOptions.Sinkhorn.MaxIterations or its Threshold"}
	if r.Converged && !stable {
		r.Converged = false
		r.cause = fmt.Errorf("otkit: %s: %w: the truncation pattern still grew after %d fine rounds, so the bound %g on the dropped mass is not guaranteed; lower Tolerance",
			op, ErrNotConverged, maxFineRounds, res.MassBound)
	}
	return res, nil
}

// solveCoarse runs EpsScaling between the clusters' centroids with their
// masses as weights and records its levels. A coarse loop that stops at its
// iteration cap is not an error: the fine loop continues from it.
func solveCoarse(geom *Geometry, cx, cy *gridClusters, o MultiscaleOptions, levels *[]ScalingLevel) (*SinkhornResult, error) {
	ma, mb := cx.mass, cy.mass
	xs := mat.NewDense(cx.count(), geom.d, cx.centroids)
	ys := mat.NewDense(cy.count(), geom.d, cy.centroids)
	cg, err := NewPointCloud(xs, ys, PointCloudOptions{Cost: geom.costFn, Epsilon: geom.eps, ScaleCost: geom.ScaleFactor(),
		Online: cx.count()*cy.count() > 1<<22})
	if err != nil {
		return nil, fmt.Errorf("otkit: MultiscaleSinkhorn: coarse geometry: %w", err)
	}
	copt := o.Sinkhorn
	copt.InitF, copt.InitG = nil, nil
	if cx.count()*cy.count() > coarseDirectEntries {
		// Still large: solve the coarse problem itself multiscale.
		co := o
		co.CellSize = 0
		co.Sinkhorn = copt
		r, err := MultiscaleSinkhorn(cg, ma, mb, co)
		if err != nil {
			return nil, fmt.Errorf("otkit: MultiscaleSinkhorn: coarse problem: %w", err)
		}
		for _, l := range r.Levels {
			l.Coarse = true
			*levels = append(*levels, l)
		}
		return r.SinkhornResult, nil
	}
	r, err := EpsScaling(cg, ma, mb, EpsScalingOptions{Scaling: o.Scaling, InitialEpsilon: geom.costDiameter(),
		IterationsPerLevel: o.IterationsPerLevel, Sinkhorn: copt})
	if err != nil {
		return nil, fmt.Errorf("otkit: MultiscaleSinkhorn: coarse problem: %w", err)
	}
	for _, l := range r.Levels {
		l.Coarse = true
		*levels = append(*levels, l)
	}
	return r.SinkhornResult, nil
}

// extendPotential sets pot (of the points pts) to the update against the
// other cloud's centroids with their coarse potential h: pot_i =
// eps·log w_i − tau·eps·LSE_J (h_J − C(p_i, c_J))/eps, the c-transform that
// the coarse solution implies at the points.
func extendPotential(s *solver, pts, centroids, h, pot, logW []float64, tau float64) error {
	g := s.geom
	d := g.d
	pg, err := NewPointCloud(mat.NewDense(len(pts)/d, d, pts), mat.NewDense(len(centroids)/d, d, centroids),
		PointCloudOptions{Cost: g.costFn, Epsilon: g.eps, ScaleCost: g.ScaleFactor(), Online: true})
	if err != nil {
		return fmt.Errorf("otkit: MultiscaleSinkhorn: extending the coarse potentials: %w", err)
	}
	lse := make([]float64, len(pts)/d)
	float64Kernel(pg, false).RowLSE(lse, h, g.eps)
	zeroNonFinite(lse)
	s.update(pot, lse, logW, g.eps, tau, 1)
	return nil
}

// truncationPattern applies the truncation rule at the solver's potentials:
// bit J of row I (rows of patternStride(nY) words) is set when cluster pair
// (I, J) is kept. Every cluster with positive mass keeps at least its best
// partner, so no reduction is empty. Rows are independent and run in
// parallel; the result does not depend on GOMAXPROCS.
func truncationPattern(cx, cy *gridClusters, s *solver, scale, eps, k float64, euclid bool) []uint64 {
	nx, ny := cx.count(), cy.count()
	stride := patternStride(ny)
	d := cx.d
	bits := make([]uint64, nx*stride)
	var lower func(i, j int) float64
	// activeX[I] (activeY[J]): the cluster has a point of positive weight.
	activeX, activeY := make([]bool, nx), make([]bool, ny)
	if euclid {
		phi := cx.maxReduced(s.f, s.a, eps)
		psi := cy.maxReduced(s.g, s.b, eps)
		lower = func(i, j int) float64 {
			var g2 float64
			for t := 0; t < d; t++ {
				gap := max(0, cy.lo[j*d+t]-cx.hi[i*d+t], cx.lo[i*d+t]-cy.hi[j*d+t])
				g2 += gap * gap
			}
			return scale*math.Sqrt(g2) - phi[i] - psi[j]
		}
		for i, v := range phi {
			activeX[i] = !math.IsInf(v, -1)
		}
		for j, v := range psi {
			activeY[j] = !math.IsInf(v, -1)
		}
	} else {
		bx := cx.linearBound(s.f, s.a, eps, scale)
		by := cy.linearBound(s.g, s.b, eps, scale)
		lower = func(i, j int) float64 { return pairBound(bx, by, i, j, d, scale) }
		for i, v := range bx.low {
			activeX[i] = !math.IsInf(v, 1)
		}
		for j, v := range by.low {
			activeY[j] = !math.IsInf(v, 1)
		}
	}
	limit := k * eps
	parallel.Chunks(nx, 16, nx*ny, func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			if !activeX[i] {
				continue
			}
			row := bits[i*stride : (i+1)*stride]
			best, bestV, any := -1, math.Inf(1), false
			for j := 0; j < ny; j++ {
				if !activeY[j] {
					continue
				}
				v := lower(i, j)
				if v <= limit {
					row[j/64] |= 1 << (j % 64)
					any = true
				} else if v < bestV {
					best, bestV = j, v
				}
			}
			if !any && best >= 0 {
				row[best/64] |= 1 << (best % 64)
			}
		}
	})
	colAny := make([]uint64, stride)
	for i := 0; i < nx; i++ {
		for w := range colAny {
			colAny[w] |= bits[i*stride+w]
		}
	}
	for j := 0; j < ny; j++ {
		if colAny[j/64]>>(j%64)&1 == 1 || !activeY[j] {
			continue
		}
		best, bestV := -1, math.Inf(1)
		for i := 0; i < nx; i++ {
			if v := lower(i, j); activeX[i] && v < bestV {
				best, bestV = i, v
			}
		}
		if best >= 0 {
			bits[best*stride+j/64] |= 1 << (j % 64)
		}
	}
	return bits
}

// patternStride is the number of words of a pattern row of ny clusters.
func patternStride(ny int) int { return (ny + 63) / 64 }

func subset(a, b []uint64) bool {
	for k, v := range a {
		if v&^b[k] != 0 {
			return false
		}
	}
	return true
}

func union(a, b []uint64) []uint64 {
	if a == nil {
		return b
	}
	out := make([]uint64, len(a))
	for k := range a {
		out[k] = a[k] | b[k]
	}
	return out
}

// newBlockSparseLSE builds the kernel of the kept cluster pairs.
func newBlockSparseLSE(g *Geometry, cx, cy *gridClusters, bits []uint64, euclid bool) *lse.BlockSparse {
	stride := patternStride(cy.count())
	keep := func(i, j int) bool { return bits[i*stride+j/64]>>(j%64)&1 == 1 }
	return lse.NewBlockSparse(cx.side, cy.side, g.n, g.m, g.d, g.invScale, euclid, keep)
}
