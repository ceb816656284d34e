package widgets

import (
	"bytes"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestStaticImagesDecodeWithRequestedSize(t *testing.T) {
	sc, err := ScatterPlot(ScatterOptions{Title: "clouds", EqualAxes: true},
		Cloud{Name: "x", Points: gaussCloud(1, 25, 0, 0, 0.25)},
		Cloud{Name: "y", Points: gaussCloud(2, 50, 6, 0, 0.5), Symbol: "x"})
	mustNoErr(t, err)
	mix, err := mixtureFigure([]mixtureData{tutorialMixture(3, 400), tutorialMixture(4, 400)}, MixtureOptions{Title: "pair"})
	mustNoErr(t, err)
	p, a, b := tutorialCoupling()
	tab, err := NewCouplingTable(p, a, b, CouplingOptions{})
	mustNoErr(t, err)
	lines, err := CouplingLines(gaussCloud(5, 6, 0, 0, 1), gaussCloud(6, 8, 4, 0, 1), nil, nil, uniformCoupling(6, 8), LinesOptions{})
	mustNoErr(t, err)
	s, err := FunctionSeries("f", func(x float64) float64 { return x * x }, -1, 1, 21)
	mustNoErr(t, err)
	lp, err := LinePlot(LinePlotOptions{Title: "line"}, s)
	mustNoErr(t, err)

	for name, pngOf := range map[string]func(w, h int) ([]byte, error){
		"scatter": sc.PNG, "mixture": mix.PNG, "table": tab.PNG, "lines": lines.PNG, "lineplot": lp.PNG,
	} {
		for _, size := range [][2]int{{320, 240}, {641, 401}} {
			b, err := pngOf(size[0], size[1])
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if dir := os.Getenv("OTLAB_ARTIFACTS"); dir != "" && size[0] > 400 {
				// Keep the static images next to the browser screenshots.
				d := filepath.Join(dir, "widgets", "static")
				if os.MkdirAll(d, 0o755) == nil {
					_ = os.WriteFile(filepath.Join(d, name+".png"), b, 0o644)
				}
			}
			t.Run(name, func(t *testing.T) { checkImage(t, img, size[0], size[1]) })
		}
	}
	svg, err := sc.SVG(300, 200)
	mustNoErr(t, err)
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("</svg>")) {
		t.Errorf("SVG output is not an SVG document")
	}
	if _, err := sc.PNG(-1, 10); err == nil {
		t.Error("negative size: no error")
	}
}

func uniformCoupling(n, m int) *mat.Dense {
	d := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			d.Set(i, j, 1/float64(n*m))
		}
	}
	return d
}

func TestAnimatedGIF(t *testing.T) {
	an, err := NewAnimation(flowFrames(4), AnimationOptions{FrameRate: 4})
	mustNoErr(t, err)
	b, err := an.GIF(300, 200)
	mustNoErr(t, err)
	g, err := gif.DecodeAll(bytes.NewReader(b))
	mustNoErr(t, err)
	if len(g.Image) != 4 {
		t.Fatalf("%d GIF frames, want 4", len(g.Image))
	}
	for i, d := range g.Delay {
		if d != 25 {
			t.Errorf("frame %d delay %d/100 s, want 25", i, d)
		}
	}
	for i, img := range g.Image {
		checkImage(t, img, 300, 200)
		if i > 0 && bytes.Equal(img.Pix, g.Image[i-1].Pix) {
			t.Errorf("frame %d equals frame %d", i, i-1)
		}
	}
	if g.LoopCount != 0 {
		t.Errorf("LoopCount %d, want 0 (forever)", g.LoopCount)
	}
}

func TestSaveFiles(t *testing.T) {
	dir := t.TempDir()
	an, err := NewAnimation(flowFrames(3), AnimationOptions{})
	mustNoErr(t, err)
	mustNoErr(t, an.SaveGIF(filepath.Join(dir, "a.gif"), 200, 150))
	mustNoErr(t, an.SavePNG(filepath.Join(dir, "a.png"), 200, 150))
	f, _ := an.Frame(0)
	mustNoErr(t, f.SaveSVG(filepath.Join(dir, "a.svg"), 200, 150))
	for _, n := range []string{"a.gif", "a.png", "a.svg"} {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil || st.Size() < 500 {
			t.Errorf("%s: %v, size %v", n, err, st)
		}
	}
	if err := an.SaveGIF(filepath.Join(dir, "missing-dir", "x.gif"), 10, 10); err == nil || !strings.Contains(err.Error(), "missing-dir") {
		t.Errorf("bad path: %v", err)
	}
}

// Every chart fragment carries its static PNG inside the chart element (what
// a page without scripts shows); the script clears it before echarts draws.
// The player's static form is its last frame plus a GIF of all frames, and
// its buttons only exist once the script has run.
func TestFragmentsCarryStaticImages(t *testing.T) {
	res, y := smallFlow(t)
	an, err := FlowAnimation(res.Frames, "value", y, AnimationOptions{})
	mustNoErr(t, err)
	fig, err := ScatterPlot(ScatterOptions{}, Cloud{Name: "y", Points: y})
	mustNoErr(t, err)
	hm, err := NewHeatmap(mat.NewDense(2, 2, []float64{0.5, 0, 0, 0.5}), CouplingOptions{})
	mustNoErr(t, err)
	for name, w := range map[string]fragmenter{"figure": fig, "animation": an, "heatmap": hm} {
		frag, err := w.htmlFragment("otlab-t")
		mustNoErr(t, err)
		markup, script, ok := strings.Cut(frag, "<script>")
		if !ok {
			t.Fatalf("%s: no script", name)
		}
		el := markup[strings.Index(markup, `id="otlab-t"`):]
		if !strings.HasPrefix(el[strings.Index(el, ">")+1:], `<img class="otlab-static"`) ||
			!strings.Contains(el, "data:image/png;base64,") {
			t.Errorf("%s: the chart element does not start with its static PNG:\n%.300s", name, el)
		}
		clear, draw := strings.Index(script, `el.innerHTML = "";`), strings.Index(script, "echarts.init(")
		if clear < 0 || draw < clear {
			t.Errorf("%s: the script does not clear the static image before drawing", name)
		}
		if name == "animation" {
			if !strings.Contains(markup, "data:image/gif;base64,") || strings.Contains(markup, "<button") {
				t.Errorf("animation: want a GIF and no buttons before the script runs")
			}
			if !strings.Contains(script, "Play") {
				t.Errorf("animation: the script does not build the player")
			}
		}
	}
}
