package widgets

import (
	"fmt"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// jf is a float64 written to JSON with 7 significant digits: enough for any
// screen, and half the size of the shortest round-trip form, which matters
// for scatters of 20 000 points embedded in a notebook.
type jf float64

func (v jf) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("widgets: non-finite value %v in chart data", f)
	}
	return strconv.AppendFloat(nil, f, 'g', 7, 64), nil
}

// xSymbolPath is a filled "X" marker (matplotlib's 'X', OTT's target marker)
// as an echarts path symbol.
const xSymbolPath = "path://M0,2 L2,0 L5,3 L8,0 L10,2 L7,5 L10,8 L8,10 L5,7 L2,10 L0,8 L3,5 Z"

func echartsSymbol(s string) string {
	switch s {
	case "x":
		return xSymbolPath
	case "square":
		return "rect"
	case "triangle", "diamond":
		return s
	default:
		return "circle"
	}
}

// pointItem is a scatter item with its own size or colour.
type pointItem struct {
	Value      [2]jf           `json:"value"`
	SymbolSize *jf             `json:"symbolSize,omitempty"`
	ItemStyle  *opts.ItemStyle `json:"itemStyle,omitempty"`
}

// lineItem is one segment of an echarts "lines" series.
type lineItem struct {
	Coords    [2][2]jf       `json:"coords"`
	LineStyle opts.LineStyle `json:"lineStyle"`
}

// optionVisitor lets the figure add the parts of the echarts option that
// go-echarts v2.6.3 has no field for (several titles, axis label tweaks).
type optionVisitor struct {
	charts.BaseConfigurationVisitor
	patch func(map[string]interface{})
}

func (v optionVisitor) Visit(obj map[string]interface{}) { v.patch(obj) }

// echart builds the go-echarts chart for the figure. The chart's ID is id,
// so that pages and notebook cells control the element names.
func (f *figure) echart(id string) (*charts.Scatter, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	_, _, pw, ph := f.gridBox(0)
	f.resolveRanges(float64(pw), float64(ph))

	c := charts.NewScatter()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{
			ChartID:  id,
			Width:    fmt.Sprintf("%dpx", f.width),
			Height:   fmt.Sprintf("%dpx", f.height),
			Renderer: "canvas",
		}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithToolboxOpts(opts.Toolbox{
			Show:    opts.Bool(true),
			Feature: &opts.ToolBoxFeature{SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: "save PNG"}},
		}),
	)

	var legend []string
	c.XAxisList = nil
	c.YAxisList = nil
	c.GridList = nil
	c.MultiSeries = nil
	for pi := range f.panels {
		p := &f.panels[pi]
		left, top, w, h := f.gridBox(pi)
		c.GridList = append(c.GridList, opts.Grid{
			Left: fmt.Sprintf("%dpx", left), Top: fmt.Sprintf("%dpx", top),
			Width: fmt.Sprintf("%dpx", w), Height: fmt.Sprintf("%dpx", h),
		})
		noEnds := &opts.AxisLabel{ShowMinLabel: opts.Bool(false), ShowMaxLabel: opts.Bool(false)}
		c.XAxisList = append(c.XAxisList, opts.XAxis{
			Type: "value", GridIndex: pi, Name: p.xlabel, NameLocation: "middle", NameGap: 26,
			Min: jf(p.xr[0]), Max: jf(p.xr[1]), AxisLabel: noEnds,
			SplitLine: &opts.SplitLine{Show: opts.Bool(false)}, AxisLine: &opts.AxisLine{OnZero: opts.Bool(false)},
		})
		c.YAxisList = append(c.YAxisList, opts.YAxis{
			Type: "value", GridIndex: pi, Name: p.ylabel, NameLocation: "middle", NameGap: 40,
			Min: jf(p.yr[0]), Max: jf(p.yr[1]), AxisLabel: noEnds,
			SplitLine: &opts.SplitLine{Show: opts.Bool(false)}, AxisLine: &opts.AxisLine{OnZero: opts.Bool(false)},
		})
		for _, l := range p.layers {
			s := l.echartsSeries(pi)
			c.MultiSeries = append(c.MultiSeries, s)
			if l.legend && pi == firstPanelWith(f, l.name) {
				legend = append(legend, l.name)
			}
		}
	}
	c.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{
		Show: opts.Bool(f.legend && len(legend) > 0), Data: legend, Top: "0px",
	}))

	_, panelTitleTop, legendTop := f.top()
	var titles []map[string]interface{}
	if f.title != "" {
		titles = append(titles, map[string]interface{}{"text": f.title, "left": "center", "top": 6})
	}
	for pi, p := range f.panels {
		if p.title == "" {
			continue
		}
		left, _, w, _ := f.gridBox(pi)
		titles = append(titles, map[string]interface{}{
			"text": p.title, "left": left + w/2, "top": panelTitleTop, "textAlign": "center",
			"textStyle": map[string]interface{}{"fontSize": 14, "fontWeight": "normal"},
		})
	}
	c.Accept(optionVisitor{patch: func(obj map[string]interface{}) {
		obj["title"] = titles
		if f.transitionMS > 0 {
			obj["animationDurationUpdate"] = f.transitionMS
			obj["animationEasingUpdate"] = "cubicOut"
		}
		if lg, ok := obj["legend"].(opts.Legend); ok {
			lg.Top = fmt.Sprintf("%dpx", legendTop)
			// Legend icons opaque even when the points are translucent.
			obj["legend"] = struct {
				opts.Legend
				ItemStyle map[string]interface{} `json:"itemStyle"`
			}{lg, map[string]interface{}{"opacity": 1}}
		}
	}})
	return c, nil
}

func firstPanelWith(f *figure, name string) int {
	for pi, p := range f.panels {
		for _, l := range p.layers {
			if l.legend && l.name == name {
				return pi
			}
		}
	}
	return -1
}

// uniform reports whether a per-item attribute has a single value.
func uniform[T comparable](s []T) bool {
	for _, v := range s[min(1, len(s)):] {
		if v != s[0] {
			return false
		}
	}
	return true
}

func (l *layer) echartsSeries(panelIndex int) charts.SingleSeries {
	s := charts.SingleSeries{Name: l.name, XAxisIndex: panelIndex, YAxisIndex: panelIndex}
	opacity := func(i int) float64 {
		if len(l.opacity) == 0 {
			return 1
		}
		return at(l.opacity, i)
	}
	color := func(i int) string {
		if len(l.color) == 0 {
			return "#000000"
		}
		return at(l.color, i)
	}
	n := len(l.x)
	switch l.kind {
	case pointsLayer:
		s.Type = "scatter"
		s.Symbol = echartsSymbol(l.symbol)
		style := &opts.ItemStyle{Color: color(0), Opacity: opts.Float(float32(opacity(0)))}
		if l.edge {
			style.BorderColor = "#000000"
			style.BorderWidth = 0.75
		}
		s.ItemStyle = style
		sameSize := len(l.size) == 0 || uniform(l.size)
		sameLook := uniform(l.color) && uniform(l.opacity)
		if sameSize {
			size := 6.0
			if len(l.size) > 0 {
				size = l.size[0] * pxPerPt
			}
			s.SymbolSize = jf(size)
		}
		if sameSize && sameLook {
			data := make([][2]jf, n)
			for i := range data {
				data[i] = [2]jf{jf(l.x[i]), jf(l.y[i])}
			}
			// No echarts "large" mode: it fills all points as one path, so
			// translucent points no longer add up to show density.
			s.Data = data
			return s
		}
		data := make([]pointItem, n)
		for i := range data {
			data[i].Value = [2]jf{jf(l.x[i]), jf(l.y[i])}
			if !sameSize {
				v := jf(at(l.size, i) * pxPerPt)
				data[i].SymbolSize = &v
			}
			if !sameLook {
				is := *style
				is.Color = color(i)
				is.Opacity = opts.Float(float32(opacity(i)))
				data[i].ItemStyle = &is
			}
		}
		s.Data = data
	case segmentsLayer:
		s.Type = "lines"
		s.CoordSystem = "cartesian2d"
		s.LineStyle = &opts.LineStyle{Color: color(0), Width: 1, Opacity: opts.Float(float32(opacity(0)))}
		data := make([]lineItem, n)
		for i := range data {
			w := 1.0
			if len(l.width) > 0 {
				w = at(l.width, i)
			}
			data[i] = lineItem{
				Coords: [2][2]jf{{jf(l.x[i]), jf(l.y[i])}, {jf(l.x1[i]), jf(l.y1[i])}},
				LineStyle: opts.LineStyle{
					Color: color(i), Width: float32(w * pxPerPt), Opacity: opts.Float(float32(opacity(i))),
				},
			}
		}
		s.Data = data
	case curveLayer:
		s.Type = "line"
		w := 1.5
		if len(l.width) > 0 {
			w = l.width[0]
		}
		ls := &opts.LineStyle{Color: color(0), Width: float32(w * pxPerPt), Opacity: opts.Float(float32(opacity(0)))}
		if l.dashed {
			ls.Type = "dashed"
		}
		s.LineStyle = ls
		s.ItemStyle = &opts.ItemStyle{Color: color(0)}
		s.ShowSymbol = opts.Bool(l.markers)
		if l.markers {
			s.Symbol = "circle"
			s.SymbolSize = 5
		} else {
			s.Symbol = "none"
		}
		data := make([][2]jf, n)
		for i := range data {
			data[i] = [2]jf{jf(l.x[i]), jf(l.y[i])}
		}
		s.Data = data
	}
	return s
}
