"""Output checks for gradient_flows.ipynb, read as a user would read them.

The CI harness (docker/run_notebooks.py) calls every top-level function whose
name starts with "check" with the executed notebook (the harness's Notebook
wrapper) and fails on an AssertionError. To run only the checks on a notebook
executed before:

    /usr/bin/python3 docker/run_notebooks.py --checks-only EXECUTED/gradient_flows.ipynb

Each flow cell hands the checks, through tutorial.Record (a channel the reader
does not see; nb.record(run)), the 11 frame values (steps 0, 50, …, 500), the
final spread of x (root-mean-square distance of the points to their mean),
the spread of the target and the distance between the two means; the checks
also read the printed frame titles and lines and compare them with those.
The tutorial's numbers (the OTT-JAX tutorial on Sinkhorn-divergence gradient
flows, as stored in /work/shared/seeds) come from other random points, so
the checks assert what does not depend on them:

* every run: 11 frames, values decreasing overall, means within 0.01 (the
  mean contracts by 0.984 per step in all three flows);
* OT_eps, default epsilon: the cloud spreads (final spread at least half the
  target's), final value small and positive, like the tutorial's 0.150;
* OT_eps, eps = 1: **collapse** — final spread below 15 % of the target's — and
  a final value close to the total variance of y (the exact value for a point
  mass at the target's mean), like the tutorial's 0.528;
* S_eps, eps = 1: **no collapse** — final spread within 25 % of the target's —
  and a final value below 0.01 (tutorial: 0.00162);
* step 0: OT_1 minus S_1 equals ½(OT_1(x,x) + OT_1(y,y)), as printed by the
  notebook, and each step-0 value is within 10 % of the tutorial's;
* every flow cell showed a progress bar updated in place while it ran.
"""

import re

FLOW_CELLS = {"ot_default": 'titles(res, "Reg OT Cost")', "ot_eps1": 'titles(res, "Reg OT Cost, eps=1")',
              "sdiv_eps1": 'titles(res, "Sink Div")'}


SEED_FIRST = {"ot_default": 37.65444, "ot_eps1": 37.75590, "sdiv_eps1": 37.25344}
SEED_LAST = {"ot_default": 0.14988, "ot_eps1": 0.52791, "sdiv_eps1": 0.00162}


def _common(run, r):
    """What holds for every flow: 11 frames, decreasing values, means met."""
    failures = []
    v = r["values"]
    if len(v) != 11:
        failures.append("%d frames, want 11 (steps 0, 50, ..., 500)" % len(v))
    if not all(b <= a + 1e-9 for a, b in zip(v, v[1:])):
        failures.append("frame values do not decrease: %s" % v)
    if abs(v[0] - SEED_FIRST[run]) > 0.1 * SEED_FIRST[run]:
        failures.append("value at step 0 is %.5f, tutorial %.5f (10 %%)" % (v[0], SEED_FIRST[run]))
    if r["mean_gap"] >= 0.01:
        failures.append("final |mean x - mean y| = %.4f, want < 0.01" % r["mean_gap"])
    return failures


def _done(run, failures):
    if failures:
        raise AssertionError("gradient_flows.ipynb, %s:\n  %s" % (run, "\n  ".join(failures)))


def check_ot_default_eps(nb):
    r = nb.record("ot_default")
    f = _common("ot_default", r)
    if r["spread_x"] < 0.5 * r["spread_y"]:
        f.append("final spread %.4f is less than half the target's %.4f" % (r["spread_x"], r["spread_y"]))
    if not 0 < r["values"][-1] < 0.4:
        f.append("final value %.5f, tutorial %s" % (r["values"][-1], SEED_LAST["ot_default"]))
    _done("OT_eps at the default epsilon", f)


def check_ot_eps1_collapses(nb):
    r = nb.record("ot_eps1")
    f = _common("ot_eps1", r)
    if r["spread_x"] >= 0.15 * r["spread_y"]:
        f.append("no collapse: final spread %.4f vs target %.4f" % (r["spread_x"], r["spread_y"]))
    tv = r["spread_y"] ** 2
    if abs(r["values"][-1] - tv) > 0.1 * tv:
        f.append("final value %.5f should be close to the total variance of y %.5f" % (r["values"][-1], tv))
    _done("OT_eps at eps = 1", f)


def check_sinkhorn_divergence_spreads(nb):
    r = nb.record("sdiv_eps1")
    f = _common("sdiv_eps1", r)
    if abs(r["spread_x"] / r["spread_y"] - 1) > 0.25:
        f.append("final spread %.4f not comparable to the target's %.4f" % (r["spread_x"], r["spread_y"]))
    if not 0 <= r["values"][-1] < 0.01:
        f.append("final value %.5f, want < 0.01 (tutorial 0.00162)" % r["values"][-1])
    _done("S_eps at eps = 1", f)


def check_printed_titles_match(nb):
    """The printed frame titles carry the recorded frame values."""
    for run, src in FLOW_CELLS.items():
        i = nb.cell(src)
        printed = nb.floats(i, r"Iter = \d+, [^:]*: (-?\d+\.\d+)")
        values = nb.record(run)["values"]
        assert len(printed) == len(values) and all(abs(p - v) < 6e-6 for p, v in zip(printed, values)), \
            "%s: printed titles %s do not match the frame values %s" % (run, printed, values)


def check_progress(nb):
    for src in list(FLOW_CELLS.values()) + ["runs := []struct"]:
        i = nb.cell(src)
        assert nb.updates(i) >= 1, "cell %d (%s): no in-place progress update while it ran" % (i, src)
        assert "<progress" in nb.html(i), "cell %d (%s): no progress bar in its output" % (i, src)


def check_comparison(nb):
    i = nb.cell("runs := []struct")
    m = re.search(r"step 0: OT_1 - S_1 = (-?\d+\.\d+), 1/2 \(OT_1\(x,x\) \+ OT_1\(y,y\)\) = (-?\d+\.\d+)", nb.text(i))
    assert m, "the comparison cell does not print the step-0 gap"
    a, b = float(m.group(1)), float(m.group(2))
    assert abs(a - b) <= 1e-5 * max(1, abs(b)), \
        "step 0: OT_1 - S_1 = %.8f, want 1/2 (OT(x,x) + OT(y,y)) = %.8f" % (a, b)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")
    for needle in ("Iter = 500, Reg OT Cost:", "Iter = 500, Reg OT Cost, eps=1:", "Iter = 500, Sink Div:",
                   "501 evaluations in", "spread of the target y:"):
        assert needle in text, "the printed output lacks %r" % needle

