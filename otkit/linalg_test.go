package otkit

import (
	"math"
	"testing"
)

func TestBuresTransportMapsSigma0ToSigma1(t *testing.T) {
	s0 := []float64{2, 0.3, 0.3, 0.5}
	s1 := []float64{1, -0.4, -0.4, 3}
	tm, ti, err := buresTransport(s0, s1, 2)
	if err != nil {
		t.Fatal(err)
	}
	got := sandwich(tm, s0, 2)
	for i := range got {
		if math.Abs(got[i]-s1[i]) > 1e-12 {
			t.Fatalf("T Σ0 T = %v, want %v", got, s1)
		}
	}
	// T·T⁻¹ = I.
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			var s float64
			for k := 0; k < 2; k++ {
				s += tm[i*2+k] * ti[k*2+j]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(s-want) > 1e-12 {
				t.Fatalf("T T⁻¹ [%d,%d] = %v", i, j, s)
			}
		}
	}
	// Bures of a matrix with itself is 0; gradient matches finite differences.
	v, err := buresCov(s0, s0, 2)
	if err != nil || math.Abs(v) > 1e-12 {
		t.Fatalf("W(Σ,Σ) = %v, %v", v, err)
	}
	const h = 1e-6
	for _, ij := range [][2]int{{0, 0}, {0, 1}, {1, 1}} {
		i, j := ij[0], ij[1]
		p := append([]float64(nil), s0...)
		m := append([]float64(nil), s0...)
		p[i*2+j] += h
		m[i*2+j] -= h
		if i != j {
			p[j*2+i] += h
			m[j*2+i] -= h
		}
		vp, _ := buresCov(p, s1, 2)
		vm, _ := buresCov(m, s1, 2)
		fd := (vp - vm) / (2 * h)
		// Symmetric gradient G = I − T, directional derivative along E_ij + E_ji.
		g := -tm[i*2+j]
		if i == j {
			g += 1
		} else {
			g *= 2
		}
		if math.Abs(fd-g) > 1e-7 {
			t.Fatalf("∂/∂Σ0[%d,%d]: fd %v, closed form %v", i, j, fd, g)
		}
	}
	if _, err := buresCov([]float64{1, 0, 0, -1}, s1, 2); err == nil {
		t.Fatal("want an error for an indefinite covariance")
	}
}
