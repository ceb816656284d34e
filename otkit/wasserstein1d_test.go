package otkit

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func lineWeights(rng *rand.Rand, k int, zeros bool) []float64 {
	w := make([]float64, k)
	for i := range w {
		w[i] = 0.2 + rng.Float64()
		if zeros && rng.IntN(6) == 0 {
			w[i] = 0
		}
	}
	w[0] += 0.1
	return w
}

// The 1-D solution is the exact transport: it must agree with the network
// simplex on the cost |x − y|^p.
func TestWasserstein1DAgainstEMD(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 14))
	for trial := 0; trial < 40; trial++ {
		n, m := 1+rng.IntN(30), 1+rng.IntN(30)
		u, v := make([]float64, n), make([]float64, m)
		for i := range u {
			u[i] = float64(rng.IntN(8)) // ties
			if trial%2 == 1 {
				u[i] = rng.NormFloat64()
			}
		}
		for j := range v {
			v[j] = rng.NormFloat64() + 0.5
		}
		wu, wv := lineWeights(rng, n, true), lineWeights(rng, m, true)
		for _, p := range []float64{1, 1.5, 2, 3} {
			r, err := Wasserstein1D(u, v, wu, wv, Wasserstein1DOptions{P: p})
			if err != nil {
				t.Fatal(err)
			}
			c := mat.NewDense(n, m, nil)
			for i := range u {
				for j := range v {
					c.Set(i, j, math.Pow(math.Abs(u[i]-v[j]), p))
				}
			}
			a, b := append([]float64(nil), wu...), append([]float64(nil), wv...)
			sa, sb := sum(a), sum(b)
			for i := range a {
				a[i] /= sa
			}
			for j := range b {
				b[j] /= sb
			}
			e, err := EMD(c, a, b, EMDOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(r.Cost-e.Cost) > 1e-12*math.Max(1, e.Cost) {
				t.Fatalf("trial %d p=%g: 1-D cost %.16g, EMD %.16g", trial, p, r.Cost, e.Cost)
			}
			if math.Abs(r.Distance-math.Pow(r.Cost, 1/p)) > 1e-15*math.Max(1, r.Distance) {
				t.Fatalf("Distance %g is not Cost^(1/p) = %g", r.Distance, math.Pow(r.Cost, 1/p))
			}
		}
	}
}

func TestWasserstein1DGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 14))
	n, m := 7, 5
	u, v := make([]float64, n), make([]float64, m)
	for i := range u {
		u[i] = rng.NormFloat64()
	}
	for j := range v {
		v[j] = rng.NormFloat64() + 0.3
	}
	wu, wv := lineWeights(rng, n, false), lineWeights(rng, m, false)
	for _, p := range []float64{1, 1.5, 2, 3} {
		r, err := Wasserstein1D(u, v, wu, wv, Wasserstein1DOptions{P: p})
		if err != nil {
			t.Fatal(err)
		}
		const h = 1e-6
		fd := func(x []float64, k int) float64 {
			old := x[k]
			x[k] = old + h
			hi, _ := Wasserstein1D(u, v, wu, wv, Wasserstein1DOptions{P: p})
			x[k] = old - h
			lo, _ := Wasserstein1D(u, v, wu, wv, Wasserstein1DOptions{P: p})
			x[k] = old
			return (hi.Cost - lo.Cost) / (2 * h)
		}
		for i := range u {
			if g := fd(u, i); math.Abs(g-r.GradU[i]) > 1e-7 {
				t.Errorf("p=%g: ∂/∂u_%d = %.10g, finite differences %.10g", p, i, r.GradU[i], g)
			}
		}
		for j := range v {
			if g := fd(v, j); math.Abs(g-r.GradV[j]) > 1e-7 {
				t.Errorf("p=%g: ∂/∂v_%d = %.10g, finite differences %.10g", p, j, r.GradV[j], g)
			}
		}
	}
}

func TestSlicedMatchesOneDimensionalSolves(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	n, m, d := 3000, 2500, 3 // above radixMin: the radix sort path
	x, y := mat.NewDense(n, d, nil), mat.NewDense(m, d, nil)
	for i := 0; i < n; i++ {
		for c := 0; c < d; c++ {
			x.Set(i, c, rng.NormFloat64())
		}
	}
	for j := 0; j < m; j++ {
		for c := 0; c < d; c++ {
			y.Set(j, c, 2*rng.Float64())
		}
	}
	a := lineWeights(rng, n, true)
	opt := SlicedOptions{Projections: 9, Seed: 4, Gradient: true, P: 1.5}
	r, err := SlicedWasserstein(x, y, a, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	var mean, mx float64
	for k := 0; k < 9; k++ {
		theta := r.Directions.RawRowView(k)
		if nrm := math.Sqrt(theta[0]*theta[0] + theta[1]*theta[1] + theta[2]*theta[2]); math.Abs(nrm-1) > 1e-15 {
			t.Fatalf("direction %d has norm %g", k, nrm)
		}
		pu, pv := make([]float64, n), make([]float64, m)
		for i := range pu {
			pu[i] = mat.Dot(x.RowView(i), mat.NewVecDense(d, theta))
		}
		for j := range pv {
			pv[j] = mat.Dot(y.RowView(j), mat.NewVecDense(d, theta))
		}
		w, err := Wasserstein1D(pu, pv, a, nil, Wasserstein1DOptions{P: 1.5})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(w.Cost-r.Projected[k]) > 1e-12*w.Cost {
			t.Fatalf("direction %d: sliced %.15g, 1-D %.15g", k, r.Projected[k], w.Cost)
		}
		mean += w.Cost / 9
		mx = math.Max(mx, w.Distance)
	}
	if math.Abs(mean-r.Cost) > 1e-12*mean || math.Abs(math.Pow(mean, 1/1.5)-r.Distance) > 1e-12 || math.Abs(mx-r.MaxDistance) > 1e-12 {
		t.Fatalf("sliced %g/%g/%g, want %g/%g/%g", r.Cost, r.Distance, r.MaxDistance, mean, math.Pow(mean, 1/1.5), mx)
	}
	// Same seed, same bits, whatever GOMAXPROCS.
	prev := runtime.GOMAXPROCS(1)
	r1, err := SlicedWasserstein(x, y, a, nil, opt)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Cost != r.Cost || !mat.Equal(r1.GradX, r.GradX) || !mat.Equal(r1.GradY, r.GradY) {
		t.Fatal("results differ between GOMAXPROCS=1 and the default")
	}
}

func TestSlicedGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 14))
	n, m, d := 6, 4, 2
	x, y := mat.NewDense(n, d, nil), mat.NewDense(m, d, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
	}
	for j := 0; j < m; j++ {
		y.Set(j, 0, rng.NormFloat64()+1)
		y.Set(j, 1, rng.NormFloat64())
	}
	b := lineWeights(rng, m, false)
	opt := SlicedOptions{Projections: 5, Seed: 2, Gradient: true}
	r, err := SlicedWasserstein(x, y, nil, b, opt)
	if err != nil {
		t.Fatal(err)
	}
	const h = 1e-6
	for _, side := range []struct {
		pts  *mat.Dense
		grad *mat.Dense
	}{{x, r.GradX}, {y, r.GradY}} {
		rows, _ := side.pts.Dims()
		for i := 0; i < rows; i++ {
			for c := 0; c < d; c++ {
				old := side.pts.At(i, c)
				side.pts.Set(i, c, old+h)
				hi, _ := SlicedWasserstein(x, y, nil, b, opt)
				side.pts.Set(i, c, old-h)
				lo, _ := SlicedWasserstein(x, y, nil, b, opt)
				side.pts.Set(i, c, old)
				if fd := (hi.Cost - lo.Cost) / (2 * h); math.Abs(fd-side.grad.At(i, c)) > 1e-7 {
					t.Errorf("gradient [%d,%d] = %.10g, finite differences %.10g", i, c, side.grad.At(i, c), fd)
				}
			}
		}
	}
}

func TestWasserstein1DAndSlicedBadInput(t *testing.T) {
	x := mat.NewDense(2, 2, []float64{0, 0, 1, 1})
	cases := []struct {
		name string
		err  error
		want string
	}{}
	add := func(name string, want string, err error) {
		cases = append(cases, struct {
			name string
			err  error
			want string
		}{name, err, want})
	}
	_, err := Wasserstein1D([]float64{0}, []float64{1}, nil, nil, Wasserstein1DOptions{P: 0.5})
	add("p < 1", "at least 1", err)
	_, err = Wasserstein1D(nil, []float64{1}, nil, nil, Wasserstein1DOptions{})
	add("empty", "empty", err)
	_, err = Wasserstein1D([]float64{math.NaN()}, []float64{1}, nil, nil, Wasserstein1DOptions{})
	add("NaN sample", "non-finite", err)
	_, err = Wasserstein1D([]float64{0, 1}, []float64{1}, []float64{1, -1}, nil, Wasserstein1DOptions{})
	add("negative weight", "negative", err)
	_, err = Wasserstein1D([]float64{0, 1}, []float64{1}, []float64{0, 0}, nil, Wasserstein1DOptions{})
	add("zero mass", "zero total mass", err)
	_, err = SlicedWasserstein(x, x, nil, nil, SlicedOptions{P: 0.9})
	add("sliced p < 1", "at least 1", err)
	_, err = SlicedWasserstein(x, nil, nil, nil, SlicedOptions{})
	add("sliced nil", "nil point", err)
	_, err = SlicedWasserstein(x, mat.NewDense(1, 3, nil), nil, nil, SlicedOptions{})
	add("sliced dims", "dimension", err)
	_, err = SlicedWasserstein(x, x, nil, nil, SlicedOptions{Directions: mat.NewDense(1, 2, nil)})
	add("zero direction", "zero", err)
	_, err = SlicedWasserstein(x, x, nil, nil, SlicedOptions{Directions: mat.NewDense(1, 3, []float64{1, 0, 0})})
	add("direction width", "want k×2", err)
	_, err = SlicedWasserstein(x, x, nil, nil, SlicedOptions{Projections: -1})
	add("negative projections", "Projections", err)
	_, err = SlicedWasserstein(x, x, []float64{1}, nil, SlicedOptions{})
	add("weights length", "length", err)
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, c.err, c.want)
		}
	}
}
