"""Output checks for beyond_the_tutorials.ipynb, read as a user would read them.

The CI harness (docker/run_notebooks.py) calls every top-level function whose
name starts with "check" with the executed notebook and fails on an
AssertionError. To run only the checks on a notebook executed before:

    /usr/bin/python3 docker/run_notebooks.py --checks-only EXECUTED/beyond_the_tutorials.ipynb

The cells hand their numbers to the checks through tutorial.Record
(nb.record(run)); the checks compare them with the printed lines and assert:

* exact vs entropic: the EMD cost is the sum of plan × C; the plan is a
  permutation (40 entries for 40 + 40 points); the entropic transport costs
  <P_eps, C> are above the exact cost, decrease as eps shrinks, and come
  within 1 % of it at the smallest eps;
* 1-D: W_2^2 from the quantiles equals EMD on the full cost matrix (1e-9),
  and W_2 is within 0.1 of the two Gaussians' closed form (3.0414);
* sliced: sliced <= max-sliced <= exact W_2 for every number of directions,
  and with 50 or more directions the max-sliced distance is within 2 % of W_2;
* convolutional barycenters: every image of the 11 weights has mass 1 (1e-6),
  and the cell shows them behind a slider;
* free-support barycenter: converged, and its mean is the mean of the
  inputs' means (1e-6: the barycentric projection keeps the mean);
* Gromov-Wasserstein: converged, at least 80 % of the points matched to
  their own copy (printed and recorded agree), the others to a point at
  most 5 places away along the spiral;
* entropic map: Sinkhorn converged; at the fitted points the map equals
  the barycentric projection of the plan (1e-9); the 200 new points'
  W_2 to the target falls at least tenfold;
* multiscale: every size converged with a marginal error <= 1e-3 and kept
  less than half of the kernel entries, the share falling with n;
* the barycenter and multiscale cells showed progress.
"""

import re


def _fail(what, failures):
    if failures:
        raise AssertionError("beyond_the_tutorials.ipynb, %s:\n  %s" % (what, "\n  ".join(failures)))


def check_exact_vs_entropic(nb):
    r = nb.record("couplings")
    f = []
    if abs(r["emd_cost"] - r["emd_plan_cost"]) > 1e-9 * max(1, r["emd_cost"]):
        f.append("EMD cost %.12g but sum of plan x C %.12g" % (r["emd_cost"], r["emd_plan_cost"]))
    if r["emd_entries"] != 40:
        f.append("EMD plan has %d entries, want a permutation (40)" % r["emd_entries"])
    eps, costs = r["eps"], r["costs"]
    if eps != sorted(eps, reverse=True):
        f.append("epsilons %s not decreasing" % eps)
    if not all(c > r["emd_cost"] for c in costs):
        f.append("an entropic transport cost is not above the exact cost: %s vs %.6f" % (costs, r["emd_cost"]))
    if not all(b < a for a, b in zip(costs, costs[1:])):
        f.append("entropic costs do not decrease as eps shrinks: %s" % costs)
    if costs[-1] > 1.01 * r["emd_cost"]:
        f.append("at eps = %g the cost %.5f is more than 1%% above the exact %.5f" % (eps[-1], costs[-1], r["emd_cost"]))
    i = nb.cell("x, y := smallProblem()")
    printed = nb.floats(i, r"transport cost <P,C> = ([0-9.]+)")
    if [round(c, 5) for c in costs] != printed:
        f.append("printed costs %s differ from recorded %s" % (printed, costs))
    _fail("exact vs entropic couplings", f)


def check_line_and_sliced(nb):
    r = nb.record("line")
    f = []
    if abs(r["w2_cost"] - r["emd_cost"]) > 1e-9 * r["emd_cost"]:
        f.append("W_2^2 from the quantiles %.12g, EMD %.12g" % (r["w2_cost"], r["emd_cost"]))
    if abs(r["w2"] - 9.25 ** 0.5) > 0.1:
        f.append("W_2 = %.4f, the Gaussians' closed form is %.4f" % (r["w2"], 9.25 ** 0.5))
    s = nb.record("sliced")
    for k, (sl, mx) in enumerate(zip(s["sliced"], s["max_sliced"])):
        if not (0 < sl <= mx <= s["w2"] + 1e-12):
            f.append("directions set %d: sliced %.5f, max-sliced %.5f, W_2 %.5f out of order" % (k, sl, mx, s["w2"]))
    for mx in s["max_sliced"][1:]:
        if mx < 0.98 * s["w2"]:
            f.append("max-sliced %.5f not within 2%% of W_2 %.5f" % (mx, s["w2"]))
    _fail("1-D and sliced distances", f)


def check_barycenters(nb):
    f = []
    sums = nb.record("conv_barycenter")["sums"]
    if len(sums) != 11 or any(abs(v - 1) > 1e-6 for v in sums):
        f.append("barycenter image masses %s, want eleven times 1" % sums)
    i = nb.cell("images := shapeImages()")
    if nb.updates(i) < 1:
        f.append("the barycenter cell showed no progress updates")
    # The sweep: eleven frames behind a slider (built by its script), labelled by t.
    h = nb.html(i)
    if h.count('"animation":false') != 11 or 'type=\\"range\\"' not in h or '"t = 0.50"' not in h:
        f.append("the barycenter cell shows no slider over the eleven barycenters")
    r = nb.record("free_barycenter")
    if not r["converged"]:
        f.append("free-support barycenter did not converge (%d iterations)" % r["iterations"])
    means = r["means"]
    want = [sum(m[d] for m in means[:3]) / 3 for d in range(2)]
    if max(abs(means[3][d] - want[d]) for d in range(2)) > 1e-6:
        f.append("barycenter mean %s, mean of the inputs' means %s" % (means[3], want))
    _fail("barycenters", f)


def check_gromov_wasserstein(nb):
    r = nb.record("gw")
    f = []
    if not r["converged"]:
        f.append("GW did not converge")
    if r["fraction"] < 0.8:
        f.append("only %.0f%% of the points matched to their copy, want >= 80%%" % (100 * r["fraction"]))
    far = [(i, j) for i, j in enumerate(r["matches"]) if abs(i - j) > 5]
    if far:
        f.append("points matched more than 5 places away along the spiral: %s" % far[:10])
    i = nb.cell("x, y := spirals()")
    printed = nb.floats(i, r"matched to their own copy: ([0-9.]+)%")
    if printed != [round(100 * r["fraction"])]:
        f.append("printed %s%%, recorded %.4f" % (printed, r["fraction"]))
    _fail("Gromov-Wasserstein matching", f)


def check_entropic_map(nb):
    r = nb.record("entropic_map")
    f = []
    if not r["converged"]:
        f.append("Sinkhorn did not converge")
    if not r["gap"] <= 1e-9:
        f.append("map at the fitted points differs from the barycentric projection by %.3g" % r["gap"])
    if not r["after"] * 10 <= r["before"]:
        f.append("W_2 to the target %.4f before the map, %.4f after: not a tenfold drop" % (r["before"], r["after"]))
    i = nb.cell("x, y, fresh := mapClouds()")
    printed = nb.floats(i, r"W_2 to the triangle ([0-9.]+) before") + nb.floats(i, r"before the map, ([0-9.]+) after")
    if printed != [round(r["before"], 4), round(r["after"], 4)]:
        f.append("printed %s, recorded %.4f and %.4f" % (printed, r["before"], r["after"]))
    if nb.updates(i) < 1:
        f.append("the entropic-map cell showed no progress updates")
    _fail("entropic map", f)


def check_multiscale(nb):
    r = nb.record("multiscale")
    f = []
    for n, kept, err in zip(r["sizes"], r["kept"], r["marginal_errors"]):
        if not err <= 1e-3:
            f.append("n = %d: marginal error %.3g above 1e-3" % (n, err))
        if not 0 < kept < 0.5:
            f.append("n = %d: kept %.3f of the kernel entries" % (n, kept))
    if not all(b < a for a, b in zip(r["kept"], r["kept"][1:])):
        f.append("kept fraction does not fall with n: %s" % r["kept"])
    i = nb.cell("otkit.MultiscaleSinkhorn(")
    if not re.search(r"n =  *%d: .*converged true" % r["sizes"][-1], nb.text(i)):
        f.append("the last size's line does not say it converged")
    if nb.updates(i) < 1:
        f.append("the multiscale cell showed no progress updates")
    _fail("multiscale Sinkhorn", f)
