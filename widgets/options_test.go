package widgets

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func seriesOf(t *testing.T, f *Figure) []map[string]interface{} {
	t.Helper()
	opt, err := f.Option()
	mustNoErr(t, err)
	raw, ok := opt["series"].([]interface{})
	if !ok {
		t.Fatalf("option has no series list: %v", opt["series"])
	}
	out := make([]map[string]interface{}, len(raw))
	for i, s := range raw {
		out[i] = s.(map[string]interface{})
	}
	return out
}

// xy reads the [x, y] pairs of a scatter or line series.
func xy(t *testing.T, s map[string]interface{}) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, d := range s["data"].([]interface{}) {
		var v []interface{}
		switch d := d.(type) {
		case []interface{}:
			v = d
		case map[string]interface{}:
			v = d["value"].([]interface{})
		}
		out = append(out, [2]float64{v[0].(float64), v[1].(float64)})
	}
	return out
}

func TestScatterSeriesAndOTTMarkerSizes(t *testing.T) {
	x := gaussCloud(1, 25, 0, 0, 0.25)
	y := gaussCloud(2, 50, 6, 0, 0.5)
	b := make([]float64, 50)
	for i := range b {
		b[i] = float64(i+1) / 1275 // sums to 1, all different
	}
	f, err := ScatterPlot(ScatterOptions{Title: "clouds", EqualAxes: true},
		Cloud{Name: "x", Points: x}, Cloud{Name: "y", Points: y, Weights: b, Symbol: "x"})
	mustNoErr(t, err)
	ss := seriesOf(t, f)
	if len(ss) != 2 || ss[0]["name"] != "x" || ss[1]["name"] != "y" || ss[0]["type"] != "scatter" {
		t.Fatalf("series = %v", ss)
	}
	if got := len(xy(t, ss[0])); got != 25 {
		t.Errorf("x has %d points, want 25", got)
	}
	// Uniform weights: area 200 pt² for every n, i.e. width √200 pt.
	want := math.Sqrt(200) * pxPerPt
	if got := ss[0]["symbolSize"].(float64); !approx(got, want, 1e-6) {
		t.Errorf("uniform symbolSize = %v, want %v", got, want)
	}
	// Weighted: area b_j·200·m.
	for j, d := range ss[1]["data"].([]interface{}) {
		got := d.(map[string]interface{})["symbolSize"].(float64)
		want := math.Sqrt(b[j]*200*50) * pxPerPt
		if !approx(got, want, 1e-6) {
			t.Fatalf("point %d: symbolSize %v, want %v", j, got, want)
		}
	}
	if !strings.HasPrefix(ss[1]["symbol"].(string), "path://") {
		t.Errorf("y symbol = %v, want the X path", ss[1]["symbol"])
	}
	// Equal axes: data units per pixel equal on both axes.
	opt, _ := f.Option()
	xa := opt["xAxis"].([]interface{})[0].(map[string]interface{})
	ya := opt["yAxis"].([]interface{})[0].(map[string]interface{})
	_, _, w, h := f.fig.gridBox(0)
	ux := (xa["max"].(float64) - xa["min"].(float64)) / float64(w)
	uy := (ya["max"].(float64) - ya["min"].(float64)) / float64(h)
	if !approx(ux, uy, 1e-5) {
		t.Errorf("units per pixel x %v, y %v", ux, uy)
	}
}

func TestProjectionOfHighDimensionalClouds(t *testing.T) {
	// Points on a plane in 3-D: the projection keeps all pairwise distances.
	x := mat.NewDense(4, 3, []float64{0, 0, 0, 1, 0, 1, 0, 2, 0, 3, 1, 3})
	out, err := project2D(x)
	mustNoErr(t, err)
	for i := 0; i < 4; i++ {
		for j := 0; j < i; j++ {
			var d3, d2 float64
			for k := 0; k < 3; k++ {
				d := x.At(i, k) - x.At(j, k)
				d3 += d * d
			}
			dx, dy := out[0][0][i]-out[0][0][j], out[0][1][i]-out[0][1][j]
			d2 = dx*dx + dy*dy
			if !approx(d2, d3, 1e-9) {
				t.Errorf("distance² %d-%d: %v after projection, %v before", i, j, d2, d3)
			}
		}
	}
}

func TestEllipseSatisfiesQuadraticForm(t *testing.T) {
	mean := []float64{4, 3}
	cov := mat.NewSymDense(2, []float64{1.5, -1.2, -1.2, 1.5})
	x, y, err := Ellipse(mean, cov, 2, 64)
	mustNoErr(t, err)
	var inv mat.Dense
	mustNoErr(t, inv.Inverse(cov))
	for k := range x {
		dx, dy := x[k]-mean[0], y[k]-mean[1]
		q := dx*(inv.At(0, 0)*dx+inv.At(0, 1)*dy) + dy*(inv.At(1, 0)*dx+inv.At(1, 1)*dy)
		if !approx(q, 4, 1e-10) {
			t.Fatalf("point %d: (p−μ)ᵀΣ⁻¹(p−μ) = %v, want 4", k, q)
		}
	}
	if x[0] != x[len(x)-1] || y[0] != y[len(y)-1] {
		t.Errorf("ellipse is not closed")
	}
	// The first point lies on the major axis: eigenvalue 2.7 along (1,−1)/√2.
	d := math.Hypot(x[0]-mean[0], y[0]-mean[1])
	if !approx(d, 2*math.Sqrt(2.7), 1e-10) || !approx(x[0]-mean[0], -(y[0]-mean[1]), 1e-10) {
		t.Errorf("first point %v,%v not on the major axis", x[0], y[0])
	}
}

func TestEllipseRejectsBadCovariances(t *testing.T) {
	for name, cov := range map[string]*mat.SymDense{
		"singular":   mat.NewSymDense(2, []float64{1, 1, 1, 1}),
		"indefinite": mat.NewSymDense(2, []float64{1, 2, 2, 1}),
		"negative":   mat.NewSymDense(2, []float64{-1, 0, 0, -2}),
		"NaN":        mat.NewSymDense(2, []float64{math.NaN(), 0, 0, 1}),
		"3x3":        mat.NewSymDense(3, nil),
	} {
		if _, _, err := Ellipse([]float64{0, 0}, cov, 2, 32); err == nil {
			t.Errorf("%s covariance: no error", name)
		}
	}
	if _, _, err := Ellipse([]float64{0}, mat.NewSymDense(2, []float64{1, 0, 0, 1}), 2, 32); err == nil {
		t.Errorf("1-D mean: no error")
	}
}

func TestMixturePairSharedAxesAndEllipses(t *testing.T) {
	d0 := tutorialMixture(3, 600)
	d1 := tutorialMixture(4, 500)
	f, err := mixtureFigure([]mixtureData{d0, d1}, MixtureOptions{})
	mustNoErr(t, err)
	opt, err := f.Option()
	mustNoErr(t, err)
	xa := opt["xAxis"].([]interface{})
	ya := opt["yAxis"].([]interface{})
	if len(xa) != 2 || len(ya) != 2 {
		t.Fatalf("want two panels, got %d x axes", len(xa))
	}
	for _, key := range []string{"min", "max"} {
		if xa[0].(map[string]interface{})[key] != xa[1].(map[string]interface{})[key] ||
			ya[0].(map[string]interface{})[key] != ya[1].(map[string]interface{})[key] {
			t.Errorf("axes not shared: %s differs", key)
		}
	}
	ss := seriesOf(t, f)
	if len(ss) != 12 {
		t.Fatalf("%d series, want 3 point + 3 ellipse series per panel", len(ss))
	}
	counts := map[float64]int{}
	for si, s := range ss {
		panel := 0.0
		if v, ok := s["xAxisIndex"].(float64); ok {
			panel = v
		}
		switch s["type"] {
		case "scatter":
			counts[panel] += len(xy(t, s))
		case "line":
			d := []mixtureData{d0, d1}[int(panel)]
			c := (si % 6) - 3
			var inv mat.Dense
			mustNoErr(t, inv.Inverse(d.covs[c]))
			for _, p := range xy(t, s) {
				dx, dy := p[0]-d.means[c][0], p[1]-d.means[c][1]
				q := dx*(inv.At(0, 0)*dx+inv.At(0, 1)*dy) + dy*(inv.At(1, 0)*dx+inv.At(1, 1)*dy)
				// Chart data carries 7 significant digits.
				if !approx(q, 4, 1e-5) {
					t.Fatalf("series %d: ellipse point gives %v, want 4", si, q)
				}
			}
		default:
			t.Errorf("unexpected series type %v", s["type"])
		}
	}
	if counts[0] != 600 || counts[1] != 500 {
		t.Errorf("points per panel %v, want 600 and 500", counts)
	}
	// Colour by label: every point of the "component k" series has label k.
	p0 := ss[0]
	if p0["name"] != "component 0" {
		t.Errorf("first series %v", p0["name"])
	}
}

func TestMixtureBadInput(t *testing.T) {
	d := tutorialMixture(5, 50)
	bad := d
	bad.labels = d.labels[:10]
	if _, err := mixtureFigure([]mixtureData{bad}, MixtureOptions{}); err == nil {
		t.Error("short labels: no error")
	}
	bad = d
	bad.covs = []mat.Symmetric{d.covs[0], mat.NewSymDense(2, []float64{1, 2, 2, 1}), d.covs[2]}
	if _, err := mixtureFigure([]mixtureData{bad}, MixtureOptions{}); err == nil || !strings.Contains(err.Error(), "positive definite") {
		t.Errorf("indefinite covariance: %v", err)
	}
	bad = d
	pts := mat.DenseCopyOf(d.points)
	pts.Set(3, 1, math.NaN())
	bad.points = pts
	if _, err := mixtureFigure([]mixtureData{bad}, MixtureOptions{}); err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("NaN point: %v", err)
	}
}

func TestCouplingTableSums(t *testing.T) {
	p, a, b := tutorialCoupling()
	tab, err := NewCouplingTable(p, a, b, CouplingOptions{})
	mustNoErr(t, err)
	r, c := p.Dims()
	for i := 0; i < r; i++ {
		if want := mat.Sum(p.RowView(i)); !approx(tab.RowSums()[i], want, 1e-15) {
			t.Errorf("row sum %d = %v, want %v", i, tab.RowSums()[i], want)
		}
	}
	for j := 0; j < c; j++ {
		if want := mat.Sum(p.ColView(j)); !approx(tab.ColSums()[j], want, 1e-15) {
			t.Errorf("col sum %d = %v, want %v", j, tab.ColSums()[j], want)
		}
	}
	if !approx(tab.Total(), mat.Sum(p), 1e-15) {
		t.Errorf("total %v", tab.Total())
	}
	h := tab.HTML()
	if strings.Contains(h, "×") || strings.Contains(h, "unbalanced coupling") {
		t.Errorf("balanced table shows reweighting factors or the unbalanced note:\n%s", h)
	}
	// Unbalanced: the factors are the tutorial's "leaves" (row sum / a) and
	// "arrives" (b / column sum), e.g. b_0/colsum_0 = 0.36791/0.44457.
	ub, err := NewCouplingTable(p, a, b, CouplingOptions{Unbalanced: true})
	if err != nil {
		t.Fatal(err)
	}
	wantArrive := fmt.Sprintf("×%.3f", b[0]/tab.ColSums()[0])
	for _, s := range []string{"leaves ×", "arrives ×", wantArrive, "unbalanced coupling"} {
		if !strings.Contains(ub.HTML(), s) || !strings.Contains(ub.String(), strings.ReplaceAll(s, " ×", "×")) {
			t.Errorf("unbalanced table lacks %q:\n%s\n%s", s, ub.HTML(), ub)
		}
	}
	for _, s := range []string{"0.22632", "0.44457" /* column 0 sum */, "0.53825", "sum off"} {
		if !strings.Contains(h, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	// Row sums equal a here (to 1e-5): only the three column sums are
	// flagged (the tutorial's non-converged state, column sums ≠ b).
	if strings.Count(h, `class="sum off"`) != 3 {
		t.Errorf("want 3 flagged column sums, HTML:\n%s", h)
	}
	txt := tab.String()
	if !strings.Contains(txt, "0.22632") || !strings.Contains(txt, "col sum") || strings.Count(txt, "*") != 4 {
		t.Errorf("text table:\n%s", txt)
	}
}

func TestCouplingRejectsBadInput(t *testing.T) {
	p, a, b := tutorialCoupling()
	neg := mat.DenseCopyOf(p)
	neg.Set(0, 1, -0.1)
	nan := mat.DenseCopyOf(p)
	nan.Set(2, 2, math.NaN())
	cases := map[string]func() error{
		"negative": func() error { _, err := NewCouplingTable(neg, a, b, CouplingOptions{}); return err },
		"NaN":      func() error { _, err := NewCouplingTable(nan, a, b, CouplingOptions{}); return err },
		"rows≠a":   func() error { _, err := NewCouplingTable(p, a[:2], b, CouplingOptions{}); return err },
		"cols≠b":   func() error { _, err := NewCouplingTable(p, a, append(b, 0.1), CouplingOptions{}); return err },
		"labels": func() error {
			_, err := NewCouplingTable(p, a, b, CouplingOptions{RowLabels: []string{"x"}})
			return err
		},
		"heatmap": func() error { _, err := NewHeatmap(neg, CouplingOptions{}); return err },
		"empty":   func() error { _, err := NewCouplingTable(&mat.Dense{}, nil, nil, CouplingOptions{}); return err },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			if err := f(); err == nil {
				t.Errorf("%s: no error", name)
			}
		}()
	}
}

func TestCouplingLinesOTTStyle(t *testing.T) {
	x := mat.NewDense(2, 2, []float64{0, 0, 0, 1})
	y := mat.NewDense(3, 2, []float64{5, 0, 5, 1, 5, 2})
	p := mat.NewDense(2, 3, []float64{0.30, 0.02, 0.01, 0.003, 0.20, 0.467})
	f, err := CouplingLines(x, y, nil, nil, p, LinesOptions{Threshold: 0.005})
	mustNoErr(t, err)
	ss := seriesOf(t, f)
	if len(ss) != 3 || ss[0]["type"] != "lines" {
		t.Fatalf("series: %v", ss)
	}
	data := ss[0]["data"].([]interface{})
	if len(data) != 5 {
		t.Fatalf("%d segments above 0.005, want 5", len(data))
	}
	// Sorted by mass, strongest last: 0.467 → strength 3·0.467 = 1.401.
	last := data[4].(map[string]interface{})
	ls := last["lineStyle"].(map[string]interface{})
	if w := ls["width"].(float64); !approx(w, (0.5+4*3*0.467)*pxPerPt, 1e-5) {
		t.Errorf("width %v", w)
	}
	if ls["color"] != "#ff00ff" {
		t.Errorf("strength > 1 should saturate to magenta, got %v", ls["color"])
	}
	first := data[0].(map[string]interface{})
	c := first["coords"].([]interface{})
	if c[0].([]interface{})[1].(float64) != 0 || c[1].([]interface{})[1].(float64) != 2 {
		t.Errorf("weakest drawn segment should be x0→y2, got %v", c)
	}
	if _, err := CouplingLines(x, y, nil, nil, mat.NewDense(3, 2, nil), LinesOptions{}); err == nil {
		t.Error("transposed coupling: no error")
	}
	if _, err := CouplingLines(x, y, []float64{1}, nil, p, LinesOptions{}); err == nil {
		t.Error("short weights: no error")
	}
}

func flowFrames(n int) []AnimationFrame {
	y := gaussCloud(9, 30, 6, 0, 0.5)
	var fr []AnimationFrame
	for i := 0; i < n; i++ {
		t := float64(i) / float64(max(1, n-1))
		x := gaussCloud(8, 20, 6*t, 0, 0.25+0.25*t)
		fr = append(fr, AnimationFrame{Title: "Iter = " + string(rune('0'+i)), X: x, Y: y})
	}
	return fr
}

func TestAnimationFramesInOrder(t *testing.T) {
	fr := flowFrames(5)
	an, err := NewAnimation(fr, AnimationOptions{LinesOptions: LinesOptions{HideLines: true}, FrameRate: 2})
	mustNoErr(t, err)
	if an.Len() != 5 || an.delayMS != 500 {
		t.Fatalf("len %d delay %d", an.Len(), an.delayMS)
	}
	opts, err := an.frameOptions("id")
	mustNoErr(t, err)
	for i, o := range opts {
		titles := o["title"].([]map[string]interface{})
		if titles[0]["text"] != fr[i].Title {
			t.Errorf("frame %d has title %v, want %v", i, titles[0]["text"], fr[i].Title)
		}
	}
	// Axes cover every frame and are the same in all frames.
	o0, _ := an.frames[0].Option()
	o4, _ := an.frames[4].Option()
	x0 := o0["xAxis"].([]interface{})[0].(map[string]interface{})
	x4 := o4["xAxis"].([]interface{})[0].(map[string]interface{})
	if x0["min"] != x4["min"] || x0["max"] != x4["max"] || x0["max"].(float64) < 6 || x0["min"].(float64) > 0 {
		t.Errorf("frame axes %v…%v vs %v…%v", x0["min"], x0["max"], x4["min"], x4["max"])
	}
	if _, err := NewAnimation(nil, AnimationOptions{}); err == nil {
		t.Error("no frames: no error")
	}
	bad := flowFrames(3)
	bad[1].X = &mat.Dense{}
	if _, err := NewAnimation(bad, AnimationOptions{}); err == nil || !strings.Contains(err.Error(), "frame 1") {
		t.Errorf("empty frame: %v", err)
	}
	bad = flowFrames(3)
	bad[2].Y = nil
	if _, err := NewAnimation(bad, AnimationOptions{}); err == nil {
		t.Error("frame without y: no error")
	}
}

func TestLinePlotAndFunctionSeries(t *testing.T) {
	s, err := FunctionSeries("F log F − F + 1", func(x float64) float64 {
		if x == 0 {
			return 1
		}
		return x*math.Log(x) - x + 1
	}, 0, 4, 41)
	mustNoErr(t, err)
	if s.Y[0] != 1 || !approx(s.Y[10], 0, 1e-12) {
		t.Errorf("F(0) = %v, F(1) = %v", s.Y[0], s.Y[10])
	}
	f, err := LinePlot(LinePlotOptions{Title: "y = x log x − x + 1"}, s)
	mustNoErr(t, err)
	ss := seriesOf(t, f)
	if len(ss) != 1 || ss[0]["type"] != "line" || len(xy(t, ss[0])) != 41 {
		t.Errorf("series: %v", ss)
	}
	if _, err := FunctionSeries("log", math.Log, 0, 1, 5); err == nil {
		t.Error("log(0): no error")
	}
	if _, err := LinePlot(LinePlotOptions{}, Series{X: []float64{1, 2}, Y: []float64{1}}); err == nil {
		t.Error("mismatched series: no error")
	}
	if _, err := LinePlot(LinePlotOptions{}, Series{Y: []float64{1, math.Inf(1)}}); err == nil {
		t.Error("infinite value: no error")
	}
}

func TestScatterBadInput(t *testing.T) {
	x := gaussCloud(1, 10, 0, 0, 1)
	nan := mat.DenseCopyOf(x)
	nan.Set(4, 0, math.NaN())
	cases := map[string][]Cloud{
		"NaN":        {{Points: nan}},
		"weights":    {{Points: x, Weights: []float64{1, 2}}},
		"neg weight": {{Points: x, Weights: []float64{-1, 0, 0, 0, 0, 0, 0, 0, 0, 1}}},
		"nil":        {{Points: nil}},
		"empty":      {{Points: &mat.Dense{}}},
		"mixed dims": {{Points: x}, {Points: mat.NewDense(2, 3, nil)}},
		"no clouds":  nil,
	}
	for name, cs := range cases {
		if _, err := ScatterPlot(ScatterOptions{}, cs...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ScatterPlot(ScatterOptions{XLim: []float64{2, 1}}, Cloud{Points: x}); err == nil {
		t.Error("reversed XLim: no error")
	}
}
