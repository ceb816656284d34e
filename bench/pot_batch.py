#!/usr/bin/python3
"""POT side of the batched-solver benchmark (driven by bench/batchbench).

Usage: pot_batch.py DIR B N EPS THRESHOLD MAXITER

Reads DIR/x.f64 and DIR/y.f64 (B problems of N×2 points, little-endian
float64, written by the Go driver) and times two loops over the B problems,
each including the cost construction (ot.dist, squared Euclidean) as a
minibatch training loop has it:
  - ot.emd(a, b, M) (POT's C++ network simplex), uniform weights;
  - ot.sinkhorn(a, b, M, EPS, stopThr=THRESHOLD, numItermax=MAXITER)
    (POT's default method, sinkhorn_knopp: the L2 norm of the column
    marginal error checked every 10 iterations).
Prints one JSON line: wall and CPU seconds of each loop, the sums of the
problems' transport costs <P, M> (a check against otkit's) and POT's version.
"""
import json
import sys
import time
import warnings

import numpy as np
import ot


def main():
    d, B, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    eps, thr, maxiter = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
    x = np.fromfile(f"{d}/x.f64", dtype="<f8").reshape(B, n, 2)
    y = np.fromfile(f"{d}/y.f64", dtype="<f8").reshape(B, n, 2)
    a = np.full(n, 1.0 / n)
    out = {"pot": ot.__version__}

    t0, c0 = time.perf_counter(), time.process_time()
    total = 0.0
    for k in range(B):
        M = ot.dist(x[k], y[k])
        G = ot.emd(a, a, M)
        total += float(np.sum(G * M))
    out["emd_seconds"], out["emd_cpu"] = time.perf_counter() - t0, time.process_time() - c0
    out["emd_cost_sum"] = total

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # POT warns when a solve hits MAXITER
        t0, c0 = time.perf_counter(), time.process_time()
        total = 0.0
        for k in range(B):
            M = ot.dist(x[k], y[k])
            P = ot.sinkhorn(a, a, M, eps, stopThr=thr, numItermax=maxiter)
            total += float(np.sum(P * M))
        out["sinkhorn_seconds"], out["sinkhorn_cpu"] = time.perf_counter() - t0, time.process_time() - c0
    out["sinkhorn_cost_sum"] = total
    print(json.dumps(out))


if __name__ == "__main__":
    main()
