#!/bin/sh
# Side-by-side per-iteration times of otkit's Sinkhorn (float64 and float32, stored
# and online cost), a tuned PyTorch log-sum-exp Sinkhorn (float64 and float32,
# 1 and 2 threads) and POT's sinkhorn_log
# on identical data (same points, same eps = 0.05·std(C), same fixed
# iteration count). Needs Debian's python3-pot and python3-torch under /usr/bin/python3.
# Extra arguments go to the Go driver, e.g. -sizes 1000,4000 -iters 10.
set -e
cd "$(dirname "$0")/.."
exec go run ./bench/sinkbench "$@"
