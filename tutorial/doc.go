// Package tutorial holds what the project's notebooks need besides otkit and
// widgets, so that the notebook cells show optimal transport and nothing else:
//
//   - the tutorials' synthetic data: FlowClouds, GMMGenerators, GMMOrder;
//   - printing in numpy's layout (Vec, Rows, Matrix, Sym2) and the reading
//     of a coupling (PrintMarginals, PrintReweighting, MeanLabels);
//   - the statistics the flows notebook compares (Spread, MeanGap);
//   - Record, the channel through which a cell hands numbers to the
//     notebook checks (notebooks/NAME.checks.py) without printing them;
//   - Must and Check, which stop a cell with one readable line.
//
// It is not part of the library: otkit does not depend on it (otkit's own
// tests draw their clouds themselves, see otkit/tutorial_clouds_test.go).
package tutorial
