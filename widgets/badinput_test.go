package widgets

import (
	"math"
	"testing"

	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

// TestBadInputReturnsError passes nil, empty, mismatched and NaN data to the
// chart constructors and otkit adapters: each must return an error, never
// panic and never draw a chart of NaNs.
func TestBadInputReturnsError(t *testing.T) {
	nan := math.NaN()
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 1})
	xNaN := mat.NewDense(3, 2, []float64{0, 0, nan, 0, 0, 1})
	p := mat.NewDense(3, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1})
	short := &otkit.GaussianMixture{Loc: [][]float64{{0, 0}, {1, 1}}, Scale: [][]float64{{0, 0, 0}}, Logits: []float64{0}}
	geom, err := otkit.NewGeometry(mat.NewDense(2, 2, []float64{0, 1, 1, 0}), otkit.GeometryOptions{Epsilon: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	cloud, err := otkit.NewPointCloud(x, nil, otkit.PointCloudOptions{Epsilon: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		call func() error
	}{
		{"ScatterPlot nil points", func() error { _, err := ScatterPlot(ScatterOptions{}, Cloud{}); return err }},
		{"ScatterPlot NaN", func() error { _, err := ScatterPlot(ScatterOptions{}, Cloud{Points: xNaN}); return err }},
		{"ScatterPlot short weights", func() error {
			_, err := ScatterPlot(ScatterOptions{}, Cloud{Points: x, Weights: []float64{1}})
			return err
		}},
		{"ScatterPlot negative weight", func() error {
			_, err := ScatterPlot(ScatterOptions{}, Cloud{Points: x, Weights: []float64{1, -1, 1}})
			return err
		}},
		{"ScatterPanels empty panel", func() error { _, err := ScatterPanels(ScatterOptions{}, Panel{}); return err }},
		{"LinePlot length mismatch", func() error {
			_, err := LinePlot(LinePlotOptions{}, Series{X: []float64{0, 1}, Y: []float64{1}})
			return err
		}},
		{"LinePlot NaN", func() error { _, err := LinePlot(LinePlotOptions{}, Series{Y: []float64{1, nan}}); return err }},
		{"FunctionSeries nil", func() error { _, err := FunctionSeries("f", nil, 0, 1, 10); return err }},
		{"FunctionSeries n = 0", func() error { _, err := FunctionSeries("f", math.Sin, 0, 1, 0); return err }},
		{"NewCouplingTable nil", func() error { _, err := NewCouplingTable(nil, nil, nil, CouplingOptions{}); return err }},
		{"NewCouplingTable short a", func() error { _, err := NewCouplingTable(p, []float64{1}, nil, CouplingOptions{}); return err }},
		{"NewCouplingTable NaN", func() error {
			_, err := NewCouplingTable(mat.NewDense(1, 2, []float64{nan, 1}), nil, nil, CouplingOptions{})
			return err
		}},
		{"NewHeatmap nil", func() error { _, err := NewHeatmap(nil, CouplingOptions{}); return err }},
		{"CouplingLines nil", func() error { _, err := CouplingLines(nil, nil, nil, nil, nil, LinesOptions{}); return err }},
		{"CouplingLines shape mismatch", func() error {
			_, err := CouplingLines(x, x, nil, nil, mat.NewDense(2, 3, nil), LinesOptions{})
			return err
		}},
		{"Ellipse nil covariance", func() error { _, _, err := Ellipse([]float64{0, 0}, nil, 2, 10); return err }},
		{"Ellipse wrong mean", func() error {
			_, _, err := Ellipse([]float64{0}, mat.NewSymDense(2, []float64{1, 0, 0, 1}), 2, 10)
			return err
		}},
		{"NewAnimation no frames", func() error { _, err := NewAnimation(nil, AnimationOptions{}); return err }},
		{"NewAnimation nil points", func() error { _, err := NewAnimation([]AnimationFrame{{}}, AnimationOptions{}); return err }},
		{"NewTable ragged", func() error { _, err := NewTable("t", []string{"a", "b"}, [][]string{{"1"}}); return err }},
		{"MixtureView nil mixture", func() error { _, err := MixtureView(x, nil, MixtureOptions{}); return err }},
		{"MixtureView malformed mixture", func() error { _, err := MixtureView(x, short, MixtureOptions{}); return err }},
		{"MixtureView nil points", func() error { _, err := MixtureView(nil, short, MixtureOptions{}); return err }},
		{"MixturePairView nil", func() error { _, err := MixturePairView(nil, nil, nil, nil, MixtureOptions{}); return err }},
		{"SinkhornPlot nil", func() error { _, err := SinkhornPlot(nil, LinesOptions{}); return err }},
		{"SinkhornPlot empty result", func() error { _, err := SinkhornPlot(&otkit.SinkhornResult{}, LinesOptions{}); return err }},
		{"SinkhornCouplingTable nil", func() error { _, err := SinkhornCouplingTable(nil, CouplingOptions{}); return err }},
		{"SinkhornCouplingTable empty result", func() error {
			_, err := SinkhornCouplingTable(&otkit.SinkhornResult{}, CouplingOptions{})
			return err
		}},
		{"FlowAnimation no frames", func() error { _, err := FlowAnimation(nil, "x", x, AnimationOptions{}); return err }},
		{"FlowAnimation nil frame points", func() error {
			_, err := FlowAnimation([]otkit.FlowFrame{{}}, "x", x, AnimationOptions{})
			return err
		}},
		{"SinkhornCouplingTable short potentials", func() error {
			_, err := SinkhornCouplingTable(&otkit.SinkhornResult{Geom: geom, F: []float64{0}}, CouplingOptions{})
			return err
		}},
		{"SinkhornPlot short potentials", func() error {
			_, err := SinkhornPlot(&otkit.SinkhornResult{Geom: cloud, F: []float64{0}}, LinesOptions{})
			return err
		}},
		{"PairFitPlot nil", func() error { _, err := PairFitPlot(nil, LinePlotOptions{}); return err }},
		{"PairCouplingTable nil", func() error { _, err := PairCouplingTable(nil, nil, true, CouplingOptions{}); return err }},
		{"PairCouplingTable empty result", func() error {
			_, err := PairCouplingTable(nil, &otkit.SinkhornResult{}, false, CouplingOptions{})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := c.call(); err == nil {
				t.Error("no error")
			}
		})
	}
}
