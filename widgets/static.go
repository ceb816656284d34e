package widgets

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// staticDPI makes one image pixel one CSS pixel, so that SavePNG(path, w, h)
// gives a w×h image with the proportions of the w×h interactive chart.
const staticDPI = 96

// pxLen converts pixels to a vg length at staticDPI.
func pxLen(px int) vg.Length { return vg.Length(px) * vg.Inch / staticDPI }

// drawer draws something static on a canvas: a figure or a heatmap.
type drawer interface {
	drawStatic(dc draw.Canvas) error
}

// renderImage draws d into a w×h RGBA image.
func renderImage(d drawer, w, h int) (img image.Image, err error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("widgets: image size %d×%d, want positive width and height", w, h)
	}
	if w > 20000 || h > 20000 {
		return nil, fmt.Errorf("widgets: image size %d×%d is too large", w, h)
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("widgets: drawing image: %v", r)
		}
	}()
	c := vgimg.NewWith(vgimg.UseWH(pxLen(w), pxLen(h)), vgimg.UseDPI(staticDPI))
	if err := d.drawStatic(draw.New(c)); err != nil {
		return nil, err
	}
	return c.Image(), nil
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func renderPNG(d drawer, w, h int) ([]byte, error) {
	img, err := renderImage(d, w, h)
	if err != nil {
		return nil, err
	}
	return encodePNG(img)
}

func renderSVG(d drawer, w, h int) (out []byte, err error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("widgets: image size %d×%d, want positive width and height", w, h)
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("widgets: drawing SVG: %v", r)
		}
	}()
	c := vgsvg.New(pxLen(w), pxLen(h))
	if err := d.drawStatic(draw.New(c)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeFile(path string, b []byte, err error) error {
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// drawTitle writes a centred title at the top of dc and returns the rest.
func drawTitle(dc draw.Canvas, title string, size vg.Length) draw.Canvas {
	if title == "" {
		return dc
	}
	sty := text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
	pad := size / 2
	dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - pad}, title)
	return draw.Crop(dc, 0, 0, 0, -(size*1.3 + pad))
}

func (f *figure) drawStatic(dc draw.Canvas) error {
	if err := f.validate(); err != nil {
		return err
	}
	dc = drawTitle(dc, f.title, 14)
	n := len(f.panels)
	plots := make([]*plot.Plot, n)
	legendDone := map[string]bool{}
	for i := range f.panels {
		p := &f.panels[i]
		pl := plot.New()
		pl.Title.Text = p.title
		pl.Title.TextStyle.Font.Size = 12
		pl.X.Label.Text = p.xlabel
		pl.Y.Label.Text = p.ylabel
		pl.Legend.Top = true
		pl.Legend.Left = false
		for li := range p.layers {
			l := &p.layers[li]
			var th plot.Thumbnailer
			switch l.kind {
			case pointsLayer:
				pp := pointsPlotter{l}
				pl.Add(pp)
				th = pp
			case segmentsLayer:
				pl.Add(segmentsPlotter{l})
			case curveLayer:
				cp := curvePlotter{l}
				pl.Add(cp)
				th = cp
			}
			if f.legend && l.legend && th != nil && !legendDone[l.name] {
				legendDone[l.name] = true
				pl.Legend.Add(l.name, th)
			}
		}
		plots[i] = pl
	}
	tiles := draw.Tiles{Rows: 1, Cols: n, PadX: 20, PadTop: 4, PadBottom: 4, PadLeft: 4, PadRight: 10}
	setRanges := func() {
		for i, pl := range plots {
			p := f.panels[i]
			pl.X.Min, pl.X.Max = p.xr[0], p.xr[1]
			pl.Y.Min, pl.Y.Max = p.yr[0], p.yr[1]
		}
	}
	f.resolveRanges(0, 0)
	setRanges()
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	if f.equalAxes {
		// The data area depends a little on the tick labels, which depend on
		// the ranges: measure once with the plain ranges, then correct.
		da := plots[0].DataCanvas(canvases[0][0])
		f.resolveRanges(float64(da.Max.X-da.Min.X), float64(da.Max.Y-da.Min.Y))
		setRanges()
		canvases = plot.Align([][]*plot.Plot{plots}, tiles, dc)
	}
	for i, pl := range plots {
		pl.Draw(canvases[0][i])
	}
	return nil
}

// markerPath is the outline of a marker of radius r (points) at pt.
func markerPath(symbol string, pt vg.Point, r vg.Length) vg.Path {
	var p vg.Path
	poly := func(xy ...float64) {
		for i := 0; i < len(xy); i += 2 {
			q := vg.Point{X: pt.X + vg.Length(xy[i])*r, Y: pt.Y + vg.Length(xy[i+1])*r}
			if i == 0 {
				p.Move(q)
			} else {
				p.Line(q)
			}
		}
		p.Close()
	}
	switch symbol {
	case "x":
		// The echarts path of xSymbolPath, on [0,10]² mapped to [-1,1]².
		poly(-1, 0.6, -0.6, 1, 0, 0.4, 0.6, 1, 1, 0.6, 0.4, 0, 1, -0.6, 0.6, -1, 0, -0.4, -0.6, -1, -1, -0.6, -0.4, 0)
	case "square":
		poly(-0.886, -0.886, 0.886, -0.886, 0.886, 0.886, -0.886, 0.886)
	case "triangle":
		poly(0, 1, -0.866, -0.5, 0.866, -0.5)
	case "diamond":
		poly(0, 1, 0.7, 0, 0, -1, -0.7, 0)
	default:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
	}
	return p
}

func drawMarker(c *draw.Canvas, l *layer, i int, pt vg.Point, r vg.Length) {
	op := 1.0
	if len(l.opacity) > 0 {
		op = at(l.opacity, i)
	}
	col := "#000000"
	if len(l.color) > 0 {
		col = at(l.color, i)
	}
	path := markerPath(l.symbol, pt, r)
	c.SetColor(parseColor(col, op))
	c.Fill(path)
	if l.edge && r > 0 {
		c.SetColor(color.NRGBA{A: uint8(math.Round(255 * math.Min(1, op+0.3)))})
		c.SetLineWidth(0.6)
		c.SetLineDash(nil, 0)
		c.Stroke(path)
	}
}

// pointsPlotter draws a points layer with per-point sizes and colours.
type pointsPlotter struct{ l *layer }

func (pp pointsPlotter) radius(i int) vg.Length {
	if len(pp.l.size) == 0 {
		return 3
	}
	return vg.Length(at(pp.l.size, i) / 2)
}

func (pp pointsPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i := range pp.l.x {
		pt := vg.Point{X: trX(pp.l.x[i]), Y: trY(pp.l.y[i])}
		if !c.Contains(pt) {
			continue
		}
		drawMarker(&c, pp.l, i, pt, pp.radius(i))
	}
}

func (pp pointsPlotter) Thumbnail(c *draw.Canvas) {
	r := vg.Length(4)
	if len(pp.l.size) > 0 {
		r = vg.Length(math.Min(5, math.Max(2, pp.l.size[0]/2)))
	}
	l := *pp.l
	if len(l.opacity) > 0 {
		l.opacity = []float64{math.Max(0.6, l.opacity[0])}
	}
	drawMarker(c, &l, 0, c.Center(), r)
}

// segmentsPlotter draws straight segments, each with its own width and colour.
type segmentsPlotter struct{ l *layer }

func (sp segmentsPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	l := sp.l
	for i := range l.x {
		w, op, col := 1.0, 1.0, "#000000"
		if len(l.width) > 0 {
			w = at(l.width, i)
		}
		if len(l.opacity) > 0 {
			op = at(l.opacity, i)
		}
		if len(l.color) > 0 {
			col = at(l.color, i)
		}
		seg := []vg.Point{{X: trX(l.x[i]), Y: trY(l.y[i])}, {X: trX(l.x1[i]), Y: trY(l.y1[i])}}
		c.StrokeLines(draw.LineStyle{Color: parseColor(col, op), Width: vg.Length(w)}, c.ClipLinesXY(seg)...)
	}
}

// curvePlotter draws one polyline, optionally dashed and with vertex markers.
type curvePlotter struct{ l *layer }

func (cp curvePlotter) style() draw.LineStyle {
	l := cp.l
	w, op, col := 1.5, 1.0, "#000000"
	if len(l.width) > 0 {
		w = l.width[0]
	}
	if len(l.opacity) > 0 {
		op = l.opacity[0]
	}
	if len(l.color) > 0 {
		col = l.color[0]
	}
	sty := draw.LineStyle{Color: parseColor(col, op), Width: vg.Length(w)}
	if l.dashed {
		sty.Dashes = []vg.Length{4, 3}
	}
	return sty
}

func (cp curvePlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	l := cp.l
	pts := make([]vg.Point, len(l.x))
	for i := range l.x {
		pts[i] = vg.Point{X: trX(l.x[i]), Y: trY(l.y[i])}
	}
	c.StrokeLines(cp.style(), c.ClipLinesXY(pts)...)
	if l.markers {
		ml := layer{symbol: "circle", color: l.color[:min(1, len(l.color))]}
		for _, pt := range pts {
			if c.Contains(pt) {
				drawMarker(&c, &ml, 0, pt, 2)
			}
		}
	}
}

func (cp curvePlotter) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(cp.style(), c.Min.X, y, c.Max.X, y)
}

// staticImage is the <img> that a chart element holds until its script
// replaces it with the live chart: the same chart drawn by gonum/plot at the
// chart's size, inlined as a PNG data URI so that every renderer shows it
// (GitHub, nbviewer, an HTML export without JavaScript, an untrusted notebook).
func staticImage(png []byte, alt string, w, h int) string {
	if alt == "" {
		alt = "chart"
	}
	return fmt.Sprintf(`<img class="otlab-static" alt="%s (static image)" width="%d" height="%d" src="data:image/png;base64,%s">`,
		html.EscapeString(alt), w, h, base64.StdEncoding.EncodeToString(png))
}
