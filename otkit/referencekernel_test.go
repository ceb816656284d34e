package otkit

import (
	"math"
	"testing"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// naiveLSE is the textbook formula in big steps, for comparison.
func naiveLSE(vals []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range vals {
		mx = math.Max(mx, v)
	}
	if math.IsInf(mx, -1) {
		return mx
	}
	var s float64
	for _, v := range vals {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}

func TestLSEKernels(t *testing.T) {
	n, m := 7, 5
	x := randCloud(71, n, 2, 3, 0)
	y := randCloud(72, m, 2, 3, 1)
	dense := mustCloud(t, x, y, PointCloudOptions{Epsilon: 1})
	online := mustCloud(t, x, y, PointCloudOptions{Epsilon: 1, Online: true})
	c := dense.CostMatrix()
	kd, ko := dense.referenceKernel(), online.referenceKernel()
	if _, ok := ko.(*lse.Online); !ok {
		t.Fatal("online geometry must use the online kernel")
	}
	hm := randDir(73, m)
	hn := randDir(74, n)
	hm[2] = math.Inf(-1)
	hn[0], hn[4] = math.Inf(-1), math.Inf(-1)
	for _, eps := range []float64{1, 0.01, 1e-4} {
		rowD, rowO := make([]float64, n), make([]float64, n)
		colD, colO := make([]float64, m), make([]float64, m)
		kd.RowLSE(rowD, hm, eps)
		ko.RowLSE(rowO, hm, eps)
		kd.ColLSE(colD, hn, eps)
		ko.ColLSE(colO, hn, eps)
		for i := 0; i < n; i++ {
			v := make([]float64, m)
			for j := range v {
				v[j] = (hm[j] - c.At(i, j)) / eps
			}
			want := eps * naiveLSE(v)
			if math.Abs(rowD[i]-want) > 1e-12*math.Max(1, math.Abs(want)) || rowO[i] != rowD[i] {
				t.Fatalf("eps %v row %d: dense %v online %v want %v", eps, i, rowD[i], rowO[i], want)
			}
		}
		for j := 0; j < m; j++ {
			v := make([]float64, n)
			for i := range v {
				v[i] = (hn[i] - c.At(i, j)) / eps
			}
			want := eps * naiveLSE(v)
			tol := 1e-12 * math.Max(1, math.Abs(want))
			if math.Abs(colD[j]-want) > tol || math.Abs(colO[j]-want) > tol {
				t.Fatalf("eps %v col %d: dense %v online %v want %v", eps, j, colD[j], colO[j], want)
			}
		}
	}
	// All −Inf gives −Inf, never NaN.
	allInf := []float64{math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	out := make([]float64, n)
	for _, k := range []lse.Kernel{kd, ko} {
		k.RowLSE(out, allInf, 0.1)
		for _, v := range out {
			if !math.IsInf(v, -1) {
				t.Fatalf("all −Inf row: %v", out)
			}
		}
	}
	// Huge exponents do not overflow.
	big := []float64{1e6, 1e6 - 1, 0, 0, 0}
	kd.RowLSE(out, big, 1e-3)
	for _, v := range out {
		if !isFinite(v) {
			t.Fatalf("overflow: %v", out)
		}
	}
}
