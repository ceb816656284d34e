package otkit

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func TestTutorialFlowClouds(t *testing.T) {
	x, y := TutorialFlowClouds(0)
	if r, c := x.Dims(); r != 25 || c != 2 {
		t.Fatalf("x is %d×%d, want 25×2", r, c)
	}
	if r, c := y.Dims(); r != 50 || c != 2 {
		t.Fatalf("y is %d×%d, want 50×2", r, c)
	}
	// Same seed, same points; another seed, other points.
	x2, y2 := TutorialFlowClouds(0)
	if !mat.Equal(x, x2) || !mat.Equal(y, y2) {
		t.Fatal("same seed gave different clouds")
	}
	x3, _ := TutorialFlowClouds(1)
	if mat.Equal(x, x3) {
		t.Fatal("seeds 0 and 1 gave the same source cloud")
	}
	// Location and scale: sample means within 4 standard errors, sample
	// standard deviations within 35% (n = 25 and 50).
	for _, c := range []struct {
		name          string
		p             *mat.Dense
		cx, cy, scale float64
	}{{"x", x, 0, 0, 0.25}, {"y", y, 6, 0, 0.5}} {
		n, _ := c.p.Dims()
		for j, centre := range []float64{c.cx, c.cy} {
			col := mat.Col(nil, j, c.p)
			m, s := stat.MeanStdDev(col, nil)
			if se := c.scale / math.Sqrt(float64(n)); math.Abs(m-centre) > 4*se {
				t.Errorf("%s column %d: mean %.3f, want %.3f ± %.3f", c.name, j, m, centre, 4*se)
			}
			if math.Abs(s/c.scale-1) > 0.35 {
				t.Errorf("%s column %d: std %.3f, want about %.3f", c.name, j, s, c.scale)
			}
		}
	}
}
