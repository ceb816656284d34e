package otkit

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// checkPartialGWPlan checks T ≥ 0, T1 ≤ p, Tᵀ1 ≤ q and Σ T = mass.
func checkPartialGWPlan(t *testing.T, plan *mat.Dense, p, q []float64, mass, tol float64) {
	t.Helper()
	r, s := planMarginals(plan)
	if mat.Min(plan) < 0 {
		t.Errorf("negative entry %g", mat.Min(plan))
	}
	for i := range r {
		if r[i] > p[i]+tol {
			t.Errorf("row %d: %.15g > p = %.15g", i, r[i], p[i])
		}
	}
	for j := range s {
		if s[j] > q[j]+tol {
			t.Errorf("column %d: %.15g > q = %.15g", j, s[j], q[j])
		}
	}
	if math.Abs(sum(r)-mass) > tol {
		t.Errorf("mass %.15g, want %.15g", sum(r), mass)
	}
}

// The entropic plan is a fixed point of its step: the entropic partial plan
// for the cost ∇E(T) is T itself.
func TestEntropicPartialGWFixedPoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 30))
	c1, c2 := randomSpace(rng, 7), randomSpace(rng, 9)
	c1.Scale(1/mat.Max(c1), c1)
	c2.Scale(1/mat.Max(c2), c2)
	r, err := EntropicPartialGW(c1, c2, nil, nil, PartialGWOptions{Mass: 0.6, Epsilon: 0.2, Threshold: 1e-13, Inner: EntropicPartialOptions{Threshold: 1e-14}})
	if err != nil || r.Err() != nil {
		t.Fatal(err, r.Err())
	}
	g, _ := newGWPair(c1, c2)
	grad := mat.NewDense(7, 9, nil)
	g.gradient(grad, r.Coupling)
	geom, _ := NewGeometry(grad, GeometryOptions{Epsilon: 0.2})
	step, err := EntropicPartial(geom, nil, nil, EntropicPartialOptions{Mass: 0.6, Threshold: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	var d mat.Dense
	d.Sub(step.Coupling, r.Coupling)
	if diff := mat.Norm(&d, math.Inf(1)); diff > 1e-11 {
		t.Errorf("one more step moves the plan by %.2e", diff)
	}
	checkPartialGWPlan(t, r.Coupling, uniform(7), uniform(9), 0.6, 1e-12)
}

// At full mass with equal total masses partial GW is balanced GW: the
// plan's marginals are p and q, and it is a stationary point of the
// balanced problem (EMD on ∇E(T) with marginals p, q is no cheaper).
func TestPartialGWFullMassIsBalanced(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 31))
	c1, c2 := randomSpace(rng, 6), randomSpace(rng, 5)
	r, err := PartialGW(c1, c2, nil, nil, PartialGWOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	rows, cols := planMarginals(r.Coupling)
	for i, v := range rows {
		if math.Abs(v-1.0/6) > 1e-12 {
			t.Errorf("row %d sums to %.15g", i, v)
		}
	}
	for j, v := range cols {
		if math.Abs(v-0.2) > 1e-12 {
			t.Errorf("column %d sums to %.15g", j, v)
		}
	}
	g, _ := newGWPair(c1, c2)
	grad := mat.NewDense(6, 5, nil)
	g.gradient(grad, r.Coupling)
	e, err := EMD(grad, nil, nil, EMDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lin := frobeniusDot(grad, r.Coupling); e.Cost < lin-1e-12*g.scale {
		t.Errorf("EMD on ∇E(T) costs %.15g < ⟨∇E, T⟩ = %.15g", e.Cost, lin)
	}
}

func TestPartialGWNotConvergedAndBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 32))
	c1, c2 := randomSpace(rng, 6), randomSpace(rng, 5)
	r, err := PartialGW(c1, c2, nil, nil, PartialGWOptions{Mass: 0.5, MaxIterations: 1, Threshold: 1e-300})
	if err != nil {
		t.Fatal(err)
	}
	if e := r.Err(); !errors.Is(e, ErrNotConverged) {
		t.Errorf("Err() = %v", e)
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"mass", second(PartialGW(c1, c2, nil, nil, PartialGWOptions{Mass: 2})), "lower Mass"},
		{"inner mass", second(EntropicPartialGW(c1, c2, nil, nil, PartialGWOptions{Inner: EntropicPartialOptions{Mass: 1}})), "Inner.Mass"},
		{"eps", second(EntropicPartialGW(c1, c2, nil, nil, PartialGWOptions{Epsilon: math.NaN()})), "Epsilon"},
		{"q length", second(PartialGW(c1, c2, nil, []float64{1}, PartialGWOptions{})), "q"},
		{"nil c1", second(PartialGW(nil, c2, nil, nil, PartialGWOptions{})), "empty"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, tc.err, tc.want)
		}
	}
}
