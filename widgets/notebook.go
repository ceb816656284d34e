package widgets

import (
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// ErrNotNotebook is returned by Display, DisplayStatic and Setup when the
// program does not run inside a GoNB kernel. Use SaveHTML, SavePNG, SaveSVG or
// SaveGIF there instead.
var ErrNotNotebook = errors.New("widgets: not running in a GoNB notebook (use SaveHTML/SavePNG/SaveSVG/SaveGIF)")

// frontEnd is the seam between the widgets and GoNB, so that tests can check
// what a cell would display.
type frontEnd interface {
	isNotebook() bool
	uniqueID() string
	displayHTML(html string)
	displayPNG(png []byte)
	// displayRich sends one output with several MIME types (HTML plus a
	// plain-text fallback for front ends that do not render HTML).
	displayRich(html, text string)
	updateHTML(id, html string)
	sync()
	err() error
}

type gonbFront struct{}

var registerOnce sync.Once

func (gonbFront) isNotebook() bool        { return gonbui.IsNotebook }
func (gonbFront) uniqueID() string        { return "otlab-" + gonbui.UniqueId() }
func (gonbFront) displayHTML(h string)    { gonbui.DisplayHTML(h) }
func (gonbFront) displayPNG(b []byte)     { gonbui.DisplayPNG(b) }
func (gonbFront) updateHTML(id, h string) { gonbui.UpdateHTML(id, h) }
func (gonbFront) sync()                   { gonbui.Sync() }
func (gonbFront) err() error              { return gonbui.Error() }
func (gonbFront) displayRich(h, text string) {
	// Nested maps in DisplayData must be registered with gob, or GoNB's pipe
	// closes and every later display of the cell is lost.
	registerOnce.Do(func() { gob.Register(map[string]any{}) })
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMETextHTML:  h,
		protocol.MIMETextPlain: text,
	}})
}

// front is the active front end; tests replace it.
var front frontEnd = gonbFront{}

// libraryMarker is a file in the kernel's private temporary directory
// (GONB_TMP_DIR, one per kernel session) whose presence means an earlier cell
// of this session already put echarts into the page. Each cell is a new
// process, so process memory cannot carry this.
func libraryMarker() string {
	d := os.Getenv("GONB_TMP_DIR")
	if d == "" {
		return ""
	}
	return filepath.Join(d, ".otlab-echarts-in-page")
}

func libraryInPage() bool {
	m := libraryMarker()
	if m == "" {
		return false
	}
	_, err := os.Stat(m)
	return err == nil
}

func markLibraryInPage() {
	if m := libraryMarker(); m != "" {
		_ = os.WriteFile(m, []byte(EchartsVersion+"\n"), 0o644)
	}
}

// Setup puts the echarts library (read by [EchartsJS], about 1 MB) into the
// notebook page. Call it once in a cell near the top of the notebook, after
// the module set-up cell: outputs run in document order, so every chart below
// finds window.echarts, live and in saved or exported notebooks. Running it
// again is harmless.
//
// Outside a notebook Setup only checks that the library can be found and
// returns that error, or ErrNotNotebook.
func Setup() error {
	js, err := EchartsJS()
	if err != nil {
		return err
	}
	if !front.isNotebook() {
		return ErrNotNotebook
	}
	front.displayHTML(libraryScript(js) + pageCSS +
		`<div style="font:12px sans-serif;color:#666">echarts ` + EchartsVersion + ` loaded for the charts of this notebook (offline copy).</div>`)
	front.sync()
	if err := front.err(); err != nil {
		return fmt.Errorf("widgets: displaying the echarts library: %w", err)
	}
	markLibraryInPage()
	return nil
}

// displayFragment shows a widget's HTML in the running cell. When no earlier
// cell of this kernel session put echarts into the page, the library goes in
// front of the chart, so that a notebook without a Setup cell still works.
func displayFragment(w fragmenter, echarts bool) error {
	if !front.isNotebook() {
		return ErrNotNotebook
	}
	frag, err := w.htmlFragment(front.uniqueID())
	if err != nil {
		return err
	}
	prefix := pageCSS
	withLib := echarts && !libraryInPage()
	if withLib {
		js, err := EchartsJS()
		if err != nil {
			return err
		}
		prefix = libraryScript(js) + prefix
	}
	front.displayHTML(prefix + frag)
	front.sync()
	if err := front.err(); err != nil {
		return err
	}
	if withLib {
		markLibraryInPage()
	}
	return nil
}

// displayPNG shows a static image in the running cell.
func displayPNG(png []byte) error {
	if !front.isNotebook() {
		return ErrNotNotebook
	}
	front.displayPNG(png)
	front.sync()
	return front.err()
}
