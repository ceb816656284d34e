package widgets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// The browser test loads the standalone page of every interactive widget in
// headless Chromium and checks that each chart drew: a canvas exists, it is
// not blank, the series are there, the animation player changes frames, and
// the console stays empty. All pages load as iframes of one harness page, so
// Chromium starts once. Missing Chromium or echarts fails the test under CI
// (env CI set) and skips it otherwise.
//
// Screenshots, the pages, the DOM after the run and the console log go to
// $OTLAB_ARTIFACTS/widgets (a fresh temporary folder when unset).

func artifactsDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("OTLAB_ARTIFACTS")
	var dir string
	if base == "" {
		d, err := os.MkdirTemp("", "otlab-artifacts-")
		mustNoErr(t, err)
		dir = filepath.Join(d, "widgets")
	} else {
		abs, err := filepath.Abs(base)
		mustNoErr(t, err)
		dir = filepath.Join(abs, "widgets")
	}
	mustNoErr(t, os.MkdirAll(dir, 0o755))
	t.Logf("artifacts in %s", dir)
	return dir
}

func findChromium() (string, error) {
	if p := os.Getenv("OTLAB_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("OTLAB_CHROMIUM=%s: %v", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium found (apt-get install chromium, or set OTLAB_CHROMIUM)")
}

// requireOrSkip fails under CI and skips elsewhere.
func requireOrSkip(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("browser test needs this under CI: %v", err)
	}
	t.Skipf("skipping the browser test (set CI to make this a failure): %v", err)
}

// probeJS runs in the harness after all iframes loaded. It inspects each
// page's charts and writes a JSON report into the DOM (not the console, which
// must stay empty).
const probeJS = `<script>
function probe(frame) {
  var doc = frame.contentDocument, win = frame.contentWindow, out = {page: frame.getAttribute("data-name"), charts: []};
  if (!doc) { out.error = "no document"; return out; }
  out.echarts = typeof win.echarts !== "undefined";
  out.text = doc.body ? doc.body.innerText.slice(0, 400) : "";
  var tab = doc.querySelector("table.otlab-coupling");
  out.table = tab ? tab.innerText : "";
  doc.querySelectorAll(".otlab-chart > div[id]").forEach(function (el) {
    var c = {id: el.id, canvases: 0, inked: 0, pixels: 0, colors: 0, series: -1};
    var seen = {};
    el.querySelectorAll("canvas").forEach(function (cv) {
      c.canvases++;
      var d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
      c.pixels += cv.width * cv.height;
      for (var i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) { c.inked++; }
        if ((i / 4) % 7 === 0) { seen[d[i] + "," + d[i + 1] + "," + d[i + 2] + "," + d[i + 3]] = 1; }
      }
    });
    c.colors = Object.keys(seen).length;
    var inst = win.echarts && win.echarts.getInstanceByDom(el);
    if (inst) { c.series = inst.getOption().series.length; c.title = (inst.getOption().title[0] || {}).text || ""; }
    if (el.otlabPlayer) {
      var p = el.otlabPlayer, last = p.count - 1;
      p.show(last);
      c.player = {count: p.count, lastTitle: inst.getOption().title[0].text, wantTitle: p.titles[last]};
      p.show(0);
      var playBtn = doc.getElementById(el.id + "-play"), scrub = doc.getElementById(el.id + "-scrub");
      if (playBtn) {
        // Play once to the end (loop off): the player must step through all frames and stop.
        doc.getElementById(el.id + "-loop").checked = false;
        playBtn.click();
      } else {
        // A slider only (ImageSweep): moving it as a user does shows that frame.
        scrub.value = 2;
        scrub.dispatchEvent(new win.Event("input"));
        c.player.slider = {frame: parseInt(el.getAttribute("data-frame"), 10), title: inst.getOption().title[1].text,
          label: doc.getElementById(el.id + "-label").textContent, width: el.clientWidth};
        c.player.stopped = true;
      }
    }
    out.charts.push(c);
  });
  return out;
}
window.addEventListener("load", function () {
  setTimeout(function () {
    var frames = Array.prototype.slice.call(document.querySelectorAll("iframe"));
    var report = frames.map(probe);
    // Watch the players until they stop (or 10 s pass), recording the
    // highest frame seen and whether they stopped.
    var t0 = Date.now();
    var watch = setInterval(function () {
      var running = false;
      frames.forEach(function (f, i) {
        report[i].charts.forEach(function (c) {
          if (!c.player || c.player.slider) { return; }
          var d = f.contentDocument, v = parseInt(d.getElementById(c.id).getAttribute("data-frame"), 10);
          c.player.afterPlay = Math.max(c.player.afterPlay || 0, v);
          c.player.stopped = /Play/.test(d.getElementById(c.id + "-play").textContent);
          running = running || !c.player.stopped;
        });
      });
      if (running && Date.now() - t0 < 10000) { return; }
      clearInterval(watch);
      var pre = document.createElement("pre");
      pre.id = "otlab-probe";
      pre.textContent = JSON.stringify(report);
      document.body.appendChild(pre);
    }, 50);
  }, 800);
});
</script>`

type probeChart struct {
	ID       string `json:"id"`
	Canvases int    `json:"canvases"`
	Inked    int    `json:"inked"`
	Pixels   int    `json:"pixels"`
	Colors   int    `json:"colors"`
	Series   int    `json:"series"`
	Title    string `json:"title"`
	Player   *struct {
		Count     int    `json:"count"`
		LastTitle string `json:"lastTitle"`
		WantTitle string `json:"wantTitle"`
		AfterPlay int    `json:"afterPlay"`
		Stopped   bool   `json:"stopped"`
		Slider    *struct {
			Frame int    `json:"frame"`
			Title string `json:"title"`
			Label string `json:"label"`
			Width int    `json:"width"`
		} `json:"slider"`
	} `json:"player"`
}

type probePage struct {
	Page    string       `json:"page"`
	Error   string       `json:"error"`
	Echarts bool         `json:"echarts"`
	Text    string       `json:"text"`
	Table   string       `json:"table"`
	Charts  []probeChart `json:"charts"`
}

func TestBrowserRendersWidgets(t *testing.T) {
	chromium, err := findChromium()
	requireOrSkip(t, err)
	_, err = EchartsJS()
	requireOrSkip(t, err)
	dir := artifactsDir(t)

	// The widgets, with data like the tutorials'.
	x := gaussCloud(1, 25, 0, 0, 0.25)
	y := gaussCloud(2, 50, 6, 0, 0.5)
	scatter, err := ScatterPlot(ScatterOptions{Title: "Source x and target y", EqualAxes: true},
		Cloud{Name: "x", Points: x}, Cloud{Name: "y", Points: y, Symbol: "x"})
	mustNoErr(t, err)
	mix, err := mixtureFigure([]mixtureData{tutorialMixture(3, 2000), tutorialMixture(4, 2000)}, MixtureOptions{Title: "Fitted pair"})
	mustNoErr(t, err)
	p, a, b := tutorialCoupling()
	table, err := NewCouplingTable(p, a, b, CouplingOptions{})
	mustNoErr(t, err)
	heat := table.Heatmap()
	xs, ys := gaussCloud(5, 8, 0, 0, 1), gaussCloud(6, 10, 4, 1, 1)
	lines, err := CouplingLines(xs, ys, nil, nil, nearestCoupling(xs, ys), LinesOptions{Title: "Coupling"})
	mustNoErr(t, err)
	an, err := NewAnimation(flowFrames(6), AnimationOptions{LinesOptions: LinesOptions{HideLines: true}, FrameRate: 4})
	mustNoErr(t, err)
	fs, err := FunctionSeries("F log F − F + 1", func(v float64) float64 {
		if v == 0 {
			return 1
		}
		return v*v - v
	}, 0, 4, 41)
	mustNoErr(t, err)
	lp, err := LinePlot(LinePlotOptions{Title: "line plot"}, fs)
	mustNoErr(t, err)

	sweep, err := NewImageSweep(ImageOptions{Title: "sweep"}, sweepFrames(5)...)
	mustNoErr(t, err)

	pages := []struct {
		name   string
		w      Widget
		series int
	}{
		{"scatter", scatter, 2}, {"mixture", mix, 12}, {"heatmap", heat, 1},
		{"lines", lines, 3}, {"animation", an, 2}, {"lineplot", lp, 1}, {"table", table, 0},
		{"imagesweep", sweep, 1},
	}
	// Every widget's own standalone page is kept as an artifact; the browser
	// loads one standalone page holding them all (SavePage, the same code
	// path), so echarts is parsed once rather than once per widget.
	var all []Widget
	for _, pg := range pages {
		mustNoErr(t, pg.w.SaveHTML(filepath.Join(dir, pg.name+".html")))
		all = append(all, pg.w)
	}
	mustNoErr(t, SavePage(filepath.Join(dir, "all.html"), "all widgets", all...))
	var frames strings.Builder
	frames.WriteString(`<iframe data-name="all" src="all.html" width="980" height="3800" style="display:block;border:0"></iframe>` + "\n")
	// A page whose scatter sits behind a fake AMD loader (as the classic
	// Notebook's RequireJS): the library must still define window.echarts.
	var sb bytes.Buffer
	mustNoErr(t, scatter.WriteHTML(&sb))
	amd := strings.Replace(sb.String(), "<head>", "<head>\n<script>window.define = function () {}; window.define.amd = {};</script>", 1)
	mustNoErr(t, os.WriteFile(filepath.Join(dir, "amd.html"), []byte(amd), 0o644))
	frames.WriteString(`<iframe data-name="amd" src="amd.html" width="980" height="540" style="display:block;border:0"></iframe>` + "\n")
	// A chart without the library in the page (a notebook without Setup):
	// the guard shows its note instead of failing.
	frag, err := scatter.htmlFragment("nolib")
	mustNoErr(t, err)
	mustNoErr(t, os.WriteFile(filepath.Join(dir, "nolib.html"), []byte("<!DOCTYPE html><html><body>"+frag+"</body></html>"), 0o644))
	frames.WriteString(`<iframe data-name="nolib" src="nolib.html" width="980" height="160" style="display:block;border:0"></iframe>` + "\n")
	harness := "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>widgets browser test</title></head><body>\n" +
		frames.String() + probeJS + "\n</body></html>\n"
	hpath := filepath.Join(dir, "harness.html")
	mustNoErr(t, os.WriteFile(hpath, []byte(harness), 0o644))

	profile := t.TempDir()
	shot := filepath.Join(dir, "screenshot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stderr strings.Builder
	start := time.Now()
	br, err := startChromium(ctx, chromium, profile, &stderr,
		"--allow-file-access-from-files", "--enable-logging=stderr", "--v=0", "--hide-scrollbars")
	mustNoErr(t, err)
	run, runErr := br.runPage(ctx, "file://"+hpath, 1000, 4600)
	br.close()
	t.Logf("chromium ran %.1f s", time.Since(start).Seconds())
	if run != nil {
		t.Logf("phases: %s", strings.Join(run.timings, ", "))
	}
	log := (&lockedWriter{b: &stderr}).String()
	_ = os.WriteFile(filepath.Join(dir, "chromium-stderr.txt"), []byte(log), 0o644)
	if runErr != nil {
		t.Fatalf("chromium: %v (after %.0f s)\n%s", runErr, time.Since(start).Seconds(), tail(chromiumErrors(log), 3000))
	}
	_ = os.WriteFile(filepath.Join(dir, "dom.html"), []byte(run.dom), 0o644)
	mustNoErr(t, os.WriteFile(shot, run.screenshot, 0o644))

	// No console output at all (errors, warnings and logs alike), seen both
	// through DevTools and in Chromium's own log.
	console := run.console
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "INFO:CONSOLE") {
			console = append(console, l)
		}
	}
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}

	var report []probePage
	mustNoErr(t, json.Unmarshal([]byte(run.probe), &report))
	byName := map[string]probePage{}
	for _, r := range report {
		byName[r.Page] = r
	}
	check := func(name string, c probeChart, series int) {
		if c.Canvases == 0 || c.Pixels == 0 {
			t.Errorf("%s: no canvas", name)
			return
		}
		if frac := float64(c.Inked) / float64(c.Pixels); frac < 0.01 || c.Colors < 5 {
			t.Errorf("%s: canvas looks blank: %.4f inked, %d colours", name, frac, c.Colors)
		}
		if c.Series != series {
			t.Errorf("%s: %d series drawn, want %d", name, c.Series, series)
		}
	}
	r := byName["all"]
	charts := map[string]probeChart{}
	for _, c := range r.Charts {
		charts[c.ID] = c
	}
	if !r.Echarts {
		t.Errorf("all widgets: echarts not loaded")
	}
	for i, pg := range pages {
		c, ok := charts[fmt.Sprintf("otlab-%d", i+1)]
		if pg.series == 0 {
			if ok {
				t.Errorf("%s: unexpected chart", pg.name)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: no chart in the page", pg.name)
			continue
		}
		check(pg.name, c, pg.series)
		if pg.name == "animation" {
			if c.Player == nil {
				t.Errorf("animation: no player")
			} else if c.Player.Count != 6 || c.Player.LastTitle != c.Player.WantTitle || c.Player.AfterPlay != 5 || !c.Player.Stopped {
				t.Errorf("animation player: %+v", *c.Player)
			}
		}
		if pg.name == "imagesweep" {
			// The slider moved to frame 2 shows it, and the chart has its
			// live size (the element starts at the static grid's).
			if c.Player == nil || c.Player.Slider == nil {
				t.Errorf("image sweep: no slider")
			} else if s := c.Player.Slider; c.Player.Count != 5 || s.Frame != 2 || s.Title != "t = c" || s.Label != "t = c" || s.Width != sweep.width {
				t.Errorf("image sweep slider: %d frames, %+v, want frame 2 \"t = c\" at width %d", c.Player.Count, *s, sweep.width)
			}
		}
	}
	if !strings.Contains(r.Table, "Mass transfer") || !strings.Contains(r.Table, "0.32001") {
		t.Errorf("coupling table text missing: %q", r.Table)
	}
	if a := byName["amd"]; !a.Echarts || len(a.Charts) != 1 {
		t.Errorf("page with an AMD loader: echarts %v, %d charts", a.Echarts, len(a.Charts))
	} else {
		check("amd", a.Charts[0], 2)
	}
	if nl := byName["nolib"]; nl.Echarts || len(nl.Charts) != 1 || nl.Charts[0].Canvases != 0 || !strings.Contains(nl.Text, "widgets.Setup()") {
		t.Errorf("page without the library should show the note: %+v", nl)
	}

	// The screenshot, analysed in Go: the right size and far from blank.
	sb2, err := os.ReadFile(shot)
	mustNoErr(t, err)
	img, err := png.Decode(bytes.NewReader(sb2))
	mustNoErr(t, err)
	checkImage(t, img, 1000, 4600)
}

// nearestCoupling is a coupling concentrated on nearby pairs, like an entropic
// plan at small ε: P_ij ∝ exp(−|x_i − y_j|²), normalised to mass 1.
func nearestCoupling(x, y *mat.Dense) *mat.Dense {
	n, _ := x.Dims()
	m, _ := y.Dims()
	p := mat.NewDense(n, m, nil)
	s := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			dx, dy := x.At(i, 0)-y.At(j, 0)+4, x.At(i, 1)-y.At(j, 1)
			v := math.Exp(-(dx*dx + dy*dy))
			p.Set(i, j, v)
			s += v
		}
	}
	p.Scale(1/s, p)
	return p
}

// chromiumErrors drops the D-Bus and GPU noise of a headless run without a
// session bus.
func chromiumErrors(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "dbus") || strings.Contains(l, "vaapi") || strings.Contains(l, "sandbox_linux") ||
			strings.Contains(l, "idle_linux") || strings.Contains(l, "bluez") || strings.TrimSpace(l) == "" {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
