package widgets

import (
	"fmt"
	"image/color"
	"math"
)

// palette is matplotlib's default colour cycle (tab10), so that the Go
// charts look like the tutorials' figures.
var palette = []string{
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
}

// Colours of the two roles in every transport figure: the source x (the
// cloud that moves in a gradient flow) and the target y. Give them to Cloud.Color
// so that a notebook's scatter panels match its animations and coupling plots.
const (
	ColorX = "#1f77b4" // matplotlib's first colour (blue)
	ColorY = "#ff7f0e" // matplotlib's second colour (orange)
)

// ComponentColor is the colour of mixture component k in MixtureView and
// MixturePairView (red, green, blue, then matplotlib's cycle): pass
// MixtureOptions.Colors to keep a component's colour when a second fit lists
// the components in another order.
func ComponentColor(k int) string { return cycle(componentColors, k) }

// componentColors are the tutorial's mixture colours (red, green, blue),
// continued with the rest of the default cycle.
var componentColors = []string{
	"#ff0000", "#008000", "#0000ff",
	"#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
}

func cycle(colors []string, i int) string { return colors[i%len(colors)] }

// coolColor is matplotlib's "cool" colormap, OTT's default for coupling
// lines: cyan at 0, magenta at 1, clipped outside.
func coolColor(t float64) string {
	t = math.Max(0, math.Min(1, t))
	return hexColor(t, 1-t, 1)
}

// heatColor shades from white (0) to a deep blue (1) for tables and heatmaps.
func heatColor(t float64) string {
	t = math.Max(0, math.Min(1, t))
	return hexColor(1-0.86*t, 1-0.6*t, 1-0.2*t)
}

func hexColor(r, g, b float64) string {
	c := func(v float64) int { return int(math.Round(255 * math.Max(0, math.Min(1, v)))) }
	return fmt.Sprintf("#%02x%02x%02x", c(r), c(g), c(b))
}

// parseColor reads "#rrggbb" and applies the opacity; anything else is black.
func parseColor(s string, opacity float64) color.NRGBA {
	var r, g, b uint8
	if len(s) == 7 && s[0] == '#' {
		fmt.Sscanf(s[1:], "%02x%02x%02x", &r, &g, &b)
	}
	a := math.Max(0, math.Min(1, opacity))
	return color.NRGBA{R: r, G: g, B: b, A: uint8(math.Round(255 * a))}
}

// pxPerPt converts typographic points (OTT's marker and line sizes, gonum/plot
// lengths) to CSS pixels (echarts sizes).
const pxPerPt = 96.0 / 72.0
