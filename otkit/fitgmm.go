package otkit

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// EMOptions configures FitEM. The zero value runs no step and is rejected:
// OTT's fit_model_em has no default step count either.
type EMOptions struct {
	// Steps is the number of EM iterations (E-step then M-step); required,
	// ≥ 1. With Tolerance it is the cap (sklearn's max_iter).
	Steps int
	// Tolerance > 0 stops early, as sklearn's tol, once the mean
	// log-likelihood of the points changes by less than Tolerance between
	// consecutive E-steps (after that step's M-step). 0 runs all Steps
	// (OTT's fit_model_em).
	Tolerance float64
	// PointWeights are optional non-negative weights, one per point
	// (nil → all 1). Only their ratios matter.
	PointWeights []float64
	// Report, when non-nil, receives one line per step in OTT's verbose
	// format "{i}  q={q}  -log prob={loss}", where q is the expected complete
	// log-likelihood of the new model under the step's responsibilities and
	// loss the weighted mean of −log p(x) under the new model. Numbers are
	// printed like Python's repr of a float64 (OTT's are float32, so it
	// shows fewer digits).
	Report io.Writer
	// Ridge is added to the diagonal of every covariance after each M-step
	// (sklearn's reg_covar). 0, OTT's behaviour, lets a component collapse
	// onto too few points, which is then reported as an error.
	Ridge float64
}

// resolve checks the options.
func (o EMOptions) resolve() (EMOptions, error) {
	if o.Steps < 1 {
		return o, fmt.Errorf("otkit: FitEM: EMOptions.Steps = %d, want at least 1 (OTT has no default)", o.Steps)
	}
	if math.IsNaN(o.Ridge) || math.IsInf(o.Ridge, 0) || o.Ridge < 0 {
		return o, fmt.Errorf("otkit: FitEM: Ridge = %g, want finite and ≥ 0", o.Ridge)
	}
	if math.IsNaN(o.Tolerance) || math.IsInf(o.Tolerance, 0) || o.Tolerance < 0 {
		return o, fmt.Errorf("otkit: FitEM: Tolerance = %g, want finite and ≥ 0 (0 runs all Steps)", o.Tolerance)
	}
	return o, nil
}

// EMResult is what FitEM returns: the fitted mixture and the record of the
// EM loop, as sklearn's GaussianMixture reports converged_, n_iter_ and
// lower_bound_.
type EMResult struct {
	// Mixture is the fitted model (a new value; the start is untouched).
	Mixture *GaussianMixture
	// LogLikelihood holds the weighted mean log-likelihood of the points,
	// Σ_n w_n log p(x_n) / Σ_n w_n, under the model entering each step (at
	// its E-step, before its M-step: sklearn's lower_bound_ trace). It is
	// computed when EMOptions.Tolerance > 0 or Report is set, and nil
	// otherwise: it costs a logarithm per point and step, a measurable part
	// of a small-K step, which OTT's fixed-step fit does not need.
	LogLikelihood []float64
	// Convergence: Iterations counts EM steps against EMOptions.Steps;
	// Errors holds |ΔLogLikelihood| between consecutive steps (when
	// LogLikelihood is computed) and Threshold is EMOptions.Tolerance. With Tolerance 0 (OTT's fixed step
	// count) there is no criterion to miss: a run that completes all its
	// Steps is Converged.
	Convergence
}

// emLoop names the EM loop in its *ConvergenceError.
var emLoop = &loopKind{op: "FitEM", cap: "EMOptions.Steps", unit: "EM steps",
	statistic: "change of the mean log-likelihood", help: "raise EMOptions.Steps or Tolerance"}

// kmeansAttempts is OTT's n_attempts: how many k-means++ draws are tried
// before InitKMeansPlusPlus gives up.
const kmeansAttempts = 50

// emChunk is the number of points per work unit in the E- and M-step passes.
// The partition depends only on the number of points, and partial sums are
// reduced in chunk order, so results are bitwise identical at any GOMAXPROCS.
const emChunk = 2048

// MixtureFromAssignments is the M-step (OTT's
// from_points_and_assignment_probs): with point weights w (nil → ones) and an
// N×K responsibility matrix R, component k gets weight Σ_n w_n R_nk / Σ_n w_n,
// the w·R_k-weighted mean, and the w·R_k-weighted biased covariance
// (divided by Σ_n w_n R_nk). A component without mass, or whose covariance is
// singular, is an error naming it.
func MixtureFromAssignments(x *mat.Dense, pointWeights []float64, resp *mat.Dense) (*GaussianMixture, error) {
	const op = "MixtureFromAssignments"
	xs, w, n, d, err := weightedPoints(x, pointWeights, op)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, fmt.Errorf("otkit: %s: nil responsibilities", op)
	}
	rn, k := resp.Dims()
	if rn != n {
		return nil, fmt.Errorf("otkit: %s: %d points but %d responsibility rows", op, n, rn)
	}
	e := newEMWork(xs, n, d, k, w)
	for r := 0; r < n; r++ {
		wr := 1.0
		if w != nil {
			wr = w[r]
		}
		for c := 0; c < k; c++ {
			v := resp.At(r, c)
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("otkit: %s: responsibility (%d,%d) is %g, want finite and ≥ 0", op, r, c, v)
			}
			e.resp[r*k+c] = wr * v
		}
	}
	e.sumFirstMoments()
	m, _, err := e.mStep(0)
	if err != nil {
		return nil, fmt.Errorf("otkit: %s: %v", op, err)
	}
	return m, nil
}

// InitKMeansPlusPlus builds an initial mixture with one pass of k-means++
// (OTT's initialize / from_kmeans_plusplus): the first centre is a uniformly
// drawn point, removed from the pool; each further centre is drawn from the
// remaining pool with probability proportional to the squared distance to
// the nearest centre, and removed too; every point is then assigned to its
// nearest centre (a tie assigns it to all tied centres) and
// MixtureFromAssignments gives the mixture. Point weights enter only that
// last step. A draw fails when a component has fewer than d+1 distinct
// points or a singular covariance; the next draw from rng is then tried, up
// to 50 times. (OTT never retries in practice: JAX's Cholesky returns NaN
// instead of failing.)
func InitKMeansPlusPlus(rng *rand.Rand, x *mat.Dense, pointWeights []float64, k int) (*GaussianMixture, error) {
	const op = "InitKMeansPlusPlus"
	if rng == nil {
		return nil, fmt.Errorf("otkit: %s: nil random source", op)
	}
	if k < 1 {
		return nil, fmt.Errorf("otkit: %s: %d components, want at least 1", op, k)
	}
	xs, w, n, d, err := weightedPoints(x, pointWeights, op)
	if err != nil {
		return nil, err
	}
	if got := countDistinct(xs, d, n, nil, k); got < k {
		return nil, fmt.Errorf("otkit: %s: %d components but only %d distinct points", op, k, got)
	}
	var last error
	for attempt := 0; attempt < kmeansAttempts; attempt++ {
		m, err := kmeansPPOnce(rng, xs, n, d, w, k)
		if err == nil {
			return m, nil
		}
		last = err
	}
	return nil, fmt.Errorf("otkit: %s: failed to initialise in %d attempts (last: %v)", op, kmeansAttempts, last)
}

// kmeansPPOnce is one k-means++ draw followed by hard assignment and the
// M-step.
func kmeansPPOnce(rng *rand.Rand, xs []float64, n, d int, w []float64, k int) (*GaussianMixture, error) {
	pool := make([]int, n)
	for i := range pool {
		pool[i] = i
	}
	centres := make([]float64, 0, k*d)
	pick := rng.IntN(n)
	centres = append(centres, xs[pool[pick]*d:(pool[pick]+1)*d]...)
	pool = append(pool[:pick], pool[pick+1:]...)
	minD2 := make([]float64, len(pool))
	for i := range minD2 {
		minD2[i] = math.Inf(1)
	}
	for c := 1; c < k; c++ {
		ctr := centres[(c-1)*d : c*d]
		var total float64
		for i, p := range pool {
			v := sqDist(xs[p*d:(p+1)*d], ctr)
			if v < minD2[i] {
				minD2[i] = v
			}
			total += minD2[i]
		}
		if !(total > 0) {
			return nil, fmt.Errorf("all remaining points coincide with the centres")
		}
		u := rng.Float64() * total
		pick = -1
		var acc float64
		for i, v := range minD2 {
			if v == 0 {
				continue
			}
			acc += v
			pick = i
			if u < acc {
				break
			}
		}
		centres = append(centres, xs[pool[pick]*d:(pool[pick]+1)*d]...)
		pool = append(pool[:pick], pool[pick+1:]...)
		minD2 = append(minD2[:pick], minD2[pick+1:]...)
	}
	e := newEMWork(xs, n, d, k, w)
	dist := make([]float64, k)
	for r := 0; r < n; r++ {
		x := xs[r*d : (r+1)*d]
		best := math.Inf(1)
		for c := 0; c < k; c++ {
			dist[c] = sqDist(x, centres[c*d:(c+1)*d])
			if dist[c] < best {
				best = dist[c]
			}
		}
		wr := 1.0
		if w != nil {
			wr = w[r]
		}
		for c := 0; c < k; c++ {
			if dist[c] == best {
				e.resp[r*k+c] = wr
			}
		}
	}
	for c := 0; c < k; c++ {
		if got := countDistinct(xs, d, n, func(r int) bool { return e.resp[r*k+c] > 0 }, d+1); got < d+1 {
			return nil, fmt.Errorf("component %d has %d distinct points with positive weight, needs %d", c, got, d+1)
		}
	}
	e.sumFirstMoments()
	m, _, err := e.mStep(0)
	return m, err
}

// FitEM runs opt.Steps EM iterations from m (OTT's fit_model_em), or fewer
// when opt.Tolerance is reached, and returns the new mixture with the
// record of the loop; m is not modified. Each step computes the
// responsibilities of the current model, then the closed-form M-step of
// MixtureFromAssignments (plus opt.Ridge on the covariance diagonal). A
// component that collapses (no responsibility left, or a covariance singular
// to working precision) stops the fit with an error naming it; NaN
// parameters are never returned. Running out of Steps above Tolerance is
// not an error: Converged is false and Err names the cap.
func FitEM(m *GaussianMixture, x *mat.Dense, opt EMOptions) (*EMResult, error) {
	const op = "FitEM"
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("otkit: %s: %v", op, err)
	}
	opt, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	xs, n, err := m.flatPoints(x, op)
	if err != nil {
		return nil, err
	}
	d := m.Dim()
	w, err := checkPointWeights(opt.PointWeights, n, op)
	if err != nil {
		return nil, err
	}
	k := m.K()
	if got := countDistinct(xs, d, n, nil, k); got < k {
		return nil, fmt.Errorf("otkit: %s: %d components but only %d distinct points", op, k, got)
	}
	e := newEMWork(xs, n, d, k, w)
	cur := m
	res := &EMResult{}
	res.Convergence = Convergence{MaxIterations: opt.Steps, Threshold: opt.Tolerance, kind: emLoop}
	needLL := opt.Report != nil || opt.Tolerance > 0
	var pending string // report line waiting for the new model's loss
	for i := 0; i < opt.Steps; i++ {
		pr, err := cur.prepare(true)
		if err != nil {
			return nil, fmt.Errorf("otkit: %s: step %d: %v", op, i, err)
		}
		ll, err := e.eStep(pr, needLL)
		if err != nil {
			return nil, fmt.Errorf("otkit: %s: step %d: %v", op, i, err)
		}
		if needLL {
			res.LogLikelihood = append(res.LogLikelihood, ll/e.wsum)
		}
		if pending != "" {
			if err := writeReport(opt.Report, pending, -ll/e.wsum); err != nil {
				return nil, err
			}
		}
		next, st, err := e.mStep(opt.Ridge)
		if err != nil {
			hint := ""
			if opt.Ridge == 0 {
				hint = "; set EMOptions.Ridge (e.g. 1e-6) to keep covariances positive definite, or use fewer components"
			}
			return nil, fmt.Errorf("otkit: %s: step %d: %v%s", op, i, err, hint)
		}
		if err := next.Validate(); err != nil {
			return nil, fmt.Errorf("otkit: %s: step %d: non-finite parameters: %v", op, i, err)
		}
		if opt.Report != nil {
			pending = fmt.Sprintf("%d  q=%s", i, pyRepr(st.q))
		}
		cur = next
		res.Iterations = i + 1
		if needLL && i > 0 {
			ch := math.Abs(res.LogLikelihood[i] - res.LogLikelihood[i-1])
			res.Errors = append(res.Errors, ch)
			if ch < opt.Tolerance {
				res.Converged = true
				break
			}
		}
	}
	if opt.Tolerance == 0 {
		res.Converged = true // a fixed step count has no criterion to miss
	}
	if pending != "" {
		pr, err := cur.prepare(true)
		if err != nil {
			return nil, fmt.Errorf("otkit: %s: %v", op, err)
		}
		ll, err := e.eStep(pr, opt.Report != nil)
		if err != nil {
			return nil, fmt.Errorf("otkit: %s: %v", op, err)
		}
		if err := writeReport(opt.Report, pending, -ll/e.wsum); err != nil {
			return nil, err
		}
	}
	res.Mixture = cur
	return res, nil
}

func writeReport(w io.Writer, head string, loss float64) error {
	if _, err := fmt.Fprintf(w, "%s  -log prob=%s\n", head, pyRepr(loss)); err != nil {
		return fmt.Errorf("otkit: FitEM: report: %v", err)
	}
	return nil
}

// emWork holds the flat buffers of the EM passes.
type emWork struct {
	n, d, k int
	x       []float64 // n×d
	w       []float64 // nil → ones
	wsum    float64
	resp    []float64 // n×k, w_n·r_nk
	nChunk  int
	pN      []float64 // nChunk×k partial Σ w r
	pS      []float64 // nChunk×k×d partial Σ w r x
	pC      []float64 // nChunk×k×d×d partial scatter (lower triangle)
	pLL     []float64 // nChunk partial Σ w log p(x)
	pBad    []int     // nChunk: first point with zero density, or −1
	nk, sk  []float64 // reduced first moments
}

func newEMWork(xs []float64, n, d, k int, w []float64) *emWork {
	nc := (n + emChunk - 1) / emChunk
	e := &emWork{n: n, d: d, k: k, x: xs, w: w, resp: make([]float64, n*k), nChunk: nc,
		pN: make([]float64, nc*k), pS: make([]float64, nc*k*d), pC: make([]float64, nc*k*d*d),
		pLL: make([]float64, nc), pBad: make([]int, nc), nk: make([]float64, k), sk: make([]float64, k*d)}
	if w == nil {
		e.wsum = float64(n)
	} else {
		for _, v := range w {
			e.wsum += v
		}
	}
	return e
}

// forChunks runs fn on every chunk, on up to GOMAXPROCS goroutines. Each
// chunk writes only its own partial slots.
func (e *emWork) forChunks(fn func(c, lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), e.nChunk)
	run := func(c int) {
		lo := c * emChunk
		fn(c, lo, min(lo+emChunk, e.n))
	}
	if workers <= 1 {
		for c := 0; c < e.nChunk; c++ {
			run(c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= e.nChunk {
					return
				}
				run(c)
			}
		}()
	}
	wg.Wait()
}

// eStep fills resp with w_n·p(k|x_n), accumulates the first moments and,
// when needLL, returns Σ_n w_n log p(x_n) under pr.
func (e *emWork) eStep(pr *preparedMixture, needLL bool) (float64, error) {
	d, k := e.d, e.k
	e.forChunks(func(c, lo, hi int) {
		p := pr.clone()
		pn := e.pN[c*k : (c+1)*k]
		ps := e.pS[c*k*d : (c+1)*k*d]
		clear(pn)
		clear(ps)
		e.pBad[c] = -1
		var ll float64
		for r := lo; r < hi; r++ {
			x := e.x[r*d : (r+1)*d]
			row := e.resp[r*k : (r+1)*k]
			p.logJoint(row, x)
			mx := row[0]
			for _, v := range row[1:] {
				if v > mx {
					mx = v
				}
			}
			if !(mx > math.Inf(-1)) {
				if e.pBad[c] < 0 {
					e.pBad[c] = r
				}
				clear(row)
				continue
			}
			var sum float64
			for j, v := range row {
				ev := math.Exp(v - mx)
				row[j] = ev
				sum += ev
			}
			wr := 1.0
			if e.w != nil {
				wr = e.w[r]
			}
			if needLL {
				ll += wr * (mx + math.Log(sum))
			}
			scale := wr / sum
			for j := range row {
				v := row[j] * scale
				row[j] = v
				pn[j] += v
				s := ps[j*d : (j+1)*d]
				for i, xi := range x {
					s[i] += v * xi
				}
			}
		}
		e.pLL[c] = ll
	})
	var ll float64
	for c := 0; c < e.nChunk; c++ {
		if e.pBad[c] >= 0 {
			return 0, fmt.Errorf("point %d has zero density under every component", e.pBad[c])
		}
		ll += e.pLL[c]
	}
	e.reduceFirstMoments()
	return ll, nil
}

// sumFirstMoments accumulates the first moments of a resp filled by the
// caller.
func (e *emWork) sumFirstMoments() {
	d, k := e.d, e.k
	e.forChunks(func(c, lo, hi int) {
		pn := e.pN[c*k : (c+1)*k]
		ps := e.pS[c*k*d : (c+1)*k*d]
		clear(pn)
		clear(ps)
		for r := lo; r < hi; r++ {
			x := e.x[r*d : (r+1)*d]
			for j, v := range e.resp[r*k : (r+1)*k] {
				pn[j] += v
				s := ps[j*d : (j+1)*d]
				for i, xi := range x {
					s[i] += v * xi
				}
			}
		}
	})
	e.reduceFirstMoments()
}

func (e *emWork) reduceFirstMoments() {
	d, k := e.d, e.k
	clear(e.nk)
	clear(e.sk)
	for c := 0; c < e.nChunk; c++ {
		for j := 0; j < k; j++ {
			e.nk[j] += e.pN[c*k+j]
		}
		for j := 0; j < k*d; j++ {
			e.sk[j] += e.pS[c*k*d+j]
		}
	}
}

// emStats are by-products of the M-step used for the report.
type emStats struct {
	q float64 // Q of the new model under the step's responsibilities
}

// mStep turns the accumulated responsibilities into a mixture: weights
// N_k/W, means s_k/N_k, centred biased covariances plus ridge.
func (e *emWork) mStep(ridge float64) (*GaussianMixture, emStats, error) {
	d, k := e.d, e.k
	mu := make([]float64, k*d)
	for j := 0; j < k; j++ {
		nk := e.nk[j]
		if !(nk > 0) || math.IsInf(nk, 0) {
			return nil, emStats{}, fmt.Errorf("component %d collapsed: its total responsibility is %g", j, nk)
		}
		for i := 0; i < d; i++ {
			mu[j*d+i] = e.sk[j*d+i] / nk
		}
	}
	e.forChunks(func(c, lo, hi int) {
		pc := e.pC[c*k*d*d : (c+1)*k*d*d]
		clear(pc)
		diff := make([]float64, d)
		for r := lo; r < hi; r++ {
			x := e.x[r*d : (r+1)*d]
			for j, v := range e.resp[r*k : (r+1)*k] {
				if v == 0 {
					continue
				}
				m := mu[j*d : (j+1)*d]
				if d == 2 {
					a0, a1 := x[0]-m[0], x[1]-m[1]
					s := pc[j*4 : j*4+4]
					s[0] += v * a0 * a0
					s[2] += v * a1 * a0
					s[3] += v * a1 * a1
					continue
				}
				for i := range diff {
					diff[i] = x[i] - m[i]
				}
				s := pc[j*d*d : (j+1)*d*d]
				for i := 0; i < d; i++ {
					vi := v * diff[i]
					row := s[i*d : i*d+i+1]
					for l := range row {
						row[l] += vi * diff[l]
					}
				}
			}
		}
	})
	scatter := make([]float64, k*d*d)
	for c := 0; c < e.nChunk; c++ {
		for j := range scatter {
			scatter[j] += e.pC[c*k*d*d+j]
		}
	}
	out := &GaussianMixture{Loc: make([][]float64, k), Scale: make([][]float64, k)}
	weights := make([]float64, k)
	var q float64
	cov := make([]float64, d*d)
	for j := 0; j < k; j++ {
		nk := e.nk[j]
		s := scatter[j*d*d : (j+1)*d*d]
		for i := 0; i < d; i++ {
			for l := 0; l <= i; l++ {
				v := s[i*d+l] / nk
				if i == l {
					v += ridge
				}
				cov[i*d+l] = v
				cov[l*d+i] = v
			}
		}
		if !finiteVec(cov) {
			return nil, emStats{}, fmt.Errorf("component %d has a non-finite covariance", j)
		}
		l, err := cholLower(cov, d)
		if err != nil {
			return nil, emStats{}, fmt.Errorf("component %d collapsed: %v", j, err)
		}
		out.Loc[j] = append([]float64(nil), mu[j*d:(j+1)*d]...)
		out.Scale[j] = scaleFromL(l, d)
		weights[j] = nk / e.wsum
		// Q contribution: π_j(log π_j − ½(d log 2π + log|Σ_j|)) − ½ tr(Σ_j⁻¹ S_j)/W.
		li := triLowerInv(l, d)
		var logDet, tr float64
		for i := 0; i < d; i++ {
			logDet += 2 * math.Log(l[i*d+i])
		}
		for i := 0; i < d; i++ {
			for c := 0; c < d; c++ {
				// (Σ⁻¹)_ic = Σ_m Linv_mi Linv_mc, S symmetric from its lower triangle.
				var si float64
				for mm := max(i, c); mm < d; mm++ {
					si += li[mm*d+i] * li[mm*d+c]
				}
				sv := s[i*d+c]
				if c > i {
					sv = s[c*d+i]
				}
				tr += si * sv
			}
		}
		q += weights[j]*(math.Log(weights[j])-0.5*(float64(d)*logTwoPi+logDet)) - 0.5*tr/e.wsum
	}
	out.Logits = logitsFromWeights(weights)
	return out, emStats{q: q}, nil
}

// checkPointWeights validates optional point weights; nil stays nil (ones).
// weightedPoints checks and flattens the points x (N×d) and their weights
// (nil → all ones) for the operation op.
func weightedPoints(x *mat.Dense, pointWeights []float64, op string) (xs, w []float64, n, d int, err error) {
	if xs, n, d, err = densePoints(x, op); err != nil {
		return nil, nil, 0, 0, err
	}
	if w, err = checkPointWeights(pointWeights, n, op); err != nil {
		return nil, nil, 0, 0, err
	}
	return xs, w, n, d, nil
}

func checkPointWeights(w []float64, n int, op string) ([]float64, error) {
	if w == nil {
		return nil, nil
	}
	if len(w) != n {
		return nil, fmt.Errorf("otkit: %s: %d point weights for %d points", op, len(w), n)
	}
	var s float64
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("otkit: %s: point weight %d is %g, want finite and ≥ 0", op, i, v)
		}
		s += v
	}
	if !(s > 0) {
		return nil, fmt.Errorf("otkit: %s: point weights sum to 0", op)
	}
	return w, nil
}

// countDistinct counts distinct rows among those accepted by keep (nil →
// all), stopping as soon as need have been seen.
func countDistinct(xs []float64, d, n int, keep func(int) bool, need int) int {
	seen := make(map[string]struct{}, need)
	key := make([]byte, 8*d)
	for r := 0; r < n && len(seen) < need; r++ {
		if keep != nil && !keep(r) {
			continue
		}
		for i, v := range xs[r*d : (r+1)*d] {
			binary.LittleEndian.PutUint64(key[8*i:], math.Float64bits(v+0)) // +0 folds −0 into 0
		}
		seen[string(key)] = struct{}{}
	}
	return len(seen)
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		t := v - b[i]
		s += t * t
	}
	return s
}

// pyRepr formats v like Python's repr of a float (shortest round-trip
// digits; scientific notation below 1e-4 and from 1e16; a trailing ".0" on
// integral values), which is how OTT's report lines print numbers.
func pyRepr(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(v, 'e', -1, 64) // e.g. -1.2345e+01
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	epos := strings.IndexByte(s, 'e')
	mant, exp := s[:epos], s[epos+1:]
	e, _ := strconv.Atoi(exp)
	digits := strings.Replace(mant, ".", "", 1)
	if e < -4 || e >= 16 {
		es := fmt.Sprintf("%+03d", e)
		if len(digits) == 1 {
			return sign + digits + "e" + es
		}
		return sign + digits[:1] + "." + digits[1:] + "e" + es
	}
	if e < 0 {
		return sign + "0." + strings.Repeat("0", -e-1) + digits
	}
	if len(digits) <= e+1 {
		return sign + digits + strings.Repeat("0", e+1-len(digits)) + ".0"
	}
	return sign + digits[:e+1] + "." + digits[e+1:]
}
