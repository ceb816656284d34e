package otkit

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
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

func TestSymEigenReconstructs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	for _, d := range []int{1, 2, 3, 5} {
		for trial := 0; trial < 20; trial++ {
			a := make([]float64, d*d)
			for i := 0; i < d; i++ {
				for j := 0; j <= i; j++ {
					v := rng.NormFloat64()
					a[i*d+j], a[j*d+i] = v, v
				}
			}
			vals, vecs, work := make([]float64, d), make([]float64, d*d), make([]float64, d*d)
			if err := symEigen(vals, vecs, a, work, d); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					var s, o float64
					for r := 0; r < d; r++ {
						s += vecs[i*d+r] * vals[r] * vecs[j*d+r]
						o += vecs[r*d+i] * vecs[r*d+j]
					}
					if math.Abs(s-a[i*d+j]) > 1e-13 {
						t.Fatalf("d=%d: V Λ Vᵀ [%d,%d] = %v, want %v", d, i, j, s, a[i*d+j])
					}
					want := 0.0
					if i == j {
						want = 1
					}
					if math.Abs(o-want) > 1e-13 {
						t.Fatalf("d=%d: VᵀV [%d,%d] = %v", d, i, j, o)
					}
				}
			}
		}
	}
}

// TestSymEigenMatchesGonum checks the Jacobi eigenvalues against gonum's
// EigenSym (an independent LAPACK-style solver), including a nearly
// singular covariance whose small eigenvalue the Bures roots depend on.
func TestSymEigenMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	for _, d := range []int{1, 2, 3, 4, 6} {
		for trial := 0; trial < 10; trial++ {
			a := make([]float64, d*d)
			for i := 0; i < d; i++ {
				for j := 0; j <= i; j++ {
					v := rng.NormFloat64()
					a[i*d+j], a[j*d+i] = v, v
				}
			}
			if trial == 0 {
				// B Bᵀ + 1e-9 I: positive definite with tiny eigenvalues.
				b := append([]float64(nil), a...)
				for i := 0; i < d; i++ {
					for j := 0; j < d; j++ {
						var s float64
						for r := 0; r < d-1; r++ {
							s += b[i*d+r] * b[j*d+r]
						}
						a[i*d+j] = s
					}
					a[i*d+i] += 1e-9
				}
			}
			vals, vecs, work := make([]float64, d), make([]float64, d*d), make([]float64, d*d)
			if err := symEigen(vals, vecs, a, work, d); err != nil {
				t.Fatal(err)
			}
			var eig mat.EigenSym
			if !eig.Factorize(mat.NewSymDense(d, append([]float64(nil), a...)), false) {
				t.Fatal("gonum EigenSym failed")
			}
			want := eig.Values(nil)
			got := append([]float64(nil), vals...)
			slices.Sort(got)
			slices.Sort(want)
			scale := math.Max(math.Abs(want[0]), math.Abs(want[d-1]))
			for k := range got {
				if math.Abs(got[k]-want[k]) > 1e-13*scale {
					t.Fatalf("d=%d trial %d: eigenvalue %d = %v, gonum %v", d, trial, k, got[k], want[k])
				}
			}
		}
	}
}
