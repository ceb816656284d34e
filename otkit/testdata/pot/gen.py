#!/usr/bin/env python3
"""Reference entropic OT problems solved by POT, for otkit/pot_test.go.

Run from this directory with the system Python that has POT (Debian
python3-pot):  python3 gen.py  → writes problems.json next to this script.

Conventions (how POT's objectives map onto OTT's reg_ot_cost, note §3):

OTT (and otkit) write the coupling as P_ij = exp((f_i + g_j - C_ij)/eps) and
report

    R = <P, C> + eps KL(P | a b^T) + rho_a KL(P 1 | a) + rho_b KL(P^T 1 | b)

with the generalised KL(p|q) = sum p log(p/q) - p + q and rho = eps tau/(1-tau)
(the KL marginal terms are absent, i.e. hard constraints, when tau = 1).  At
the optimum R equals OTT's dual formula D_a + D_b + eps(sum a sum b - sum P).

Balanced (tau = 1): the marginals are fixed, so the entropy reference (a b^T
in OTT, 1 1^T inside POT) changes the objective only by a constant and the
optimal coupling is the same.  We run ot.sinkhorn(method='sinkhorn_log') on
M = C and evaluate R from POT's coupling with the formula above.  POT's
potentials are f = eps log_u, g = eps log_v (P = diag(u) K diag(v)); they are
fixed only up to f + c, g - c, so the Go test compares them modulo that.

Unbalanced (tau < 1): POT's sinkhorn_knopp_unbalanced iterates
u = (a / K v)^(rho/(rho+eps)), v = (b / K^T u)^(rho/(rho+eps)) with
K = exp(-M/eps).  Its fixed point is the stationary point of
<P, M> + eps KL(P | 1 1^T) + rho KL(P 1|a) + rho KL(P^T 1|b): the entropy
reference is the all-ones matrix, not a b^T, so it is NOT the problem OTT's
reported value belongs to.  Since
    eps KL(P | a b^T) = eps KL(P | 1 1^T) - <P, eps log a_i + eps log b_j> + eps (sum a sum b - n m),
the a b^T problem with cost C is POT's problem with the shifted cost
M = C - eps log a_i - eps log b_j (plus a constant).  We therefore pass that M
to POT: the optimal coupling is then the one of the otkit problem (consistent
update, note §4.4 item 4), and R is evaluated as the primal objective above
from POT's coupling.  Potentials in OTT's convention are
f = eps (log u + log a), g = eps (log v + log b); unbalanced potentials are
unique.  (POT's own reported quantities refer to its 1 1^T problem and are not
compared.)

Self-checks before writing: primal objective vs OTT's dual formula, and the
first-order conditions, must agree to ~1e-10, so the stored numbers are the
optimum of the stated problem and not merely a POT iterate.
"""

import json
import os

import numpy as np
import ot


def sqeuclid(x, y):
    # The norm form OTT uses: |x|^2 + |y|^2 - 2 <x, y>.
    return (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * x @ y.T


def gkl(p, q):
    return float(np.sum(p * np.log(p / q) - p + q))


def primal(P, C, a, b, eps, tau):
    val = float(np.sum(P * C)) + eps * gkl(P, np.outer(a, b))
    if tau < 1:
        rho = eps * tau / (1 - tau)
        val += rho * gkl(P.sum(1), a) + rho * gkl(P.sum(0), b)
    return val


def dual(f, g, P, a, b, eps, tau):
    # OTT's reg_ot_cost from the potentials (note §3).
    fa = f - eps * np.log(a)
    gb = g - eps * np.log(b)
    if tau == 1:
        da, db = float(a @ fa), float(b @ gb)
    else:
        rho = eps * tau / (1 - tau)
        da = float(a @ (rho * (1 - np.exp(-fa / rho))))
        db = float(b @ (rho * (1 - np.exp(-gb / rho))))
    return da + db + eps * (a.sum() * b.sum() - P.sum())


def solve(x, y, a, b, eps, tau):
    C = sqeuclid(x, y)
    if tau == 1:
        P, log = ot.sinkhorn(a, b, C, eps, method="sinkhorn_log",
                             numItermax=200000, stopThr=1e-14, log=True)
        f = eps * log["log_u"]
        g = eps * log["log_v"]
    else:
        rho = eps * tau / (1 - tau)
        M = C - eps * np.log(a)[:, None] - eps * np.log(b)[None, :]
        P, log = ot.unbalanced.sinkhorn_unbalanced(
            a, b, M, eps, rho, method="sinkhorn",
            numItermax=200000, stopThr=1e-15, log=True)
        f = eps * (log["logu"] + np.log(a))
        g = eps * (log["logv"] + np.log(b))
    # P rebuilt from the potentials must be POT's coupling.
    Pf = np.exp((f[:, None] + g[None, :] - C) / eps)
    assert np.max(np.abs(Pf - P)) <= 1e-12 * np.max(P), "coupling/potentials mismatch"
    R = primal(P, C, a, b, eps, tau)
    Rd = dual(f, g, P, a, b, eps, tau)
    assert abs(R - Rd) <= 1e-10 * max(1.0, abs(R)), (R, Rd)
    # First-order conditions of the otkit problem.
    if tau == 1:
        assert np.max(np.abs(P.sum(1) - a)) < 1e-12
        assert np.max(np.abs(P.sum(0) - b)) < 1e-12
    else:
        rho = eps * tau / (1 - tau)
        # P 1 = a exp(-(f - eps log a)/rho), likewise for columns.
        ra = a * np.exp(-(f - eps * np.log(a)) / rho)
        rb = b * np.exp(-(g - eps * np.log(b)) / rho)
        assert np.max(np.abs(P.sum(1) - ra)) < 1e-12, np.max(np.abs(P.sum(1) - ra))
        assert np.max(np.abs(P.sum(0) - rb)) < 1e-12, np.max(np.abs(P.sum(0) - rb))
    return C, P, f, g, R


def main():
    rng = np.random.default_rng(20261125)
    cases = []
    specs = [
        # name, n, m, eps, tau, uniform, mass_b
        ("balanced_uniform_eps1", 6, 4, 1.0, 1.0, True, 1.0),
        ("balanced_eps0.5", 5, 7, 0.5, 1.0, False, 1.0),
        ("balanced_eps0.1", 7, 5, 0.1, 1.0, False, 1.0),
        ("balanced_eps0.05", 8, 6, 0.05, 1.0, False, 1.0),
        ("unbalanced_tau0.8_eps0.5", 5, 7, 0.5, 0.8, False, 1.5),
        ("unbalanced_tau0.5_eps0.1", 6, 4, 0.1, 0.5, False, 0.7),
        ("unbalanced_tau0.99_eps1", 4, 6, 1.0, 1 / 1.01, False, 1.0),
        ("unbalanced_tau0.9_eps0.2_uniform", 6, 5, 0.2, 0.9, True, 1.0),
    ]
    for name, n, m, eps, tau, uniform, mass_b in specs:
        x = rng.normal(size=(n, 2))
        y = 0.8 * rng.normal(size=(m, 2)) + np.array([1.0, -0.5])
        if uniform:
            a = np.full(n, 1.0 / n)
            b = np.full(m, mass_b / m)
        else:
            a = rng.uniform(0.2, 1.0, size=n)
            a /= a.sum()
            b = rng.uniform(0.2, 1.0, size=m)
            b *= mass_b / b.sum()
        C, P, f, g, R = solve(x, y, a, b, eps, tau)
        cases.append({
            "name": name, "eps": eps, "tau": tau,
            "x": x.tolist(), "y": y.tolist(), "a": a.tolist(), "b": b.tolist(),
            "cost": C.tolist(), "coupling": P.tolist(), "f": f.tolist(), "g": g.tolist(),
            "reg_ot_cost": R, "primal_cost": float(np.sum(P * C)),
        })
    out = {"generator": "gen.py", "pot_version": ot.__version__, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "problems.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
