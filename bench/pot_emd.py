#!/usr/bin/python3
"""POT side of the exact-OT benchmark (driven by bench/emdbench).

Usage: pot_emd.py DIR N D

Reads DIR/x.f64, DIR/y.f64 (N×D little-endian float64) and DIR/a.f64,
DIR/b.f64 (weights), builds the squared-Euclidean cost with ot.dist (not
timed) and times ot.emd(a, b, M, numItermax=10**9) (POT's C++ network
simplex; the default limit of 100000 pivots would stop it before the
optimum at these sizes). Prints one JSON line: {"seconds", "cpu", "cost",
"warnings", "pot"}.
"""
import json
import sys
import time
import warnings

import numpy as np
import ot


def main():
    d, n, dim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x = np.fromfile(f"{d}/x.f64", dtype="<f8").reshape(n, dim)
    y = np.fromfile(f"{d}/y.f64", dtype="<f8").reshape(n, dim)
    a = np.fromfile(f"{d}/a.f64", dtype="<f8")
    b = np.fromfile(f"{d}/b.f64", dtype="<f8")
    M = ot.dist(x, y)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        t0, c0 = time.perf_counter(), time.process_time()
        G = ot.emd(a, b, M, numItermax=10**9)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"seconds": dt, "cpu": cpu, "cost": float(np.sum(G * M)),
                      "warnings": [str(x.message) for x in w], "pot": ot.__version__}))


if __name__ == "__main__":
    main()
