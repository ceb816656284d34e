package widgets

import "fmt"

// PairFitProgress is a Progress that reads the report lines of
// otkit.FitPair into its chart.
type PairFitProgress struct{ *Progress }

// NewPairFitProgress is a Progress for otkit.FitPair (pass it as
// PairFitOptions.Report): the bar counts EM iterations, and the chart under
// it grows with each one, the objective J and the log-likelihood terms Q0,
// Q1 on the left, the transport term on the right (its scale differs). At
// Done the display keeps the final chart and, collapsed, every report line.
// Outside a notebook it prints the report lines.
func NewPairFitProgress(label string, emSteps int, opt ProgressOptions) *PairFitProgress {
	if opt.ChartWidth == 0 {
		opt.ChartWidth = 760
	}
	if opt.ChartXLabel == "" {
		opt.ChartXLabel = "EM iteration"
	}
	return &PairFitProgress{NewProgress(label, emSteps, opt)}
}

// Write parses each line "it Q0 Q1 transport:R objective:J" (otkit's
// format); a line in another format still counts as one step.
func (r *PairFitProgress) Write(b []byte) (int, error) {
	// Lines arrive whole from FitPair (one Fprintf per line).
	var it int
	var q0, q1, tr, j float64
	if n, _ := fmt.Sscanf(string(b), "%d %g %g transport:%g objective:%g", &it, &q0, &q1, &tr, &j); n == 5 {
		x := float64(it)
		r.Point("log-likelihoods and objective", "J", x, j)
		r.Point("log-likelihoods and objective", "Q0", x, q0)
		r.Point("log-likelihoods and objective", "Q1", x, q1)
		r.Point("transport term", "R", x, tr)
	}
	return r.Progress.Write(b)
}
