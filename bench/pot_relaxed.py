#!/usr/bin/python3
"""POT side of the partial/unbalanced benchmark (driven by bench/relaxed).

Usage: pot_relaxed.py DIR N CASE ITERS

Reads DIR/M.f64 (N×N little-endian float64 cost, already divided by its
maximum), DIR/a.f64, DIR/b.f64 and, for the barycenter, DIR/A.f64 (3×N
histograms), runs one POT 0.8.2 solver on them and prints one JSON line
{"seconds", "cpu", "value", "warnings", "nan"}:

partial   ot.partial.partial_wasserstein2(a, b, M, m=0.7, numItermax=1e9)
entropic  ot.partial.entropic_partial_wasserstein(a, b, M, 0.01, m=0.7,
          numItermax=ITERS, stopThr=1e-100): exactly ITERS iterations
mm        ot.unbalanced.mm_unbalanced2(a, b, M, 0.1, 'kl', numItermax=ITERS,
          stopThr=0): exactly ITERS iterations
bary      ot.unbalanced.barycenter_unbalanced(A.T, M, 0.01, 0.1,
          numItermax=ITERS, stopThr=1e-8)
"""
import json
import sys
import time
import warnings

import numpy as np
import ot


def main():
    d, n, case, iters = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    M = np.fromfile(f"{d}/M.f64", dtype="<f8").reshape(n, n)
    a = np.fromfile(f"{d}/a.f64", dtype="<f8")
    b = np.fromfile(f"{d}/b.f64", dtype="<f8")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        t0, c0 = time.perf_counter(), time.process_time()
        if case == "partial":
            out = ot.partial.partial_wasserstein2(a, b, M, m=0.7, numItermax=10**9)
        elif case == "entropic":
            G = ot.partial.entropic_partial_wasserstein(a, b, M, 0.01, m=0.7, numItermax=iters, stopThr=1e-100)
            out = np.sum(G * M)
        elif case == "mm":
            out = ot.unbalanced.mm_unbalanced2(a, b, M, 0.1, div="kl", numItermax=iters, stopThr=0.0)
        elif case == "bary":
            A = np.fromfile(f"{d}/A.f64", dtype="<f8").reshape(3, n)
            out = np.sum(ot.unbalanced.barycenter_unbalanced(A.T, M, 0.01, 0.1, numItermax=iters, stopThr=1e-8))
        else:
            raise SystemExit("unknown case " + case)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"seconds": dt, "cpu": cpu, "value": float(out), "nan": bool(not np.isfinite(out)),
                      "warnings": sorted({str(x.message)[:80] for x in w})}))


if __name__ == "__main__":
    main()
