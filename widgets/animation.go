package widgets

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"image"
	gifpalette "image/color/palette"
	"image/draw"
	"image/gif"
	"io"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// AnimationFrame is one picture of an animation: the clouds x and y, their
// weights (nil means uniform) and optionally a coupling drawn as lines.
type AnimationFrame struct {
	Title string
	X, Y  *mat.Dense
	A, B  []float64
	P     mat.Matrix // nil draws no lines in this frame
}

// AnimationOptions configures [NewAnimation] and [FlowAnimation].
type AnimationOptions struct {
	// LinesOptions gives the look of every frame (its Title is not used:
	// frames carry their own). As in OTT, marker sizes are those of frame 0.
	LinesOptions
	// FrameRate in frames per second; 0 means 10, OTT's default. The flow
	// tutorial uses 1.
	FrameRate float64
	// NoLoop stops the player at the last frame and plays the GIF once.
	NoLoop bool
}

// Animation is a sequence of frames with one set of axes: an interactive
// player (play/pause, previous/next, a slider to scrub, loop) in notebooks
// and pages, and an animated GIF as the static form.
type Animation struct {
	frames  []*Figure
	titles  []string
	delayMS int
	loop    bool
	width   int
	height  int
}

var _ Widget = (*Animation)(nil)

// NewAnimation builds an animation from frames. Every frame must have points
// of the same dimension; the axes cover all frames so that nothing leaves the
// view. An empty frame list, a frame without points, or bad data in any frame
// is an error naming the frame.
func NewAnimation(frames []AnimationFrame, opt AnimationOptions) (*Animation, error) {
	if len(frames) == 0 {
		return nil, fmt.Errorf("widgets: animation has no frames")
	}
	rate := opt.FrameRate
	if rate == 0 {
		rate = 10
	}
	if !(rate > 0) || math.IsInf(rate, 0) || rate > 100 {
		return nil, fmt.Errorf("widgets: frame rate %v, want 0 < rate ≤ 100 frames per second", rate)
	}
	an := &Animation{
		delayMS: int(math.Round(1000 / rate)), loop: !opt.NoLoop,
		width: sizeOr(opt.Width, DefaultWidth), height: sizeOr(opt.Height, DefaultHeight),
	}
	lo := opt.LinesOptions
	lo.XLim, lo.YLim = nil, nil
	var a0, b0 []float64
	for i, fr := range frames {
		if fr.X == nil || fr.Y == nil {
			return nil, fmt.Errorf("widgets: frame %d has no points", i)
		}
		xy, err := project2D(fr.X, fr.Y)
		if err != nil {
			return nil, fmt.Errorf("widgets: frame %d: %v", i, err)
		}
		if i == 0 {
			a0, b0 = fr.A, fr.B
		}
		if err := checkWeights(fr.A, a0, len(xy[0][0]), "A"); err != nil {
			return nil, fmt.Errorf("widgets: frame %d: %v", i, err)
		}
		if err := checkWeights(fr.B, b0, len(xy[1][0]), "B"); err != nil {
			return nil, fmt.Errorf("widgets: frame %d: %v", i, err)
		}
		p, err := couplingPanel(xy[0], xy[1], a0, b0, fr.P, lo)
		if err != nil {
			return nil, fmt.Errorf("widgets: frame %d: %v", i, err)
		}
		if !lo.HideLines && fr.P == nil {
			// Keep the same series in every frame, so the player can swap data.
			p.layers = append([]layer{{kind: segmentsLayer, name: "coupling", width: []float64{1},
				color: []string{"#000000"}, opacity: []float64{0}}}, p.layers...)
		}
		an.frames = append(an.frames, &Figure{fig: figure{
			title: fr.Title, panels: []panel{p}, equalAxes: opt.EqualAxes, legend: true,
			width: an.width, height: an.height, transitionMS: min(an.delayMS*4/5, 600),
		}})
		an.titles = append(an.titles, fr.Title)
	}
	// One set of axes for all frames: the union of the data, or the user's.
	xr, yr := [2]float64{math.Inf(1), math.Inf(-1)}, [2]float64{math.Inf(1), math.Inf(-1)}
	for _, f := range an.frames {
		fx, fy, _ := f.fig.panels[0].dataRange()
		xr = [2]float64{math.Min(xr[0], fx[0]), math.Max(xr[1], fx[1])}
		yr = [2]float64{math.Min(yr[0], fy[0]), math.Max(yr[1], fy[1])}
	}
	xr, yr = padRange(xr), padRange(yr)
	var user panel
	if err := setLimits(&user, opt.XLim, opt.YLim); err != nil {
		return nil, err
	}
	if user.fixedX != nil {
		xr = *user.fixedX
	}
	if user.fixedY != nil {
		yr = *user.fixedY
	}
	for _, f := range an.frames {
		f.fig.panels[0].fixedX = &[2]float64{xr[0], xr[1]}
		f.fig.panels[0].fixedY = &[2]float64{yr[0], yr[1]}
		if err := f.fig.validate(); err != nil {
			return nil, err
		}
	}
	return an, nil
}

// checkWeights: a frame's weights must have the right length; OTT keeps the
// sizes of frame 0, so later frames' weights are only checked.
func checkWeights(w, w0 []float64, n int, name string) error {
	if w != nil && len(w) != n {
		return fmt.Errorf("%d weights %s for %d points", len(w), name, n)
	}
	if w0 != nil && len(w0) != n {
		return fmt.Errorf("frame 0 has %d weights %s but this frame %d points", len(w0), name, n)
	}
	return nil
}

// Len returns the number of frames.
func (an *Animation) Len() int { return len(an.frames) }

// Titles returns the frames' titles in order.
func (an *Animation) Titles() []string { return append([]string(nil), an.titles...) }

// Frame returns frame i as a Figure (to save or display one picture).
func (an *Animation) Frame(i int) (*Figure, error) {
	if an == nil {
		return nil, errNil("Animation")
	}
	if i < 0 || i >= len(an.frames) {
		return nil, fmt.Errorf("widgets: frame %d of %d", i, len(an.frames))
	}
	return an.frames[i], nil
}

func (an *Animation) usesEcharts() bool { return true }

// frameOptions returns, per frame, the part of the echarts option that
// changes: the titles and the series data.
func (an *Animation) frameOptions(id string) ([]map[string]interface{}, error) {
	out := make([]map[string]interface{}, len(an.frames))
	for i, f := range an.frames {
		c, err := f.fig.echart(id)
		if err != nil {
			return nil, err
		}
		full := c.JSON()
		out[i] = map[string]interface{}{"title": full["title"], "series": full["series"]}
	}
	return out, nil
}

func (an *Animation) htmlFragment(id string) (string, error) {
	if an == nil {
		return "", errNil("Animation")
	}
	base, err := an.frames[0].fig.echart(id)
	if err != nil {
		return "", err
	}
	frames, err := an.frameOptions(id)
	if err != nil {
		return "", err
	}
	fj, err := json.Marshal(frames)
	if err != nil {
		return "", err
	}
	tj, err := json.Marshal(an.titles)
	if err != nil {
		return "", err
	}
	q := html.EscapeString
	// Static form (no JavaScript, or an untrusted notebook): the last frame in
	// the chart's place, then every frame as a small animated GIF. The script
	// swaps in the live chart and builds the player's controls, so that a
	// static view shows no dead buttons.
	last := an.frames[len(an.frames)-1]
	png, err := last.PNG(an.width, an.height)
	if err != nil {
		return "", err
	}
	gw, gh := an.width/2, an.height/2
	gifData, err := an.GIF(gw, gh)
	if err != nil {
		return "", err
	}
	static := staticImage(png, "last frame: "+an.titles[len(an.titles)-1], an.width, an.height)
	strip := fmt.Sprintf(`<div class="otlab-static-frames" id="%s-frames" style="font:12px sans-serif;color:#555;margin:4px 0 10px 0">`+
		`<img alt="all %d frames (animated GIF)" width="%d" height="%d" src="data:image/gif;base64,%s"><br>`+
		`Above: the last frame. Here: all %d frames as an animated GIF. Run the cell (or trust the notebook) for the interactive player.</div>`,
		q(id), len(an.frames), gw, gh, base64.StdEncoding.EncodeToString(gifData), len(an.frames))
	controls := fmt.Sprintf(`<div class="otlab-player" id="%s-player">`+
		`<button type="button" id="%s-prev" title="previous frame">&#9664;&#9664;</button>`+
		`<button type="button" id="%s-play">&#9654; Play</button>`+
		`<button type="button" id="%s-next" title="next frame">&#9654;&#9654;</button>`+
		`<input type="range" id="%s-scrub" min="0" max="%d" value="0" step="1" aria-label="frame">`+
		`<span id="%s-label">1 / %d</span>`+
		`<label><input type="checkbox" id="%s-loop"%s> loop</label></div>`,
		q(id), q(id), q(id), q(id), q(id), len(an.frames)-1, q(id), len(an.frames), q(id), map[bool]string{true: " checked", false: ""}[an.loop])
	js := strings.NewReplacer(
		"@ID@", jsString(id), "@FRAMES@", strings.ReplaceAll(string(fj), "</", `<\/`),
		"@TITLES@", strings.ReplaceAll(string(tj), "</", `<\/`), "@DELAY@", fmt.Sprint(an.delayMS),
	).Replace(playerJS)
	js = "var frames0 = document.getElementById(" + jsString(id+"-frames") + "); if (frames0) { frames0.remove(); }\n" +
		"document.getElementById(" + jsString(id+"-player") + ").outerHTML = " + jsString(controls) + ";\n" + js
	placeholder := fmt.Sprintf(`<div class="otlab-player" id="%s-player"></div>`, q(id))
	return chartHTML(base, id, static, "", placeholder+strip, js)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// playerJS drives the frames with setOption; echarts animates the points
// between frames. It runs inside chartHTML's function, after the first frame
// is drawn (variables chart and el).
const playerJS = `var id = @ID@, frames = @FRAMES@, titles = @TITLES@, delay = @DELAY@;
var $ = function (s) { return document.getElementById(id + "-" + s); };
var play = $("play"), scrub = $("scrub"), label = $("label"), loop = $("loop");
var cur = 0, timer = null;
function show(i) {
  cur = Math.max(0, Math.min(frames.length - 1, i));
  chart.setOption(frames[cur]);
  scrub.value = cur;
  label.textContent = (cur + 1) + " / " + frames.length;
  el.setAttribute("data-frame", cur);
}
function stop() { if (timer !== null) { clearInterval(timer); timer = null; } play.innerHTML = "&#9654; Play"; }
function tick() {
  if (cur >= frames.length - 1) { if (loop.checked) { show(0); } else { stop(); } return; }
  show(cur + 1);
}
function start() { if (cur >= frames.length - 1) { show(0); } play.innerHTML = "&#10074;&#10074; Pause"; timer = setInterval(tick, delay); }
play.addEventListener("click", function () { if (timer === null) { start(); } else { stop(); } });
$("prev").addEventListener("click", function () { stop(); show(cur - 1); });
$("next").addEventListener("click", function () { stop(); show(cur + 1); });
scrub.addEventListener("input", function () { stop(); show(parseInt(scrub.value, 10)); });
el.setAttribute("data-frame", 0);
el.otlabPlayer = { show: show, count: frames.length, titles: titles, current: function () { return cur; } };`

// Display shows the interactive player in the running GoNB cell.
func (an *Animation) Display() error { return displayFragment(an, true) }

// DisplayStatic shows the animated GIF in the running GoNB cell (as an HTML
// <img>, which every front end plays).
func (an *Animation) DisplayStatic() error {
	b, err := an.GIF(0, 0)
	if err != nil {
		return err
	}
	if !front.isNotebook() {
		return ErrNotNotebook
	}
	front.displayHTML(`<img alt="animation" src="data:image/gif;base64,` + base64.StdEncoding.EncodeToString(b) + `">`)
	front.sync()
	return front.err()
}

// WriteHTML writes a standalone page with the player.
func (an *Animation) WriteHTML(w io.Writer) error { return WritePage(w, "animation", an) }

// SaveHTML writes that page to path.
func (an *Animation) SaveHTML(path string) error { return saveHTML(an, path) }

// GIF renders every frame with gonum/plot and encodes an animated GIF of
// w×h pixels (0 means the player's size), looping unless NoLoop was set.
func (an *Animation) GIF(w, h int) ([]byte, error) {
	if an == nil {
		return nil, errNil("Animation")
	}
	w, h = sizeOr(w, an.width), sizeOr(h, an.height)
	g := &gif.GIF{LoopCount: 0}
	if !an.loop {
		g.LoopCount = -1
	}
	delay := max(1, int(math.Round(float64(an.delayMS)/10)))
	for i, f := range an.frames {
		img, err := renderImage(&f.fig, w, h)
		if err != nil {
			return nil, fmt.Errorf("widgets: frame %d: %v", i, err)
		}
		pal := image.NewPaletted(img.Bounds(), gifpalette.Plan9)
		draw.Draw(pal, img.Bounds(), img, image.Point{}, draw.Src)
		g.Image = append(g.Image, pal)
		g.Delay = append(g.Delay, delay)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// SaveGIF writes [Animation.GIF] to path.
func (an *Animation) SaveGIF(path string, w, h int) error {
	b, err := an.GIF(w, h)
	return writeFile(path, b, err)
}

// SavePNG writes the last frame as a PNG (the flow's end state).
func (an *Animation) SavePNG(path string, w, h int) error {
	if an == nil {
		return errNil("Animation")
	}
	return an.frames[len(an.frames)-1].SavePNG(path, w, h)
}
