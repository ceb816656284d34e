package otkit

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzStreamedScaling solves stored problems large enough for the streamed
// scaling form (n·m > 256) with arbitrary points, spreads, epsilons and
// weights, in float64 and with Float32, and solves them again in the log
// domain (ReferenceKernel). A result with a nil error must pass Check; a
// streamed solve may not fail where the log domain converged; and where
// both converged their costs must agree to 1e-6 of the problem's scale
// (float64) or 1e-4 (float32).
func FuzzStreamedScaling(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(1), uint8(0), fuzzSeed(0, 1, 0.5, 2), 0.3, 0.1)
	f.Add(uint8(5), uint8(9), uint8(2), uint8(1), fuzzSeed(0, 0, 1, 3, -2), 0.01, 0.5)
	f.Add(uint8(20), uint8(3), uint8(0), uint8(2), fuzzSeed(1e3, -1e3, 0, 7), 1.0, 2.0)
	f.Add(uint8(1), uint8(2), uint8(1), uint8(3), fuzzSeed(0, 40, 1, 0.2), 0.5, 0.05)
	f.Fuzz(func(t *testing.T, n, m, d, mode uint8, data []byte, eps, spread float64) {
		n, m, d = 17+n%24, 17+m%24, 1+d%3
		vals := floatsFrom(data, 32)
		point := func(k int) float64 {
			v := 0.0
			if len(vals) > 0 {
				v = vals[k%len(vals)]
			}
			return v + spread*float64((k*7)%13)
		}
		x := mat.NewDense(int(n), int(d), nil)
		y := mat.NewDense(int(m), int(d), nil)
		for i := 0; i < int(n); i++ {
			for k := 0; k < int(d); k++ {
				x.Set(i, k, point(i*int(d)+k))
			}
		}
		for j := 0; j < int(m); j++ {
			for k := 0; k < int(d); k++ {
				y.Set(j, k, point(3+j*int(d)+k)+0.5)
			}
		}
		g, err := NewPointCloud(x, y, PointCloudOptions{Epsilon: eps})
		if err != nil {
			return
		}
		var a, b []float64
		if mode&1 != 0 {
			a, b = make([]float64, n), make([]float64, m)
			for i := range a {
				a[i] = 1 + float64(i%5)
			}
			for j := range b {
				b[j] = 1 + float64(j%3)
			}
			sa, sb := sum(a), sum(b)
			for j := range b {
				b[j] *= sa / sb
			}
		}
		opt := SinkhornOptions{Threshold: 1e-6, MaxIterations: 3000, Float32: mode&2 != 0}
		got, err := Sinkhorn(g, a, b, opt)
		ropt := opt
		ropt.ReferenceKernel = true
		ref, rerr := Sinkhorn(g, a, b, ropt)
		if err == nil {
			if cerr := got.Check(); cerr != nil {
				t.Fatalf("streamed result fails its check: %v", cerr)
			}
		}
		if rerr != nil || !ref.Converged {
			return
		}
		if err != nil && !opt.Float32 {
			t.Fatalf("streamed solve failed (%v) where the log domain converged", err)
		}
		if err != nil {
			// float32's rounding may keep it above a threshold the float64
			// log domain reaches; it must say so, never return a false result.
			if !errors.Is(err, ErrNotConverged) {
				t.Fatalf("float32 streamed solve: %v", err)
			}
			return
		}
		if !got.Converged {
			return
		}
		scale := eps + math.Abs(ref.RegOTCost) + maxAbs(g)
		tol := 1e-6
		if opt.Float32 {
			tol = 1e-4
		}
		if d := math.Abs(got.RegOTCost - ref.RegOTCost); !(d <= tol*scale) {
			t.Fatalf("RegOTCost %v streamed, %v log domain (scale %g)", got.RegOTCost, ref.RegOTCost, scale)
		}
	})
}

// maxAbs is the largest |C_ij| of a geometry.
func maxAbs(g *Geometry) float64 {
	mx := 0.0
	g.eachRow(func(_ int, row []float64) {
		for _, v := range row {
			mx = math.Max(mx, math.Abs(v))
		}
	})
	return mx
}
