#!/usr/bin/python3
"""PyTorch (CPU) side of the otkit Sinkhorn benchmark (driven by bench/sinkbench).

Usage: torch_sinkhorn.py DIR N ITERS EPS DTYPE THREADS

Reads DIR/x.f64 and DIR/y.f64 (N×2 little-endian float64, written by the Go
driver) and runs a tuned log-domain Sinkhorn for exactly ITERS iterations
with uniform weights, in DTYPE ("float64" or "float32") on THREADS threads:

  * K = −C/eps is computed once (C = squared Euclidean distance in norm form,
    as ot.dist and otkit compute it), and its transpose once as a contiguous
    copy, so both half-iterations reduce along contiguous rows;
  * each half-iteration reduces row chunks of about CHUNK_BYTES per thread
    (measured best, see below) in place in one reusable buffer: buf = K[rows] + h/eps,
    m = max, buf = exp(buf − m), s = sum, out = eps·(log s + m);
  * the update order is POT's and otkit's: g from f, then f from g, starting
    from f = g = 0.

Only the iterations are timed (wall and process CPU time). Writes the
potentials to DIR/torch_f.f64 and DIR/torch_g.f64 (as float64) and prints
one JSON line: {"seconds", "per_iter", "cpu_per_iter", "torch", "threads",
"dtype", "chunk_rows"}.
"""
import json
import math
import sys
import time

import numpy as np
import torch

# Chunk size per thread: the best of 64 KB, 256 KB, 512 KB, 1, 2, 4 and 16 MB
# at n = 4000 on the project machine (CPU time per iteration; 4 MB was 5 %
# faster than 512 KB in float64 and 15 % in float32).
CHUNK_BYTES = 4 * 1024 * 1024


def half_update(out, K, h, eps, log_w, buf):
    """out[i] = eps·log w_i − eps·log Σ_j exp(K[i, j] + h[j]/eps)."""
    rows = buf.shape[0]
    hs = h / eps
    n = K.shape[0]
    for lo in range(0, n, rows):
        hi = min(lo + rows, n)
        b = buf[: hi - lo]
        torch.add(K[lo:hi], hs, out=b)
        m = b.amax(dim=1)
        b.sub_(m[:, None]).exp_()
        s = b.sum(dim=1)
        out[lo:hi] = eps * (log_w - s.log_() - m)


def main():
    d, n, iters, eps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    dtype = {"float64": torch.float64, "float32": torch.float32}[sys.argv[5]]
    threads = int(sys.argv[6])
    torch.set_num_threads(threads)
    x = torch.from_numpy(np.fromfile(f"{d}/x.f64", dtype="<f8").reshape(n, 2))
    y = torch.from_numpy(np.fromfile(f"{d}/y.f64", dtype="<f8").reshape(n, 2))
    # Cost in float64 (norm form), then −C/eps in the working precision,
    # a block of rows at a time (no n×n float64 temporaries).
    K = torch.empty((n, n), dtype=dtype)
    nx, ny = (x * x).sum(1), (y * y).sum(1)
    for lo in range(0, n, 1024):
        hi = min(lo + 1024, n)
        C = nx[lo:hi, None] + ny[None, :] - 2.0 * x[lo:hi] @ y.T
        K[lo:hi] = (C * (-1.0 / eps)).to(dtype)
    del C
    KT = K.T.contiguous()
    item = torch.finfo(dtype).bits // 8
    # A chunk of about CHUNK_BYTES per thread.
    rows = max(1, CHUNK_BYTES * threads // (n * item))
    buf = torch.empty((rows, n), dtype=dtype)
    log_w = math.log(1.0 / n)
    f = torch.zeros(n, dtype=dtype)
    g = torch.zeros(n, dtype=dtype)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(iters):
        half_update(g, KT, f, eps, log_w, buf)
        half_update(f, K, g, eps, log_w, buf)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    f.to(torch.float64).numpy().astype("<f8").tofile(f"{d}/torch_f.f64")
    g.to(torch.float64).numpy().astype("<f8").tofile(f"{d}/torch_g.f64")
    print(json.dumps({"seconds": dt, "per_iter": dt / iters, "cpu_per_iter": cpu / iters,
                      "torch": torch.__version__, "threads": threads,
                      "dtype": sys.argv[5], "chunk_rows": rows}))


if __name__ == "__main__":
    main()
