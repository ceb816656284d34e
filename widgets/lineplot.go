package widgets

import (
	"fmt"
	"math"
)

// Series is one curve of a [LinePlot].
type Series struct {
	Name    string
	X       []float64 // nil means 0, 1, 2, … (e.g. EM steps)
	Y       []float64
	Color   string // "#rrggbb"; empty takes the next colour of the cycle
	Dashed  bool
	Markers bool    // a marker at every point
	Width   float64 // line width in points; 0 means 1.5
}

// LinePlotOptions configures [LinePlot].
type LinePlotOptions struct {
	Title          string
	XLabel, YLabel string
	XLim, YLim     []float64
	HideLegend     bool
	Width, Height  int // pixels; 0 means DefaultWidth × DefaultHeight
}

// LinePlot draws curves y(x), e.g. the objective per EM step or the
// function F log F − F + 1. Series lengths must match and values must be
// finite.
func LinePlot(opt LinePlotOptions, series ...Series) (*Figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("widgets: LinePlot needs at least one series")
	}
	p, err := linePanel(opt, series)
	if err != nil {
		return nil, err
	}
	f := &Figure{fig: figure{
		title: opt.Title, panels: []panel{p}, legend: !opt.HideLegend && len(series) > 1,
		width: sizeOr(opt.Width, DefaultWidth), height: sizeOr(opt.Height, DefaultHeight),
	}}
	if err := f.fig.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// LinePanel is one set of axes of [LinePanels].
type LinePanel struct {
	Title          string
	XLabel, YLabel string
	Series         []Series
}

// LinePanels draws line plots side by side, each with its own axes (for
// quantities of different scales, e.g. log-likelihoods and transport cost
// per EM step). Only Title, HideLegend, Width and Height of opt are used;
// Width 0 means DefaultPanelWidth per panel, at most MaxDefaultWidth.
func LinePanels(opt LinePlotOptions, panels ...LinePanel) (*Figure, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("widgets: LinePanels needs at least one panel")
	}
	f := &Figure{fig: figure{
		title: opt.Title, legend: !opt.HideLegend,
		width:  sizeOr(opt.Width, panelsWidth(len(panels))),
		height: sizeOr(opt.Height, DefaultPanelHeight),
	}}
	offset := 0
	for i, lp := range panels {
		if len(lp.Series) == 0 {
			return nil, fmt.Errorf("widgets: line panel %d (%q) has no series", i, lp.Title)
		}
		ss := make([]Series, len(lp.Series))
		for k, s := range lp.Series {
			if s.Color == "" {
				s.Color = cycle(palette, offset+k)
			}
			ss[k] = s
		}
		offset += len(ss)
		p, err := linePanel(LinePlotOptions{XLabel: lp.XLabel, YLabel: lp.YLabel}, ss)
		if err != nil {
			return nil, err
		}
		p.title = lp.Title
		f.fig.panels = append(f.fig.panels, p)
	}
	if err := f.fig.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

func linePanel(opt LinePlotOptions, series []Series) (panel, error) {
	var p panel
	p.xlabel, p.ylabel = opt.XLabel, opt.YLabel
	if err := setLimits(&p, opt.XLim, opt.YLim); err != nil {
		return p, err
	}
	for i, s := range series {
		if len(s.Y) == 0 {
			return p, fmt.Errorf("widgets: series %d (%q) is empty", i, s.Name)
		}
		x := s.X
		if x == nil {
			x = make([]float64, len(s.Y))
			for k := range x {
				x[k] = float64(k)
			}
		}
		if len(x) != len(s.Y) {
			return p, fmt.Errorf("widgets: series %d (%q): %d x values but %d y values", i, s.Name, len(x), len(s.Y))
		}
		color := s.Color
		if color == "" {
			color = cycle(palette, i)
		}
		w := s.Width
		if w == 0 {
			w = 1.5
		}
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("series %d", i)
		}
		p.layers = append(p.layers, layer{
			kind: curveLayer, name: name, legend: true, x: append([]float64(nil), x...), y: append([]float64(nil), s.Y...),
			color: []string{color}, width: []float64{w}, opacity: []float64{1}, dashed: s.Dashed, markers: s.Markers,
		})
	}
	return p, nil
}

// FunctionSeries samples f at n evenly spaced points of [lo, hi]. A
// non-finite value is an error naming x, so that, e.g., 0·log 0 must be
// given its limit by the caller.
func FunctionSeries(name string, f func(float64) float64, lo, hi float64, n int) (Series, error) {
	if f == nil {
		return Series{}, fmt.Errorf("widgets: FunctionSeries %q: nil function", name)
	}
	if n < 2 || !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return Series{}, fmt.Errorf("widgets: FunctionSeries needs lo < hi (finite) and n ≥ 2, got [%v, %v], n = %d", lo, hi, n)
	}
	s := Series{Name: name, X: make([]float64, n), Y: make([]float64, n)}
	for i := range s.X {
		x := lo + (hi-lo)*float64(i)/float64(n-1)
		y := f(x)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return Series{}, fmt.Errorf("widgets: %s(%v) = %v is not finite", name, x, y)
		}
		s.X[i], s.Y[i] = x, y
	}
	return s, nil
}
