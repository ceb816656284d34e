package widgets

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// One-call helpers for notebook cells: each builds a widget with the
// tutorials' look and displays it interactively. Use the constructors they
// call for options, static images or files.

// ShowClouds shows the source x (circles) and target y (X markers) with OTT's
// marker sizes for uniform weights.
func ShowClouds(x, y *mat.Dense, title string) error {
	f, err := ScatterPlot(ScatterOptions{Title: title, EqualAxes: true},
		Cloud{Name: "x", Points: x, Color: ColorX}, Cloud{Name: "y", Points: y, Symbol: "x", Color: ColorY})
	if err != nil {
		return err
	}
	return f.Display()
}

// ShowSamplesSideBySide shows two sample clouds in two panels with shared
// axes, small translucent markers (the tutorial's '.' with alpha 0.25).
func ShowSamplesSideBySide(x0, x1 *mat.Dense, title0, title1 string) error {
	f, err := ScatterPanels(ScatterOptions{HideLegend: true},
		Panel{Title: title0, Clouds: []Cloud{{Name: "samples", Points: x0, Size: 3, NoEdge: true, Opacity: 0.25}}},
		Panel{Title: title1, Clouds: []Cloud{{Name: "samples", Points: x1, Size: 3, NoEdge: true, Opacity: 0.25}}})
	if err != nil {
		return err
	}
	return f.Display()
}

// ShowMixturesSideBySide shows two fitted mixtures over their samples,
// points coloured by most likely component and 2-σ ellipses, shared axes.
func ShowMixturesSideBySide(m0 *otkit.GaussianMixture, x0 *mat.Dense, m1 *otkit.GaussianMixture, x1 *mat.Dense, title0, title1 string) error {
	f, err := MixturePairView(x0, m0, x1, m1, MixtureOptions{PanelTitles: []string{title0, title1}})
	if err != nil {
		return err
	}
	return f.Display()
}

// ShowCoupling shows the coupling table of p against the weights a and b
// (nil to leave a side out), with title as its caption.
func ShowCoupling(p mat.Matrix, a, b []float64, title string) error {
	t, err := NewCouplingTable(p, a, b, CouplingOptions{Caption: title})
	if err != nil {
		return err
	}
	return t.Display()
}

// ShowLine shows one curve y(x).
func ShowLine(x, y []float64, title string) error {
	f, err := LinePlot(LinePlotOptions{Title: title}, Series{Name: title, X: x, Y: y})
	if err != nil {
		return err
	}
	return f.Display()
}

// ShowFlow shows a flow's frames as an interactive player, one frame per
// second, without lines (the tutorial's animation). titles holds one title
// per frame; nil gives "Iter = i, value: v".
func ShowFlow(res *otkit.FlowResult, y *mat.Dense, titles []string) error {
	if res == nil {
		return fmt.Errorf("widgets: flow result is nil")
	}
	opt := AnimationOptions{FrameRate: 1, LinesOptions: LinesOptions{HideLines: true, EqualAxes: true}}
	var an *Animation
	var err error
	if titles == nil {
		an, err = FlowAnimation(res.Frames, "value", y, opt)
	} else {
		an, err = flowAnimation(res.Frames, titles, y, opt)
	}
	if err != nil {
		return err
	}
	return an.Display()
}

// ShowTable shows a plain table: a header and rows of text cells.
func ShowTable(header []string, rows [][]string) error {
	t, err := NewTable("", header, rows)
	if err != nil {
		return err
	}
	return t.Display()
}

// ShowFinalClouds shows, side by side with shared axes, each final cloud
// (named by names) over the same target y.
func ShowFinalClouds(finals []*mat.Dense, y *mat.Dense, names []string) error {
	if len(names) != len(finals) {
		return fmt.Errorf("widgets: %d names for %d clouds", len(names), len(finals))
	}
	var ps []Panel
	for i, x := range finals {
		// The target first, so that the moved cloud is drawn over it.
		ps = append(ps, Panel{Title: names[i], Clouds: []Cloud{
			{Name: "y", Points: y, Symbol: "x", Color: ColorY}, {Name: "x", Points: x, Color: ColorX},
		}})
	}
	f, err := ScatterPanels(ScatterOptions{Scale: 80}, ps...)
	if err != nil {
		return err
	}
	return f.Display()
}
