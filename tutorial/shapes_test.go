package tutorial

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestShapeImage(t *testing.T) {
	for _, s := range Shapes {
		img, err := ShapeImage(s, 40)
		if err != nil {
			t.Fatal(err)
		}
		if r, c := img.Dims(); r != 40 || c != 40 {
			t.Fatalf("%s: %d×%d, want 40×40", s, r, c)
		}
		if sum := mat.Sum(img); math.Abs(sum-1) > 1e-12 {
			t.Errorf("%s: mass %v, want 1", s, sum)
		}
		if mat.Min(img) < 0 {
			t.Errorf("%s: negative pixel", s)
		}
		// Corners are outside every shape.
		if img.At(0, 0) != 0 || img.At(39, 39) != 0 {
			t.Errorf("%s: a corner pixel is not empty", s)
		}
	}
	ring, _ := ShapeImage("ring", 40)
	disk, _ := ShapeImage("disk", 40)
	if ring.At(20, 20) != 0 || disk.At(20, 20) == 0 {
		t.Error("the ring's centre should be empty and the disk's full")
	}
	// The triangle points up: more mass in the bottom half (rows ≥ 20).
	tri, _ := ShapeImage("triangle", 40)
	if top, bottom := mat.Sum(tri.Slice(0, 20, 0, 40)), mat.Sum(tri.Slice(20, 40, 0, 40)); bottom <= top {
		t.Errorf("triangle: top half %v, bottom half %v", top, bottom)
	}
	if _, err := ShapeImage("star", 40); err == nil {
		t.Error("unknown shape: no error")
	}
	if _, err := ShapeImage("disk", 2); err == nil {
		t.Error("size 2: no error")
	}
}

func TestShapeCloud(t *testing.T) {
	x, err := ShapeCloud("ring", 300, 1, 2, -1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		r := math.Hypot(x.At(i, 0)-2, x.At(i, 1)+1)
		if r < 0.5 || r > 0.8 {
			t.Fatalf("point %d at radius %v, outside the ring", i, r)
		}
	}
	y, _ := ShapeCloud("ring", 300, 1, 2, -1)
	if !mat.Equal(x, y) {
		t.Error("same seed, different points")
	}
	if _, err := ShapeCloud("ring", 0, 1, 0, 0); err == nil {
		t.Error("0 points: no error")
	}
}
