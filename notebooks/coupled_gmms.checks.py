"""Output checks for coupled_gmms.ipynb, read as a user would read them.

The CI harness (docker/run_notebooks.py) calls every top-level function whose
name starts with "check" with the executed notebook (the harness's Notebook
wrapper) and fails on an AssertionError. To run only the checks on a notebook
executed before:

    /usr/bin/python3 docker/run_notebooks.py --checks-only EXECUTED/coupled_gmms.ipynb

The checks read what the reader reads where they can: the printed masses,
the per-iteration report lines (collapsed under each fit's progress chart),
the coupling tables and the reweighting lines. Full-precision numbers that
are not printed (coupling entries, means, convergence flags) come through
tutorial.Record, a channel the reader does not see (nb.record(run)). What is
compared with the tutorial (the OTT-JAX tutorial "Fitting coupled GMMs" as
stored in /work/shared/seeds). Our samples come from another random generator
than JAX's, so values agree to a few hundredths, not digit for digit:

* both fits' report lines: iteration 0 (both mixtures are the pooled fit),
  for the balanced run iteration 29, and the transport column line by line
  (30 lines of run 1, the 7 stored lines of run 2) within 5 %;
* the balanced (MW2) run: fitted masses of both mixtures, the normalised
  coupling, and the tutorial's non-converged Sinkhorn state (Converged false
  after the 2000-iteration cap, column sums that are not GMM 1's masses);
* the converged coupling of the same problem (epsilon schedule): converged,
  marginals equal to the masses, mass sent over a long route;
* the unbalanced (UW2) run: masses and a diagonal normalised coupling.

Components are matched by their means: a fitted component of GMM j is named
after the nearest mean of generator j (A, B or C below). The tutorial's tables
list C (the cluster near (4, 3), heavy in GMM 0) last in run 1 and first in
run 2; A and B have equal weights in both generators and cannot be told apart
from the printed masses, so their tutorial values are matched either way round
and the closer assignment is used.
"""

import itertools
import re
import math

# Generator means (the tutorial's synthetic data): GMM 1 shifts GMM 0's means.
GEN_MEANS = [
    {"A": (2.0, -1.0), "B": (-2.0, 0.0), "C": (4.0, 3.0)},
    {"A": (3.0, -1.5), "B": (-3.0, -1.0), "C": (3.0, 3.0)},
]

# Tutorial numbers in printed order: (X, Y, C) for run 1 and (C, X, Y) for
# run 2, with {X, Y} = {A, B}.
SEED_BALANCED = {
    "masses0": [0.22632582, 0.23542637, 0.5382478],
    "masses1": [0.36791384, 0.3672651, 0.26482108],
    "coupling": [[0.22631681, 0, 0], [0, 0.2354198, 0], [0.2182516, 0, 0.32001185]],
    "order": ("X", "Y", "C"),
}
SEED_BALANCED_COLSUM_C = 0.320  # the tutorial's table has column sums 0.445, 0.235, 0.320
SEED_UNBALANCED = {
    "masses0": [0.56643116, 0.19865721, 0.23491158],
    "masses1": [0.255262, 0.39326635, 0.35147163],
    "coupling": [[0.4567368, 0, 0], [0, 0.25642195, 0], [0, 0, 0.2868412]],
    "order": ("C", "X", "Y"),
}
# (q0, q1, transport, objective)
SEED_LINE0 = {"balanced": (-3.872, -3.894, 0.011, -7.766), "unbalanced": (-3.872, -3.894, 0.011, -7.767)}
SEED_LAST_BALANCED = (-3.617, -3.633, 6.862, -7.319)
# The transport column of every printed line (run 2's stored output stops at 6).
SEED_TRANSPORT = {
    "balanced": [0.011, 0.026, 0.069, 0.133, 0.212, 0.312, 0.429, 0.558, 0.708, 0.876,
                 1.062, 1.268, 1.494, 1.736, 1.997, 2.277, 2.575, 2.882, 3.186, 3.502,
                 3.826, 4.164, 4.518, 4.886, 5.270, 5.668, 6.079, 6.469, 6.680, 6.862],
    "unbalanced": [0.011, 0.018, 0.037, 0.057, 0.083, 0.112, 0.139],
}

TOL_MASS = 0.03  # masses and coupling entries
TOL_Q = 0.04  # per-point EM objectives (sampling noise of 10 000 points is ~0.015)
TOL_MARGINAL = 1e-3  # converged marginals against the masses (Sinkhorn's threshold)


class _Failures:
    def __init__(self, what):
        self.what = what
        self.msgs = []

    def expect(self, ok, msg):
        if not ok:
            self.msgs.append(msg)
        return ok

    def close(self, got, want, tol, what):
        return self.expect(abs(got - want) <= tol, "%s: got %.5f, tutorial %.5f (tolerance %g)" % (what, got, want, tol))

    def done(self):
        if self.msgs:
            raise AssertionError("coupled_gmms.ipynb, %s:\n  %s" % (self.what, "\n  ".join(self.msgs)))


def _names(means, j):
    """Names each fitted component of mixture j after the nearest generator mean."""
    gen = GEN_MEANS[j]
    return [min(gen, key=lambda k: math.dist(m, gen[k])) for m in means]


def _ours_by_name(f, s):
    n0, n1 = _names(s["means0"], 0), _names(s["means1"], 1)
    ok = f.expect(sorted(n0) == ["A", "B", "C"], "GMM 0 components %s do not match the three generator clusters" % n0)
    ok = f.expect(sorted(n1) == ["A", "B", "C"], "GMM 1 components %s do not match the three generator clusters" % n1) and ok
    if not ok:
        return None
    return {
        "m0": dict(zip(n0, s["masses0"])),
        "m1": dict(zip(n1, s["masses1"])),
        "cp": {(n0[i], n1[j]): s["coupling"][3 * i + j] for i in range(3) for j in range(3)},  # row-major
        "col": dict(zip(n1, s["colsums"])),
    }


def _seed_by_name(seed, ours):
    """Tutorial values keyed by component name, with the A/B assignment that
    best fits our run."""
    best = None
    for xy in itertools.permutations(("A", "B")):
        label = {"X": xy[0], "Y": xy[1], "C": "C"}
        order = [label[o] for o in seed["order"]]
        m0 = dict(zip(order, seed["masses0"]))
        m1 = dict(zip(order, seed["masses1"]))
        cp = {(order[i], order[j]): seed["coupling"][i][j] for i in range(3) for j in range(3)}
        err = sum(abs(m0[k] - ours["m0"][k]) + abs(m1[k] - ours["m1"][k]) for k in "ABC")
        err += sum(abs(cp[k] - ours["cp"][k]) for k in cp)
        if best is None or err < best[0]:
            best = (err, m0, m1, cp)
    return best[1:]


def _compare_run(f, s, seed):
    ours = _ours_by_name(f, s)
    if ours is None:
        return None
    m0, m1, cp = _seed_by_name(seed, ours)
    for k in "ABC":
        f.close(ours["m0"][k], m0[k], TOL_MASS, "GMM 0 mass of component %s" % k)
        f.close(ours["m1"][k], m1[k], TOL_MASS, "GMM 1 mass of component %s" % k)
    for k in sorted(cp):
        f.close(ours["cp"][k], cp[k], TOL_MASS, "coupling %s->%s" % k)
    return ours


def _compare_line(f, step, want):
    got = (step["Q0"], step["Q1"], step["Transport"], step["Objective"])
    for g, w, what in zip(got, want, ("q0", "q1", "transport", "objective")):
        tol = {"q0": TOL_Q, "q1": TOL_Q, "objective": 2 * TOL_Q, "transport": max(0.005, 0.1 * abs(w))}[what]
        f.close(g, w, tol, "iteration %d: %s" % (step["Iter"], what))


FIT_CELLS = {"balanced": "fitBalanced(x0, x1, progress)", "unbalanced": "fitUnbalanced(x0, x1, progress)"}


def check_printed_output(nb):
    """The human-readable results the tutorial prints are there, and the
    printed masses are the fitted ones."""
    text = nb.stdout()
    missing = [n for n in ("Fitted GMM 0 masses", "Fitted GMM 1 masses", "Mass transfer, rows=source, columns=destination",
                           "Normalized coupling", "Sinkhorn converged: false", "Sinkhorn converged: true", "wall time:",
                           "net x")
               if n not in text]
    assert not missing, "the printed output lacks %s" % missing
    assert "summary:" not in text, "a cell prints a machine-readable summary line"
    for run, cell in (("balanced", "fmt.Println(\"Mass transfer"), ("unbalanced", "fmt.Println(\"Normalized coupling")):
        i = nb.cell(cell)
        m = re.search(r"Fitted GMM 0 masses \[([^\]]*)\]", nb.text(i))
        got = [float(v) for v in m.group(1).split()]
        want = nb.record(run)["masses0"]
        assert max(abs(g - w) for g, w in zip(got, want)) < 1e-8, "%s: printed masses %s, fitted %s" % (run, got, want)


def _report_lines(nb, run):
    """The 'it q0 q1 transport:R objective:J' lines under the fit's progress chart."""
    i = nb.cell(FIT_CELLS[run])
    out = []
    for ln in nb.html_text(i).splitlines():
        p = ln.split()
        if len(p) == 5 and p[3].startswith("transport:") and p[4].startswith("objective:"):
            out.append((int(p[0]), float(p[1]), float(p[2]), float(p[3][10:]), float(p[4][10:])))
    assert out, "no report lines under the %s fit's progress display (cell %d)" % (run, i)
    return out


def check_progress(nb):
    """Every cell that runs EM steps showed a progress display that was
    updated in place while it ran (GoNB display updates), and the fits show
    their chart."""
    f = _Failures("progress displays")
    for src in ("pooled(x0, x1, progress)", FIT_CELLS["balanced"], FIT_CELLS["unbalanced"],
                "ShowMixturesSideBySide(pair.GMM0", "fmt.Println(\"Mass transfer", "fmt.Println(\"Converged coupling",
                "fmt.Println(\"Normalized coupling"):
        i = nb.cell(src)
        f.expect(nb.updates(i) >= 1, "cell %d (%s): no in-place progress update while it ran" % (i, src))
        f.expect("<progress" in nb.html(i), "cell %d (%s): no progress bar in its output" % (i, src))
    for run in FIT_CELLS:
        i = nb.cell(FIT_CELLS[run])
        f.expect("data:image/png;base64," in nb.html(i), "%s fit: no objective chart under the progress bar" % run)
        f.expect("<details" in nb.html(i), "%s fit: the report lines are not kept in a collapsed list" % run)
    f.done()


def check_reweighting_agrees_with_table(nb):
    """The unbalanced table's factors (leaves × = row sum / a, arrives × =
    b / column sum) are the ones the printed lines use; balanced tables show
    no factors and no unbalanced caption."""
    i = nb.cell("fmt.Println(\"Normalized coupling")
    table = nb.html_text(i)
    shown = set(re.findall(r"×(\d+\.\d{3})", table))
    printed = re.findall(r"leaves x(\d+\.\d+), arrives x(\d+\.\d+), net x", nb.text(i))
    assert len(printed) == 3, "want 3 reweighting lines, got %s" % printed
    for leaves, arrives in printed:
        for v, what in ((leaves, "leaves"), (arrives, "arrives")):
            assert "%.3f" % float(v) in shown, "printed %s x%s is not in the table's factors %s" % (what, v, sorted(shown))
    assert "unbalanced coupling" in table, "the unbalanced table lacks its caption"
    for src in ("fmt.Println(\"Mass transfer", "fmt.Println(\"Converged coupling"):
        t = nb.html_text(nb.cell(src))
        assert "×" not in t and "unbalanced" not in t, "a balanced table shows reweighting factors or the unbalanced caption"


def check_transport_column(nb):
    """With the tutorial's component listing, the transport term follows the
    tutorial's path line by line (within 5 %, or 0.005 near zero)."""
    f = _Failures("transport column of the fit reports")
    for run in ("balanced", "unbalanced"):
        lines = _report_lines(nb, run)
        f.expect([ln[0] for ln in lines] == list(range(30)), "%s: want iterations 0..29, got %s" % (run, [ln[0] for ln in lines]))
        for (it, _, _, tr, _), want in zip(lines, SEED_TRANSPORT[run]):
            f.close(tr, want, max(0.005, 0.05 * want), "%s iteration %d: transport" % (run, it))
    f.done()


def check_fit_reports(nb):
    f = _Failures("fit report lines")
    b = nb.record("balanced_fit")["steps"]
    _compare_line(f, b[0], SEED_LINE0["balanced"])
    f.expect(b[-1]["Iter"] == 29, "balanced fit: last iteration %d, want 29" % b[-1]["Iter"])
    _compare_line(f, b[-1], SEED_LAST_BALANCED)
    u = nb.record("unbalanced_fit")["steps"]
    _compare_line(f, u[0], SEED_LINE0["unbalanced"])
    # The report lines under the chart are the recorded steps.
    for run, steps in (("balanced", b), ("unbalanced", u)):
        lines = _report_lines(nb, run)
        f.expect(len(lines) == 30, "%s: %d report lines, want 30" % (run, len(lines)))
        f.expect(all(abs(ln[3] - st["Transport"]) < 6e-4 for ln, st in zip(lines, steps)),
                 "%s: the report lines do not match the fit's steps" % run)
    f.done()


def check_balanced_coupling(nb):
    f = _Failures("balanced run")
    b = nb.record("balanced")
    f.expect(b["converged"] is False and b["iterations"] == 2000,
             "the tutorial's coupling is a Sinkhorn state stopped at 2000 iterations; ours: converged=%s after %d"
             % (b["converged"], b["iterations"]))
    ours = _compare_run(f, b, SEED_BALANCED)
    if ours is not None:
        gap = max(abs(ours["col"][k] - ours["m1"][k]) for k in "ABC")
        f.expect(gap > 0.05, "column sums %s should differ visibly from GMM 1 masses %s" % (b["colsums"], b["masses1"]))
        f.close(ours["col"]["C"], SEED_BALANCED_COLSUM_C, TOL_MASS, "column sum of component C")
    # The notebook prints the column sums predicted from the weights alone
    # (the block rule: each column of the open block gets its share of the
    # block's mass); the capped state must follow it.
    rule = [ln for ln in nb.stdout().splitlines() if ln.startswith("block rule")]
    if f.expect(len(rule) == 1, "no 'block rule' line printed"):
        pred = [float(v) for v in rule[0].split("[", 1)[1].rstrip("]").split()]
        f.expect(max(abs(p - c) for p, c in zip(pred, b["colsums"])) < 1e-4,
                 "column sums %s do not follow the block rule %s" % (b["colsums"], pred))
    f.done()


def check_converged_coupling(nb):
    f = _Failures("converged balanced coupling")
    b = nb.record("balanced_converged")
    f.expect(b["converged"] is True, "Sinkhorn with the epsilon schedule did not converge")
    for got, want, what in ((b["rowsums"], b["masses0"], "row"), (b["colsums"], b["masses1"], "column")):
        f.expect(max(abs(g - w) for g, w in zip(got, want)) <= TOL_MARGINAL,
                 "%s sums %s differ from the masses %s" % (what, got, want))
    capped = nb.record("balanced")
    f.expect(b["masses0"] == capped["masses0"] and b["masses1"] == capped["masses1"],
             "the converged coupling must be computed for the same fitted mixtures")
    ours = _ours_by_name(f, b)
    if ours is not None:
        # B (isolated, lighter in GMM 0 than in GMM 1) must receive mass from another component.
        into_b = sum(v for (k, l), v in ours["cp"].items() if l == "B" and k != "B")
        f.expect(into_b > 0.05, "no mass reaches component B from another component (%.4f)" % into_b)
    f.done()


def check_unbalanced_coupling(nb):
    f = _Failures("unbalanced run")
    u = nb.record("unbalanced")
    f.expect(u["converged"] is True, "the unbalanced Sinkhorn solve did not converge")
    f.expect(0 < u["total_mass"] < 1, "an unbalanced coupling's total mass should be in (0, 1), got %g" % u["total_mass"])
    ours = _compare_run(f, u, SEED_UNBALANCED)
    if ours is not None:
        off = sum(v for (k, l), v in ours["cp"].items() if k != l)
        f.expect(off < 0.01, "the coupling should be diagonal in matched components, off-diagonal mass %.4f" % off)
    f.done()

