#!/usr/bin/env python3
"""Reference values for otkit's exact 1-D quantile walk (wasserstein1d.go),
read by otkit/wasserstein1d_accuracy_test.go.

Run from this directory with the system Python that has POT (Debian
python3-pot 0.8.2):  /usr/bin/python3 gen.py  → writes cases.json.

The samples are too large to store (up to 500,000 points), so they are
generated from a recipe both sides follow bit for bit: splitmix64 (integer
arithmetic), uniforms (x >> 11)·2⁻⁵³ (exact doubles), approximately normal
values as the sum of 12 uniforms minus 6 added left to right in float64
(IEEE addition, the same in Python and Go), integer weights 1 + x mod 1000,
and one far outlier written over one point. Each case stores the recipe, and

  pot:   ot.wasserstein_1d(u, v, wu, wv, p) (POT sums its cumulative
         weights with np.cumsum, so it is itself off by ~n·1e-16 in the
         levels: the Go test only holds otkit to it at 1e-9),
  exact: W_p^p from an exact walk: levels as Fractions, terms and sum in
         Decimal with 60 significant digits (|x − y|^1.5 via Decimal.sqrt),
         rounded to the nearest double at the end.
"""

import json
import os
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import ot

getcontext().prec = 60
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return float(self.next() >> 11) * 2.0**-53

    def normalish(self):
        s = 0.0
        for _ in range(12):
            s += self.uniform()  # float64 addition, left to right
        return s - 6.0

    def weight(self):
        return float(1 + self.next() % 1000)


def sample(seed, n, shift, weighted, outlier_at, outlier):
    g = SplitMix64(seed)
    x = [g.normalish() + shift for _ in range(n)]
    if outlier_at >= 0:
        x[outlier_at] = outlier
    w = [g.weight() for _ in range(n)] if weighted else None
    return x, w


def exact(u, v, wu, wv, p):
    def atoms(x, w):
        order = sorted(range(len(x)), key=lambda i: x[i])  # stable, like Go
        ws = [Fraction(1) if w is None else Fraction(w[i]) for i in order]
        tot = sum(ws)
        return [x[i] for i in order], [q / tot for q in ws]

    su, au = atoms(u, wu)
    sv, av = atoms(v, wv)
    i = j = 0
    cu, cv, at = au[0], av[0], Fraction(0)
    total = Decimal(0)
    while True:
        nxt = min(cu, cv)
        dq = nxt - at
        if dq > 0:
            d = abs(Decimal(su[i]) - Decimal(sv[j]))  # exact: Decimal(float)
            if p == 1:
                term = d
            elif p == 2:
                term = d * d
            elif p == 1.5:
                term = d * d.sqrt()
            else:
                raise ValueError(p)
            total += term * Decimal(dq.numerator) / Decimal(dq.denominator)
        if nxt >= 1:
            return float(total)
        at = nxt
        if cu == nxt:
            i += 1
            cu += au[i]
        if cv == nxt:
            j += 1
            cv += av[j]


CASES = [
    # The case: 200,000 ≈ N(0,1) against 300,000 ≈ N(0.5,1), one
    # point of v at 1e6; uniform weights.
    dict(name="issue-outlier-v", n=200000, m=300000, seed_u=1, seed_v=2, shift_v=0.5,
         weighted=False, outlier_in="v", outlier_at=7, outlier=1e6, ps=[1, 2]),
    dict(name="outlier-u-negative", n=120000, m=80000, seed_u=3, seed_v=4, shift_v=0.25,
         weighted=False, outlier_in="u", outlier_at=11, outlier=-1e6, ps=[1, 1.5, 2]),
    dict(name="weighted-outlier", n=50000, m=70000, seed_u=5, seed_v=6, shift_v=0.5,
         weighted=True, outlier_in="v", outlier_at=3, outlier=1e6, ps=[1, 1.5, 2]),
    dict(name="weighted-no-outlier", n=30000, m=20000, seed_u=7, seed_v=8, shift_v=1.0,
         weighted=True, outlier_in="", outlier_at=-1, outlier=0.0, ps=[1, 2]),
]


def main():
    out = {"pot": ot.__version__, "cases": []}
    for c in CASES:
        u, wu = sample(c["seed_u"], c["n"], 0.0, c["weighted"],
                       c["outlier_at"] if c["outlier_in"] == "u" else -1, c["outlier"])
        v, wv = sample(c["seed_v"], c["m"], c["shift_v"], c["weighted"],
                       c["outlier_at"] if c["outlier_in"] == "v" else -1, c["outlier"])
        res = []
        for p in c["ps"]:
            a = None if wu is None else np.array(wu) / np.sum(wu)
            b = None if wv is None else np.array(wv) / np.sum(wv)
            pot = float(ot.wasserstein_1d(np.array(u), np.array(v), a, b, p=p))
            ex = exact(u, v, wu, wv, p)
            res.append({"p": p, "pot": pot, "exact": ex})
            print(f'{c["name"]} p={p}: exact {ex!r} POT {pot!r} (rel {abs(pot - ex) / ex:.2e})')
        case = dict(c)
        case["results"] = res
        out["cases"].append(case)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "cases.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
