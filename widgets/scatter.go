package widgets

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// DefaultScale is OTT's marker scale: a point of weight a_i in a cloud of n
// points gets a marker of area a_i·Scale·n square points, so uniform weights
// give area 200 whatever n is.
const DefaultScale = 200

// Cloud is a weighted point cloud to draw.
type Cloud struct {
	Name    string     // legend label
	Points  *mat.Dense // n×d; d = 2 is drawn as is, d ≥ 3 is projected (see ScatterPlot), d = 1 gets y = 0
	Weights []float64  // nil means uniform; sizes the markers as OTT does
	Symbol  string     // "circle" (default), "x", "square", "triangle" or "diamond"
	Color   string     // "#rrggbb"; empty takes the next colour of matplotlib's cycle
	Opacity float64    // 0 means opaque
	// Size is a marker width in points for every point, overriding the
	// weight-based size (e.g. 3 for thousands of samples, like
	// matplotlib's '.' marker); 0 keeps OTT's sizes.
	Size float64
	// NoEdge drops the black marker outline (useful for dense samples).
	NoEdge bool
}

// ScatterOptions configures [ScatterPlot]. The zero value gives OTT's look.
type ScatterOptions struct {
	Title          string
	XLabel, YLabel string
	Scale          float64 // marker area factor; 0 means DefaultScale (200)
	EqualAxes      bool    // same length for one unit on both axes
	XLim, YLim     []float64
	HideLegend     bool
	Width, Height  int // pixels; 0 means DefaultWidth × DefaultHeight
}

// ScatterPlot draws point clouds with marker areas proportional to their
// weights (area a_i·Scale·n, OTT's rule) and black marker edges. Clouds of
// dimension d ≥ 3 are projected on the top two right singular vectors of the
// stacked, uncentred points, as OTT's plots do; all clouds must have the same
// dimension.
func ScatterPlot(opt ScatterOptions, clouds ...Cloud) (*Figure, error) {
	if len(clouds) == 0 {
		return nil, fmt.Errorf("widgets: ScatterPlot needs at least one cloud")
	}
	pts := make([]*mat.Dense, len(clouds))
	for i, c := range clouds {
		pts[i] = c.Points
	}
	xy, err := project2D(pts...)
	if err != nil {
		return nil, err
	}
	p, err := cloudsPanel(clouds, xy, 0, opt)
	if err != nil {
		return nil, err
	}
	f := &Figure{fig: figure{
		title: opt.Title, panels: []panel{p}, equalAxes: opt.EqualAxes, legend: !opt.HideLegend,
		width: sizeOr(opt.Width, DefaultWidth), height: sizeOr(opt.Height, DefaultHeight),
	}}
	if err := f.fig.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// cloudsPanel draws projected clouds in one panel; colours continue the
// cycle from colorOffset.
func cloudsPanel(clouds []Cloud, xy [][2][]float64, colorOffset int, opt ScatterOptions) (panel, error) {
	var p panel
	p.xlabel, p.ylabel = opt.XLabel, opt.YLabel
	if err := setLimits(&p, opt.XLim, opt.YLim); err != nil {
		return p, err
	}
	for i, c := range clouds {
		sizes, err := markerSizes(c.Weights, len(xy[i][0]), opt.Scale)
		if err != nil {
			return p, fmt.Errorf("widgets: cloud %d (%q): %v", i, c.Name, err)
		}
		if c.Size < 0 || c.Size > 1000 {
			return p, fmt.Errorf("widgets: cloud %d (%q): marker size %v", i, c.Name, c.Size)
		}
		if c.Size > 0 {
			sizes = []float64{c.Size}
		}
		color := c.Color
		if color == "" {
			color = cycle(palette, colorOffset+i)
		}
		op := c.Opacity
		if op == 0 {
			op = 1
		}
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("cloud %d", i)
		}
		p.layers = append(p.layers, layer{
			kind: pointsLayer, name: name, legend: true,
			x: xy[i][0], y: xy[i][1], size: sizes,
			color: []string{color}, opacity: []float64{op},
			symbol: c.Symbol, edge: !c.NoEdge,
		})
	}
	return p, nil
}

// Panel is one set of axes of [ScatterPanels].
type Panel struct {
	Title  string
	Clouds []Cloud
}

// ScatterPanels draws panels side by side with shared axes, each with its
// own clouds (e.g. the samples of two generators, or the final positions of
// several flows over the same target). All clouds share one 2-D projection
// when their dimension is ≥ 3. Width 0 means DefaultPanelWidth per panel,
// at most MaxDefaultWidth.
func ScatterPanels(opt ScatterOptions, panels ...Panel) (*Figure, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("widgets: ScatterPanels needs at least one panel")
	}
	var all []*mat.Dense
	for pi, p := range panels {
		if len(p.Clouds) == 0 {
			return nil, fmt.Errorf("widgets: panel %d (%q) has no clouds", pi, p.Title)
		}
		for _, c := range p.Clouds {
			all = append(all, c.Points)
		}
	}
	xy, err := project2D(all...)
	if err != nil {
		return nil, err
	}
	f := &Figure{fig: figure{
		title: opt.Title, sharedAxes: true, equalAxes: opt.EqualAxes, legend: !opt.HideLegend,
		width:  sizeOr(opt.Width, panelsWidth(len(panels))),
		height: sizeOr(opt.Height, DefaultPanelHeight),
	}}
	k := 0
	for _, p := range panels {
		pn, err := cloudsPanel(p.Clouds, xy[k:k+len(p.Clouds)], 0, opt)
		if err != nil {
			return nil, err
		}
		pn.title = p.Title
		f.fig.panels = append(f.fig.panels, pn)
		k += len(p.Clouds)
	}
	if err := f.fig.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// markerSizes turns weights into marker diameters in points: area
// a_i·scale·n as OTT (matplotlib's s is an area in pt², and a marker's width
// is its square root).
func markerSizes(w []float64, n int, scale float64) ([]float64, error) {
	if scale == 0 {
		scale = DefaultScale
	}
	if scale < 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("marker scale %v, want a finite value > 0", scale)
	}
	if w == nil {
		return []float64{math.Sqrt(scale)}, nil
	}
	if len(w) != n {
		return nil, fmt.Errorf("%d weights for %d points", len(w), n)
	}
	out := make([]float64, n)
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("weight %d is %v, want a finite value ≥ 0", i, v)
		}
		out[i] = math.Sqrt(v * scale * float64(n))
	}
	return out, nil
}

func setLimits(p *panel, xlim, ylim []float64) error {
	for _, l := range []struct {
		name string
		v    []float64
		dst  **[2]float64
	}{{"XLim", xlim, &p.fixedX}, {"YLim", ylim, &p.fixedY}} {
		if l.v == nil {
			continue
		}
		if len(l.v) != 2 || !(l.v[0] < l.v[1]) || math.IsInf(l.v[0], 0) || math.IsInf(l.v[1], 0) {
			return fmt.Errorf("widgets: %s = %v, want [min, max] with finite min < max", l.name, l.v)
		}
		*l.dst = &[2]float64{l.v[0], l.v[1]}
	}
	return nil
}

// project2D returns, for each matrix, its x and y coordinates for drawing.
// Two columns are used as they are. One column gets y = 0. Three or more
// columns are projected like OTT's plots: on the top two right singular
// vectors of all matrices stacked (uncentred), i.e. the coordinates U·S of a
// rank-2 SVD.
func project2D(ms ...*mat.Dense) ([][2][]float64, error) {
	d := -1
	total := 0
	for i, m := range ms {
		if m == nil {
			return nil, fmt.Errorf("widgets: point set %d is nil", i)
		}
		r, c := m.Dims()
		if r == 0 || c == 0 {
			return nil, fmt.Errorf("widgets: point set %d is empty (%d×%d)", i, r, c)
		}
		if d >= 0 && c != d {
			return nil, fmt.Errorf("widgets: point set %d has dimension %d, others %d", i, c, d)
		}
		d = c
		total += r
		for k := 0; k < r; k++ {
			for j := 0; j < c; j++ {
				if v := m.At(k, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("widgets: point set %d: point %d, coordinate %d is %v", i, k, j, v)
				}
			}
		}
	}
	out := make([][2][]float64, len(ms))
	if d <= 2 {
		for i, m := range ms {
			r, _ := m.Dims()
			x, y := make([]float64, r), make([]float64, r)
			for k := 0; k < r; k++ {
				x[k] = m.At(k, 0)
				if d == 2 {
					y[k] = m.At(k, 1)
				}
			}
			out[i] = [2][]float64{x, y}
		}
		return out, nil
	}
	all := mat.NewDense(total, d, nil)
	row := 0
	for _, m := range ms {
		r, _ := m.Dims()
		all.Slice(row, row+r, 0, d).(*mat.Dense).Copy(m)
		row += r
	}
	var svd mat.SVD
	if !svd.Factorize(all, mat.SVDThin) {
		return nil, fmt.Errorf("widgets: SVD for the 2-D projection did not converge")
	}
	var v mat.Dense
	svd.VTo(&v)
	v2 := v.Slice(0, d, 0, 2)
	for i, m := range ms {
		var xy mat.Dense
		xy.Mul(m, v2)
		r, _ := m.Dims()
		x, y := make([]float64, r), make([]float64, r)
		for k := 0; k < r; k++ {
			x[k], y[k] = xy.At(k, 0), xy.At(k, 1)
		}
		out[i] = [2][]float64{x, y}
	}
	return out, nil
}
