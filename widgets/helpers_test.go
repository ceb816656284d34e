package widgets

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gaussCloud draws n points of N(mean, s²I) in 2-D with a fixed seed.
func gaussCloud(seed uint64, n int, mx, my, s float64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 0))
	m := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		m.Set(i, 0, mx+s*rng.NormFloat64())
		m.Set(i, 1, my+s*rng.NormFloat64())
	}
	return m
}

// tutorialMixture is the tutorial's generator 0 as plain data, with points
// labelled by the component that drew them.
func tutorialMixture(seed uint64, n int) mixtureData {
	means := [][]float64{{2, -1}, {-2, 0}, {4, 3}}
	covs := []mat.Symmetric{
		mat.NewSymDense(2, []float64{0.6, 0, 0, 0.3}),
		mat.NewSymDense(2, []float64{1.8, 0, 0, 0.9}),
		mat.NewSymDense(2, []float64{1.5, -1.2, -1.2, 1.5}),
	}
	w := []float64{0.2, 0.2, 0.6}
	rng := rand.New(rand.NewPCG(seed, 1))
	pts := mat.NewDense(n, 2, nil)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		u := rng.Float64()
		k := 0
		for u > w[k] && k < 2 {
			u -= w[k]
			k++
		}
		var chol mat.Cholesky
		chol.Factorize(covs[k])
		var l mat.TriDense
		chol.LTo(&l)
		z := []float64{rng.NormFloat64(), rng.NormFloat64()}
		pts.Set(i, 0, means[k][0]+l.At(0, 0)*z[0])
		pts.Set(i, 1, means[k][1]+l.At(1, 0)*z[0]+l.At(1, 1)*z[1])
		labels[i] = k
	}
	return mixtureData{points: pts, labels: labels, means: means, covs: covs}
}

// tutorialCoupling is the normalized coupling printed by the tutorial (run 1)
// with the fitted masses.
func tutorialCoupling() (*mat.Dense, []float64, []float64) {
	p := mat.NewDense(3, 3, []float64{
		0.22631681, 0, 0,
		0, 0.2354198, 0,
		0.2182516, 0, 0.32001185,
	})
	return p, []float64{0.22632582, 0.23542637, 0.5382478}, []float64{0.36791384, 0.3672651, 0.26482108}
}

// decodeCheck decodes a PNG or GIF and checks its size and that it is not
// blank: enough non-white pixels and several distinct colours.
func checkImage(t *testing.T, img image.Image, w, h int) {
	t.Helper()
	b := img.Bounds()
	if b.Dx() != w || b.Dy() != h {
		t.Fatalf("image is %d×%d, want %d×%d", b.Dx(), b.Dy(), w, h)
	}
	inked := 0
	colors := map[color.RGBA]bool{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bb >> 8), 255}
			if len(colors) < 1000 {
				colors[c] = true
			}
			if r < 0xf000 || g < 0xf000 || bb < 0xf000 {
				inked++
			}
		}
	}
	if frac := float64(inked) / float64(w*h); frac < 0.005 {
		t.Errorf("image is nearly blank: %.4f of pixels inked", frac)
	}
	if len(colors) < 4 {
		t.Errorf("image has only %d colours", len(colors))
	}
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func approx(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func itoa(i int) string { return fmt.Sprint(i) }

func fmtFloat5(v float64) string { return fmt.Sprintf("%.5f", v) }

func mustJSON(t *testing.T, v interface{}) string {
	t.Helper()
	b, err := json.Marshal(v)
	mustNoErr(t, err)
	return string(b)
}
