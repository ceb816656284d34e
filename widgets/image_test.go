package widgets

import (
	"bytes"
	"image/png"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestImagePanels(t *testing.T) {
	a := mat.NewDense(4, 5, nil)
	a.Set(0, 0, 2) // top-left, full colour
	a.Set(3, 4, 1) // bottom-right, half
	a.Set(1, 1, 0.001)
	b := mat.NewDense(4, 5, nil)
	f, err := ImagePanels(ImageOptions{Title: "t", Color: "#ff0000"}, Image{Title: "a", Pixels: a}, Image{Title: "empty", Pixels: b})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.fig.panels) != 2 {
		t.Fatalf("%d panels", len(f.fig.panels))
	}
	l := f.fig.panels[0].layers[0]
	// The pixel under the floor (1 % of the largest) is not drawn.
	if len(l.x) != 2 {
		t.Fatalf("%d cells drawn, want 2", len(l.x))
	}
	// Row 0 at the top: y = −row; column = x.
	if l.x[0] != 0 || l.y[0] != 0 || l.x[1] != 4 || l.y[1] != -3 {
		t.Errorf("cells at (%v, %v), (%v, %v)", l.x[0], l.y[0], l.x[1], l.y[1])
	}
	if l.color[0] != "#ff0000" || l.color[1] != "#ff8080" {
		t.Errorf("colours %v, want full red and half way to white", l.color)
	}
	if len(f.fig.panels[1].layers[0].x) != 0 {
		t.Error("an all-zero image draws cells")
	}
	img, err := f.PNG(600, 300)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name string
		ims  []Image
		opt  ImageOptions
	}{
		{"none", nil, ImageOptions{}},
		{"nil", []Image{{Pixels: nil}}, ImageOptions{}},
		{"sizes", []Image{{Pixels: a}, {Pixels: mat.NewDense(2, 2, nil)}}, ImageOptions{}},
		{"negative", []Image{{Pixels: mat.NewDense(1, 1, []float64{-1})}}, ImageOptions{}},
		{"NaN", []Image{{Pixels: mat.NewDense(1, 1, []float64{math.NaN()})}}, ImageOptions{}},
		{"floor", []Image{{Pixels: a}}, ImageOptions{Floor: 1.5}},
	} {
		if _, err := ImagePanels(bad.opt, bad.ims...); err == nil {
			t.Errorf("%s: no error", bad.name)
		}
	}
}
