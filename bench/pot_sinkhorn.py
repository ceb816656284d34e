#!/usr/bin/python3
"""POT side of the otkit vs POT Sinkhorn benchmark (driven by bench/sinkbench).

Usage: pot_sinkhorn.py DIR N ITERS EPS

Reads DIR/x.f64 and DIR/y.f64 (N×2 little-endian float64, written by the Go
driver), builds the squared-Euclidean cost with ot.dist, and runs
ot.sinkhorn(a, b, M, EPS, method="sinkhorn_log") with uniform weights for
exactly ITERS iterations (stopThr=0). Only that call is timed. Writes the
potentials f = EPS*log_u and g = EPS*log_v to DIR/pot_f.f64 and DIR/pot_g.f64
and prints one JSON line: {"seconds", "per_iter", "cpu_per_iter", "primal",
"pot"} (wall and CPU seconds).
"""
import json
import sys
import time

import numpy as np
import ot


def main():
    d, n, iters, eps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    x = np.fromfile(f"{d}/x.f64", dtype="<f8").reshape(n, 2)
    y = np.fromfile(f"{d}/y.f64", dtype="<f8").reshape(n, 2)
    M = ot.dist(x, y)  # squared Euclidean, norm form
    a = np.full(n, 1.0 / n)
    b = np.full(n, 1.0 / n)
    t0, c0 = time.perf_counter(), time.process_time()
    P, log = ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", numItermax=iters,
                         stopThr=0.0, log=True, warn=False)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    (eps * log["log_u"]).astype("<f8").tofile(f"{d}/pot_f.f64")
    (eps * log["log_v"]).astype("<f8").tofile(f"{d}/pot_g.f64")
    print(json.dumps({"seconds": dt, "per_iter": dt / iters, "cpu_per_iter": cpu / iters,
                      "primal": float(np.sum(P * M)), "pot": ot.__version__}))


if __name__ == "__main__":
    main()
