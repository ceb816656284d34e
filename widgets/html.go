package widgets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"strings"

	"github.com/go-echarts/go-echarts/v2/render"
)

// libraryScript wraps echarts.min.js so that it always defines
// window.echarts. The classic Notebook and nbconvert's HTML pages load
// RequireJS, and echarts' UMD header would then register an AMD module and
// leave window.echarts undefined. Shadowing define, exports and module with
// undefined parameters makes the header take its browser-global branch. The
// test on window.echarts keeps a second copy (a second Setup cell) from
// re-running the 1 MB library.
func libraryScript(js string) string {
	js = strings.ReplaceAll(js, "</script", `<\/script`)
	return "<script>/* echarts " + EchartsVersion + " (Apache-2.0), put into the page by gootlab widgets */\n" +
		"if (typeof window.echarts === \"undefined\") { (function (define, exports, module) {\n" +
		js + "\n}).call(window); }\n</script>\n"
}

// missingNote is what a chart shows in place of itself when the page holds
// no echarts library (a notebook whose Setup cell did not run or whose output
// was cleared).
const missingNote = `<p style="font:14px sans-serif;color:#a00;border:1px solid #a00;padding:8px">` +
	`The interactive chart needs the echarts library, which is not loaded in this page (below: its static image). ` +
	`Run a cell with <code>widgets.Setup()</code> above this one (or run the notebook from the top). ` +
	`The library is installed by <code>npm ci</code> at the repository root.</p>`

// pageCSS styles every widget; it is put once into standalone pages and into
// each notebook output (it is small).
const pageCSS = `<style>
.otlab-chart{margin:6px 0}
.otlab-player{font:13px sans-serif;display:flex;align-items:center;gap:8px;margin:4px 0 10px 56px}
.otlab-player button{min-width:76px}
.otlab-player input[type=range]{flex:0 1 420px}
table.otlab-coupling{border-collapse:collapse;font:13px monospace;margin:6px 0}
table.otlab-coupling caption{font:14px sans-serif;text-align:left;padding:4px 0}
table.otlab-coupling th,table.otlab-coupling td{border:1px solid #ccc;padding:3px 8px;text-align:right}
table.otlab-coupling th{background:#f4f4f4;font-weight:normal}
table.otlab-coupling td.sum{background:#fafafa}
table.otlab-coupling td.off{color:#b00000;font-weight:bold}
</style>
`

// snippetSource is a go-echarts chart.
type snippetSource interface {
	RenderSnippet() render.ChartSnippet
}

// chartHTML turns a go-echarts chart into a div plus an init script. It uses
// the snippet's element and option but its own script: the script guards
// against a missing library, keeps its variables out of the page's global
// scope (go-echarts declares `let goecharts_ID` globally, which breaks when a
// notebook cell is re-run), and lets a widget add code after setOption
// (extra sees the variables chart and el).
//
// static is HTML put inside the chart element (a PNG of the same chart, see
// staticImage): renderers without JavaScript, and untrusted notebooks whose
// scripts are stripped, show it; the script removes it before echarts draws.
func chartHTML(c snippetSource, id, static, before, after, extra string) (out string, err error) {
	// go-echarts panics on template errors and drops JSON errors; turn both
	// into errors so that a notebook cell never panics.
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("widgets: rendering chart: %v", r)
		}
	}()
	if j, ok := c.(interface{ JSON() map[string]interface{} }); ok {
		if _, err := json.Marshal(j.JSON()); err != nil {
			return "", fmt.Errorf("widgets: chart options: %v", err)
		}
	}
	s := c.RenderSnippet()
	// Bootstrap's .container (classic Notebook) adds a scrollbar under every
	// chart; our own class avoids it.
	el := strings.Replace(s.Element, `class="container"`, `class="otlab-chart"`, 1)
	if static != "" {
		// Inside the chart element, which is empty in go-echarts' snippet.
		at := strings.Index(el, `id="`+id+`"`)
		end := strings.Index(el[max(at, 0):], "></div>")
		if at < 0 || end < 0 {
			return "", fmt.Errorf("widgets: chart element of %q not found in the snippet", id)
		}
		cut := at + end + 1
		el = el[:cut] + static + el[cut:]
	}
	option := strings.ReplaceAll(strings.TrimSpace(s.Option), "</", `<\/`)
	option = strings.TrimSuffix(option, ";")
	var b strings.Builder
	b.WriteString(`<div class="otlab-widget">`)
	b.WriteString(before)
	b.WriteString(el)
	b.WriteString(after)
	b.WriteString("</div>\n<script>\n(function () {\n")
	fmt.Fprintf(&b, "var el = document.getElementById(%q);\nif (!el) { return; }\n", id)
	fmt.Fprintf(&b, "if (typeof window.echarts === \"undefined\") { el.style.height = \"auto\"; el.insertAdjacentHTML(\"afterbegin\", %q); return; }\n", missingNote)
	// The live chart replaces the static image.
	b.WriteString("el.innerHTML = \"\";\n")
	b.WriteString("var chart = window.echarts.init(el, null, {renderer: \"canvas\"});\n")
	b.WriteString("var option = ")
	b.WriteString(option)
	b.WriteString(";\nchart.setOption(option);\n")
	b.WriteString(extra)
	b.WriteString("\n})();\n</script>\n")
	return b.String(), nil
}

// fragmenter is what a standalone page or a notebook cell needs from a
// widget: its HTML with element ids starting with id.
type fragmenter interface {
	htmlFragment(id string) (string, error)
}

// needsLibrary reports whether a fragment draws with echarts.
type needsLibrary interface {
	usesEcharts() bool
}

// WritePage writes one standalone HTML page holding all the given widgets in
// order, with echarts inlined (no network needed). It is how several charts
// go into one report file, and what SaveHTML does for a single widget.
func WritePage(w io.Writer, title string, widgets ...Widget) error {
	var body strings.Builder
	lib := false
	for i, wd := range widgets {
		if wd == nil {
			return fmt.Errorf("widgets: WritePage: widget %d is nil", i)
		}
		frag, err := wd.htmlFragment(fmt.Sprintf("otlab-%d", i+1))
		if err != nil {
			return err
		}
		body.WriteString(frag)
		if n, ok := wd.(needsLibrary); ok && n.usesEcharts() {
			lib = true
		}
	}
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</title>\n")
	b.WriteString(pageCSS)
	if lib {
		js, err := EchartsJS()
		if err != nil {
			return err
		}
		b.WriteString(libraryScript(js))
	}
	b.WriteString("</head>\n<body>\n")
	b.WriteString(body.String())
	b.WriteString("</body>\n</html>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// SavePage writes [WritePage]'s page to a file.
func SavePage(path, title string, widgets ...Widget) error {
	var b bytes.Buffer
	if err := WritePage(&b, title, widgets...); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
