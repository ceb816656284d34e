package widgets

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// sweepFrames returns n 8×8 images: one bright pixel moving along the
// diagonal, so that every frame differs from the others.
func sweepFrames(n int) []Image {
	out := make([]Image, n)
	for k := range out {
		m := mat.NewDense(8, 8, nil)
		m.Set(k%8, k%8, 1)
		m.Set(7-k%8, 0, 0.5)
		out[k] = Image{Title: "t = " + string(rune('a'+k)), Pixels: m}
	}
	return out
}

func TestImageSweep(t *testing.T) {
	frames := sweepFrames(11)
	sw, err := NewImageSweep(ImageOptions{Title: "sweep", Color: "#ff0000"}, frames...)
	mustNoErr(t, err)
	if sw.Len() != 11 || sw.Labels()[3] != "t = d" {
		t.Fatalf("%d frames, labels %v", sw.Len(), sw.Labels())
	}
	// Each frame is the single image ImagePanels draws for it.
	f3, err := sw.Frame(3)
	mustNoErr(t, err)
	l := f3.fig.panels[0].layers[0]
	if len(f3.fig.panels) != 1 || f3.fig.panels[0].title != "t = d" || len(l.x) != 2 || l.x[0] != 3 || l.y[0] != -3 {
		t.Errorf("frame 3: %d panels, title %q, cells at %v, %v", len(f3.fig.panels), f3.fig.panels[0].title, l.x, l.y)
	}
	if _, err := sw.Frame(11); err == nil {
		t.Error("frame 11 of 11: no error")
	}
	// The static form: 11 frames in rows of 6 and 5.
	if len(sw.rows) != 2 || len(sw.rows[0].fig.panels) != 6 || len(sw.rows[1].fig.panels) != 5 {
		t.Fatalf("static grid rows: %d", len(sw.rows))
	}
	b, err := sw.PNG(0, 0)
	mustNoErr(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	mustNoErr(t, err)
	if img.Bounds().Dx() != sw.gridW || img.Bounds().Dy() != sw.gridH {
		t.Errorf("static grid %v, want %d×%d", img.Bounds(), sw.gridW, sw.gridH)
	}
	// Red pixels (the frames' bright cells) in both rows of the grid.
	for _, half := range [][2]int{{0, sw.gridH / 2}, {sw.gridH / 2, sw.gridH}} {
		red := 0
		for y := half[0]; y < half[1]; y++ {
			for x := 0; x < sw.gridW; x++ {
				r, g, bb, _ := img.At(x, y).RGBA()
				if r > 0xf000 && g < 0x2000 && bb < 0x2000 {
					red++
				}
			}
		}
		if red < 50 {
			t.Errorf("rows %v of the static grid: %d red pixels", half, red)
		}
	}
	if dir := os.Getenv("OTLAB_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "imagesweep.png"), b, 0o644)
	}
}

// The chart element holds the grid's PNG at the grid's size and no controls;
// the script builds the slider, sets the live size and carries every frame.
func TestImageSweepFragment(t *testing.T) {
	sw, err := NewImageSweep(ImageOptions{}, sweepFrames(4)...)
	mustNoErr(t, err)
	frag, err := sw.htmlFragment("otlab-s")
	mustNoErr(t, err)
	markup, script, ok := strings.Cut(frag, "<script>")
	if !ok {
		t.Fatal("no script")
	}
	el := markup[strings.Index(markup, `id="otlab-s"`):]
	if !strings.HasPrefix(el, `id="otlab-s" style="width:`+strconv.Itoa(sw.gridW)+`px;height:`+strconv.Itoa(sw.gridH)+`px;">`+`<img class="otlab-static"`) {
		t.Errorf("the chart element does not hold the grid at its size:\n%.200s", el)
	}
	if strings.Contains(markup, "<button") || strings.Contains(markup, `type="range"`) {
		t.Error("controls in the static markup")
	}
	for _, want := range []string{`type=\"range\"`, `max=\"3\"`, `el.style.width = "` + strconv.Itoa(sw.width) + `px"`, "chart.resize()", `"t = d"`, "otlabPlayer"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %s", want)
		}
	}
	if c := strings.Count(script, `"animation":false`); c != 4 {
		t.Errorf("%d frame options, want 4", c)
	}
}

func TestImageSweepBadInput(t *testing.T) {
	a := mat.NewDense(3, 3, nil)
	for _, bad := range []struct {
		name string
		ims  []Image
		opt  ImageOptions
	}{
		{"none", nil, ImageOptions{}},
		{"nil", []Image{{Pixels: a}, {Pixels: nil}}, ImageOptions{}},
		{"sizes", []Image{{Pixels: a}, {Pixels: mat.NewDense(2, 3, nil)}}, ImageOptions{}},
		{"sizes across rows", append(sweepFrames(7), Image{Pixels: a}), ImageOptions{}},
		{"NaN", []Image{{Pixels: a}, {Pixels: mat.NewDense(1, 1, []float64{math.NaN()})}}, ImageOptions{}},
		{"negative", []Image{{Title: "neg", Pixels: mat.NewDense(3, 3, []float64{0, 0, 0, 0, -1, 0, 0, 0, 0})}}, ImageOptions{}},
		{"floor", []Image{{Pixels: a}}, ImageOptions{Floor: 2}},
		{"width", []Image{{Pixels: a}}, ImageOptions{Width: -5}},
	} {
		if _, err := NewImageSweep(bad.opt, bad.ims...); err == nil {
			t.Errorf("%s: no error", bad.name)
		}
	}
	var sw *ImageSweep
	if sw.Len() != 0 || sw.Labels() != nil {
		t.Error("a nil ImageSweep has frames")
	}
	for name, call := range map[string]func() error{
		"Display": sw.Display, "DisplayStatic": sw.DisplayStatic,
		"SaveHTML": func() error { return sw.SaveHTML(filepath.Join(t.TempDir(), "x.html")) },
		"SavePNG":  func() error { return sw.SavePNG(filepath.Join(t.TempDir(), "x.png"), 0, 0) },
	} {
		if err := call(); err == nil {
			t.Errorf("nil ImageSweep.%s: no error", name)
		}
	}
}
