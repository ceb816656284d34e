// Package widgets draws optimal-transport results for GoNB notebooks and for
// plain Go programs: point clouds, fitted Gaussian mixtures with covariance
// ellipses, coupling tables and heatmaps, coupling lines, gradient-flow
// animations, line plots and a live progress display.
//
// Every widget is a value built once from data and then shown or saved:
//
//	Display() error        interactive (echarts) output in a GoNB cell
//	DisplayStatic() error  static PNG (or GIF for animations) in a GoNB cell
//	WriteHTML(io.Writer)   a standalone, offline HTML page
//	SaveHTML(path)         the same page in a file
//	SavePNG/SaveSVG/SaveGIF(path, w, h)  static files drawn with gonum/plot
//
// The notebook and the file outputs come from the same rendering code: a
// widget turns its data into a small figure description that one renderer
// turns into echarts options and another into gonum/plot drawings.
//
// # Static fallback
//
// Every interactive chart (Display, WriteHTML) carries a PNG of itself,
// drawn with gonum/plot at the chart's size, inside the chart element: a
// viewer that runs no scripts (GitHub, nbviewer, an HTML export opened without
// JavaScript, an untrusted notebook) shows the picture, and the chart's script
// replaces it with the live chart. An animation shows its last frame and a
// half-size GIF of all its frames instead; its player's buttons are built by
// its script, so a static view shows no dead controls. An image sweep shows
// the grid of all its frames, and its script builds the slider.
//
// # What to call
//
// Notebook one-liners (build with the tutorials' look and Display):
// [Setup], [ShowClouds], [ShowSamplesSideBySide], [ShowMixturesSideBySide],
// [ShowCoupling], [ShowLine], [ShowFlow], [ShowTable], [ShowFinalClouds].
//
// Constructors (each returns a widget, or an error for bad input):
//
//	ScatterPlot(opt, clouds...)             weighted clouds, OTT marker areas a_i·scale·n
//	ScatterPanels(opt, panels...)           side-by-side clouds with shared axes
//	MixtureView(x, gmm, opt)                points by most likely component, 2-σ ellipses
//	MixturePairView(x0, g0, x1, g1, opt)    the same for a pair, shared axes
//	NewCouplingTable(p, a, b, opt)          mass-transfer table; .Heatmap() for the heatmap
//	SinkhornCouplingTable, PairCouplingTable  the same from otkit results
//	NewHeatmap(p, opt)                      any non-negative matrix
//	ImagePanels(opt, images...)             images (histograms on a grid, couplings) side by side
//	NewImageSweep(opt, frames...)           the same images one at a time, with a slider (e.g. a weight t)
//	CouplingLines(x, y, a, b, p, opt)       OTT's coupling plot; SinkhornPlot(result, opt)
//	NewAnimation(frames, opt)               player + GIF; FlowAnimation(flow.Frames, name, y, opt)
//	LinePlot(opt, series...)                curves; FunctionSeries, LinePanels, PairFitPlot
//	NewTable(title, header, rows)           plain text table
//	NewProgress(label, total, opt)          live progress (io.Writer for Report, OnStep for flows)
//	NewPairFitProgress(label, steps, opt)   the same for FitPair, with a growing objective chart
//	Ellipse(mean, cov, nsd, n)              the ellipse points themselves
//	WritePage/SavePage(w, title, widgets...)  several widgets in one offline page
//
// # Offline charts
//
// Interactive charts need echarts 5.4.3, which is installed from the npm
// registry by `npm ci` at the repository root and never committed. At run
// time [EchartsJS] finds the file (environment variable OTLAB_ECHARTS_JS, else
// node_modules/echarts/dist/echarts.min.js under the module root) and checks
// its SHA-256. Standalone pages inline the library; no CDN is ever used.
//
// In a notebook, every cell is a new process, so the package cannot remember
// whether the page already holds the library. Call [Setup] in a cell near the
// top of the notebook; it puts the library into the page. If it was not
// called, the first Display of a kernel session adds the library by itself.
// Each chart carries a guard: when the library is missing from the page it
// shows a note saying to run widgets.Setup() instead of failing silently.
//
// # Bad input
//
// Mismatched lengths, NaN or infinite coordinates, empty frames, couplings
// whose shape does not match their weights or that hold negative entries, and
// covariances that are not positive definite give an error from the
// constructor. No function of this package panics on bad data.
package widgets
