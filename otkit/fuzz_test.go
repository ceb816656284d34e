package otkit

import (
	"encoding/binary"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// floatsFrom decodes up to max float64 values from raw fuzz bytes.
func floatsFrom(b []byte, max int) []float64 {
	var out []float64
	for len(b) >= 8 && len(out) < max {
		out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return out
}

// FuzzValidation feeds arbitrary shapes, coordinates, weights and options to
// NewPointCloud, NewGeometry and Sinkhorn. Whatever the input, the calls must
// not panic, and a nil error must come with finite outputs.
func FuzzValidation(f *testing.F) {
	seed := func(vals ...float64) []byte {
		b := make([]byte, 8*len(vals))
		for i, v := range vals {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
		}
		return b
	}
	f.Add(uint8(2), uint8(3), uint8(2), uint8(0), seed(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 0.1, 1.0, 1.0, int16(0))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(1), seed(1, 2), 0.0, 0.5, 1.0, int16(5))
	f.Add(uint8(3), uint8(2), uint8(6), uint8(2), seed(0, 0, 1, 0, 0, 1, 1, 1, 2, 0.5, 0.5, 1), 0.5, 1.0, 0.7, int16(20))
	f.Add(uint8(2), uint8(2), uint8(1), uint8(0), seed(math.NaN(), 1, 2, 3), -1.0, 2.0, 0.0, int16(-1))
	f.Add(uint8(2), uint8(2), uint8(2), uint8(3), seed(1e300, -1e300, 3, 4, 5, 6, 7, 8), 1e-300, 1.0, 1.0, int16(1))
	f.Fuzz(func(t *testing.T, n, m, d, mode uint8, data []byte, eps, tauA, tauB float64, iters int16) {
		n, m, d = n%6, m%6, d%7
		vals := floatsFrom(data, 200)
		take := func(k int) []float64 {
			out := make([]float64, k)
			for i := range out {
				if len(vals) > 0 {
					out[i] = vals[i%len(vals)]
				}
			}
			return out
		}
		opt := SinkhornOptions{TauA: tauA, TauB: tauB, MaxIterations: int(iters), Threshold: 1e-6}
		var geom *Geometry
		var err error
		switch mode % 4 {
		case 0, 1:
			var x, y *mat.Dense
			if n > 0 && d > 0 {
				x = mat.NewDense(int(n), int(d), take(int(n)*int(d)))
			}
			if m > 0 && d > 0 {
				y = mat.NewDense(int(m), int(d), take(int(m)*int(d)))
			}
			var c Cost
			if mode%4 == 1 {
				c = Euclidean{}
			}
			geom, err = NewPointCloud(x, y, PointCloudOptions{Epsilon: eps, Cost: c, Online: mode&4 != 0})
		case 2:
			var x *mat.Dense
			if n > 0 && d > 0 {
				x = mat.NewDense(int(n), int(d), take(int(n)*int(d)))
			}
			geom, err = NewPointCloud(x, nil, PointCloudOptions{Epsilon: eps, Cost: Bures{Dim: 2}})
		case 3:
			var c *mat.Dense
			if n > 0 && m > 0 {
				c = mat.NewDense(int(n), int(m), take(int(n)*int(m)))
			}
			geom, err = NewGeometry(c, GeometryOptions{Epsilon: eps, ScaleCostRule: []string{"", "mean", "median", "max_cost"}[mode>>2%4]})
		}
		if err != nil {
			return
		}
		if e := geom.Epsilon(); !(e > 0) || math.IsInf(e, 0) {
			t.Fatalf("accepted geometry with eps %v", e)
		}
		gn, gm := geom.Shape()
		var a, b []float64
		if mode&8 != 0 {
			a, b = take(gn), take(gm)
		}
		r, err := Sinkhorn(geom, a, b, opt)
		if err != nil {
			return
		}
		if len(r.F) != gn || len(r.G) != gm || len(r.Errors) == 0 {
			t.Fatal("result shapes")
		}
		if !r.Converged {
			return
		}
		for _, v := range r.Errors {
			if math.IsNaN(v) {
				t.Fatalf("converged with a NaN error: %v", r.Errors)
			}
		}
		for _, v := range []float64{r.RegOTCost, r.EntRegCost, r.DualCost, r.PrimalCost(), r.TransportMass()} {
			if math.IsNaN(v) {
				t.Fatalf("converged with a NaN cost: reg %v ent %v dual %v", r.RegOTCost, r.EntRegCost, r.DualCost)
			}
		}
		ones := make([]float64, gm)
		for j := range ones {
			ones[j] = 1
		}
		if _, err := r.Apply(ones); err != nil {
			t.Fatal(err)
		}
		_ = r.GradA()
		_ = r.GradB()
	})
}
