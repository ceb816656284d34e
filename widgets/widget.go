package widgets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Widget is what every chart, table and animation of this package offers.
// The HTML is a standalone page with echarts inlined; it works offline.
type Widget interface {
	// Display shows the interactive widget in the running GoNB cell. It
	// returns ErrNotNotebook outside a notebook.
	Display() error
	// DisplayStatic shows a static image (PNG, or an animated GIF for
	// animations) in the running GoNB cell: it shows in every viewer,
	// untrusted notebooks included.
	DisplayStatic() error
	// WriteHTML writes a standalone HTML page holding the widget.
	WriteHTML(w io.Writer) error
	// SaveHTML writes that page to a file.
	SaveHTML(path string) error

	fragmenter
}

// Default sizes, in pixels, of interactive charts and of static images when
// a size of 0 is passed.
const (
	DefaultWidth       = 720
	DefaultHeight      = 480
	DefaultPanelWidth  = 460 // per panel, for side-by-side figures (at most MaxDefaultWidth in all)
	DefaultPanelHeight = 460
)

// Figure is a chart of one or more side-by-side panels: the scatter of point
// clouds, the fitted-mixture view, coupling lines and line plots are all
// Figures. Build one with [ScatterPlot], [MixtureView], [MixturePairView],
// [CouplingLines], [SinkhornPlot] or [LinePlot].
type Figure struct {
	fig figure
}

var _ Widget = (*Figure)(nil)

func (f *Figure) usesEcharts() bool { return true }

// errNil is returned by the methods of a nil widget (a constructor's error
// was ignored), so that a notebook cell reports instead of panicking.
func errNil(kind string) error {
	return fmt.Errorf("widgets: nil %s (its constructor returned an error)", kind)
}

func (f *Figure) htmlFragment(id string) (string, error) {
	if f == nil {
		return "", errNil("Figure")
	}
	c, err := f.fig.echart(id)
	if err != nil {
		return "", err
	}
	png, err := f.PNG(0, 0)
	if err != nil {
		return "", err
	}
	w, h := f.size(0, 0)
	return chartHTML(c, id, staticImage(png, f.fig.title, w, h), "", "", "")
}

// Option returns the echarts option object of the interactive chart, as it
// is sent to the browser. It is useful to inspect or to tweak a chart.
func (f *Figure) Option() (map[string]interface{}, error) {
	if f == nil {
		return nil, errNil("Figure")
	}
	c, err := f.fig.echart("otlab-option")
	if err != nil {
		return nil, err
	}
	// Round-trip through JSON so that the result holds plain values only.
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return nil, err
	}
	var m map[string]interface{}
	err = json.Unmarshal(b, &m)
	return m, err
}

// Display shows the interactive chart in the running GoNB cell.
func (f *Figure) Display() error { return displayFragment(f, true) }

// DisplayStatic shows the chart as a PNG of the interactive chart's size.
func (f *Figure) DisplayStatic() error {
	b, err := f.PNG(0, 0)
	if err != nil {
		return err
	}
	return displayPNG(b)
}

// WriteHTML writes a standalone page with the chart.
func (f *Figure) WriteHTML(w io.Writer) error { return WritePage(w, f.pageTitle(), f) }

// SaveHTML writes a standalone page with the chart to path.
func (f *Figure) SaveHTML(path string) error { return saveHTML(f, path) }

// PNG draws the chart with gonum/plot into a w×h pixel PNG (0 means the
// interactive chart's size).
func (f *Figure) PNG(w, h int) ([]byte, error) {
	if f == nil {
		return nil, errNil("Figure")
	}
	w, h = f.size(w, h)
	return renderPNG(&f.fig, w, h)
}

// SavePNG writes [Figure.PNG] to path.
func (f *Figure) SavePNG(path string, w, h int) error {
	b, err := f.PNG(w, h)
	return writeFile(path, b, err)
}

// SVG draws the chart as SVG of w×h pixels (0 means the interactive size).
func (f *Figure) SVG(w, h int) ([]byte, error) {
	if f == nil {
		return nil, errNil("Figure")
	}
	w, h = f.size(w, h)
	return renderSVG(&f.fig, w, h)
}

// SaveSVG writes [Figure.SVG] to path.
func (f *Figure) SaveSVG(path string, w, h int) error {
	b, err := f.SVG(w, h)
	return writeFile(path, b, err)
}

func (f *Figure) size(w, h int) (int, int) {
	if w == 0 {
		w = f.fig.width
	}
	if h == 0 {
		h = f.fig.height
	}
	return w, h
}

func (f *Figure) pageTitle() string {
	if f != nil && f.fig.title != "" {
		return f.fig.title
	}
	return "chart"
}

func saveHTML(w Widget, path string) error {
	var b bytes.Buffer
	if err := w.WriteHTML(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// MaxDefaultWidth caps the default width of side-by-side figures: wider
// charts overflow the output area of the classic Notebook (about 940 px).
const MaxDefaultWidth = 940

// panelsWidth is the default width of n side-by-side panels.
func panelsWidth(n int) int { return min(MaxDefaultWidth, DefaultPanelWidth*n) }

// sizeOr returns v, or def when v is 0.
func sizeOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
