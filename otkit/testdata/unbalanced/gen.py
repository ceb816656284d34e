#!/usr/bin/env python3
"""Reference unbalanced-transport values from POT, for
otkit/unbalanced_pot_test.go.

Run from this directory with the system Python that has POT (Debian
python3-pot 0.8.2):  /usr/bin/python3 gen.py  → writes pot.json next to
this script.  Cost matrices and weights are stored as computed (JSON floats
round-trip exactly).

mm:          ot.unbalanced.mm_unbalanced (div 'kl' and 'l2') with
             stopThr = 0, so POT runs exactly numItermax iterations: "iters"
             is that count and "plan" the iterate (the Go test runs the
             same number of iterations: same algorithm, same iterate), and
             a long run "plan_long" (numItermax = 50000) whose change per
             iteration "err_long" says how far it converged.
barycenter:  ot.unbalanced.barycenter_unbalanced (method 'sinkhorn') of
             histograms of different masses on a 1-D grid, stopThr 1e-13;
             "tau" = reg_m/(reg_m + reg) is otkit's Tau.
unstable:    the same at reg = 3e-4: exp(-M/reg) underflows and POT divides
             by 0, warns and stops far from convergence ("pot_warned",
             "pot_err").
"""

import json
import os
import warnings

import numpy as np
import ot


def r6(a):
    return np.round(np.asarray(a, dtype=float), 6)


def mm_case(name, M, a, b, reg_m, div, iters):
    G = ot.unbalanced.mm_unbalanced(a, b, M, reg_m, div=div, numItermax=iters, stopThr=0.0)
    Gl, log = ot.unbalanced.mm_unbalanced(a, b, M, reg_m, div=div, numItermax=50000, stopThr=0.0, log=True)
    return {"name": name, "M": M.tolist(), "a": a.tolist(), "b": b.tolist(), "reg_m": reg_m, "div": div,
            "iters": iters, "plan": G.tolist(), "plan_long": Gl.tolist(), "err_long": float(log["err"][-1]),
            "cost_long": float(np.sum(Gl * M))}


def bary_case(name, M, A, reg, reg_m, weights):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        q, log = ot.unbalanced.barycenter_unbalanced(A, M, reg, reg_m, weights=weights, numItermax=100000,
                                                     stopThr=1e-13, log=True)
    nan = bool(np.any(~np.isfinite(q)))
    return {"name": name, "M": M.tolist(), "A": A.T.tolist(), "reg": reg, "reg_m": reg_m,
            "tau": reg_m / (reg_m + reg), "weights": weights.tolist(),
            "q": np.nan_to_num(q, nan=-1.0).tolist(), "pot_err": float(log["err"][-1]),
            "pot_nan": nan, "pot_warned": len(w) > 0}


def main():
    rng = np.random.default_rng(221)
    mm = []
    x, y = rng.normal(size=(9, 2)), rng.normal(size=(7, 2)) + 0.5
    a, b = r6(0.2 + rng.random(9)) / 9, r6(0.2 + rng.random(7)) / 5
    M = ot.dist(x, y)
    for div in ("kl", "l2"):
        for reg_m in (0.5, 5.0):
            mm.append(mm_case("%s reg_m=%g" % (div, reg_m), M, a, b, reg_m, div, 200))

    bary = []
    n = 40
    grid = np.arange(n, dtype=float)
    M = ot.dist(grid.reshape(-1, 1), grid.reshape(-1, 1))
    M = M / M.max()
    h1 = 2.0 * ot.datasets.make_1D_gauss(n, 10, 3)
    h2 = 0.7 * ot.datasets.make_1D_gauss(n, 28, 5)
    h3 = 1.2 * ot.datasets.make_1D_gauss(n, 20, 2)
    A = np.vstack([h1, h2, h3]).T
    w = np.array([0.5, 0.3, 0.2])
    for reg, reg_m in ((0.05, 1.0), (0.02, 0.1), (0.01, 0.5)):
        bary.append(bary_case("bary reg=%g reg_m=%g" % (reg, reg_m), M, A, reg, reg_m, w))
    unstable = [bary_case("unstable reg=3e-4", M, A, 3e-4, 1.0, w)]
    out = {"mm": mm, "barycenter": bary, "unstable": unstable, "pot_version": ot.__version__}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pot.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
