package widgets

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/render"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ImageSweep shows a sequence of images one at a time, with a slider over
// them: e.g. the barycenters of two shapes for a sweep of the weight t. Its
// static form (PNG, and the picture a page without scripts shows) is the
// grid of all frames, as [ImagePanels] draws them.
type ImageSweep struct {
	frames []*Figure // one single-image figure per frame, all of one size
	rows   []*Figure // the static grid: rows of at most sweepGridColumns frames
	labels []string
	width  int // live chart, in CSS pixels
	height int
	gridW  int // static grid, in pixels
	gridH  int
	title  string
}

var _ Widget = (*ImageSweep)(nil)

// sweepGridColumns is the most frames in one row of the static grid: six
// 64×64 images in 940 px still show their shapes.
const sweepGridColumns = 6

// NewImageSweep builds a sweep over frames. Each frame's Title labels its
// position on the slider (e.g. "t = 0.30"); opt.Title is the chart's title,
// and opt.Width and opt.Height give the size of the live chart (0 means
// DefaultPanelWidth and square cells). Frames are drawn as by
// [ImagePanels], each scaled to its own largest value. No frames, frames of
// different sizes, or negative or non-finite pixels are errors.
func NewImageSweep(opt ImageOptions, frames ...Image) (*ImageSweep, error) {
	if len(frames) == 0 {
		return nil, fmt.Errorf("widgets: NewImageSweep needs at least one frame")
	}
	// ImagePanels checks every frame (nil, sizes, values) and the options.
	if _, err := ImagePanels(ImageOptions{Color: opt.Color, Floor: opt.Floor, Width: 100, Height: 100}, frames...); err != nil {
		return nil, err
	}
	if opt.Width < 0 || opt.Height < 0 || opt.Width > 20000 || opt.Height > 20000 {
		return nil, fmt.Errorf("widgets: ImageOptions size %d×%d, want 0 (the default) or a positive size up to 20000", opt.Width, opt.Height)
	}
	sw := &ImageSweep{title: opt.Title}
	for i, im := range frames {
		f, err := ImagePanels(opt, im)
		if err != nil {
			return nil, fmt.Errorf("widgets: frame %d: %v", i, err)
		}
		sw.frames = append(sw.frames, f)
		sw.labels = append(sw.labels, im.Title)
	}
	sw.width, sw.height = sw.frames[0].fig.width, sw.frames[0].fig.height

	// The static grid: full rows of sweepGridColumns frames, the last row
	// drawn with the same panel width (see imageGrid.drawStatic).
	cols := min(len(frames), sweepGridColumns)
	sw.gridW = panelsWidth(cols)
	rowH := 0
	for start := 0; start < len(frames); start += cols {
		end := min(start+cols, len(frames))
		w := sw.gridW * (end - start) / cols
		f, err := ImagePanels(ImageOptions{Color: opt.Color, Floor: opt.Floor, Width: w}, frames[start:end]...)
		if err != nil {
			return nil, err
		}
		if start == 0 {
			// About square cells: gonum/plot gives each panel its share of
			// the width less some 40 px of axis, and each row needs some
			// 60 px more than its cells for the panel title and the ticks.
			r, c := frames[0].Pixels.Dims()
			rowH = (sw.gridW/cols-40)*r/c + 60
		}
		sw.rows = append(sw.rows, f)
	}
	sw.gridH = rowH * len(sw.rows)
	if opt.Title != "" {
		sw.gridH += 30
	}
	return sw, nil
}

// Len returns the number of frames (0 for a nil sweep).
func (sw *ImageSweep) Len() int {
	if sw == nil {
		return 0
	}
	return len(sw.frames)
}

// Labels returns the frames' labels (their titles) in order.
func (sw *ImageSweep) Labels() []string {
	if sw == nil {
		return nil
	}
	return append([]string(nil), sw.labels...)
}

// Frame returns frame i as a Figure (to save or display one image).
func (sw *ImageSweep) Frame(i int) (*Figure, error) {
	if sw == nil {
		return nil, errNil("ImageSweep")
	}
	if i < 0 || i >= len(sw.frames) {
		return nil, fmt.Errorf("widgets: frame %d of %d", i, len(sw.frames))
	}
	return sw.frames[i], nil
}

func (sw *ImageSweep) usesEcharts() bool { return true }

// imageGrid draws the sweep's rows of frames one under the other. Every row
// was built with the width its panels take in a full row, so a shorter last
// row is drawn in a canvas cropped to that width and its panels match the
// full rows'.
type imageGrid struct {
	title string
	rows  []*Figure
	cols  int
}

func (g imageGrid) drawStatic(dc draw.Canvas) error {
	dc = drawTitle(dc, g.title, 14)
	n := vg.Length(len(g.rows))
	rowH := (dc.Max.Y - dc.Min.Y) / n
	for i, r := range g.rows {
		top := dc.Max.Y - vg.Length(i)*rowH
		band := dc
		band.Max.Y, band.Min.Y = top, top-rowH
		frac := vg.Length(len(r.fig.panels)) / vg.Length(g.cols)
		band.Max.X = band.Min.X + frac*(dc.Max.X-dc.Min.X)
		if err := r.fig.drawStatic(band); err != nil {
			return err
		}
	}
	return nil
}

func (sw *ImageSweep) grid() imageGrid {
	return imageGrid{title: sw.title, rows: sw.rows, cols: len(sw.rows[0].fig.panels)}
}

// PNG draws the grid of all frames into a w×h pixel PNG (0 means the
// grid's own size).
func (sw *ImageSweep) PNG(w, h int) ([]byte, error) {
	if sw == nil {
		return nil, errNil("ImageSweep")
	}
	return renderPNG(sw.grid(), sizeOr(w, sw.gridW), sizeOr(h, sw.gridH))
}

// SavePNG writes [ImageSweep.PNG] to path.
func (sw *ImageSweep) SavePNG(path string, w, h int) error {
	b, err := sw.PNG(w, h)
	return writeFile(path, b, err)
}

// Display shows the live chart with its slider in the running GoNB cell.
func (sw *ImageSweep) Display() error { return displayFragment(sw, true) }

// DisplayStatic shows the grid of all frames as a PNG.
func (sw *ImageSweep) DisplayStatic() error {
	b, err := sw.PNG(0, 0)
	if err != nil {
		return err
	}
	return displayPNG(b)
}

// WriteHTML writes a standalone page with the sweep.
func (sw *ImageSweep) WriteHTML(w io.Writer) error { return WritePage(w, "image sweep", sw) }

// SaveHTML writes that page to path.
func (sw *ImageSweep) SaveHTML(path string) error { return saveHTML(sw, path) }

// gridSizedChart is a chart whose element starts at the static grid's size,
// so that a page without scripts shows the whole grid; the script sets the
// live size before the first frame is drawn.
type gridSizedChart struct {
	*charts.Scatter
	live      string // the element's style as go-echarts writes it
	static    string
	replaceOK bool
}

func (g *gridSizedChart) RenderSnippet() render.ChartSnippet {
	s := g.Scatter.RenderSnippet()
	g.replaceOK = strings.Contains(s.Element, g.live)
	s.Element = strings.Replace(s.Element, g.live, g.static, 1)
	return s
}

func (sw *ImageSweep) htmlFragment(id string) (string, error) {
	if sw == nil {
		return "", errNil("ImageSweep")
	}
	base, err := sw.frames[0].fig.echart(id)
	if err != nil {
		return "", err
	}
	frames := make([]map[string]interface{}, len(sw.frames))
	for i, f := range sw.frames {
		c, err := f.fig.echart(id)
		if err != nil {
			return "", err
		}
		full := c.JSON()
		// No transition: the slider shows each frame as it is.
		frames[i] = map[string]interface{}{"title": full["title"], "series": full["series"], "animation": false}
	}
	fj, err := json.Marshal(frames)
	if err != nil {
		return "", err
	}
	lj, err := json.Marshal(sw.labels)
	if err != nil {
		return "", err
	}
	png, err := sw.PNG(0, 0)
	if err != nil {
		return "", err
	}
	alt := fmt.Sprintf("all %d frames", len(sw.frames))
	if sw.title != "" {
		alt = sw.title + ": " + alt
	}
	static := staticImage(png, alt, sw.gridW, sw.gridH)
	chart := &gridSizedChart{
		Scatter: base,
		live:    fmt.Sprintf("width:%dpx;height:%dpx;", sw.width, sw.height),
		static:  fmt.Sprintf("width:%dpx;height:%dpx;", sw.gridW, sw.gridH),
	}
	q := html.EscapeString
	// The controls exist only once the script runs: a static view shows the
	// grid and no dead slider.
	controls := fmt.Sprintf(`<div class="otlab-player" id="%s-player">`+
		`<button type="button" id="%s-prev" title="previous frame">&#9664;</button>`+
		`<input type="range" id="%s-scrub" min="0" max="%d" value="0" step="1" aria-label="frame">`+
		`<button type="button" id="%s-next" title="next frame">&#9654;</button>`+
		`<span id="%s-label"></span></div>`,
		q(id), q(id), q(id), len(sw.frames)-1, q(id), q(id))
	js := strings.NewReplacer(
		"@ID@", jsString(id), "@FRAMES@", strings.ReplaceAll(string(fj), "</", `<\/`),
		"@LABELS@", strings.ReplaceAll(string(lj), "</", `<\/`),
		"@W@", fmt.Sprint(sw.width), "@H@", fmt.Sprint(sw.height),
	).Replace(sweepJS)
	js = "document.getElementById(" + jsString(id+"-player") + ").outerHTML = " + jsString(controls) + ";\n" + js
	placeholder := fmt.Sprintf(`<div class="otlab-player" id="%s-player"></div>`, q(id))
	out, err := chartHTML(chart, id, static, "", placeholder, js)
	if err == nil && !chart.replaceOK {
		return "", fmt.Errorf("widgets: chart element of %q has no size style to replace", id)
	}
	return out, err
}

// sweepJS runs inside chartHTML's function after the first frame is drawn
// at the static grid's size (variables chart and el): it gives the chart its
// live size and wires the slider. el.otlabPlayer is the interface the
// browser tests and the notebook harness use, as for the animation player.
const sweepJS = `var id = @ID@, frames = @FRAMES@, labels = @LABELS@;
el.style.width = "@W@px"; el.style.height = "@H@px"; chart.resize();
var $ = function (s) { return document.getElementById(id + "-" + s); };
var scrub = $("scrub"), label = $("label"), cur = 0;
function show(i) {
  cur = Math.max(0, Math.min(frames.length - 1, i));
  chart.setOption(frames[cur]);
  scrub.value = cur;
  label.textContent = labels[cur] || ((cur + 1) + " / " + frames.length);
  el.setAttribute("data-frame", cur);
}
$("prev").addEventListener("click", function () { show(cur - 1); });
$("next").addEventListener("click", function () { show(cur + 1); });
scrub.addEventListener("input", function () { show(parseInt(scrub.value, 10)); });
show(0);
el.otlabPlayer = { show: show, count: frames.length, titles: labels, current: function () { return cur; } };`
