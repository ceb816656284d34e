package widgets

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// CouplingOptions configures [NewCouplingTable] and [NewHeatmap].
type CouplingOptions struct {
	// Caption above the table; default "Mass transfer, rows = source, columns = destination".
	Caption string
	// RowLabels and ColLabels name the rows (source components) and columns
	// (destination components); default "0", "1", ….
	RowLabels, ColLabels []string
	// Digits after the decimal point; 0 means 5.
	Digits int
	// Tol is the largest |marginal − weight| shown as a match; 0 means 1e-3
	// (Sinkhorn's default threshold).
	Tol float64
	// Width and Height of the heatmap and of static images, in pixels; 0
	// picks a size from the matrix shape.
	Width, Height int
	// Unbalanced adds the reweighting factors of an unbalanced coupling: a
	// point leaving source component i is scaled by "leaves ×" = row sum / a_i,
	// one arriving in destination component j by "arrives ×" = b_j / column sum
	// (the tutorial's reading). Balanced tables leave them out: there a sum
	// that differs from its weight means the solve did not converge.
	Unbalanced bool
}

// CouplingTable shows a coupling matrix P (rows = source components, columns
// = destination components) with heat shading, its row and column sums, and
// how they compare with the mixtures' weights a and b: the tutorial's "mass
// transfer" table. For an unbalanced coupling the ratio columns are the
// reweighting factors (outflow / mass of a source component, inflow / mass of
// a destination component).
//
// It renders as an HTML table in notebooks and pages, as plain text through
// String (the fallback in notebook front ends without HTML), and as an
// annotated heatmap for static images.
type CouplingTable struct {
	p                    *mat.Dense
	a, b                 []float64 // may be nil
	rowSums, colSums     []float64
	total                float64
	rowLabels, colLabels []string
	caption              string
	unbalanced           bool
	digits               int
	tol                  float64
	width, height        int
}

var _ Widget = (*CouplingTable)(nil)

// checkCoupling validates a coupling and weights of matching shape.
func checkCoupling(p mat.Matrix, a, b []float64) (*mat.Dense, error) {
	if p == nil {
		return nil, fmt.Errorf("widgets: coupling is nil")
	}
	n, m := p.Dims()
	if n == 0 || m == 0 {
		return nil, fmt.Errorf("widgets: coupling is empty (%d×%d)", n, m)
	}
	if a != nil && len(a) != n {
		return nil, fmt.Errorf("widgets: coupling has %d rows but %d source weights", n, len(a))
	}
	if b != nil && len(b) != m {
		return nil, fmt.Errorf("widgets: coupling has %d columns but %d destination weights", m, len(b))
	}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := p.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("widgets: coupling entry (%d,%d) = %v is not finite", i, j, v)
			}
			if v < 0 {
				return nil, fmt.Errorf("widgets: coupling entry (%d,%d) = %v is negative", i, j, v)
			}
		}
	}
	for k, w := range [][]float64{a, b} {
		name := [2]string{"source", "destination"}[k]
		for i, v := range w {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("widgets: %s weight %d = %v, want a finite value ≥ 0", name, i, v)
			}
		}
	}
	return mat.DenseCopyOf(p), nil
}

// NewCouplingTable builds the table of coupling p against the source weights
// a (length = rows) and destination weights b (length = columns); a or b may
// be nil to leave that comparison out. The matrix may be rectangular (two
// mixtures with different numbers of components). A negative, NaN or
// infinite entry, or weights whose lengths do not match the shape, is an
// error.
func NewCouplingTable(p mat.Matrix, a, b []float64, opt CouplingOptions) (*CouplingTable, error) {
	d, err := checkCoupling(p, a, b)
	if err != nil {
		return nil, err
	}
	n, m := d.Dims()
	t := &CouplingTable{p: d, a: clone(a), b: clone(b), caption: opt.Caption, digits: opt.Digits, tol: opt.Tol, unbalanced: opt.Unbalanced}
	if t.caption == "" {
		t.caption = "Mass transfer, rows = source, columns = destination"
	}
	if t.digits <= 0 {
		t.digits = 5
	}
	if t.tol <= 0 {
		t.tol = 1e-3
	}
	if t.rowLabels, err = labels(opt.RowLabels, n, "row"); err != nil {
		return nil, err
	}
	if t.colLabels, err = labels(opt.ColLabels, m, "column"); err != nil {
		return nil, err
	}
	t.rowSums = make([]float64, n)
	t.colSums = make([]float64, m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := d.At(i, j)
			t.rowSums[i] += v
			t.colSums[j] += v
			t.total += v
		}
	}
	t.width = sizeOr(opt.Width, min(900, 160+90*m))
	t.height = sizeOr(opt.Height, min(700, 140+60*n))
	return t, nil
}

func clone(s []float64) []float64 {
	if s == nil {
		return nil
	}
	return append([]float64(nil), s...)
}

func labels(given []string, n int, what string) ([]string, error) {
	if given == nil {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out, nil
	}
	if len(given) != n {
		return nil, fmt.Errorf("widgets: %d %s labels for %d %ss", len(given), what, n, what)
	}
	return append([]string(nil), given...), nil
}

// RowSums returns P·1, the mass leaving each source component.
func (t *CouplingTable) RowSums() []float64 { return clone(t.rowSums) }

// ColSums returns Pᵀ·1, the mass reaching each destination component.
func (t *CouplingTable) ColSums() []float64 { return clone(t.colSums) }

// Total returns the total mass ΣP (1 for a balanced coupling of probability
// weights; less for an unbalanced one).
func (t *CouplingTable) Total() float64 { return t.total }

func (t *CouplingTable) num(v float64) string { return fmt.Sprintf("%.*f", t.digits, v) }

func (t *CouplingTable) maxEntry() float64 {
	mx := 0.0
	r, c := t.p.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			mx = math.Max(mx, t.p.At(i, j))
		}
	}
	return mx
}

// factor is num/den written as a reweighting factor, e.g. "×1.560".
func factor(num, den float64) string {
	if den == 0 {
		if num == 0 {
			return "–"
		}
		return "∞"
	}
	return fmt.Sprintf("×%.3f", num/den)
}

// note is the line under the table: what red sums mean and, for an
// unbalanced coupling, what the factors are.
func (t *CouplingTable) note() string {
	if t.a == nil && t.b == nil {
		return ""
	}
	if t.unbalanced {
		return fmt.Sprintf("Sums marked differ from the weights by more than %g, as an unbalanced coupling may. "+
			"A point leaving source component i is reweighted by leaves × = row sum / a_i, "+
			"and arriving in destination component j by arrives × = b_j / column sum.", t.tol)
	}
	if !t.offMarginals() {
		return ""
	}
	return fmt.Sprintf("Sums marked differ from the weights by more than %g: this coupling does not meet "+
		"the balanced problem's marginal constraints (the solve that gave it did not converge).", t.tol)
}

// offMarginals reports whether a row or column sum differs from its weight.
func (t *CouplingTable) offMarginals() bool {
	for i := range t.a {
		if math.Abs(t.rowSums[i]-t.a[i]) > t.tol {
			return true
		}
	}
	for j := range t.b {
		if math.Abs(t.colSums[j]-t.b[j]) > t.tol {
			return true
		}
	}
	return false
}

// HTML returns the table as an HTML fragment (a <table> element).
func (t *CouplingTable) HTML() string {
	n, m := t.p.Dims()
	mx := t.maxEntry()
	var b strings.Builder
	b.WriteString(`<table class="otlab-coupling">`)
	fmt.Fprintf(&b, "<caption>%s (total mass %s)</caption>\n", html.EscapeString(t.caption), t.num(t.total))
	b.WriteString("<tr><th>source \\ destination</th>")
	for _, l := range t.colLabels {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(l))
	}
	b.WriteString("<th>row sum</th>")
	if t.a != nil {
		b.WriteString("<th>weight a</th>")
		if t.unbalanced {
			b.WriteString("<th>leaves ×<br>(sum / a)</th>")
		}
	}
	b.WriteString("</tr>\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "<tr><th>%s</th>", html.EscapeString(t.rowLabels[i]))
		for j := 0; j < m; j++ {
			v := t.p.At(i, j)
			shade := 0.0
			if mx > 0 {
				shade = v / mx
			}
			fg := "#000"
			if shade > 0.6 {
				fg = "#fff"
			}
			fmt.Fprintf(&b, `<td style="background:%s;color:%s" title="P[%d,%d]">%s</td>`, heatColor(shade), fg, i, j, t.num(v))
		}
		cls := "sum"
		if t.a != nil && math.Abs(t.rowSums[i]-t.a[i]) > t.tol {
			cls = "sum off"
		}
		fmt.Fprintf(&b, `<td class="%s">%s</td>`, cls, t.num(t.rowSums[i]))
		if t.a != nil {
			fmt.Fprintf(&b, `<td class="sum">%s</td>`, t.num(t.a[i]))
			if t.unbalanced {
				fmt.Fprintf(&b, `<td class="sum">%s</td>`, factor(t.rowSums[i], t.a[i]))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("<tr><th>column sum</th>")
	for j := 0; j < m; j++ {
		cls := "sum"
		if t.b != nil && math.Abs(t.colSums[j]-t.b[j]) > t.tol {
			cls = "sum off"
		}
		fmt.Fprintf(&b, `<td class="%s">%s</td>`, cls, t.num(t.colSums[j]))
	}
	fmt.Fprintf(&b, `<td class="sum">%s</td>`, t.num(t.total))
	if t.a != nil {
		b.WriteString(`<td class="sum"></td>`)
		if t.unbalanced {
			b.WriteString(`<td class="sum"></td>`)
		}
	}
	b.WriteString("</tr>\n")
	if t.b != nil {
		b.WriteString("<tr><th>weight b</th>")
		for j := 0; j < m; j++ {
			fmt.Fprintf(&b, `<td class="sum">%s</td>`, t.num(t.b[j]))
		}
		b.WriteString("</tr>\n")
		if t.unbalanced {
			b.WriteString("<tr><th>arrives ×<br>(b / sum)</th>")
			for j := 0; j < m; j++ {
				fmt.Fprintf(&b, `<td class="sum">%s</td>`, factor(t.b[j], t.colSums[j]))
			}
			b.WriteString("</tr>\n")
		}
	}
	b.WriteString("</table>\n")
	if n := t.note(); n != "" {
		b.WriteString(`<div style="font:12px sans-serif;color:#555;max-width:640px">` +
			strings.Replace(html.EscapeString(n), "Sums marked", "Red sums", 1) + `</div>`)
	}
	return b.String()
}

// String returns the table as aligned plain text, the fallback for front
// ends without HTML and for programs printing to a terminal.
func (t *CouplingTable) String() string {
	n, m := t.p.Dims()
	rows := [][]string{{"src\\dst"}}
	rows[0] = append(rows[0], t.colLabels...)
	rows[0] = append(rows[0], "row sum")
	if t.a != nil {
		rows[0] = append(rows[0], "a")
		if t.unbalanced {
			rows[0] = append(rows[0], "leaves×")
		}
	}
	for i := 0; i < n; i++ {
		r := []string{t.rowLabels[i]}
		for j := 0; j < m; j++ {
			r = append(r, t.num(t.p.At(i, j)))
		}
		sum := t.num(t.rowSums[i])
		if t.a != nil && math.Abs(t.rowSums[i]-t.a[i]) > t.tol {
			sum += "*"
		}
		r = append(r, sum)
		if t.a != nil {
			r = append(r, t.num(t.a[i]))
			if t.unbalanced {
				r = append(r, factor(t.rowSums[i], t.a[i]))
			}
		}
		rows = append(rows, r)
	}
	r := []string{"col sum"}
	for j := 0; j < m; j++ {
		s := t.num(t.colSums[j])
		if t.b != nil && math.Abs(t.colSums[j]-t.b[j]) > t.tol {
			s += "*"
		}
		r = append(r, s)
	}
	rows = append(rows, append(r, t.num(t.total)))
	if t.b != nil {
		rb := []string{"b"}
		rr := []string{"arrives×"}
		for j := 0; j < m; j++ {
			rb = append(rb, t.num(t.b[j]))
			rr = append(rr, factor(t.b[j], t.colSums[j]))
		}
		rows = append(rows, rb)
		if t.unbalanced {
			rows = append(rows, rr)
		}
	}
	width := map[int]int{}
	for _, r := range rows {
		for j, c := range r {
			width[j] = max(width[j], len([]rune(c)))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (total mass %s)\n", t.caption, t.num(t.total))
	for _, r := range rows {
		for j, c := range r {
			if j > 0 {
				b.WriteString("  ")
			}
			b.WriteString(strings.Repeat(" ", width[j]-len([]rune(c))))
			b.WriteString(c)
		}
		b.WriteString("\n")
	}
	if n := t.note(); n != "" {
		b.WriteString(strings.Replace(n, "Sums marked", "Sums marked *", 1) + "\n")
	}
	return b.String()
}

// WriteText writes [CouplingTable.String] to w.
func (t *CouplingTable) WriteText(w io.Writer) error {
	_, err := io.WriteString(w, t.String())
	return err
}

func (t *CouplingTable) htmlFragment(id string) (string, error) {
	if t == nil {
		return "", errNil("CouplingTable")
	}
	return `<div class="otlab-widget" id="` + html.EscapeString(id) + `">` + t.HTML() + "</div>\n", nil
}

// Display shows the table in the running GoNB cell, as HTML with the plain
// text as the alternative representation.
func (t *CouplingTable) Display() error {
	if t == nil {
		return errNil("CouplingTable")
	}
	if !front.isNotebook() {
		return ErrNotNotebook
	}
	front.displayRich(pageCSS+t.HTML(), t.String())
	front.sync()
	return front.err()
}

// DisplayStatic shows the annotated heatmap as a PNG.
func (t *CouplingTable) DisplayStatic() error {
	b, err := t.PNG(0, 0)
	if err != nil {
		return err
	}
	return displayPNG(b)
}

// WriteHTML writes a standalone page with the table (no script needed).
func (t *CouplingTable) WriteHTML(w io.Writer) error {
	if t == nil {
		return errNil("CouplingTable")
	}
	return WritePage(w, t.caption, t)
}

// SaveHTML writes that page to path.
func (t *CouplingTable) SaveHTML(path string) error { return saveHTML(t, path) }

// Heatmap returns the coupling as an interactive heatmap with the values
// written in the cells.
func (t *CouplingTable) Heatmap() *Heatmap {
	return &Heatmap{p: t.p, rowLabels: t.rowLabels, colLabels: t.colLabels, title: t.caption,
		digits: t.digits, width: t.width, height: t.height}
}

// PNG draws the annotated heatmap (0 means the default size).
func (t *CouplingTable) PNG(w, h int) ([]byte, error) {
	if t == nil {
		return nil, errNil("CouplingTable")
	}
	return t.Heatmap().PNG(w, h)
}

// SavePNG writes [CouplingTable.PNG] to path.
func (t *CouplingTable) SavePNG(path string, w, h int) error {
	b, err := t.PNG(w, h)
	return writeFile(path, b, err)
}

// SaveSVG writes the annotated heatmap as SVG to path.
func (t *CouplingTable) SaveSVG(path string, w, h int) error {
	if t == nil {
		return errNil("CouplingTable")
	}
	return t.Heatmap().SaveSVG(path, w, h)
}
