package widgets

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Image is one panel of [ImagePanels]: a non-negative matrix (a histogram on
// a pixel grid, or a coupling) drawn with row 0 at the top.
type Image struct {
	Title  string
	Pixels mat.Matrix
}

// ImageOptions configures [ImagePanels].
type ImageOptions struct {
	Title string
	// Color is the colour of a pixel at its image's largest value; smaller
	// values fade linearly to white. "" means ColorX.
	Color string
	// Floor is the fraction of an image's largest value below which a pixel
	// is left white (not drawn); 0 means 0.01.
	Floor float64
	// Width and Height in pixels; 0 means DefaultPanelWidth per panel (at
	// most MaxDefaultWidth in all) and the height that makes cells square.
	Width, Height int
}

// ImagePanels draws images side by side, each scaled to its own largest
// value (so the row shows shapes, not masses), as square cells of a shaded
// colour, e.g. the barycenters of two shapes for a sweep of weights, or a few
// couplings of one problem. All images share one size.
func ImagePanels(opt ImageOptions, images ...Image) (*Figure, error) {
	if len(images) == 0 {
		return nil, fmt.Errorf("widgets: ImagePanels needs at least one image")
	}
	rows, cols := -1, -1
	for i, im := range images {
		if im.Pixels == nil {
			return nil, fmt.Errorf("widgets: image %d (%q) is nil", i, im.Title)
		}
		r, c := im.Pixels.Dims()
		if r == 0 || c == 0 {
			return nil, fmt.Errorf("widgets: image %d (%q) is empty", i, im.Title)
		}
		if rows >= 0 && (r != rows || c != cols) {
			return nil, fmt.Errorf("widgets: image %d (%q) is %d×%d, image 0 is %d×%d", i, im.Title, r, c, rows, cols)
		}
		rows, cols = r, c
	}
	col := opt.Color
	if col == "" {
		col = ColorX
	}
	full := parseColor(col, 1)
	floor := opt.Floor
	if floor == 0 {
		floor = 0.01
	}
	if !(floor > 0 && floor < 1) {
		return nil, fmt.Errorf("widgets: ImageOptions.Floor = %v, want a value in (0, 1)", opt.Floor)
	}
	f := &Figure{fig: figure{
		title: opt.Title, sharedAxes: true, equalAxes: true,
		width:  sizeOr(opt.Width, panelsWidth(len(images))),
		height: sizeOr(opt.Height, DefaultPanelHeight),
	}}
	// One cell's side in points: the panel's box in the interactive layout
	// holds cols×rows cells at equal scale; a little overlap hides seams.
	f.fig.panels = make([]panel, len(images))
	for i, im := range images {
		f.fig.panels[i].title = im.Title
	}
	if opt.Height == 0 {
		// Square cells: the grid's height follows the panel width.
		gridTop, _, _ := f.fig.top()
		_, _, w, _ := f.fig.gridBox(0)
		f.fig.height = gridTop + padBottom + w*rows/cols
	}
	_, _, w, h := f.fig.gridBox(0)
	cellPx := math.Min(float64(w)/float64(cols), float64(h)/float64(rows))
	size := 1.08 * cellPx / pxPerPt
	for i, im := range images {
		p := panel{title: im.Title}
		xr := [2]float64{-0.5, float64(cols) - 0.5}
		yr := [2]float64{-float64(rows) + 0.5, 0.5}
		p.fixedX, p.fixedY = &xr, &yr
		top := 0.0
		for r := range rows {
			for c := range cols {
				v := im.Pixels.At(r, c)
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					return nil, fmt.Errorf("widgets: image %d (%q): pixel (%d, %d) is %v, want a finite value ≥ 0", i, im.Title, r, c, v)
				}
				top = math.Max(top, v)
			}
		}
		l := layer{kind: pointsLayer, name: im.Title, symbol: "square", size: []float64{size}, opacity: []float64{1}}
		for r := range rows {
			for c := range cols {
				v := im.Pixels.At(r, c)
				if top == 0 || v < floor*top {
					continue
				}
				t := v / top
				mix := func(ch uint8) uint8 { return uint8(math.Round(255 - t*(255-float64(ch)))) }
				l.x = append(l.x, float64(c))
				l.y = append(l.y, -float64(r))
				l.color = append(l.color, fmt.Sprintf("#%02x%02x%02x", mix(full.R), mix(full.G), mix(full.B)))
			}
		}
		p.layers = []layer{l}
		f.fig.panels[i] = p
	}
	if err := f.fig.validate(); err != nil {
		return nil, err
	}
	return f, nil
}
