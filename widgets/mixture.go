package widgets

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// MixtureOptions configures [MixtureView] and [MixturePairView]. The zero
// value gives the tutorial's figure: points coloured by their most likely
// component, 2-σ ellipses, side-by-side panels with shared axes for a pair.
type MixtureOptions struct {
	Title       string   // figure title
	PanelTitles []string // one per panel; default "Fitted GMM i and samples"
	NSD         float64  // ellipse size in standard deviations; 0 means 2
	PointSize   float64  // marker diameter in points; 0 means 3
	Opacity     float64  // point opacity; 0 means 0.3 (many points overlap)
	EqualAxes   bool
	XLim, YLim  []float64
	HideLegend  bool
	// Colors gives component k the colour Colors[k] (in both panels of a
	// pair); nil or "" means ComponentColor(k). Use it to keep a component's
	// colour across fits that list the components in different orders.
	Colors []string
	// Width and Height of the whole figure in pixels; 0 means
	// DefaultPanelWidth per panel (at most MaxDefaultWidth) × DefaultPanelHeight.
	Width, Height int
}

// mixtureData is a fitted mixture and its points as plain data: what the
// view draws, whatever produced it.
type mixtureData struct {
	points *mat.Dense      // N×2
	labels []int           // most likely component of each point
	means  [][]float64     // K means
	covs   []mat.Symmetric // K covariances
}

const ellipsePoints = 96

func (d mixtureData) check() error {
	if d.points == nil {
		return fmt.Errorf("points are nil")
	}
	n, dim := d.points.Dims()
	if dim != 2 {
		return fmt.Errorf("the mixture view draws 2-D data, got dimension %d", dim)
	}
	if len(d.labels) != n {
		return fmt.Errorf("%d labels for %d points", len(d.labels), n)
	}
	k := len(d.means)
	if k == 0 {
		return fmt.Errorf("mixture has no components")
	}
	if len(d.covs) != k {
		return fmt.Errorf("%d means but %d covariances", k, len(d.covs))
	}
	for i, l := range d.labels {
		if l < 0 || l >= k {
			return fmt.Errorf("point %d has component %d, want 0…%d", i, l, k-1)
		}
	}
	return nil
}

// mixturePanel draws one mixture: a points layer per component (so the
// legend can hide a component) and its ellipse with the same name and colour.
func mixturePanel(d mixtureData, title string, opt MixtureOptions) (panel, error) {
	p := panel{title: title}
	if err := d.check(); err != nil {
		return p, fmt.Errorf("widgets: %s: %v", title, err)
	}
	nsd := opt.NSD
	if nsd == 0 {
		nsd = 2
	}
	size := opt.PointSize
	if size == 0 {
		size = 3
	}
	op := opt.Opacity
	if op == 0 {
		op = 0.3
	}
	k := len(d.means)
	n, _ := d.points.Dims()
	xs := make([][]float64, k)
	ys := make([][]float64, k)
	for i := 0; i < n; i++ {
		l := d.labels[i]
		xs[l] = append(xs[l], d.points.At(i, 0))
		ys[l] = append(ys[l], d.points.At(i, 1))
	}
	var curves []layer
	for c := 0; c < k; c++ {
		name := fmt.Sprintf("component %d", c)
		color := ComponentColor(c)
		if c < len(opt.Colors) && opt.Colors[c] != "" {
			color = opt.Colors[c]
		}
		p.layers = append(p.layers, layer{
			kind: pointsLayer, name: name, legend: true,
			x: xs[c], y: ys[c], size: []float64{size},
			color: []string{color}, opacity: []float64{op}, symbol: "circle",
		})
		ex, ey, err := Ellipse(d.means[c], d.covs[c], nsd, ellipsePoints)
		if err != nil {
			return p, fmt.Errorf("widgets: %s, component %d: %v", title, c, err)
		}
		curves = append(curves, layer{
			kind: curveLayer, name: name, legend: true,
			x: ex, y: ey, width: []float64{2}, color: []string{color}, opacity: []float64{1},
		})
	}
	// Ellipses on top of the points, as in the tutorial.
	p.layers = append(p.layers, curves...)
	return p, nil
}

// mixtureFigure puts one panel per mixture side by side, with shared axes.
func mixtureFigure(ds []mixtureData, opt MixtureOptions) (*Figure, error) {
	if len(opt.PanelTitles) != 0 && len(opt.PanelTitles) != len(ds) {
		return nil, fmt.Errorf("widgets: %d panel titles for %d panels", len(opt.PanelTitles), len(ds))
	}
	f := &Figure{fig: figure{
		title: opt.Title, sharedAxes: true, equalAxes: opt.EqualAxes, legend: !opt.HideLegend,
		width:  sizeOr(opt.Width, panelsWidth(len(ds))),
		height: sizeOr(opt.Height, DefaultPanelHeight),
	}}
	for i, d := range ds {
		title := fmt.Sprintf("Fitted GMM %d and samples", i)
		if len(ds) == 1 {
			title = "Fitted GMM and samples"
		}
		if len(opt.PanelTitles) > 0 {
			title = opt.PanelTitles[i]
		}
		p, err := mixturePanel(d, title, opt)
		if err != nil {
			return nil, err
		}
		if err := setLimits(&p, opt.XLim, opt.YLim); err != nil {
			return nil, err
		}
		f.fig.panels = append(f.fig.panels, p)
	}
	if err := f.fig.validate(); err != nil {
		return nil, err
	}
	return f, nil
}
