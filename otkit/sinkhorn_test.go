package otkit

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randCloud returns n×d standard normal points scaled by s and shifted by off.
func randCloud(seed uint64, n, d int, s, off float64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			x.Set(i, k, s*rng.NormFloat64()+off)
		}
	}
	return x
}

// randWeights returns positive weights of total mass.
func randWeights(seed uint64, n int, mass float64) []float64 {
	return randomWeights(rand.New(rand.NewPCG(seed, 1)), n, mass)
}

var tight = SinkhornOptions{Threshold: 1e-13, MaxIterations: 20000}

func mustCloud(t testing.TB, x, y *mat.Dense, opt PointCloudOptions) *Geometry {
	t.Helper()
	g, err := NewPointCloud(x, y, opt)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustSinkhorn(t testing.TB, g *Geometry, a, b []float64, opt SinkhornOptions) *SinkhornResult {
	t.Helper()
	r, err := Sinkhorn(g, a, b, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// genKL is the generalised KL divergence Σ p log(p/q) − p + q.
func genKL(p, q []float64) float64 {
	var s float64
	for k := range p {
		if p[k] > 0 {
			s += p[k] * math.Log(p[k]/q[k])
		}
		s += q[k] - p[k]
	}
	return s
}

// primalObjective evaluates ⟨P,C⟩ + eps KL(P|abᵀ) + rho_a KL(P1|a) + rho_b KL(Pᵀ1|b)
// from the dense coupling, independently of the dual formula.
func primalObjective(r *SinkhornResult) float64 {
	p := r.Matrix()
	c := r.Geom.CostMatrix()
	n, m := p.Dims()
	var pc float64
	pf := make([]float64, 0, n*m)
	q := make([]float64, 0, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			pc += p.At(i, j) * c.At(i, j)
			pf = append(pf, p.At(i, j))
			q = append(q, r.A[i]*r.B[j])
		}
	}
	v := pc + r.Epsilon*genKL(pf, q)
	if r.TauA < 1 {
		v += rho(r.Epsilon, r.TauA) * genKL(r.RowMarginal(), r.A)
	}
	if r.TauB < 1 {
		v += rho(r.Epsilon, r.TauB) * genKL(r.ColMarginal(), r.B)
	}
	return v
}

func TestSinkhornBalancedRegCostIsPrimal(t *testing.T) {
	x := randCloud(1, 7, 2, 1, 0)
	y := randCloud(2, 9, 2, 1, 0.5)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.3})
	a, b := randWeights(3, 7, 1), randWeights(4, 9, 1)
	r := mustSinkhorn(t, g, a, b, tight)
	if !r.Converged {
		t.Fatalf("not converged: %v", r.Errors[:5])
	}
	want := primalObjective(r)
	if d := math.Abs(r.RegOTCost - want); d > 1e-8 {
		t.Fatalf("RegOTCost %v, primal %v, diff %g", r.RegOTCost, want, d)
	}
	// Marginals match both weights.
	for i, v := range r.RowMarginal() {
		if math.Abs(v-a[i]) > 1e-10 {
			t.Fatalf("row marginal %d: %v want %v", i, v, a[i])
		}
	}
	for j, v := range r.ColMarginal() {
		if math.Abs(v-b[j]) > 1e-10 {
			t.Fatalf("col marginal %d: %v want %v", j, v, b[j])
		}
	}
	if math.Abs(r.TransportMass()-1) > 1e-10 {
		t.Fatalf("mass %v", r.TransportMass())
	}
	// Balanced with Σa = Σb = ΣP = 1: the entropy-free cost is the dual cost.
	if math.Abs(r.EntRegCost-r.DualCost) > 1e-9 {
		t.Fatalf("EntRegCost %v vs DualCost %v", r.EntRegCost, r.DualCost)
	}
	h := entropy(a) + entropy(b)
	if math.Abs(r.EntRegCost-(r.RegOTCost-r.Epsilon*h)) > 1e-12 {
		t.Fatal("EntRegCost")
	}
}

func TestSinkhornUnbalancedRegCostIsPrimal(t *testing.T) {
	x := randCloud(5, 6, 2, 1, 0)
	y := randCloud(6, 8, 2, 1, 1)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5})
	a, b := randWeights(7, 6, 1.3), randWeights(8, 8, 0.7)
	for _, tau := range [][2]float64{{0.7, 0.9}, {1, 0.8}, {0.6, 1}} {
		opt := tight
		opt.TauA, opt.TauB = tau[0], tau[1]
		r := mustSinkhorn(t, g, a, b, opt)
		if !r.Converged {
			t.Fatalf("tau %v: not converged", tau)
		}
		want := primalObjective(r)
		if d := math.Abs(r.RegOTCost - want); d > 1e-8 {
			t.Fatalf("tau %v: RegOTCost %v, primal %v, diff %g", tau, r.RegOTCost, want, d)
		}
		// OTT's update converges to another point whose R is not the optimum:
		// it must be larger than... no, R is a dual value; at a non-stationary
		// point the dual is below the dual optimum.
		opt.OTTUnbalancedUpdate = true
		ro := mustSinkhorn(t, g, a, b, opt)
		if !ro.Converged {
			t.Fatalf("tau %v: OTT update not converged", tau)
		}
		if !(ro.RegOTCost < r.RegOTCost-1e-9) {
			t.Fatalf("tau %v: OTT-update dual value %v should be below the optimum %v", tau, ro.RegOTCost, r.RegOTCost)
		}
		// OTT's fixed point: P1 = a·exp(−f/rho_a).
		if tau[0] < 1 {
			row := ro.RowMarginal()
			for i := range row {
				want := a[i] * math.Exp(-ro.F[i]/rho(ro.Epsilon, ro.TauA))
				if math.Abs(row[i]-want) > 1e-10 {
					t.Fatalf("OTT fixed point row %d: %v want %v", i, row[i], want)
				}
			}
		}
	}
}

func TestSinkhornErrorsConventions(t *testing.T) {
	x := randCloud(9, 20, 2, 1, 0)
	g := mustCloud(t, x, randCloud(10, 15, 2, 1, 2), PointCloudOptions{})
	r := mustSinkhorn(t, g, nil, nil, SinkhornOptions{})
	if len(r.Errors) != 200 {
		t.Fatalf("len(Errors) = %d", len(r.Errors))
	}
	ran := 0
	for k, e := range r.Errors {
		if e == -1 {
			continue
		}
		ran++
		if k > 0 && r.Errors[k-1] == -1 {
			t.Fatal("a block ran after one that did not")
		}
	}
	if r.Iterations != 10*ran || ran == 0 || ran == 200 {
		t.Fatalf("Iterations %d, blocks %d", r.Iterations, ran)
	}
	if !(r.Errors[ran-1] < 1e-3) || !(r.Errors[ran-2] >= 1e-3) || !r.Converged {
		t.Fatalf("stop rule: %v, converged %v", r.Errors[:ran], r.Converged)
	}
	// The error of a balanced sequential solve is the L1 column-marginal error.
	col := r.ColMarginal()
	var e float64
	for j := range col {
		e += math.Abs(col[j] - 1/15.)
	}
	if math.Abs(e-r.Errors[ran-1]) > 1e-14 {
		t.Fatalf("error %v, recomputed %v", r.Errors[ran-1], e)
	}

	// MinIterations: blocks ending before it record +Inf.
	r = mustSinkhorn(t, g, nil, nil, SinkhornOptions{MinIterations: 35, InnerIterations: 10, MaxIterations: 95})
	if len(r.Errors) != 10 {
		t.Fatalf("len %d", len(r.Errors))
	}
	for k := 0; k < 3; k++ {
		if !math.IsInf(r.Errors[k], 1) {
			t.Fatalf("Errors[%d] = %v, want +Inf", k, r.Errors[k])
		}
	}
	if !(r.Errors[3] >= 0) || math.IsInf(r.Errors[3], 0) {
		t.Fatalf("Errors[3] = %v", r.Errors[3])
	}

	// Not converged within MaxIterations: every block ran, last error ≥ threshold.
	r = mustSinkhorn(t, g, nil, nil, SinkhornOptions{MaxIterations: 20, Threshold: 1e-14})
	if r.Converged || r.Iterations != 20 || len(r.Errors) != 2 || r.Errors[1] < 1e-14 {
		t.Fatalf("non-convergence: converged %v, iterations %d, errors %v", r.Converged, r.Iterations, r.Errors)
	}
	// MaxIterations not a multiple of inner: the last block runs whole (OTT).
	r = mustSinkhorn(t, g, nil, nil, SinkhornOptions{MaxIterations: 25, Threshold: 1e-14})
	if r.Iterations != 30 || len(r.Errors) != 3 || r.Errors[2] < 0 {
		t.Fatalf("max 25: iterations %d, errors %v", r.Iterations, r.Errors)
	}
}

func TestSinkhornUnbalancedErrorBothMarginals(t *testing.T) {
	g := mustCloud(t, randCloud(11, 10, 2, 1, 0), randCloud(12, 12, 2, 1, 1), PointCloudOptions{Epsilon: 0.2})
	a, b := randWeights(1, 10, 1), randWeights(2, 12, 2)
	r := mustSinkhorn(t, g, a, b, SinkhornOptions{TauA: 0.8, TauB: 0.9, MaxIterations: 10, Threshold: 1e-12})
	ta := marginalTarget(a, r.F, r.Epsilon, 0.8, false)
	tb := marginalTarget(b, r.G, r.Epsilon, 0.9, false)
	want := lpNorm(r.RowMarginal(), ta, 1) + lpNorm(r.ColMarginal(), tb, 1)
	if math.Abs(r.Errors[0]-want) > 1e-13 {
		t.Fatalf("error %v want %v", r.Errors[0], want)
	}
}

func TestSinkhornModesAgree(t *testing.T) {
	x := randCloud(13, 12, 2, 1, 0)
	y := randCloud(14, 10, 2, 1, 0.3)
	a, b := randWeights(3, 12, 1), randWeights(4, 10, 1)
	for _, tr := range [][2]float64{{1, 0}, {0.8, 0}, {1, 1}, {0.8, 1}} {
		tau := tr[0]
		base := tight
		base.TauA, base.TauB = tau, tau
		base.ReferenceKernel = tr[1] == 1
		g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5})
		ref := mustSinkhorn(t, g, a, b, base)
		cases := map[string]func() *SinkhornResult{
			"kernel": func() *SinkhornResult {
				o := base
				o.KernelMode = true
				return mustSinkhorn(t, g, a, b, o)
			},
			"kernel-momentum": func() *SinkhornResult {
				o := base
				o.KernelMode, o.Momentum = true, 1.2
				return mustSinkhorn(t, g, a, b, o)
			},
			"kernel-anderson-schedule": func() *SinkhornResult {
				o := base
				o.KernelMode, o.Anderson = true, 2
				gs := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5, Schedule: EpsilonSchedule{Init: 5, Decay: 0.8}})
				return mustSinkhorn(t, gs, a, b, o)
			},
			"online": func() *SinkhornResult {
				return mustSinkhorn(t, mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5, Online: true}), a, b, base)
			},
			"kernel-online": func() *SinkhornResult {
				o := base
				o.KernelMode = true
				return mustSinkhorn(t, mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5, Online: true}), a, b, o)
			},
			"momentum": func() *SinkhornResult {
				o := base
				o.Momentum = 1.3
				return mustSinkhorn(t, g, a, b, o)
			},
			"lehmann": func() *SinkhornResult {
				o := base
				o.MomentumStart = 20
				return mustSinkhorn(t, g, a, b, o)
			},
			"anderson": func() *SinkhornResult {
				o := base
				o.Anderson = 3
				return mustSinkhorn(t, g, a, b, o)
			},
			"schedule": func() *SinkhornResult {
				gs := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5, Schedule: EpsilonSchedule{Init: 20, Decay: 0.9}})
				return mustSinkhorn(t, gs, a, b, base)
			},
			"matrix": func() *SinkhornResult {
				gm, err := NewGeometry(g.CostMatrix(), GeometryOptions{Epsilon: 0.5})
				if err != nil {
					t.Fatal(err)
				}
				return mustSinkhorn(t, gm, a, b, base)
			},
		}
		for name, run := range cases {
			r := run()
			if !r.Converged {
				t.Fatalf("tau %v ref %v %s: not converged", tau, base.ReferenceKernel, name)
			}
			if d := math.Abs(r.RegOTCost - ref.RegOTCost); d > 1e-9 {
				t.Errorf("tau %v %s: RegOTCost %v vs %v", tau, name, r.RegOTCost, ref.RegOTCost)
			}
			// Potentials agree up to the balanced gauge f+c, g−c.
			shift := 0.0
			if tau == 1 {
				shift = r.F[0] - ref.F[0]
			}
			for i := range r.F {
				if d := math.Abs(r.F[i] - shift - ref.F[i]); d > 1e-8 {
					t.Errorf("tau %v %s: F[%d] %v vs %v", tau, name, i, r.F[i]-shift, ref.F[i])
					break
				}
			}
			for j := range r.G {
				if d := math.Abs(r.G[j] + shift - ref.G[j]); d > 1e-8 {
					t.Errorf("tau %v %s: G[%d] %v vs %v", tau, name, j, r.G[j]+shift, ref.G[j])
					break
				}
			}
		}
	}
}

func TestSinkhornAccelerationHelps(t *testing.T) {
	// On a slowly converging problem, momentum and Anderson take fewer
	// iterations than the plain iteration (the reason they exist).
	x := randCloud(15, 30, 2, 1, 0)
	y := randCloud(16, 30, 2, 1, 0)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.2})
	opt := SinkhornOptions{Threshold: 1e-8, MaxIterations: 5000}
	plain := mustSinkhorn(t, g, nil, nil, opt)
	opt.Momentum = 1.5
	mom := mustSinkhorn(t, g, nil, nil, opt)
	opt.Momentum = 0
	opt.MomentumStart = 20
	leh := mustSinkhorn(t, g, nil, nil, opt)
	opt.MomentumStart = 0
	opt.Anderson = 5
	and := mustSinkhorn(t, g, nil, nil, opt)
	if !plain.Converged || !mom.Converged || !leh.Converged || !and.Converged {
		t.Fatalf("not converged: %d %d %d %d", plain.Iterations, mom.Iterations, leh.Iterations, and.Iterations)
	}
	if !(mom.Iterations < plain.Iterations) || !(leh.Iterations < plain.Iterations) || !(and.Iterations < plain.Iterations) {
		t.Fatalf("iterations: plain %d, momentum %d, lehmann %d", plain.Iterations, mom.Iterations, leh.Iterations)
	}
	t.Logf("iterations: plain %d, momentum %d, lehmann %d, anderson %d", plain.Iterations, mom.Iterations, leh.Iterations, and.Iterations)
}

func TestSinkhornZeroWeights(t *testing.T) {
	x := randCloud(17, 6, 2, 1, 0)
	y := randCloud(18, 5, 2, 1, 0)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.3})
	a := []float64{0.2, 0, 0.3, 0.1, 0.4, 0}
	b := []float64{0.25, 0.25, 0, 0.25, 0.25}
	for _, tau := range []float64{1, 0.7} {
		opt := tight
		opt.TauA, opt.TauB = tau, tau
		for _, km := range []bool{false, true} {
			opt.KernelMode = km
			r := mustSinkhorn(t, g, a, b, opt)
			if !r.Converged {
				t.Fatalf("tau %v kernel %v: not converged %v", tau, km, r.Errors[:3])
			}
			if !math.IsInf(r.F[1], -1) || !math.IsInf(r.F[5], -1) || !math.IsInf(r.G[2], -1) {
				t.Fatalf("zero weights must give −Inf potentials: %v %v", r.F, r.G)
			}
			p := r.Matrix()
			for j := 0; j < 5; j++ {
				if p.At(1, j) != 0 || p.At(5, j) != 0 {
					t.Fatal("coupling rows of zero weights must be 0")
				}
			}
			for _, v := range []float64{r.RegOTCost, r.EntRegCost, r.DualCost, r.PrimalCost()} {
				if !isFinite(v) {
					t.Fatalf("non-finite cost %v", v)
				}
			}
			if d := math.Abs(r.RegOTCost - primalObjective(r)); d > 1e-8 {
				t.Fatalf("tau %v: RegOTCost %v primal %v", tau, r.RegOTCost, primalObjective(r))
			}
			for _, v := range append(r.GradA(), r.GradB()...) {
				if !isFinite(v) {
					t.Fatalf("non-finite weight gradient %v", r.GradA())
				}
			}
		}
	}
}

func TestApplyMatchesMatrix(t *testing.T) {
	g := mustCloud(t, randCloud(19, 7, 3, 1, 0), randCloud(20, 5, 3, 1, 0), PointCloudOptions{Epsilon: 0.4})
	r := mustSinkhorn(t, g, nil, nil, SinkhornOptions{TauA: 0.9})
	p := r.Matrix()
	v := []float64{1.5, -2, 0, 0.3, -0.01}
	got, err := r.Apply(v)
	if err != nil {
		t.Fatal(err)
	}
	var want mat.VecDense
	want.MulVec(p, mat.NewVecDense(5, v))
	for i := range got {
		if math.Abs(got[i]-want.AtVec(i)) > 1e-13 {
			t.Fatalf("Apply[%d] %v want %v", i, got[i], want.AtVec(i))
		}
	}
	u := []float64{-1, 2, 3, 0, 0.5, -0.25, 1}
	gotT, err := r.ApplyT(u)
	if err != nil {
		t.Fatal(err)
	}
	want = mat.VecDense{}
	want.MulVec(p.T(), mat.NewVecDense(7, u))
	for j := range gotT {
		if math.Abs(gotT[j]-want.AtVec(j)) > 1e-13 {
			t.Fatalf("ApplyT[%d] %v want %v", j, gotT[j], want.AtVec(j))
		}
	}
	if _, err := r.Apply(u); err == nil {
		t.Fatal("Apply with the wrong length must fail")
	}
	if _, err := r.ApplyT([]float64{1, 2, math.NaN(), 0, 0, 0, 0}); err == nil {
		t.Fatal("ApplyT with NaN must fail")
	}
	// PrimalCost = ⟨P, C⟩.
	c := g.CostMatrix()
	var pc float64
	for i := 0; i < 7; i++ {
		for j := 0; j < 5; j++ {
			pc += p.At(i, j) * c.At(i, j)
		}
	}
	if math.Abs(pc-r.PrimalCost()) > 1e-13 {
		t.Fatalf("PrimalCost %v want %v", r.PrimalCost(), pc)
	}
}

func TestSinkhornValidation(t *testing.T) {
	g := mustCloud(t, randCloud(21, 4, 2, 1, 0), randCloud(22, 3, 2, 1, 0), PointCloudOptions{})
	cases := []struct {
		name string
		a, b []float64
		opt  SinkhornOptions
		want string
	}{
		{"a length", []float64{1, 0}, nil, SinkhornOptions{}, "length"},
		{"negative", []float64{0.5, 0.6, -0.1, 0}, nil, SinkhornOptions{}, "negative"},
		{"nan weight", nil, []float64{math.NaN(), 0.5, 0.5}, SinkhornOptions{}, "non-finite"},
		{"zero mass", []float64{0, 0, 0, 0}, nil, SinkhornOptions{TauA: 0.5}, "zero total mass"},
		{"unequal masses", []float64{1, 1, 1, 1}, nil, SinkhornOptions{}, "equal masses"},
		{"tau > 1", nil, nil, SinkhornOptions{TauA: 1.5}, "TauA"},
		{"tau < 0", nil, nil, SinkhornOptions{TauB: -0.5}, "TauB"},
		{"tau NaN", nil, nil, SinkhornOptions{TauB: math.NaN()}, "TauB"},
		{"threshold", nil, nil, SinkhornOptions{Threshold: -1}, "Threshold"},
		{"threshold NaN", nil, nil, SinkhornOptions{Threshold: math.NaN()}, "Threshold"},
		{"iterations", nil, nil, SinkhornOptions{MaxIterations: -3}, "negative"},
		{"inner", nil, nil, SinkhornOptions{InnerIterations: -1}, "negative"},
		{"norm", nil, nil, SinkhornOptions{NormError: -2}, "NormError"},
		{"momentum", nil, nil, SinkhornOptions{Momentum: 2.5}, "Momentum"},
		{"momentum start", nil, nil, SinkhornOptions{MomentumStart: 5}, "MomentumStart"},
		{"anderson", nil, nil, SinkhornOptions{Anderson: -1}, "Anderson"},
		{"initF", nil, nil, SinkhornOptions{InitF: []float64{1}}, "InitF"},
		{"initG NaN", nil, nil, SinkhornOptions{InitG: []float64{0, math.NaN(), 0}}, "initial potential"},
	}
	for _, c := range cases {
		_, err := Sinkhorn(g, c.a, c.b, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := Sinkhorn(nil, nil, nil, SinkhornOptions{}); err == nil {
		t.Error("nil geometry must fail")
	}
	if _, err := Sinkhorn(&Geometry{}, nil, nil, SinkhornOptions{}); err == nil {
		t.Error("zero-value geometry must fail")
	}
	// Equal masses other than 1 are fine; a 1e-9 relative gap is tolerated.
	if _, err := Sinkhorn(g, []float64{1, 1, 1, 1}, []float64{4.000000001 / 3, 4. / 3, 4. / 3}, SinkhornOptions{}); err != nil {
		t.Errorf("equal masses within tolerance rejected: %v", err)
	}
}

func TestSinkhornNormErrorInf(t *testing.T) {
	g := mustCloud(t, randCloud(23, 6, 2, 1, 0), randCloud(24, 6, 2, 1, 0), PointCloudOptions{})
	r := mustSinkhorn(t, g, nil, nil, SinkhornOptions{NormError: math.Inf(1), MaxIterations: 10, Threshold: 1e-15})
	col := r.ColMarginal()
	var mx float64
	for _, v := range col {
		mx = math.Max(mx, math.Abs(v-1./6))
	}
	if math.Abs(mx-r.Errors[0]) > 1e-15 {
		t.Fatalf("L∞ error %v want %v", r.Errors[0], mx)
	}
}

func TestSinkhornParallelSymmetric(t *testing.T) {
	// Parallel updates are meant for symmetric problems (x = y, a = b), where
	// f and g stay equal; OTT uses them with momentum 0.5 (averaging, which
	// damps the period-2 oscillation of the total mass) for the self terms
	// of divergences.
	x := randCloud(25, 9, 2, 1, 0)
	g := mustCloud(t, x, nil, PointCloudOptions{Epsilon: 0.3})
	seq := mustSinkhorn(t, g, nil, nil, tight)
	opt := tight
	opt.ParallelDualUpdates = true
	opt.Momentum = 0.5
	par := mustSinkhorn(t, g, nil, nil, opt)
	if !par.Converged || math.Abs(par.RegOTCost-seq.RegOTCost) > 1e-10 {
		t.Fatalf("parallel %v (converged %v) vs sequential %v", par.RegOTCost, par.Converged, seq.RegOTCost)
	}
	for i := range par.F {
		if par.F[i] != par.G[i] {
			t.Fatalf("symmetric parallel solve: F[%d] %v != G[%d] %v", i, par.F[i], i, par.G[i])
		}
	}
	// Unbalanced parallel converges too, to the sequential solution.
	y := randCloud(26, 7, 2, 1, 1)
	gu := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.3})
	opt.TauA, opt.TauB = 0.8, 0.8
	par = mustSinkhorn(t, gu, nil, nil, opt)
	opt.ParallelDualUpdates = false
	seq = mustSinkhorn(t, gu, nil, nil, opt)
	if !par.Converged || math.Abs(par.RegOTCost-seq.RegOTCost) > 1e-10 {
		t.Fatalf("unbalanced parallel %v vs sequential %v", par.RegOTCost, seq.RegOTCost)
	}
}

func TestConvergedRule(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		errs []float64
		want bool
	}{
		{[]float64{0.5, 1e-4, -1, -1}, true},        // early exit
		{[]float64{0.5, inf, -1, -1}, false},        // OTT counts an exit on +Inf [QUIRK, dropped]
		{[]float64{0.5, -inf, -1, -1}, false},       // nor on −Inf
		{[]float64{0.5, math.NaN(), -1, -1}, false}, // NaN never
		{[]float64{0.5, 0.1, 0.01, 2e-3}, false},    // ran out of iterations
		{[]float64{0.5, 0.1, 0.01, 5e-4}, true},     // converged in the last block
		{[]float64{inf, inf, inf, inf}, false},
	} {
		if got := converged(c.errs, 1e-3); got != c.want {
			t.Errorf("converged(%v) = %v, want %v", c.errs, got, c.want)
		}
	}
}

func TestKernelModeOverflowIsReported(t *testing.T) {
	// With eps far below the costs the Gibbs kernel underflows to 0 and
	// kernel mode breaks down, as in OTT; the solve must say so (an error
	// wrapping ErrNumerical that points to the log domain, stopped after the
	// first block), while the log domain stays finite.
	g := mustCloud(t, randCloud(91, 6, 2, 1, 0), randCloud(92, 5, 2, 1, 3), PointCloudOptions{Epsilon: 1e-3})
	_, err := Sinkhorn(g, nil, nil, SinkhornOptions{KernelMode: true})
	if !errors.Is(err, ErrNumerical) || !strings.Contains(err.Error(), "iteration 10") || !strings.Contains(err.Error(), "log domain") {
		t.Fatalf("kernel mode overflow: %v", err)
	}
	r := mustSinkhorn(t, g, nil, nil, SinkhornOptions{MaxIterations: 100})
	if !isFinite(r.RegOTCost) || !isFinite(r.Errors[9]) {
		t.Fatalf("log domain: errors %v, cost %v", r.Errors, r.RegOTCost)
	}
}

func TestSinkhornDeterministicAcrossGOMAXPROCS(t *testing.T) {
	x := randCloud(93, 300, 2, 1, 0)
	y := randCloud(94, 250, 2, 1, 1)
	run := func(procs int, online bool) *SinkhornResult {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return mustSinkhorn(t, mustCloud(t, x, y, PointCloudOptions{Online: online}), nil, nil, SinkhornOptions{})
	}
	for _, online := range []bool{false, true} {
		r1, r4 := run(1, online), run(4, online)
		if !equalSlices(r1.F, r4.F) || !equalSlices(r1.G, r4.G) || r1.RegOTCost != r4.RegOTCost {
			t.Fatalf("online %v: results depend on GOMAXPROCS", online)
		}
	}
}

// TestSinkhornTutorialBlockState reproduces the coupled-GMM tutorial's balanced table: with eps = 0.01 and
// far-apart components the 3×3 problem splits into two blocks that 2000
// iterations of OTT's loop (g then f, zero start, column-only error) cannot
// connect, and the coupling is a non-converged state that depends only on
// the masses — the numbers printed by the tutorial.
func TestSinkhornTutorialBlockState(t *testing.T) {
	c := mat.NewDense(3, 3, []float64{
		0, 30, 30,
		30, 0, 30,
		1, 30, 0,
	})
	a := []float64{0.22632582, 0.23542637, 0.5382478}
	b := []float64{0.36791384, 0.3672651, 0.26482108}
	g, err := NewGeometry(c, GeometryOptions{Epsilon: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	r := mustSinkhorn(t, g, a, b, SinkhornOptions{})
	if r.Converged || r.Iterations != 2000 {
		t.Fatalf("want a non-converged 2000-iteration state, have converged %v after %d", r.Converged, r.Iterations)
	}
	p := r.Matrix()
	p.Scale(1/r.TransportMass(), p)
	printed := [3][3]float64{{0.22631681, 0, 0}, {0, 0.2354198, 0}, {0.2182516, 0, 0.32001185}}
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if d := math.Abs(p.At(i, j) - printed[i][j]); d > 2e-5 {
				t.Errorf("P[%d][%d] = %.8f, tutorial printed %.8f", i, j, p.At(i, j), printed[i][j])
			}
		}
	}
}
