package otkit

import (
	"math"
	"testing"
)

// checkCostGrad compares GradX (and the GradY fallback) with central
// differences along every coordinate; sym lists pairs of coordinates that
// must move together (symmetric covariance entries).
func checkCostGrad(t *testing.T, name string, c CostGradient, x, y []float64, sym [][2]int, tol float64) {
	t.Helper()
	const h = 1e-6
	for _, side := range []string{"x", "y"} {
		g := make([]float64, len(x))
		if side == "x" {
			c.GradX(g, x, y)
		} else {
			costGradY(c, g, x, y)
		}
		for k := range x {
			skip := false
			partner := -1
			for _, p := range sym {
				if p[1] == k {
					skip = true
				}
				if p[0] == k {
					partner = p[1]
				}
			}
			if skip {
				continue
			}
			eval := func(s float64) float64 {
				xp, yp := append([]float64(nil), x...), append([]float64(nil), y...)
				v := xp
				if side == "y" {
					v = yp
				}
				v[k] += s
				if partner >= 0 {
					v[partner] += s
				}
				return c.Cost(xp, yp)
			}
			fd := (eval(h) - eval(-h)) / (2 * h)
			an := g[k]
			if partner >= 0 {
				an += g[partner]
			}
			if math.Abs(fd-an) > tol {
				t.Errorf("%s ∂/∂%s[%d]: gradient %v, FD %v", name, side, k, an, fd)
			}
		}
	}
}

func TestCostGradients(t *testing.T) {
	x := []float64{0.3, -1.2, 2}
	y := []float64{1, 0.5, -0.7}
	checkCostGrad(t, "sqeuclid", SqEuclidean{}, x, y, nil, 1e-8)
	checkCostGrad(t, "euclid", Euclidean{}, x, y, nil, 1e-8)
	bx := []float64{0.5, -1, 2, 0.3, 0.3, 0.7}
	by := []float64{-0.2, 0.4, 1, -0.4, -0.4, 3}
	checkCostGrad(t, "bures", Bures{Dim: 2}, bx, by, [][2]int{{3, 4}}, 1e-7)

	// Gradients at x = y are exactly 0, including the Euclidean kink.
	g := make([]float64, 3)
	for _, c := range []CostGradient{SqEuclidean{}, Euclidean{}} {
		c.GradX(g, x, x)
		for _, v := range g {
			if v != 0 {
				t.Fatalf("%T: gradient at x = y is %v", c, g)
			}
		}
	}
	gb := make([]float64, 6)
	Bures{Dim: 2}.GradX(gb, bx, bx)
	for _, v := range gb {
		if math.Abs(v) > 1e-12 {
			t.Fatalf("Bures gradient at x = y is %v", gb)
		}
	}
}

func TestBuresValue(t *testing.T) {
	// 1-D: W2² = (μx−μy)² + (σx−σy)².
	c := Bures{Dim: 1}
	v := c.Cost([]float64{1, 4}, []float64{-1, 9})
	if math.Abs(v-(4+1)) > 1e-12 {
		t.Fatalf("1-D Bures %v want 5", v)
	}
	// Diagonal 2-D covariances: sum over axes.
	c = Bures{Dim: 2}
	v = c.Cost([]float64{0, 0, 4, 0, 0, 1}, []float64{1, 1, 1, 0, 0, 9})
	if want := 2.0 + 1 + 4; math.Abs(v-want) > 1e-12 {
		t.Fatalf("2-D Bures %v want %v", v, want)
	}
	if c.Norm([]float64{1, 2, 3, 0, 0, 4}) != 1+4+3+4 {
		t.Fatal("Bures norm")
	}
	if !math.IsNaN(c.Cost([]float64{0, 0, 1}, []float64{0, 0, 1, 0, 0, 1})) {
		t.Fatal("wrong packing must give NaN")
	}
}

// TestCostsMismatchedLengths checks that the package's costs, called
// directly with points of different lengths, give NaN instead of panicking.
func TestCostsMismatchedLengths(t *testing.T) {
	costs := []CostGradient{SqEuclidean{}, Euclidean{}, Bures{Dim: 1}, Bures{Dim: 2}}
	for _, c := range costs {
		x := []float64{1, 2, 3, 4, 5, 6}
		for _, y := range [][]float64{nil, {1}, {1, 2, 3, 4, 5, 6, 7}} {
			if v := c.Cost(x, y); !math.IsNaN(v) {
				t.Errorf("%T.Cost(len %d, len %d) = %v, want NaN", c, len(x), len(y), v)
			}
			dst := make([]float64, len(x))
			c.GradX(dst, x, y)
			for _, v := range dst {
				if !math.IsNaN(v) {
					t.Errorf("%T.GradX(len %d, len %d) = %v, want NaN", c, len(x), len(y), dst)
					break
				}
			}
		}
		c.GradX(make([]float64, 2), x, x) // dst too short: must not panic
	}
	if v := (Bures{Dim: 2}).Norm([]float64{1, 2}); !math.IsNaN(v) {
		t.Errorf("Bures.Norm of a short point = %v, want NaN", v)
	}
}
