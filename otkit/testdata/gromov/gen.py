#!/usr/bin/env python3
"""Reference entropic Gromov-Wasserstein couplings from POT, for
otkit/gromov_test.go.

Run from this directory with the system Python that has POT (Debian
python3-pot 0.8.2):  python3 gen.py  → writes problems.json next to it.

POT 0.8.2's ot.gromov.entropic_gromov_wasserstein(C1, C2, p, q,
'square_loss', epsilon, max_iter, tol) starts from T = p q^T and repeats
T <- sinkhorn(p, q, 2 (constC - hC1 T hC2^T), epsilon) with
constC = C1^2 p 1^T + 1 (C2^2 q)^T, hC1 = C1, hC2 = 2 C2; every 10th
iteration (0, 10, ...) it records ||T - T_prev||_F and stops once it is
<= tol.  gw_dist is sum((constC - hC1 T hC2^T) * T).  The inner sinkhorn is
the scaling form (1000 iterations, stopThr 1e-9 on the L2 column error);
otkit's inner solve is its log-domain Sinkhorn with the same threshold, so
individual iterates differ at the inner tolerance and the comparison runs
with tol = 1e-11 on both sides and a 1e-7 tolerance.

The problems: random clouds in different dimensions, C = ot.dist (squared
Euclidean) divided by its maximum, so that the epsilons below are on the
scale of the costs.

Self-check before writing: the returned T is a fixed point of the step
(one more step moves it by less than 1e-9).
"""

import json
import os

import numpy as np
import ot


def case(rng, name, n, m, d1, d2, eps, uniform):
    x = rng.normal(size=(n, d1))
    y = rng.normal(size=(m, d2))
    C1 = ot.dist(x, x)
    C2 = ot.dist(y, y)
    C1 /= C1.max()
    C2 /= C2.max()
    if uniform:
        p, q = ot.unif(n), ot.unif(m)
    else:
        p = rng.uniform(0.2, 1, size=n)
        p /= p.sum()
        q = rng.uniform(0.2, 1, size=m)
        q /= q.sum()
    T, log = ot.gromov.entropic_gromov_wasserstein(
        C1, C2, p, q, "square_loss", eps, max_iter=5000, tol=1e-11, log=True)
    constC, hC1, hC2 = ot.gromov.init_matrix(C1, C2, p, q, "square_loss")
    T2 = ot.sinkhorn(p, q, ot.gromov.gwggrad(constC, hC1, hC2, T), eps)
    assert np.abs(T2 - T).max() < 1e-9, np.abs(T2 - T).max()
    return {
        "name": name, "eps": eps, "x": x.tolist(), "y": y.tolist(),
        "c1": C1.tolist(), "c2": C2.tolist(), "p": p.tolist(), "q": q.tolist(),
        "coupling": T.tolist(), "gw_dist": float(log["gw_dist"]),
        "errors": [float(e) for e in log["err"]],
    }


def main():
    rng = np.random.default_rng(151)
    cases = [
        case(rng, "gw_n6_m5_d2_d3_eps0.05_uniform", 6, 5, 2, 3, 0.05, True),
        case(rng, "gw_n8_m7_d3_d2_eps0.02", 8, 7, 3, 2, 0.02, False),
        case(rng, "gw_n5_m9_d1_d4_eps0.1", 5, 9, 1, 4, 0.1, False),
    ]
    out = {"generator": "gen.py", "pot_version": ot.__version__, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "problems.json")
    with open(path, "w") as fh:
        json.dump(out, fh)
        fh.write("\n")


if __name__ == "__main__":
    main()
