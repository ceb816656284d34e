#!/bin/sh
# Exact optimal transport: otkit's EMDPoints against POT's ot.emd (C++
# network simplex) on the same points and weights, in the same run, and
# the time of otkit's SlicedWasserstein on large clouds. Needs Debian's
# python3-pot under /usr/bin/python3. Extra arguments go to the Go driver,
# e.g. -sizes 1000,5000 -sliced-n 1000000 -projections 100.
set -e
cd "$(dirname "$0")/.."
exec go run ./bench/emdbench "$@"
