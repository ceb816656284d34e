package widgets

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"
)

// ProgressOptions configures [NewProgress].
type ProgressOptions struct {
	// Out receives the plain lines outside a notebook; nil means os.Stdout.
	Out io.Writer
	// MinInterval is the least time between two in-place notebook updates
	// (the final state always shows); 0 means 100 ms.
	MinInterval time.Duration
	// KeepLines is how many report lines stay visible under the bar in a
	// notebook while the loop runs; 0 means 6. At Done all of them go into a
	// collapsed list. Negative: report lines only count steps and are not
	// shown (in a notebook).
	KeepLines int
	// ChartWidth and ChartHeight size the chart of the values given to
	// Point (a PNG redrawn with each in-place update); 0 means 620 × 260.
	ChartWidth, ChartHeight int
	// ChartXLabel names the chart's x axis; "" means "step".
	ChartXLabel string
}

// Progress is a live progress display for long loops (EM steps, flow
// steps). In a GoNB cell it is one output updated in place: a bar, the count,
// elapsed time and an estimate of the time left, and the latest report lines.
// Outside a notebook it prints plain lines: every report line, and a status
// line at the first update, every tenth of the way and at Done.
//
// It plugs into otkit's hooks: pass it as an io.Writer to EMOptions.Report or
// PairFitOptions.Report (each line counts as one step), or its OnStep method
// to FlowOptions.OnStep. It is safe for concurrent use.
type Progress struct {
	mu        sync.Mutex
	label     string
	total     int
	step      int
	msg       string
	lines     []string // all report lines
	panels    []progressPanel
	chartW    int
	chartH    int
	chartX    string
	partial   bytes.Buffer
	start     time.Time
	last      time.Time
	lastTenth int
	id        string
	notebook  bool
	out       io.Writer
	interval  time.Duration
	keep      int
	done      bool
	now       func() time.Time
}

// NewProgress starts a progress display for total steps (total ≤ 0 when the
// count is unknown). In a notebook the display appears at once.
func NewProgress(label string, total int, opt ProgressOptions) *Progress {
	p := &Progress{
		label: label, total: total, out: opt.Out, interval: opt.MinInterval, keep: opt.KeepLines,
		chartW: sizeOr(opt.ChartWidth, 620), chartH: sizeOr(opt.ChartHeight, 260), chartX: opt.ChartXLabel,
		notebook: front.isNotebook(), now: time.Now, lastTenth: -1,
	}
	if p.out == nil {
		p.out = os.Stdout
	}
	if p.interval == 0 {
		p.interval = 100 * time.Millisecond
	}
	if p.keep == 0 {
		p.keep = 6
	}
	p.start = p.now()
	if p.notebook {
		p.id = front.uniqueID()
		front.updateHTML(p.id, p.html())
		p.last = p.start
	}
	return p
}

// Update records that step steps are done, with an optional message (for
// example the current objective), and refreshes the display.
func (p *Progress) Update(step int, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.step, p.msg = step, msg
	p.refresh(false, false)
}

// OnStep has the signature of otkit's FlowOptions.OnStep, which is called
// after the evaluations at steps 0, 1, …, Steps: it records step gradient
// steps done and shows the objective value. Use total = FlowOptions.Steps.
func (p *Progress) OnStep(step int, value float64) {
	p.Update(step, fmt.Sprintf("value %.5f", value))
}

// Write takes report text (otkit's EMOptions.Report, PairFitOptions.Report):
// each complete line counts as one step and is shown (in a notebook) or
// printed (outside).
func (p *Progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial.Write(b)
	for {
		line, err := p.partial.ReadString('\n')
		if err != nil {
			// Keep the incomplete line for the next Write.
			rest := line
			p.partial.Reset()
			p.partial.WriteString(rest)
			break
		}
		line = strings.TrimRight(line, "\r\n")
		p.step++
		p.msg = ""
		p.lines = append(p.lines, line)
		if !p.notebook {
			fmt.Fprintln(p.out, line)
		}
		p.refresh(false, true)
	}
	return len(b), nil
}

// Done shows the final state. Later calls do nothing.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	if p.partial.Len() > 0 {
		p.lines = append(p.lines, p.partial.String())
		if !p.notebook {
			fmt.Fprintln(p.out, p.partial.String())
		}
		p.partial.Reset()
	}
	p.done = true
	p.refresh(true, false)
	if p.notebook {
		front.sync()
	}
}

// refresh updates the notebook output (throttled) or prints a status line
// (at the first update, every tenth of the way, the last step and Done; every
// update when the total is unknown, except for report lines, which are
// printed themselves).
func (p *Progress) refresh(final, fromReport bool) {
	now := p.now()
	if p.notebook {
		if final || p.step == p.total || now.Sub(p.last) >= p.interval {
			front.updateHTML(p.id, p.html())
			p.last = now
		}
		return
	}
	tenth := -1
	if p.total > 0 {
		tenth = 10 * p.step / p.total
	}
	print := final
	switch {
	case p.total <= 0:
		print = print || !fromReport
	case p.step == p.total, tenth != p.lastTenth:
		print = true
	}
	p.lastTenth = tenth
	if print {
		fmt.Fprintln(p.out, p.status(now))
	}
}

// status is the one-line summary.
func (p *Progress) status(now time.Time) string {
	el := now.Sub(p.start)
	var b strings.Builder
	if p.label != "" {
		b.WriteString(p.label)
		b.WriteString(": ")
	}
	if p.total > 0 {
		fmt.Fprintf(&b, "%d/%d (%d%%)", p.step, p.total, 100*p.step/p.total)
	} else {
		fmt.Fprintf(&b, "%d", p.step)
	}
	fmt.Fprintf(&b, " elapsed %s", fmtDuration(el))
	if p.total > 0 && p.step > 0 && p.step < p.total && !p.done {
		left := time.Duration(float64(el) * float64(p.total-p.step) / float64(p.step))
		fmt.Fprintf(&b, ", about %s left", fmtDuration(left))
	}
	if p.done {
		b.WriteString(", done")
	}
	if p.msg != "" {
		b.WriteString(" · ")
		b.WriteString(p.msg)
	}
	return b.String()
}

func fmtDuration(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func (p *Progress) html() string {
	var b strings.Builder
	b.WriteString(`<div style="font:13px monospace;padding:2px 0">`)
	if p.total > 0 {
		fmt.Fprintf(&b, `<progress value="%d" max="%d" style="width:280px;vertical-align:middle"></progress> `, min(p.step, p.total), p.total)
	}
	b.WriteString(html.EscapeString(p.status(p.now())))
	if img := p.chartHTML(); img != "" {
		b.WriteString(`<div>` + img + `</div>`)
	}
	if p.keep < 0 {
		// Lines counted, not shown.
	} else if len(p.lines) > 0 && !p.done {
		b.WriteString(`<pre style="margin:4px 0 0 0">`)
		b.WriteString(html.EscapeString(strings.Join(p.lines[max(0, len(p.lines)-p.keep):], "\n")))
		b.WriteString(`</pre>`)
	}
	if len(p.lines) > 0 && p.done && p.keep >= 0 {
		// Collapsed: the numbers stay in the notebook without filling it.
		fmt.Fprintf(&b, `<details style="margin:4px 0 0 0"><summary>the %d report lines</summary><pre style="margin:4px 0 0 0">`, len(p.lines))
		b.WriteString(html.EscapeString(strings.Join(p.lines, "\n")))
		b.WriteString(`</pre></details>`)
	}
	b.WriteString(`</div>`)
	return b.String()
}

// progressPanel is one set of axes of the progress chart.
type progressPanel struct {
	title  string
	curves []progressCurve
}

type progressCurve struct {
	name string
	x, y []float64
}

// Point adds (x, y) to the curve named curve on the axes named panel (both
// created on first use, in order) and refreshes the display: in a notebook
// the chart under the bar grows as the loop runs (for example the objective
// per EM iteration). Call it before Write or Update for the same step. A
// non-finite value is skipped. Outside a notebook it only records the point.
func (p *Progress) Point(panel, curve string, x, y float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pi := -1
	for i := range p.panels {
		if p.panels[i].title == panel {
			pi = i
		}
	}
	if pi < 0 {
		p.panels = append(p.panels, progressPanel{title: panel})
		pi = len(p.panels) - 1
	}
	pp := &p.panels[pi]
	ci := -1
	for i := range pp.curves {
		if pp.curves[i].name == curve {
			ci = i
		}
	}
	if ci < 0 {
		pp.curves = append(pp.curves, progressCurve{name: curve})
		ci = len(pp.curves) - 1
	}
	c := &pp.curves[ci]
	c.x, c.y = append(c.x, x), append(c.y, y)
}

// chartHTML draws the recorded curves as an inline PNG (static, so that the
// saved notebook shows it in every renderer), or "" without points.
func (p *Progress) chartHTML() string {
	if len(p.panels) == 0 || !p.notebook {
		return ""
	}
	var lps []LinePanel
	for _, pp := range p.panels {
		lp := LinePanel{Title: pp.title, XLabel: p.chartX}
		if lp.XLabel == "" {
			lp.XLabel = "step"
		}
		for _, c := range pp.curves {
			lp.Series = append(lp.Series, Series{Name: c.name, X: c.x, Y: c.y, Markers: len(c.x) < 40})
		}
		lps = append(lps, lp)
	}
	f, err := LinePanels(LinePlotOptions{Width: p.chartW, Height: p.chartH}, lps...)
	if err != nil {
		return "<!-- " + html.EscapeString(err.Error()) + " -->"
	}
	png, err := f.PNG(0, 0)
	if err != nil {
		return "<!-- " + html.EscapeString(err.Error()) + " -->"
	}
	return staticImage(png, p.label, p.chartW, p.chartH)
}
