package widgets

import (
	"fmt"
	"math"
)

// The figure model is the one description both renderers read: echarts.go
// turns it into echarts options for pages and notebooks, static.go into
// gonum/plot drawings for PNG, SVG and GIF. Widgets only build figures, so the
// interactive and the static views cannot drift apart.

type layerKind int

const (
	pointsLayer   layerKind = iota // markers at (x, y)
	segmentsLayer                  // straight segments (x, y) → (x1, y1)
	curveLayer                     // one polyline through (x, y)
)

// layer is one series of a panel. Per-item attributes (size, width, color,
// opacity) hold either one value shared by all items or one value per item.
type layer struct {
	kind    layerKind
	name    string
	legend  bool      // list the layer in the legend
	x, y    []float64 // points, segment starts or curve vertices
	x1, y1  []float64 // segment ends
	size    []float64 // points: marker diameter in typographic points (1/72 in)
	width   []float64 // segments and curves: line width in points
	color   []string  // "#rrggbb"
	opacity []float64 // in [0, 1]
	symbol  string    // points: "circle", "x", "square", "triangle" or "diamond"
	edge    bool      // points: thin black outline, as OTT's plots
	dashed  bool      // curves
	markers bool      // curves: a small marker at every vertex
}

// panel is one set of axes.
type panel struct {
	title          string
	xlabel, ylabel string
	layers         []layer
	// xr, yr are the axis ranges; set by figure.resolveRanges.
	xr, yr [2]float64
	// fixedX/fixedY hold user ranges, applied instead of the data range.
	fixedX, fixedY *[2]float64
}

// figure is a row of panels with an optional common title and legend.
type figure struct {
	title      string
	panels     []panel
	sharedAxes bool // all panels use the union of their ranges
	equalAxes  bool // one data unit has the same length on both axes
	legend     bool
	width      int // interactive chart size in CSS pixels
	height     int
	// transitionMS is how long echarts animates a change of data (the
	// player's frames); 0 keeps echarts' default.
	transitionMS int
}

// at returns s[i], or s[0] when one value is shared by all items.
func at[T any](s []T, i int) T {
	if len(s) == 1 {
		return s[0]
	}
	return s[i]
}

// Layout of the interactive chart, in CSS pixels. The static renderer lays
// out with gonum/plot's own measures.
const (
	padLeft   = 56
	padRight  = 24
	padBottom = 44
	panelGap  = 64
)

// top returns the y of the first grid row and the y of the panel titles.
func (f *figure) top() (gridTop, panelTitleTop, legendTop int) {
	y := 8
	if f.title != "" {
		y += 30
	}
	legendTop = y
	if f.legend {
		y += 26
	}
	panelTitleTop = y
	for _, p := range f.panels {
		if p.title != "" {
			y += 24
			break
		}
	}
	return y + 10, panelTitleTop, legendTop
}

// gridBox returns the pixel box (left, top, width, height) of panel i.
func (f *figure) gridBox(i int) (left, top, w, h int) {
	gridTop, _, _ := f.top()
	n := len(f.panels)
	w = (f.width - padLeft - padRight - (n-1)*panelGap) / n
	if w < 40 {
		w = 40
	}
	h = f.height - gridTop - padBottom
	if h < 40 {
		h = 40
	}
	return padLeft + i*(w+panelGap), gridTop, w, h
}

// validate checks every layer for matching lengths and finite values.
func (f *figure) validate() error {
	if len(f.panels) == 0 {
		return fmt.Errorf("widgets: figure has no panels")
	}
	for pi, p := range f.panels {
		for li, l := range p.layers {
			where := fmt.Sprintf("panel %d, series %d (%q)", pi, li, l.name)
			n := len(l.x)
			if len(l.y) != n {
				return fmt.Errorf("widgets: %s: %d x values but %d y values", where, n, len(l.y))
			}
			if l.kind == segmentsLayer && (len(l.x1) != n || len(l.y1) != n) {
				return fmt.Errorf("widgets: %s: segment ends have lengths %d and %d, want %d", where, len(l.x1), len(l.y1), n)
			}
			coords := []struct {
				name string
				s    []float64
			}{{"x", l.x}, {"y", l.y}, {"x end", l.x1}, {"y end", l.y1}}
			for _, c := range coords {
				if i, ok := firstNonFinite(c.s); ok {
					return fmt.Errorf("widgets: %s: %s[%d] = %v is not finite", where, c.name, i, c.s[i])
				}
			}
			attrs := []struct {
				name string
				s    []float64
			}{{"size", l.size}, {"width", l.width}, {"opacity", l.opacity}}
			for _, a := range attrs {
				if len(a.s) > 1 && len(a.s) != n {
					return fmt.Errorf("widgets: %s: %d %s values for %d items", where, len(a.s), a.name, n)
				}
				for i, v := range a.s {
					if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
						return fmt.Errorf("widgets: %s: %s[%d] = %v, want a finite value ≥ 0", where, a.name, i, v)
					}
				}
			}
			if len(l.color) > 1 && len(l.color) != n {
				return fmt.Errorf("widgets: %s: %d colors for %d items", where, len(l.color), n)
			}
		}
	}
	return nil
}

func firstNonFinite(s []float64) (int, bool) {
	for i, v := range s {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i, true
		}
	}
	return 0, false
}

// dataRange returns the extent of all coordinates of a panel.
func (p *panel) dataRange() (xr, yr [2]float64, ok bool) {
	xr = [2]float64{math.Inf(1), math.Inf(-1)}
	yr = xr
	grow := func(r *[2]float64, s []float64) {
		for _, v := range s {
			r[0] = math.Min(r[0], v)
			r[1] = math.Max(r[1], v)
		}
	}
	for _, l := range p.layers {
		grow(&xr, l.x)
		grow(&xr, l.x1)
		grow(&yr, l.y)
		grow(&yr, l.y1)
	}
	return xr, yr, xr[0] <= xr[1] && yr[0] <= yr[1]
}

// padRange widens r by 5% on each side, and gives an empty or degenerate
// range a width, so that an axis never has zero length.
func padRange(r [2]float64) [2]float64 {
	if r[0] > r[1] {
		return [2]float64{0, 1}
	}
	d := r[1] - r[0]
	if d == 0 {
		d = math.Max(math.Abs(r[0])*0.2, 1)
		return [2]float64{r[0] - d/2, r[1] + d/2}
	}
	return [2]float64{r[0] - 0.05*d, r[1] + 0.05*d}
}

// resolveRanges sets every panel's axis ranges: user ranges where given,
// else the padded data range; then the union over panels when the axes are
// shared, then the equal-scale correction for panels of pixel size w×h each
// (w, h ≤ 0 skips it).
func (f *figure) resolveRanges(w, h float64) {
	for i := range f.panels {
		p := &f.panels[i]
		xr, yr, _ := p.dataRange()
		p.xr, p.yr = padRange(xr), padRange(yr)
		if p.fixedX != nil {
			p.xr = *p.fixedX
		}
		if p.fixedY != nil {
			p.yr = *p.fixedY
		}
	}
	if f.sharedAxes && len(f.panels) > 1 {
		xr, yr := f.panels[0].xr, f.panels[0].yr
		for _, p := range f.panels[1:] {
			xr = [2]float64{math.Min(xr[0], p.xr[0]), math.Max(xr[1], p.xr[1])}
			yr = [2]float64{math.Min(yr[0], p.yr[0]), math.Max(yr[1], p.yr[1])}
		}
		for i := range f.panels {
			f.panels[i].xr, f.panels[i].yr = xr, yr
		}
	}
	if f.equalAxes && w > 0 && h > 0 {
		for i := range f.panels {
			p := &f.panels[i]
			p.xr, p.yr = equalScale(p.xr, p.yr, w, h)
		}
	}
}

// equalScale widens the range that has fewer data units per pixel, about its
// centre, so that both axes have the same units per pixel.
func equalScale(xr, yr [2]float64, w, h float64) ([2]float64, [2]float64) {
	ux := (xr[1] - xr[0]) / w
	uy := (yr[1] - yr[0]) / h
	u := math.Max(ux, uy)
	widen := func(r [2]float64, size float64) [2]float64 {
		c := (r[0] + r[1]) / 2
		half := u * size / 2
		return [2]float64{c - half, c + half}
	}
	return widen(xr, w), widen(yr, h)
}
