"""Output checks for batch_and_lowrank.ipynb, read as a user would read them.

The CI harness (docker/run_notebooks.py) calls every top-level function whose
name starts with "check" with the executed notebook and fails on an
AssertionError. To run only the checks on a notebook executed before:

    /usr/bin/python3 docker/run_notebooks.py --checks-only EXECUTED/batch_and_lowrank.ipynb

The cells hand their numbers to the checks through tutorial.Record
(nb.record(run)); the checks compare them with the printed lines and assert:

* minibatches: all 300 batched results (exact and entropic) are identical to
  the single solves, as printed; the mean minibatch cost is printed as
  recorded and is positive;
* low rank: the solve converged, its transport cost is finite, positive and
  not above its start (the k-means hubs; 0.1% for the projections' tolerance), the four component masses sum to 1
  (1e-6), the printed cost is the recorded one, and the cell showed progress.
"""

import math
import re


def _fail(what, failures):
    if failures:
        raise AssertionError("batch_and_lowrank.ipynb, %s:\n  %s" % (what, "\n  ".join(failures)))


def _cell_with(nb, text):
    for i in range(len(nb.nb.cells)):
        if text in nb.text(i):
            return i
    raise AssertionError("batch_and_lowrank.ipynb: no cell prints %r" % text)


def check_minibatches(nb):
    r = nb.record("minibatch")
    i = _cell_with(nb, "mean minibatch cost")
    out = nb.text(i)
    f = []
    if r["problems"] != 300:
        f.append("recorded %d problems, want 300" % r["problems"])
    for kind in ("exact", "entropic"):
        if r["same_" + kind] != r["problems"]:
            f.append("%s: %d of %d batched results identical to the solve alone" % (kind, r["same_" + kind], r["problems"]))
        m = re.search(r"%s: (\d+) of (\d+) batched results identical" % kind, out)
        if not m or int(m.group(1)) != r["same_" + kind]:
            f.append("%s: printed line does not match the record %d" % (kind, r["same_" + kind]))
    m = re.search(r"mean minibatch cost \(exact\): ([0-9.]+)", out)
    if not m or abs(float(m.group(1)) - r["mean_cost"]) > 1e-4 or not r["mean_cost"] > 0:
        f.append("mean cost printed %s, recorded %r" % (m and m.group(1), r["mean_cost"]))
    _fail("minibatches", f)


def check_lowrank(nb):
    r = nb.record("lowrank")
    i = _cell_with(nb, "rank 4 coupling")
    out = nb.text(i)
    f = []
    if not r["converged"]:
        f.append("the low-rank solve did not converge")
    if not (math.isfinite(r["cost"]) and r["cost"] > 0 and r["cost"] <= r["start_cost"] * (1 + 1e-3)):
        f.append("cost %r not in (0, start %r]" % (r["cost"], r["start_cost"]))
    if len(r["g"]) != 4 or abs(sum(r["g"]) - 1) > 1e-6:
        f.append("component masses %r do not sum to 1" % (r["g"],))
    m = re.search(r"transport cost ([0-9.]+)", out)
    if not m or abs(float(m.group(1)) - r["cost"]) > 1e-4:
        f.append("printed cost %s, recorded %r" % (m and m.group(1), r["cost"]))
    if nb.updates(i) < 1:
        f.append("the low-rank cell showed no progress")
    _fail("low rank", f)
