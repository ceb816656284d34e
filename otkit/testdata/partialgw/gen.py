#!/usr/bin/env python3
"""Reference partial Gromov-Wasserstein values from POT, for
otkit/gromov_partial_pot_test.go.

Run from this directory with the system Python that has POT (Debian
python3-pot 0.8.2):  /usr/bin/python3 gen.py  → writes pot.json next to
this script.  Dissimilarity matrices (squared distances of random planar
points, divided by their maximum) and weights are stored as computed.

exact:    ot.partial.partial_gromov_wasserstein (plan, log: partial_gw_dist
          = E(T)/2 in otkit's convention) with tol 1e-12.  POT starts from
          p q^T (mass sum(p) sum(q), not m) and doubles the exact step, so
          its path differs from otkit's; "mass" is the mass of its plan.
entropic: ot.partial.entropic_partial_gromov_wasserstein with reg (otkit's
          epsilon is 2 reg: POT's step uses the gradient of E/2), tol 1e-13;
          "err" is its last change of the plan.
"""

import json
import os

import numpy as np
import ot


def space(rng, k, shift=0.0):
    x = rng.normal(size=(k, 2)) + shift
    C = ot.dist(x, x)
    return C / C.max()


def main():
    rng = np.random.default_rng(2203)
    exact, entropic = [], []
    for n, m, frac in ((8, 6, 0.5), (10, 12, 0.8), (15, 10, 0.3)):
        C1, C2 = space(rng, n), space(rng, m)
        p, q = np.full(n, 1.0 / n), np.full(m, 1.0 / m)
        mass = frac
        G, log = ot.partial.partial_gromov_wasserstein(C1, C2, p, q, m=mass, log=True, tol=1e-12, numItermax=10000)
        exact.append({"name": "exact %dx%d m=%g" % (n, m, mass), "C1": C1.tolist(), "C2": C2.tolist(),
                      "p": p.tolist(), "q": q.tolist(), "m": mass, "plan": G.tolist(),
                      "cost": 2 * float(log["partial_gw_dist"]), "mass": float(G.sum())})
        for reg in (0.5, 0.1):
            G, log = ot.partial.entropic_partial_gromov_wasserstein(C1, C2, p, q, reg, m=mass, log=True,
                                                                    tol=1e-13, numItermax=5000)
            entropic.append({"name": "entropic %dx%d m=%g reg=%g" % (n, m, mass, reg), "C1": C1.tolist(),
                             "C2": C2.tolist(), "p": p.tolist(), "q": q.tolist(), "m": mass, "reg": reg,
                             "plan": G.tolist(), "cost": 2 * float(log["partial_gw_dist"]),
                             "err": float(log["err"][-1])})
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pot.json"), "w") as f:
        json.dump({"exact": exact, "entropic": entropic, "pot_version": ot.__version__}, f)


if __name__ == "__main__":
    main()
