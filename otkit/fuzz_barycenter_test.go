package otkit

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzBarycenterGromov feeds arbitrary supports, histograms and epsilons to
// Barycenter and EntropicGromovWasserstein. A nil error must come with a
// finite, non-negative result; a barycenter that says Converged has the
// inputs' common mass (to the threshold), and a GW coupling that says Converged is finite with a finite
// cost.
func FuzzBarycenterGromov(f *testing.F) {
	f.Add(uint8(4), uint8(3), uint8(2), uint8(0), fuzzSeed(0, 1, 2, 3, 0.1, 0.2, 0.3, 0.4, 1, 0, 0, 1), 0.1)
	f.Add(uint8(5), uint8(4), uint8(3), uint8(1), fuzzSeed(0, 0.5, 1, 2, 0.1, 0.7, 0.3, 1e-3, 2, 5), 0.01)
	f.Add(uint8(3), uint8(3), uint8(2), uint8(1), fuzzSeed(1e150, -1e150, 3, 0, 1, 1e-300, 2), 1e-4)
	f.Fuzz(func(t *testing.T, n, m, k, mode uint8, data []byte, eps float64) {
		n, m, k = n%7, m%7, k%4
		vals := floatsFrom(data, 200)
		take := func(c int) []float64 {
			out := make([]float64, c)
			for i := range out {
				if len(vals) > 0 {
					out[i] = vals[(i+c)%len(vals)]
				}
			}
			return out
		}
		if mode&1 == 0 {
			fuzzBarycenter(t, int(n), int(m), int(k), take, eps)
			return
		}
		fuzzGromov(t, int(n), int(m), take, eps)
	})
}

func fuzzBarycenter(t *testing.T, n, m, k int, take func(int) []float64, eps float64) {
	var x, y *mat.Dense
	if n > 0 {
		x = mat.NewDense(n, 1, take(n))
	}
	if m > 0 {
		y = mat.NewDense(m, 1, take(m + 1)[1:])
	}
	geom, err := NewPointCloud(x, y, PointCloudOptions{Epsilon: eps})
	if err != nil {
		return
	}
	hists := make([][]float64, k)
	for i := range hists {
		hists[i] = take(n + i + 2)[:n]
	}
	r, err := Barycenter(geom, hists, BarycenterOptions{MaxIterations: 200})
	if err != nil {
		if r != nil {
			t.Fatalf("error %v with a result", err)
		}
		return
	}
	var mass float64
	for _, v := range r.Histogram {
		if !isFinite(v) || v < 0 {
			t.Fatalf("nil error with histogram %v", r.Histogram)
		}
		mass += v
	}
	// Converged bounds the spread of the K couplings' marginals by the
	// threshold (1e-4 of the mass); the barycenter lies within it, up to
	// the rounding of each entry to the subnormal grid for tiny masses.
	tol := 4*float64(k)*1e-4*sum(hists[0]) + float64(len(r.Histogram))*math.SmallestNonzeroFloat64
	if want := sum(hists[0]); r.Converged && !(math.Abs(mass-want) <= tol) {
		t.Fatalf("converged barycenter of mass %v, inputs of mass %v", mass, want)
	}
}

func fuzzGromov(t *testing.T, n, m int, take func(int) []float64, eps float64) {
	var x, y *mat.Dense
	if n > 0 {
		x = mat.NewDense(n, 2, take(2*n))
	}
	if m > 0 {
		y = mat.NewDense(m, 1, take(m + 3)[3:])
	}
	r, err := EntropicGromovWassersteinPoints(x, y, nil, nil, nil, GromovOptions{Epsilon: eps, MaxIterations: 50})
	if err != nil {
		if r != nil {
			t.Fatalf("error %v with a result", err)
		}
		return
	}
	for _, v := range r.Coupling.RawMatrix().Data {
		if !isFinite(v) || v < 0 {
			t.Fatalf("nil error with coupling entry %v", v)
		}
	}
	if !isFinite(r.Cost) {
		t.Fatalf("nil error with GW cost %v", r.Cost)
	}
}
