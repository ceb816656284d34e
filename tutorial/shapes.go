package tutorial

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Simple shapes for the barycenter examples, as images (histograms on a
// pixel grid) and as point clouds, both from one predicate on [−1, 1]².

// Shapes lists the names ShapeImage and ShapeCloud accept.
var Shapes = []string{"disk", "ring", "square", "cross", "triangle"}

// inShape reports whether (u, v) in [−1, 1]² (v up) lies in the shape.
func inShape(shape string, u, v float64) (bool, error) {
	switch shape {
	case "disk":
		return u*u+v*v <= 0.7*0.7, nil
	case "ring":
		r := math.Hypot(u, v)
		return r >= 0.5 && r <= 0.8, nil
	case "square":
		return math.Abs(u) <= 0.6 && math.Abs(v) <= 0.6, nil
	case "cross":
		return (math.Abs(u) <= 0.2 && math.Abs(v) <= 0.75) || (math.Abs(v) <= 0.2 && math.Abs(u) <= 0.75), nil
	case "triangle":
		return v >= -0.6 && v <= 0.7 && math.Abs(u) <= 0.5*(0.7-v), nil
	}
	return false, fmt.Errorf("tutorial: unknown shape %q (want one of %v)", shape, Shapes)
}

// ShapeImage returns a size×size image of the shape (row 0 at the top):
// each pixel holds the fraction of its 3×3 sub-samples inside the shape (soft
// edges), then the image is divided by its sum, so it is a histogram of mass 1.
func ShapeImage(shape string, size int) (*mat.Dense, error) {
	if size < 4 {
		return nil, fmt.Errorf("tutorial: image size %d, want at least 4", size)
	}
	img := mat.NewDense(size, size, nil)
	total := 0.0
	for r := range size {
		for c := range size {
			in := 0
			for sr := range 3 {
				for sc := range 3 {
					u := -1 + 2*(float64(c)+(float64(sc)+0.5)/3)/float64(size)
					v := 1 - 2*(float64(r)+(float64(sr)+0.5)/3)/float64(size)
					ok, err := inShape(shape, u, v)
					if err != nil {
						return nil, err
					}
					if ok {
						in++
					}
				}
			}
			img.Set(r, c, float64(in))
			total += float64(in)
		}
	}
	img.Scale(1/total, img)
	return img, nil
}

// ShapeCloud draws n points uniformly in the shape (rejection sampling on
// [−1, 1]², from the stream of seed), shifted by (cx, cy).
func ShapeCloud(shape string, n int, seed uint64, cx, cy float64) (*mat.Dense, error) {
	if n < 1 {
		return nil, fmt.Errorf("tutorial: %d points, want at least 1", n)
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	x := mat.NewDense(n, 2, nil)
	for i := 0; i < n; {
		u, v := 2*rng.Float64()-1, 2*rng.Float64()-1
		ok, err := inShape(shape, u, v)
		if err != nil {
			return nil, err
		}
		if ok {
			x.Set(i, 0, cx+u)
			x.Set(i, 1, cy+v)
			i++
		}
	}
	return x, nil
}
