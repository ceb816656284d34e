#!/usr/bin/env python3
"""Reference barycenters computed by POT, for otkit/barycenter_test.go.

Run from this directory with the system Python that has POT (Debian
python3-pot 0.8.2):  python3 gen.py  → writes problems.json next to it.

Conventions (checked against POT 0.8.2's source, see the Go docs):

* ot.bregman.barycenter(A, M, reg, weights, method='sinkhorn_log'): the
  inputs are the columns of A, the Gibbs kernel is exp(-M/reg) (reg is
  otkit's eps, no scaling), potentials start at 0, the error
  sum_j std_k (P_k^T 1)_j (population std) is evaluated at iterations
  1, 11, 21, ... and the loop stops when it is below stopThr.  otkit follows
  the same schedule, so the default-threshold results agree to rounding.
  POT adds 1e-15 to A before the log; the inputs here have no zeros.
  method='sinkhorn' (the scaling form, POT's default) starts from
  u_k = geomean_k(K a_k')/(K a_k') with the UNWEIGHTED geometric mean; its
  updates keep prod_k u_k^lambda_k fixed, and the optimum needs it to be 1,
  so with non-uniform weights it converges to a different (wrong)
  histogram.  It is stored as bar_tight_scaling; the Go test checks that it
  matches for uniform weights and differs for weighted ones.
* ot.bregman.convolutional_barycenter2d(A, reg, weights): A is
  (n_images, R, C); pixel (i, j) sits at (i/(R-1), j/(C-1)); the kernel is
  exp(-d^2/reg) per axis; error at iterations 9, 19, ....  The default
  method is the scaling form with all-ones start; method='sinkhorn_log'
  matches otkit's iterates.  The scaling form's barycenter is
  exp(sum_k lambda_k log(K U_k + 1e-30)); its scalings drift (U reaches
  1e-27..1e-30 here), so that 1e-30 moves the tight result by 1e-8..1e-6.
  bar_tight is the scaling form with stabThr=0 (POT's private
  _convolutional_barycenter2d, which the public call wraps), bar_tight_stab
  the public default; the Go test matches the first and documents the
  second's offset.  Images here are strictly positive (POT adds
  1e-30 before the log, otkit does not).
* ot.lp.free_support_barycenter(locations, weights, X_init, b, weights,
  numItermax, stopThr): exact inner OT (ot.emd) on the squared Euclidean
  cost ot.dist; X <- sum_k lambda_k diag(1/b) T_k Y_k; stops when
  sum ||X_new - X||^2 <= stopThr.
"""

import json
import os

import numpy as np
import ot


def fixed_cases(rng):
    out = []
    for name, n, K, reg, weighted in [
        ("fixed_n12_k3_reg0.05", 12, 3, 0.05, False),
        ("fixed_n20_k2_reg0.01_weighted", 20, 2, 0.01, True),
        ("fixed_n8_k4_reg0.2_weighted", 8, 4, 0.2, True),
    ]:
        x = np.sort(rng.uniform(0, 1, size=n))
        M = (x[:, None] - x[None, :]) ** 2
        A = rng.uniform(0.05, 1.0, size=(n, K)) ** 3
        A /= A.sum(0)
        w = rng.uniform(0.2, 1.0, size=K) if weighted else np.ones(K)
        w /= w.sum()
        bar_log, log = ot.bregman.barycenter(A, M, reg, weights=w, method="sinkhorn_log",
                                             log=True, warn=False)
        bar_tight = ot.bregman.barycenter(A, M, reg, weights=w, method="sinkhorn",
                                          numItermax=200000, stopThr=1e-13, warn=False)
        bar_tight_log = ot.bregman.barycenter(A, M, reg, weights=w, method="sinkhorn_log",
                                              numItermax=200000, stopThr=1e-13, warn=False)
        print(name, "scaling vs log at 1e-13:", np.max(np.abs(bar_tight - bar_tight_log)))
        out.append({
            "name": name, "reg": reg, "x": x.tolist(), "cost": M.tolist(),
            "hists": A.T.tolist(), "weights": w.tolist(),
            "bar_default": bar_log.tolist(), "niter_default": int(log["niter"]),
            "err_default": [float(e) for e in log["err"]],
            "bar_tight": bar_tight_log.tolist(), "bar_tight_scaling": bar_tight.tolist(),
        })
    return out


def blob(rng, R, C):
    i, j = np.mgrid[0:R, 0:C]
    ci, cj = rng.uniform(0.2, 0.8) * R, rng.uniform(0.2, 0.8) * C
    s = rng.uniform(0.1, 0.25) * max(R, C)
    im = np.exp(-((i - ci) ** 2 + (j - cj) ** 2) / (2 * s * s)) + 1e-3
    return im / im.sum()


def conv_cases(rng):
    out = []
    for name, R, C, K, reg, weighted in [
        ("conv_10x8_k3_reg0.01", 10, 8, 3, 0.01, False),
        ("conv_16x16_k2_reg0.004_weighted", 16, 16, 2, 0.004, True),
    ]:
        A = np.stack([blob(rng, R, C) for _ in range(K)])
        w = rng.uniform(0.2, 1.0, size=K) if weighted else np.ones(K)
        w /= w.sum()
        bar_log, log = ot.bregman.convolutional_barycenter2d(
            A, reg, weights=w, method="sinkhorn_log", log=True, warn=False)
        bar_scaling = ot.bregman.convolutional_barycenter2d(
            A, reg, weights=w, numItermax=200000, stopThr=1e-13, warn=False)
        # The same scaling form without the 1e-30 added inside its logarithm.
        bar_scaling0 = ot.bregman._convolutional_barycenter2d(
            A, reg, weights=w, numItermax=200000, stopThr=1e-13, warn=False, stabThr=0)
        out.append({
            "name": name, "reg": reg, "images": A.tolist(), "weights": w.tolist(),
            "bar_default": bar_log.tolist(), "niter_default": int(log["niter"]),
            "err_default": [float(e) for e in log["err"]],
            "bar_tight": bar_scaling0.tolist(), "bar_tight_stab": bar_scaling.tolist(),
        })
    return out


def free_cases(rng):
    out = []
    for name, sizes, k, d, weighted in [
        ("free_k5_d2_three_clouds", [7, 6, 8], 5, 2, False),
        ("free_k4_d3_two_clouds_weighted", [5, 9], 4, 3, True),
    ]:
        locs, masses = [], []
        for s, nk in enumerate(sizes):
            y = rng.normal(size=(nk, d)) + s
            a = rng.uniform(0.2, 1.0, size=nk) if weighted else np.ones(nk)
            locs.append(y)
            masses.append(a / a.sum())
        x0 = rng.normal(size=(k, d))
        b = rng.uniform(0.3, 1.0, size=k) if weighted else np.ones(k)
        b /= b.sum()
        lam = rng.uniform(0.2, 1.0, size=len(sizes)) if weighted else np.ones(len(sizes))
        lam /= lam.sum()
        X, log = ot.lp.free_support_barycenter(locs, masses, x0, b=b, weights=lam, log=True)
        out.append({
            "name": name, "locations": [y.tolist() for y in locs],
            "masses": [a.tolist() for a in masses], "x_init": x0.tolist(),
            "b": b.tolist(), "weights": lam.tolist(), "x": X.tolist(),
            "displacements": [float(v) for v in log["displacement_square_norms"]],
        })
    return out


def main():
    rng = np.random.default_rng(20261129)
    data = {"generator": "gen.py", "pot_version": ot.__version__,
            "fixed": fixed_cases(rng), "conv": conv_cases(rng), "free": free_cases(rng)}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "problems.json")
    with open(path, "w") as fh:
        json.dump(data, fh)
        fh.write("\n")


if __name__ == "__main__":
    main()
