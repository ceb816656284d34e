#!/usr/bin/env python3
"""Reference partial-transport values from POT, for otkit/partial_pot_test.go.

Run from this directory with the system Python that has POT (Debian
python3-pot 0.8.2):  /usr/bin/python3 gen.py  → writes pot.json next to
this script.

Each case stores the cost matrix itself (JSON floats round-trip exactly, so
both sides read the same binary numbers) and the raw weights (not
normalised: partial transport takes masses as they are).

exact:    ot.partial.partial_wasserstein (plan) and partial_wasserstein2
          (cost) for a mass m, with random continuous costs so that the
          optimal plan is unique; one case with integer costs (ties: only
          the cost is compared).
lagrange: ot.partial.partial_wasserstein_lagrange (plan) for a price
          reg_m; POT requires Σa, Σb ≤ 1, so those cases are normalised.
entropic: ot.partial.entropic_partial_wasserstein with stopThr = 1e-100
          (POT runs all numItermax iterations) and enough iterations to
          converge; "pot_err" is POT's last Frobenius change of the plan
          (the Go test compares only cases where it is below 1e-12).
unstable: the same at a small reg: exp(-M/reg) underflows to 0 and POT's
          iteration divides 0 by 0; "pot_nan" records that its plan holds
          NaN (the Go test checks that otkit's log-domain solve does not).
"""

import json
import os
import warnings

import numpy as np
import ot


def r6(a):
    return np.round(np.asarray(a, dtype=float), 6)


def cloud(rng, n, d=2, shift=0.0):
    return rng.normal(size=(n, d)) + shift


def weights(rng, k, total=1.0, zeros=0.0):
    w = r6(total * (0.2 + rng.random(k)) / k)
    if zeros > 0:
        w[rng.random(k) < zeros] = 0.0
    return w


def exact_case(name, M, a, b, m, compare_plan=True):
    G = ot.partial.partial_wasserstein(a, b, M, m=m, numItermax=10**8)
    cost = ot.partial.partial_wasserstein2(a, b, M, m=m, numItermax=10**8)
    return {"name": name, "M": M.tolist(), "a": a.tolist(), "b": b.tolist(), "m": m,
            "plan": G.tolist(), "cost": float(cost), "compare_plan": compare_plan}


def lagrange_case(name, M, a, b, reg_m):
    G = ot.partial.partial_wasserstein_lagrange(a, b, M, reg_m=reg_m, numItermax=10**8)
    return {"name": name, "M": M.tolist(), "a": a.tolist(), "b": b.tolist(), "price": reg_m,
            "plan": G.tolist(), "cost": float(np.sum(G * M))}


def entropic_case(name, M, a, b, m, reg, iters):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G, log = ot.partial.entropic_partial_wasserstein(a, b, M, reg, m=m, numItermax=iters,
                                                         stopThr=1e-100, log=True)
    nan = bool(np.any(~np.isfinite(G)))
    return {"name": name, "M": M.tolist(), "a": a.tolist(), "b": b.tolist(), "m": m, "reg": reg,
            "plan": np.nan_to_num(G, nan=-1.0).tolist(), "cost": float(np.nansum(G * M)),
            "pot_err": float(log["err"][-1]) if log["err"] else -1.0, "pot_nan": nan}


def main():
    rng = np.random.default_rng(22)
    exact, lagrange, entropic = [], [], []

    x, y = cloud(rng, 8), cloud(rng, 10, shift=0.5)
    a, b = weights(rng, 8), weights(rng, 10, total=1.3)
    M = ot.dist(x, y)
    top = float(min(a.sum(), b.sum()))
    for frac in (0.3, 0.7, 0.999):
        exact.append(exact_case("small m=%g·min" % frac, M, a, b, frac * top))
    exact.append(exact_case("small m=min", M, a, b, float(min(a.sum(), b.sum()))))

    x, y = cloud(rng, 40, 3), cloud(rng, 30, 3, shift=1.0)
    a, b = weights(rng, 40, zeros=0.2), weights(rng, 30, total=0.7)
    M = ot.dist(x, y)
    exact.append(exact_case("zeros m=0.3", M, a, b, 0.3))

    x, y = cloud(rng, 60), cloud(rng, 50, shift=2.0)
    a, b = weights(rng, 60), weights(rng, 50)
    M = ot.dist(x, y)
    exact.append(exact_case("60x50 m=0.5", M, a, b, 0.5))

    Mi = rng.integers(1, 5, size=(12, 9)).astype(float)
    a, b = weights(rng, 12), weights(rng, 9)
    exact.append(exact_case("integer costs m=0.4", Mi, a, b, 0.4, compare_plan=False))

    x, y = cloud(rng, 15), cloud(rng, 12, shift=1.0)
    a, b = weights(rng, 15, total=0.9), weights(rng, 12, total=0.8)
    M = ot.dist(x, y)
    for reg_m in (0.5, 2.0, 5.0, float(M.max()) + 1):
        lagrange.append(lagrange_case("lagrange reg_m=%g" % reg_m, M, a, b, reg_m))

    x, y = cloud(rng, 20), cloud(rng, 25, shift=1.0)
    a, b = weights(rng, 20), weights(rng, 25, total=1.2)
    M = ot.dist(x, y)
    M = M / M.max()
    for reg, iters in ((0.5, 2000), (0.1, 5000), (0.05, 20000)):
        entropic.append(entropic_case("entropic reg=%g" % reg, M, a, b, 0.5, reg, iters))
    unstable = [entropic_case("unstable reg=0.001", M, a, b, 0.5, 0.001, 200)]

    out = {"exact": exact, "lagrange": lagrange, "entropic": entropic, "unstable": unstable,
           "pot_version": ot.__version__}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pot.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
