package widgets

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// Table is a plain table of text cells (e.g. a comparison of runs), shown
// as HTML in notebooks and pages and as aligned text by String.
type Table struct {
	header []string
	rows   [][]string
	title  string
}

var _ Widget = (*Table)(nil)

// NewTable builds a table; every row must have as many cells as the header.
func NewTable(title string, header []string, rows [][]string) (*Table, error) {
	if len(header) == 0 {
		return nil, fmt.Errorf("widgets: table has no columns")
	}
	t := &Table{header: append([]string(nil), header...), title: title}
	for i, r := range rows {
		if len(r) != len(header) {
			return nil, fmt.Errorf("widgets: table row %d has %d cells, want %d", i, len(r), len(header))
		}
		t.rows = append(t.rows, append([]string(nil), r...))
	}
	return t, nil
}

// HTML returns the table element.
func (t *Table) HTML() string {
	var b strings.Builder
	b.WriteString(`<table class="otlab-coupling">`)
	if t.title != "" {
		fmt.Fprintf(&b, "<caption>%s</caption>", html.EscapeString(t.title))
	}
	b.WriteString("<tr>")
	for _, h := range t.header {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr>\n")
	for _, r := range t.rows {
		b.WriteString("<tr>")
		for j, c := range r {
			if j == 0 {
				fmt.Fprintf(&b, `<th style="text-align:left">%s</th>`, html.EscapeString(c))
			} else {
				fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(c))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
	return b.String()
}

// String returns the table as aligned plain text.
func (t *Table) String() string {
	all := append([][]string{t.header}, t.rows...)
	w := make([]int, len(t.header))
	for _, r := range all {
		for j, c := range r {
			w[j] = max(w[j], len([]rune(c)))
		}
	}
	var b strings.Builder
	if t.title != "" {
		b.WriteString(t.title + "\n")
	}
	for _, r := range all {
		for j, c := range r {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", w[j]-len([]rune(c)))
			if j == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (t *Table) htmlFragment(id string) (string, error) {
	if t == nil {
		return "", errNil("Table")
	}
	return `<div class="otlab-widget" id="` + html.EscapeString(id) + `">` + t.HTML() + "</div>\n", nil
}

// Display shows the table in the running GoNB cell (HTML, with the text as
// the plain alternative).
func (t *Table) Display() error {
	if t == nil {
		return errNil("Table")
	}
	if !front.isNotebook() {
		return ErrNotNotebook
	}
	front.displayRich(pageCSS+t.HTML(), t.String())
	front.sync()
	return front.err()
}

// DisplayStatic shows the table as preformatted text, which every viewer
// renders.
func (t *Table) DisplayStatic() error {
	if t == nil {
		return errNil("Table")
	}
	if !front.isNotebook() {
		return ErrNotNotebook
	}
	front.displayRich("<pre>"+html.EscapeString(t.String())+"</pre>", t.String())
	front.sync()
	return front.err()
}

// WriteHTML writes a standalone page with the table.
func (t *Table) WriteHTML(w io.Writer) error {
	if t == nil {
		return errNil("Table")
	}
	return WritePage(w, t.title, t)
}

// SaveHTML writes that page to path.
func (t *Table) SaveHTML(path string) error { return saveHTML(t, path) }
