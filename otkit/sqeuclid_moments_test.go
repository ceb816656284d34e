package otkit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// scanStats is the reference: every cost in the difference form ‖x − y‖²
// (exact subtraction for nearby coordinates, so accurate even far from the
// origin), summed with compensation.
func scanStats(x, y []float64, d int) (mean, std float64) {
	var s, s2 neumaier
	for i := 0; i < len(x); i += d {
		for j := 0; j < len(y); j += d {
			var c float64
			for k := 0; k < d; k++ {
				t := x[i+k] - y[j+k]
				c += t * t
			}
			s.add(c)
			s2.add(c * c)
		}
	}
	nm := float64(len(x) / d * (len(y) / d))
	mean = s.sum() / nm
	return mean, math.Sqrt(math.Max(0, s2.sum()/nm-mean*mean))
}

func momentCloud(rng *rand.Rand, n, d int, offset, shift float64) []float64 {
	p := make([]float64, n*d)
	for i := range p {
		p[i] = offset + shift*float64(i%d+1) + rng.NormFloat64()*(1+0.5*float64(i%d))
	}
	return p
}

func momentRel(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300) }

func TestSqEuclidStatsMatchScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 0))
	for _, d := range []int{1, 2, 3, 5} {
		for _, nm := range [][2]int{{1, 1}, {9, 4}, {23, 40}} {
			for _, offset := range []float64{0, -3, 1e6} {
				x := momentCloud(rng, nm[0], d, offset, 0)
				y := momentCloud(rng, nm[1], d, offset, 0.7)
				name := fmt.Sprintf("d=%d n=%d m=%d offset=%g", d, nm[0], nm[1], offset)
				mean, std := sqEuclidStats(x, y, d)
				wm, ws := scanStats(x, y, d)
				if momentRel(mean, wm) > 1e-12 || (nm[0]*nm[1] > 1 && momentRel(std, ws) > 1e-12) {
					t.Errorf("%s: moments give mean %.17g std %.17g, scan %.17g %.17g", name, mean, std, wm, ws)
				}
				if nm[0]*nm[1] == 1 && std > 1e-12*mean {
					t.Errorf("%s: a single cost has std %g", name, std)
				}
				// Self geometry (y is x).
				mean, std = sqEuclidStats(x, x, d)
				wm, ws = scanStats(x, x, d)
				if momentRel(mean, wm) > 1e-12 || (nm[0] > 1 && momentRel(std, ws) > 1e-12) {
					t.Errorf("%s self: moments give mean %.17g std %.17g, scan %.17g %.17g", name, mean, std, wm, ws)
				}
			}
		}
	}
}

// TestOnlineSqEuclidGeometryStats checks that an online SqEuclidean geometry
// (moments) resolves epsilon and the mean scale rule like the dense one
// (scan of the stored matrix), and leaves the scanning rules alone.
func TestOnlineSqEuclidGeometryStats(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 0))
	cases := []PointCloudOptions{
		{},
		{RelativeEpsilon: "mean"},
		{RelativeEpsilon: "std", Epsilon: 0.1},
		{ScaleCostRule: "mean"},
		{ScaleCostRule: "mean", RelativeEpsilon: "mean"},
		{ScaleCost: 0.25},
		{ScaleCostRule: "max_cost"},
		{ScaleCostRule: "median"},
		{ScaleCostRule: "max_bound", RelativeEpsilon: "std"},
	}
	for _, d := range []int{1, 2, 3, 5} {
		x := mat.NewDense(17, d, momentCloud(rng, 17, d, 0, 0))
		y := mat.NewDense(11, d, momentCloud(rng, 11, d, 0, 1.3))
		for _, yy := range []*mat.Dense{y, nil} {
			for _, opt := range cases {
				dense, err := NewPointCloud(x, yy, opt)
				if err != nil {
					t.Fatal(err)
				}
				opt.Online = true
				online, err := NewPointCloud(x, yy, opt)
				if err != nil {
					t.Fatal(err)
				}
				if momentRel(online.Epsilon(), dense.Epsilon()) > 1e-12 || momentRel(online.ScaleFactor(), dense.ScaleFactor()) > 1e-12 {
					t.Errorf("d=%d self=%v %+v: online eps %.17g scale %.17g, dense %.17g %.17g",
						d, yy == nil, opt, online.Epsilon(), online.ScaleFactor(), dense.Epsilon(), dense.ScaleFactor())
				}
				if !online.onlineSqEuclid() || dense.onlineSqEuclid() {
					t.Errorf("d=%d: moments path taken wrongly (online %v, dense %v)", d, online.onlineSqEuclid(), dense.onlineSqEuclid())
				}
			}
		}
	}
}

// TestOnlineSqEuclidFiniteness checks the O(n + m) bound: overflowing costs
// fail with the scan's message, and finite costs near the limit (bound
// inconclusive) fall back to the scan and pass.
func TestOnlineSqEuclidFiniteness(t *testing.T) {
	huge := mat.NewDense(2, 2, []float64{1e200, 0, 0, -1e200})
	for _, online := range []bool{false, true} {
		_, err := NewPointCloud(huge, nil, PointCloudOptions{Online: online, Epsilon: 1})
		if err == nil || !strings.Contains(err.Error(), "cost is not finite") {
			t.Errorf("online=%v: want the non-finite cost error, have %v", online, err)
		}
	}
	// ‖x‖² = ‖y‖² = 6e307: every cost is finite (at most 1.2e308) but the
	// bound (‖x‖ + ‖y‖)² = 2.4e308 is not, so the check scans.
	v := math.Sqrt(6e307)
	near := mat.NewDense(2, 1, []float64{v, v})
	dense, err := NewPointCloud(near, nil, PointCloudOptions{Epsilon: 1})
	if err != nil {
		t.Fatal(err)
	}
	online, err := NewPointCloud(near, nil, PointCloudOptions{Epsilon: 1, Online: true})
	if err != nil {
		t.Fatalf("finite costs near the limit rejected online: %v", err)
	}
	if online.sqEuclidFinite() {
		t.Error("the bound should be inconclusive here")
	}
	if !mat.Equal(online.CostMatrix(), dense.CostMatrix()) {
		t.Error("online and dense costs differ")
	}
	// Scaling up can make finite costs overflow: the bound includes the scale.
	big := mat.NewDense(2, 1, []float64{1e150, -1e150})
	for _, online := range []bool{false, true} {
		_, err := NewPointCloud(big, nil, PointCloudOptions{Online: online, Epsilon: 1, ScaleCost: 1e-10})
		if err == nil || !strings.Contains(err.Error(), "cost is not finite") {
			t.Errorf("online=%v scaled: want the non-finite cost error, have %v", online, err)
		}
	}
	ok := mat.NewDense(3, 2, []float64{1, 2, 3, 4, -5, 6})
	g, err := NewPointCloud(ok, nil, PointCloudOptions{Online: true})
	if err != nil || !g.sqEuclidFinite() {
		t.Errorf("ordinary points: bound should be conclusive (err %v)", err)
	}
}

// TestSqEuclidStatsPickCheaperPath checks that few points in many dimensions
// use the scan (O(n·m·d)) rather than the moments (O((n+m)·d²)), and that
// both give the same epsilon.
func TestSqEuclidStatsPickCheaperPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	for _, c := range []struct {
		n, m, d int
		moments bool
	}{{3, 2, 10, false}, {40, 30, 10, true}} {
		x := mat.NewDense(c.n, c.d, momentCloud(rng, c.n, c.d, 0, 0))
		y := mat.NewDense(c.m, c.d, momentCloud(rng, c.m, c.d, 0, 1))
		online, err := NewPointCloud(x, y, PointCloudOptions{Online: true})
		if err != nil {
			t.Fatal(err)
		}
		dense, err := NewPointCloud(x, y, PointCloudOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := online.sqEuclidCostStats(); ok != c.moments {
			t.Errorf("n=%d m=%d d=%d: moments used = %v, want %v", c.n, c.m, c.d, ok, c.moments)
		}
		if momentRel(online.Epsilon(), dense.Epsilon()) > 1e-12 {
			t.Errorf("n=%d m=%d d=%d: online eps %.17g, dense %.17g", c.n, c.m, c.d, online.Epsilon(), dense.Epsilon())
		}
	}
}
