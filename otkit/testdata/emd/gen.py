#!/usr/bin/env python3
"""Reference exact-OT, 1-D and sliced Wasserstein values from POT, for
otkit/emd_pot_test.go.

Run from this directory with the system Python that has POT (Debian
python3-pot 0.8.2):  /usr/bin/python3 gen.py  → writes pot.json next to
this script.

Everything the Go test needs is stored as points and raw weights (rounded
to 6 decimals, so both sides read the same binary numbers; both divide the
weights by their sum) rather than as cost matrices: the Go test rebuilds
the squared-Euclidean costs itself.

emd:     ot.emd2 (cost) and ot.emd (plan; we store its cost and number of
         non-zeros) with numItermax = 10**8 so POT reaches the optimum, on
         problems with non-uniform weights, zero weights, integer grids
         (many tied costs), n = 1 and m = 1, n, m up to 500.  Duals are not
         compared (they are not unique); the Go test checks otkit's own
         optimality certificate instead.
w1d:     ot.wasserstein_1d(u, v, wu, wv, p) for several p (value W_p^p).
sliced:  ot.sliced_wasserstein_distance and ot.max_sliced_wasserstein_distance
         with the projections passed explicitly (stored as rows, k x d).
         POT 0.8.2 divides the sum over the given projections by its
         n_projections argument (default 50), not by their number, so we
         pass n_projections = k as well; otherwise its "mean" is off by k/50.
"""

import json
import os

import numpy as np
import ot


def r6(a):
    return np.round(np.asarray(a, dtype=float), 6)


def weights(rng, k, zeros=0.0):
    """Raw weights with 6 decimals (stored); both sides divide by the sum."""
    w = r6(0.2 + rng.random(k))
    if zeros > 0:
        w[rng.random(k) < zeros] = 0.0
        if w.sum() == 0:
            w[0] = 1.0
    return w


def norm(w):
    return w / w.sum()


def emd_case(name, x, y, a, b):
    M = ot.dist(x, y)  # squared Euclidean, norm form
    G, log = ot.emd(norm(a), norm(b), M, numItermax=10**8, log=True)
    assert log["warning"] is None, log["warning"]
    cost2 = ot.emd2(norm(a), norm(b), M, numItermax=10**8)
    return {
        "name": name, "x": x.tolist(), "y": y.tolist(), "a": a.tolist(), "b": b.tolist(),
        "emd2": float(cost2), "plan_cost": float(np.sum(G * M)),
        "plan_nnz": int(np.count_nonzero(G)),
    }


def main():
    rng = np.random.default_rng(14)
    emd = []
    for n, m, d, zeros, label in [(500, 500, 2, 0.0, "500x500"), (300, 200, 3, 0.15, "zeros"),
                                  (150, 400, 2, 0.0, "rect"), (1, 50, 2, 0.0, "n=1"),
                                  (60, 1, 2, 0.0, "m=1"), (40, 40, 5, 0.0, "d5")]:
        x = r6(rng.normal(size=(n, d)))
        y = r6(rng.normal(size=(m, d)) + 0.5)
        a = weights(rng, n, zeros)
        b = weights(rng, m, zeros)
        emd.append(emd_case(label, x, y, a, b))
    # Integer grids: many exactly tied costs, uniform and integer weights.
    for n, m in [(100, 100), (80, 120)]:
        x = rng.integers(0, 5, size=(n, 2)).astype(float)
        y = rng.integers(0, 5, size=(m, 2)).astype(float)
        a = rng.integers(1, 4, size=n).astype(float)
        b = rng.integers(1, 4, size=m).astype(float)
        emd.append(emd_case(f"grid {n}x{m}", x, y, a, b))

    w1d = []
    for n, m in [(1, 1), (7, 5), (200, 150), (50, 300)]:
        u = r6(rng.normal(size=n))
        v = r6(rng.normal(size=m) * 2 + 0.3)
        if n == 200:
            u = np.round(u)  # ties
        wu, wv = weights(rng, n, 0.1 if n > 1 else 0), weights(rng, m)
        for p in [1, 1.5, 2, 3]:
            w1d.append({"u": u.tolist(), "v": v.tolist(), "wu": wu.tolist(), "wv": wv.tolist(), "p": p,
                        "cost": float(ot.wasserstein_1d(u, v, norm(wu), norm(wv), p=p))})

    sliced = []
    for n, m, d, k in [(300, 200, 3, 20), (100, 100, 2, 10), (50, 80, 6, 30)]:
        xs = r6(rng.normal(size=(n, d)))
        xt = r6(rng.normal(size=(m, d)) * 1.5 + 0.2)
        a, b = weights(rng, n), weights(rng, m)
        proj = rng.normal(size=(d, k))
        proj = proj / np.sqrt((proj ** 2).sum(0, keepdims=True))  # unit, full precision
        for p in [1, 2]:
            sliced.append({
                "x": xs.tolist(), "y": xt.tolist(), "a": a.tolist(), "b": b.tolist(), "p": p,
                "directions": proj.T.tolist(),
                "sliced": float(ot.sliced_wasserstein_distance(xs, xt, norm(a), norm(b), n_projections=k, p=p, projections=proj)),
                "max_sliced": float(ot.max_sliced_wasserstein_distance(xs, xt, norm(a), norm(b), n_projections=k, p=p, projections=proj)),
            })

    out = {"pot": ot.__version__, "emd": emd, "w1d": w1d, "sliced": sliced}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pot.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
