package widgets

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeFront records what a GoNB cell would show.
type fakeFront struct {
	notebook bool
	n        int
	outputs  []string            // displayHTML, displayRich (HTML part), "PNG"
	texts    []string            // displayRich plain text
	updates  map[string][]string // updateHTML by id
	syncs    int
}

func (f *fakeFront) isNotebook() bool     { return f.notebook }
func (f *fakeFront) uniqueID() string     { f.n++; return fmt.Sprintf("cell-%d", f.n) }
func (f *fakeFront) displayHTML(h string) { f.outputs = append(f.outputs, h) }
func (f *fakeFront) displayPNG(b []byte)  { f.outputs = append(f.outputs, "PNG") }
func (f *fakeFront) displayRich(h, text string) {
	f.outputs = append(f.outputs, h)
	f.texts = append(f.texts, text)
}
func (f *fakeFront) updateHTML(id, h string) {
	if f.updates == nil {
		f.updates = map[string][]string{}
	}
	f.updates[id] = append(f.updates[id], h)
}
func (f *fakeFront) sync()      { f.syncs++ }
func (f *fakeFront) err() error { return nil }

func withFront(t *testing.T, f *fakeFront) {
	old := front
	front = f
	t.Cleanup(func() { front = old })
}

func haveEcharts(t *testing.T) {
	t.Helper()
	if _, err := EchartsJS(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: %v", err)
		}
		t.Skipf("echarts not installed (%v)", err)
	}
}

func TestDisplayPutsLibraryOncePerKernel(t *testing.T) {
	haveEcharts(t)
	ff := &fakeFront{notebook: true}
	withFront(t, ff)
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	sc, err := ScatterPlot(ScatterOptions{}, Cloud{Points: gaussCloud(1, 5, 0, 0, 1)})
	mustNoErr(t, err)
	mustNoErr(t, sc.Display()) // first chart of the session: library included
	mustNoErr(t, sc.Display()) // later cells: the page has it
	if len(ff.outputs) != 2 {
		t.Fatalf("%d outputs", len(ff.outputs))
	}
	if !strings.Contains(ff.outputs[0], "(function (define, exports, module)") || len(ff.outputs[0]) < 1e6 {
		t.Errorf("first display lacks the inlined library")
	}
	if len(ff.outputs[1]) > 1e5 || strings.Contains(ff.outputs[1], "define, exports, module") {
		t.Errorf("second display repeats the library (%d bytes)", len(ff.outputs[1]))
	}
	if strings.Contains(ff.outputs[1], "http") {
		t.Errorf("chart output mentions a URL")
	}
	for _, o := range ff.outputs {
		if !strings.Contains(o, "window.echarts === \"undefined\"") || !strings.Contains(o, "widgets.Setup()") {
			t.Errorf("chart has no guard for a missing library")
		}
		if strings.Contains(o, `class="container"`) {
			t.Errorf("bootstrap's container class not swapped")
		}
		if strings.Contains(o, "<script src") || strings.Contains(o, `src="http`) || strings.Contains(o, `href="http`) {
			t.Errorf("output loads from the network")
		}
	}
	if ff.syncs < 2 {
		t.Errorf("no gonbui.Sync after displays")
	}
	// An explicit Setup always emits the library.
	mustNoErr(t, Setup())
	if !strings.Contains(ff.outputs[2], "define, exports, module") {
		t.Errorf("Setup did not emit the library")
	}
	// Static display: one PNG output.
	mustNoErr(t, sc.DisplayStatic())
	if ff.outputs[3] != "PNG" {
		t.Errorf("DisplayStatic output %q", ff.outputs[3][:min(20, len(ff.outputs[3]))])
	}
}

func TestDisplayOutsideNotebook(t *testing.T) {
	withFront(t, &fakeFront{notebook: false})
	sc, err := ScatterPlot(ScatterOptions{}, Cloud{Points: gaussCloud(1, 5, 0, 0, 1)})
	mustNoErr(t, err)
	for name, f := range map[string]func() error{"Display": sc.Display, "DisplayStatic": sc.DisplayStatic} {
		if err := f(); !errors.Is(err, ErrNotNotebook) {
			t.Errorf("%s outside a notebook: %v", name, err)
		}
	}
}

func TestTableDisplayHasTextFallback(t *testing.T) {
	ff := &fakeFront{notebook: true}
	withFront(t, ff)
	p, a, b := tutorialCoupling()
	tab, err := NewCouplingTable(p, a, b, CouplingOptions{})
	mustNoErr(t, err)
	mustNoErr(t, tab.Display())
	if len(ff.texts) != 1 || !strings.Contains(ff.texts[0], "0.32001") || !strings.Contains(ff.outputs[0], "<table") {
		t.Errorf("table display: %v / %v", ff.outputs, ff.texts)
	}
}

func TestProgressInNotebookUpdatesInPlace(t *testing.T) {
	ff := &fakeFront{notebook: true}
	withFront(t, ff)
	p := NewProgress("EM", 30, ProgressOptions{MinInterval: time.Nanosecond})
	clock := time.Unix(0, 0)
	p.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	p.start, p.last = clock, clock
	for i := 0; i < 30; i++ {
		fmt.Fprintf(p, "%3d -3.872 -3.894 transport:0.011 objective:-7.766\n", i)
	}
	p.Done()
	if len(ff.updates) != 1 {
		t.Fatalf("updates went to %d outputs, want 1", len(ff.updates))
	}
	ups := ff.updates["cell-1"]
	if len(ups) < 30 {
		t.Errorf("%d updates for 30 steps", len(ups))
	}
	last := ups[len(ups)-1]
	if !strings.Contains(last, `value="30" max="30"`) || !strings.Contains(last, " 29 -3.872") || !strings.Contains(last, "done") {
		t.Errorf("final display: %s", last)
	}
	if before := ups[len(ups)-2]; strings.Contains(before, "  0 -3.872") || !strings.Contains(before, " 29 -3.872") {
		t.Errorf("while running, old lines should scroll away (KeepLines 6): %s", before)
	}
	if !strings.Contains(last, "<details") || !strings.Contains(last, "  0 -3.872") || !strings.Contains(last, "the 30 report lines") {
		t.Errorf("final display should keep all 30 lines in a collapsed list: %s", last)
	}
}

func TestProgressChartGrows(t *testing.T) {
	ff := &fakeFront{notebook: true}
	withFront(t, ff)
	p := NewProgress("fit", 3, ProgressOptions{MinInterval: time.Nanosecond, ChartWidth: 300, ChartHeight: 150})
	var sizes []int
	for i := 0; i < 3; i++ {
		p.Point("objective", "J", float64(i), -7+float64(i)*0.1)
		p.Point("transport", "R", float64(i), 0.01*float64(i))
		fmt.Fprintf(p, "%3d line\n", i)
		ups := ff.updates["cell-1"]
		last := ups[len(ups)-1]
		if !strings.Contains(last, `<img class="otlab-static"`) || !strings.Contains(last, "data:image/png;base64,") {
			t.Fatalf("step %d: no chart image in the progress display: %.300s", i, last)
		}
		sizes = append(sizes, len(last))
	}
	p.Done()
	if sizes[0] == sizes[2] {
		t.Errorf("chart did not change as points were added (display sizes %v)", sizes)
	}
	p.Point("objective", "J", math.NaN(), 0) // skipped, no panic
}

func TestProgressPlainLines(t *testing.T) {
	withFront(t, &fakeFront{notebook: false})
	var out bytes.Buffer
	p := NewProgress("flow", 500, ProgressOptions{Out: &out})
	for i := 0; i <= 500; i++ { // the tutorial's 501 evaluations
		p.OnStep(i, 37.0/float64(i+1))
	}
	p.Done()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// Step 0, every tenth (50, 100, …, 500) and Done.
	if len(lines) != 12 {
		t.Errorf("%d lines:\n%s", len(lines), out.String())
	}
	if !strings.HasPrefix(lines[0], "flow: 0/500 (0%)") || !strings.Contains(lines[len(lines)-1], "500/500 (100%)") ||
		!strings.Contains(lines[len(lines)-1], "done") || !strings.Contains(lines[0], "value 37.00000") {
		t.Errorf("lines:\n%s", out.String())
	}
	// Report lines pass through unchanged, partial lines are kept.
	out.Reset()
	q := NewProgress("", 0, ProgressOptions{Out: &out})
	fmt.Fprint(q, "  0 -3.872")
	fmt.Fprint(q, " -3.894\n  1 -3.848 -3.867\n")
	q.Done()
	if !strings.HasPrefix(out.String(), "  0 -3.872 -3.894\n  1 -3.848 -3.867\n2 elapsed") {
		t.Errorf("report output:\n%q", out.String())
	}
}

func TestEchartsLocator(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "echarts.min.js")
	mustNoErr(t, os.WriteFile(bad, []byte("not echarts"), 0o644))
	t.Setenv(EchartsEnv, bad)
	p, err := EchartsPath()
	mustNoErr(t, err)
	if _, err := readVerified(p); err == nil || !strings.Contains(err.Error(), "sha256") || !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("wrong file: %v", err)
	}
	t.Setenv(EchartsEnv, filepath.Join(dir, "missing.js"))
	if _, err := EchartsPath(); err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("missing file: %v", err)
	}
	// Without the variable: found under the module root, or an error that
	// names the place and the command.
	t.Setenv(EchartsEnv, "")
	root, err := ModuleRoot()
	mustNoErr(t, err)
	if p, err := EchartsPath(); err == nil {
		if want := filepath.Join(root, echartsRel); p != want {
			t.Errorf("path %s, want %s", p, want)
		}
		if _, err := readVerified(p); err != nil {
			t.Errorf("installed file: %v", err)
		}
	} else if !strings.Contains(err.Error(), "npm ci") || !strings.Contains(err.Error(), filepath.Join(root, echartsRel)) {
		t.Errorf("error should name the path and npm ci: %v", err)
	}
}

func TestNilWidgetsReportErrors(t *testing.T) {
	withFront(t, &fakeFront{notebook: true})
	var f *Figure
	var an *Animation
	var ct *CouplingTable
	var h *Heatmap
	var tb *Table
	dir := t.TempDir()
	p := filepath.Join(dir, "x")
	calls := map[string]func() error{
		"Figure.Display": f.Display, "Figure.DisplayStatic": f.DisplayStatic,
		"Figure.SaveHTML": func() error { return f.SaveHTML(p) }, "Figure.SavePNG": func() error { return f.SavePNG(p, 10, 10) },
		"Figure.SaveSVG":    func() error { return f.SaveSVG(p, 10, 10) },
		"Animation.Display": an.Display, "Animation.DisplayStatic": an.DisplayStatic,
		"Animation.SaveGIF": func() error { return an.SaveGIF(p, 10, 10) }, "Animation.SaveHTML": func() error { return an.SaveHTML(p) },
		"Animation.SavePNG":     func() error { return an.SavePNG(p, 10, 10) },
		"CouplingTable.Display": ct.Display, "CouplingTable.DisplayStatic": ct.DisplayStatic,
		"CouplingTable.SaveHTML": func() error { return ct.SaveHTML(p) }, "CouplingTable.SavePNG": func() error { return ct.SavePNG(p, 10, 10) },
		"Heatmap.Display": h.Display, "Heatmap.DisplayStatic": h.DisplayStatic, "Heatmap.SaveHTML": func() error { return h.SaveHTML(p) },
		"Table.Display": tb.Display, "Table.DisplayStatic": tb.DisplayStatic, "Table.SaveHTML": func() error { return tb.SaveHTML(p) },
		"WritePage": func() error { return WritePage(&bytes.Buffer{}, "x", nil) },
	}
	for name, c := range calls {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s panicked: %v", name, r)
				}
			}()
			if err := c(); err == nil {
				t.Errorf("%s: no error", name)
			}
		}()
	}
}

func TestPairFitProgressParsesReport(t *testing.T) {
	ff := &fakeFront{notebook: true}
	withFront(t, ff)
	p := NewPairFitProgress("fit", 2, ProgressOptions{MinInterval: time.Nanosecond})
	fmt.Fprintf(p, "%3d %.3f %.3f transport:%.3f objective:%.3f\n", 0, -3.872, -3.894, 0.011, -7.766)
	fmt.Fprintf(p, "%3d %.3f %.3f transport:%.3f objective:%.3f\n", 1, -3.848, -3.867, 0.026, -7.716)
	p.Done()
	if len(p.panels) != 2 || len(p.panels[0].curves) != 3 || len(p.panels[1].curves[0].y) != 2 {
		t.Fatalf("chart data: %+v", p.panels)
	}
	if got := p.panels[1].curves[0].y[1]; got != 0.026 {
		t.Errorf("transport at iteration 1: %v, want 0.026", got)
	}
	if p.step != 2 {
		t.Errorf("step %d, want 2", p.step)
	}
}

func TestProgressHidesLinesWhenAsked(t *testing.T) {
	ff := &fakeFront{notebook: true}
	withFront(t, ff)
	p := NewProgress("re-run", 2, ProgressOptions{MinInterval: time.Nanosecond, KeepLines: -1})
	fmt.Fprintf(p, "  0 secret line\n  1 secret line\n")
	p.Done()
	ups := ff.updates["cell-1"]
	last := ups[len(ups)-1]
	if strings.Contains(last, "secret") || !strings.Contains(last, `value="2" max="2"`) {
		t.Errorf("KeepLines -1 should count lines without showing them: %s", last)
	}
}
