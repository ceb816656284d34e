package widgets

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// LinesOptions configures [CouplingLines], [SinkhornPlot] and the frames of
// animations. The zero value is OTT's Plot(): all lines, cool colormap,
// alpha 0.7, marker scale 200, x as circles and y as X markers.
type LinesOptions struct {
	Title string
	// Threshold: a segment x_i → y_j is drawn when P_ij > Threshold. The zero
	// value draws every pair with positive mass, like OTT's default −1.
	Threshold float64
	// HideLines leaves the segments out (OTT's show_lines=False, which the
	// flow tutorial uses).
	HideLines bool
	// ScaleAlphaByCoupling sets each segment's opacity to
	// Alpha·(P_ij − min)/(max − min) over the drawn entries.
	ScaleAlphaByCoupling bool
	Alpha                float64 // segment opacity; 0 means 0.7
	Scale                float64 // marker area factor; 0 means 200
	XName, YName         string  // legend labels; default "x" and "y"
	EqualAxes            bool
	XLim, YLim           []float64
	// MaxLines bounds the number of segments; more is an error that asks for
	// a higher Threshold. 0 means 50 000.
	MaxLines      int
	Width, Height int // pixels; 0 means DefaultWidth × DefaultHeight
}

// couplingPanel builds OTT's plot of a coupling between two weighted clouds
// given as 2-D coordinates: segments beneath the points, then x and y.
func couplingPanel(x, y [2][]float64, a, b []float64, p mat.Matrix, opt LinesOptions) (panel, error) {
	var pn panel
	n, m := len(x[0]), len(y[0])
	if a != nil && len(a) != n {
		return pn, fmt.Errorf("widgets: %d source weights for %d points", len(a), n)
	}
	if b != nil && len(b) != m {
		return pn, fmt.Errorf("widgets: %d target weights for %d points", len(b), m)
	}
	if p != nil && !opt.HideLines {
		pd, err := checkCoupling(p, a, b)
		if err != nil {
			return pn, err
		}
		if r, c := pd.Dims(); r != n || c != m {
			return pn, fmt.Errorf("widgets: coupling is %d×%d but there are %d and %d points", r, c, n, m)
		}
		seg, err := couplingSegments(x, y, pd, opt)
		if err != nil {
			return pn, err
		}
		pn.layers = append(pn.layers, seg)
	}
	xs, err := markerSizes(a, n, opt.Scale)
	if err != nil {
		return pn, fmt.Errorf("widgets: source: %v", err)
	}
	ys, err := markerSizes(b, m, opt.Scale)
	if err != nil {
		return pn, fmt.Errorf("widgets: target: %v", err)
	}
	xname, yname := opt.XName, opt.YName
	if xname == "" {
		xname = "x"
	}
	if yname == "" {
		yname = "y"
	}
	// The target first, so that the source (the cloud that moves in a flow)
	// is drawn over it and stays visible where the two overlap.
	pn.layers = append(pn.layers,
		layer{kind: pointsLayer, name: yname, legend: true, x: y[0], y: y[1], size: ys,
			color: []string{ColorY}, opacity: []float64{1}, symbol: "x", edge: true},
		layer{kind: pointsLayer, name: xname, legend: true, x: x[0], y: x[1], size: xs,
			color: []string{ColorX}, opacity: []float64{1}, symbol: "circle", edge: true},
	)
	if err := setLimits(&pn, opt.XLim, opt.YLim); err != nil {
		return pn, err
	}
	return pn, nil
}

// couplingSegments turns the entries above the threshold into segments with
// OTT's styling: strength = max(n, m)·P_ij, width 0.5 + 4·strength points,
// colour cool(strength) (saturating at 1).
func couplingSegments(x, y [2][]float64, p *mat.Dense, opt LinesOptions) (layer, error) {
	n, m := p.Dims()
	alpha := opt.Alpha
	if alpha == 0 {
		alpha = 0.7
	}
	maxLines := opt.MaxLines
	if maxLines == 0 {
		maxLines = 50000
	}
	type entry struct {
		i, j int
		v    float64
	}
	var es []entry
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if v := p.At(i, j); v > opt.Threshold {
				es = append(es, entry{i, j, v})
				if len(es) > maxLines {
					return layer{}, fmt.Errorf("widgets: more than %d coupling entries exceed the threshold %g; raise LinesOptions.Threshold or MaxLines", maxLines, opt.Threshold)
				}
			}
		}
	}
	// Draw weak lines first so that strong ones are on top.
	sort.SliceStable(es, func(a, b int) bool { return es[a].v < es[b].v })
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range es {
		lo, hi = math.Min(lo, e.v), math.Max(hi, e.v)
	}
	k := float64(max(n, m))
	l := layer{kind: segmentsLayer, name: "coupling"}
	for _, e := range es {
		s := k * e.v
		op := alpha
		if opt.ScaleAlphaByCoupling {
			op = 0
			if hi > lo {
				op = alpha * (e.v - lo) / (hi - lo)
			}
			op = math.Max(0, math.Min(1, op))
		}
		l.x = append(l.x, x[0][e.i])
		l.y = append(l.y, x[1][e.i])
		l.x1 = append(l.x1, y[0][e.j])
		l.y1 = append(l.y1, y[1][e.j])
		l.width = append(l.width, 0.5+4*s)
		l.color = append(l.color, coolColor(s))
		l.opacity = append(l.opacity, op)
	}
	if len(es) == 0 {
		l.width, l.color, l.opacity = []float64{1}, []string{"#000000"}, []float64{alpha}
	}
	return l, nil
}

// CouplingLines draws OTT's plot of a transport plan: the points of x
// (circles) and y (X markers), sized by their weights a and b (nil means
// uniform), and one segment x_i → y_j for each P_ij above the threshold, its
// width and colour growing with max(n, m)·P_ij. Points of dimension ≥ 3 are
// projected on the top two singular vectors of [x; y].
func CouplingLines(x, y *mat.Dense, a, b []float64, p mat.Matrix, opt LinesOptions) (*Figure, error) {
	xy, err := project2D(x, y)
	if err != nil {
		return nil, err
	}
	pn, err := couplingPanel(xy[0], xy[1], a, b, p, opt)
	if err != nil {
		return nil, err
	}
	f := &Figure{fig: figure{
		title: opt.Title, panels: []panel{pn}, equalAxes: opt.EqualAxes, legend: true,
		width: sizeOr(opt.Width, DefaultWidth), height: sizeOr(opt.Height, DefaultHeight),
	}}
	if err := f.fig.validate(); err != nil {
		return nil, err
	}
	return f, nil
}
