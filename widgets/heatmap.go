package widgets

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Heatmap draws a non-negative matrix (a coupling: rows = source, columns =
// destination) as shaded cells with the values written in them. Row 0 is at
// the top, as in the printed matrix.
type Heatmap struct {
	p                    *mat.Dense
	rowLabels, colLabels []string
	title                string
	digits               int
	width, height        int
}

var _ Widget = (*Heatmap)(nil)

// NewHeatmap builds a heatmap of p. Negative, NaN or infinite entries are an
// error. Only Caption (the title), RowLabels, ColLabels, Digits, Width and
// Height of opt are used.
func NewHeatmap(p mat.Matrix, opt CouplingOptions) (*Heatmap, error) {
	t, err := NewCouplingTable(p, nil, nil, opt)
	if err != nil {
		return nil, err
	}
	h := t.Heatmap()
	h.title = opt.Caption
	return h, nil
}

func (h *Heatmap) usesEcharts() bool { return true }

func (h *Heatmap) max() float64 {
	mx := 0.0
	r, c := h.p.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			mx = math.Max(mx, h.p.At(i, j))
		}
	}
	return mx
}

// heatItem is one cell of an echarts heatmap with its formatted label.
type heatItem struct {
	Value [3]interface{}         `json:"value"`
	Label map[string]interface{} `json:"label"`
}

func (h *Heatmap) echart(id string) *charts.HeatMap {
	n, m := h.p.Dims()
	mx := h.max()
	if mx == 0 {
		mx = 1
	}
	c := charts.NewHeatMap()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{
			ChartID: id, Width: fmt.Sprintf("%dpx", h.width), Height: fmt.Sprintf("%dpx", h.height), Renderer: "canvas",
		}),
		charts.WithTitleOpts(opts.Title{Title: h.title, Left: "center",
			TitleStyle: &opts.TextStyle{FontSize: 14, FontWeight: "normal"}}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: h.colLabels, Name: "destination",
			NameLocation: "middle", NameGap: 28, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: h.rowLabels, Name: "source",
			NameLocation: "middle", NameGap: 36, Inverse: opts.Bool(true), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithGridOpts(opts.Grid{Left: "70px", Right: "30px", Top: "40px", Bottom: "90px"}),
		charts.WithVisualMapOpts(opts.VisualMap{
			Calculable: opts.Bool(true), Min: 0, Max: float32(mx), Orient: "horizontal", Left: "center", Bottom: "4px",
			InRange: &opts.VisualMapInRange{Color: []string{heatColor(0), heatColor(0.5), heatColor(1)}},
		}),
	)
	data := make([]heatItem, 0, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := h.p.At(i, j)
			data = append(data, heatItem{
				Value: [3]interface{}{j, i, jf(v)},
				Label: map[string]interface{}{"formatter": fmt.Sprintf("%.*f", h.digits, v)},
			})
		}
	}
	c.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	digits := h.digits
	c.Accept(optionVisitor{patch: func(obj map[string]interface{}) {
		// go-echarts has no field for the visual map's label precision.
		if vm, ok := obj["visualMap"].([]opts.VisualMap); ok && len(vm) == 1 {
			b, _ := json.Marshal(vm[0])
			var m map[string]interface{}
			_ = json.Unmarshal(b, &m)
			m["precision"] = min(digits, 3)
			obj["visualMap"] = []interface{}{m}
		}
	}})
	c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
		Name: "P", Type: "heatmap", Data: data,
		Label: &opts.Label{Show: opts.Bool(true)},
	})
	return c
}

func (h *Heatmap) htmlFragment(id string) (string, error) {
	if h == nil {
		return "", errNil("Heatmap")
	}
	png, err := h.PNG(0, 0)
	if err != nil {
		return "", err
	}
	return chartHTML(h.echart(id), id, staticImage(png, h.title, h.width, h.height), "", "", "")
}

// Display shows the interactive heatmap in the running GoNB cell.
func (h *Heatmap) Display() error { return displayFragment(h, true) }

// DisplayStatic shows the heatmap as a PNG.
func (h *Heatmap) DisplayStatic() error {
	b, err := h.PNG(0, 0)
	if err != nil {
		return err
	}
	return displayPNG(b)
}

// WriteHTML writes a standalone page with the heatmap.
func (h *Heatmap) WriteHTML(w io.Writer) error {
	if h == nil {
		return errNil("Heatmap")
	}
	return WritePage(w, h.title, h)
}

// SaveHTML writes that page to path.
func (h *Heatmap) SaveHTML(path string) error { return saveHTML(h, path) }

// PNG draws the heatmap into a w×h PNG (0 means the default size).
func (h *Heatmap) PNG(w, hh int) ([]byte, error) {
	if h == nil {
		return nil, errNil("Heatmap")
	}
	return renderPNG(h, sizeOr(w, h.width), sizeOr(hh, h.height))
}

// SavePNG writes [Heatmap.PNG] to path.
func (h *Heatmap) SavePNG(path string, w, hh int) error {
	b, err := h.PNG(w, hh)
	return writeFile(path, b, err)
}

// SaveSVG writes the heatmap as SVG to path.
func (h *Heatmap) SaveSVG(path string, w, hh int) error {
	if h == nil {
		return errNil("Heatmap")
	}
	b, err := renderSVG(h, sizeOr(w, h.width), sizeOr(hh, h.height))
	return writeFile(path, b, err)
}

func (h *Heatmap) drawStatic(dc draw.Canvas) error {
	dc = drawTitle(dc, h.title, 13)
	n, m := h.p.Dims()
	pl := plot.New()
	pl.X.Label.Text = "destination"
	pl.Y.Label.Text = "source"
	pl.X.Min, pl.X.Max = -0.5, float64(m)-0.5
	// Row 0 at the top: row i is drawn at y = n−1−i.
	pl.Y.Min, pl.Y.Max = -0.5, float64(n)-0.5
	var xt, yt []plot.Tick
	for j, l := range h.colLabels {
		xt = append(xt, plot.Tick{Value: float64(j), Label: l})
	}
	for i, l := range h.rowLabels {
		yt = append(yt, plot.Tick{Value: float64(n - 1 - i), Label: l})
	}
	pl.X.Tick.Marker = plot.ConstantTicks(xt)
	pl.Y.Tick.Marker = plot.ConstantTicks(yt)
	pl.Add(cellsPlotter{h})
	pl.Draw(dc)
	return nil
}

// cellsPlotter fills one rectangle per matrix entry and writes its value.
type cellsPlotter struct{ h *Heatmap }

func (cp cellsPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	h := cp.h
	n, m := h.p.Dims()
	mx := h.max()
	trX, trY := plt.Transforms(&c)
	fnt := font.From(plot.DefaultFont, 10)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := h.p.At(i, j)
			t := 0.0
			if mx > 0 {
				t = v / mx
			}
			yc := float64(n - 1 - i)
			x0, x1 := trX(float64(j)-0.5), trX(float64(j)+0.5)
			y0, y1 := trY(yc-0.5), trY(yc+0.5)
			c.FillPolygon(parseColor(heatColor(t), 1), []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			var fg color.Color = color.Black
			if t > 0.6 {
				fg = color.White
			}
			sty := text.Style{Color: fg, Font: fnt, XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, fmt.Sprintf("%.*f", h.digits, v))
		}
	}
}
