package widgets_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/widgets"
)

// A coupling between two 3-component mixtures (the tutorial's printed plan)
// against the mixtures' weights. In a notebook, t.Display() shows the shaded
// HTML table; the plain text is the fallback.
func ExampleNewCouplingTable() {
	p := mat.NewDense(3, 3, []float64{
		0.22631681, 0, 0,
		0, 0.2354198, 0,
		0.2182516, 0, 0.32001185,
	})
	a := []float64{0.22632582, 0.23542637, 0.5382478}
	b := []float64{0.36791384, 0.3672651, 0.26482108}
	t, err := widgets.NewCouplingTable(p, a, b, widgets.CouplingOptions{Digits: 4})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(t)
	// Output:
	// Mass transfer, rows = source, columns = destination (total mass 1.0000)
	// src\dst        0        1        2  row sum       a
	//       0   0.2263   0.0000   0.0000   0.2263  0.2263
	//       1   0.0000   0.2354   0.0000   0.2354  0.2354
	//       2   0.2183   0.0000   0.3200   0.5383  0.5382
	// col sum  0.4446*  0.2354*  0.3200*   1.0000
	//       b   0.3679   0.3673   0.2648
	// Sums marked * differ from the weights by more than 0.001: this coupling does not meet the balanced problem's marginal constraints (the solve that gave it did not converge).
}

// Two clouds with OTT's marker sizes, saved as a PNG and as an offline HTML
// page. In a notebook: f.Display() (interactive) or f.DisplayStatic() (PNG).
func ExampleScatterPlot() {
	x := mat.NewDense(3, 2, []float64{0, 0, 0.2, 0.1, -0.1, 0.2})
	y := mat.NewDense(2, 2, []float64{6, 0, 6.5, 0.5})
	f, err := widgets.ScatterPlot(widgets.ScatterOptions{Title: "x and y", EqualAxes: true},
		widgets.Cloud{Name: "x", Points: x},
		widgets.Cloud{Name: "y", Points: y, Weights: []float64{0.25, 0.75}, Symbol: "x"})
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "clouds.png")
	if err := f.SavePNG(path, 400, 300); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	img, _ := png.Decode(bytes.NewReader(b))
	fmt.Println(img.Bounds().Dx(), img.Bounds().Dy())
	// f.SaveHTML(filepath.Join(dir, "clouds.html")) needs echarts.min.js (npm ci).
	// Output:
	// 400 300
}

// The 2-σ ellipse of a covariance: semi-axes 2√λ along the eigenvectors.
func ExampleEllipse() {
	cov := mat.NewSymDense(2, []float64{4, 0, 0, 1})
	x, y, err := widgets.Ellipse([]float64{1, 1}, cov, 2, 4)
	if err != nil {
		log.Fatal(err)
	}
	for i := range x {
		// Round and add 0 to print −0 as 0.
		fmt.Printf("(%.1f, %.1f)\n", math.Round(10*x[i])/10+0, math.Round(10*y[i])/10+0)
	}
	_, _, err = widgets.Ellipse([]float64{0, 0}, mat.NewSymDense(2, []float64{1, 2, 2, 1}), 2, 16)
	fmt.Println(err != nil)
	// Output:
	// (5.0, 1.0)
	// (1.0, 3.0)
	// (-3.0, 1.0)
	// (1.0, -1.0)
	// (5.0, 1.0)
	// true
}

// The tutorial's curve F log F − F + 1, as a line plot.
func ExampleLinePlot() {
	s, err := widgets.FunctionSeries("F log F − F + 1", func(f float64) float64 {
		if f == 0 {
			return 1 // the limit of F log F
		}
		return f*math.Log(f) - f + 1
	}, 0, 4, 41)
	if err != nil {
		log.Fatal(err)
	}
	f, err := widgets.LinePlot(widgets.LinePlotOptions{Title: "y = x log x − x + 1", XLabel: "F"}, s)
	if err != nil {
		log.Fatal(err)
	}
	png, err := f.PNG(300, 200)
	fmt.Println(err, len(png) > 1000)
	// Output:
	// <nil> true
}

// Frames of a flow as an animation: an interactive player in notebooks
// (an.Display()) and pages (an.SaveHTML), an animated GIF otherwise.
func ExampleNewAnimation() {
	y := mat.NewDense(2, 2, []float64{6, 0, 6, 1})
	var frames []widgets.AnimationFrame
	for i, s := range []float64{0, 3, 6} {
		x := mat.NewDense(2, 2, []float64{s, 0, s, 0.5})
		frames = append(frames, widgets.AnimationFrame{
			Title: fmt.Sprintf("Iter = %d, Reg OT Cost: %.5f", 50*i, 36/float64(1+i)), X: x, Y: y,
		})
	}
	an, err := widgets.NewAnimation(frames, widgets.AnimationOptions{FrameRate: 1,
		LinesOptions: widgets.LinesOptions{HideLines: true}})
	if err != nil {
		log.Fatal(err)
	}
	gif, err := an.GIF(240, 160)
	fmt.Println(an.Len(), an.Titles()[2], err, len(gif) > 1000)
	// Output:
	// 3 Iter = 100, Reg OT Cost: 12.00000 <nil> true
}

// A sweep of images, e.g. barycenters for weights t = 0, 0.5, 1: in a
// notebook sw.Display() shows one at a time with a slider; its static form
// (sw.PNG, and what a page without scripts shows) is the grid of all frames.
func ExampleNewImageSweep() {
	var frames []widgets.Image
	for i, t := range []float64{0, 0.5, 1} {
		m := mat.NewDense(8, 8, nil)
		m.Set(4, 2+2*i, 1) // a dot moving right as t grows
		frames = append(frames, widgets.Image{Title: fmt.Sprintf("t = %.1f", t), Pixels: m})
	}
	sw, err := widgets.NewImageSweep(widgets.ImageOptions{Title: "moving dot"}, frames...)
	if err != nil {
		log.Fatal(err)
	}
	png, err := sw.PNG(0, 0)
	fmt.Println(sw.Len(), sw.Labels()[1], err, len(png) > 1000)
	// Output:
	// 3 t = 0.5 <nil> true
}

// Progress for a loop; outside a notebook it prints plain lines, in a GoNB
// cell it updates one output in place. It is an io.Writer for otkit's Report
// options and has an OnStep method for FlowOptions.
func ExampleNewProgress() {
	p := widgets.NewProgress("EM", 30, widgets.ProgressOptions{})
	for i := 0; i < 30; i++ {
		fmt.Fprintf(p, "%3d objective %.3f\n", i, -7.766+0.015*float64(i))
	}
	p.Done()
}
