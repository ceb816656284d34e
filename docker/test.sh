#!/usr/bin/env bash
# Runs every test: the README's test command, and what CI (.ci/run) calls.
#
#   1. docker/install.sh            (idempotent: installs only what is missing)
#   2. gofmt + go vet ./...
#   3. go test ./...                (CI=true: the widgets' browser test is mandatory),
#      then go test -race on the parallel-kernel tests (docker/fuzz.sh runs the long fuzzing)
#   4. the nested modules' vet and tests (docker/imagecheck: the Dockerfile parsed with BuildKit's parser)
#      and install.sh's MISSING path (docker/install_missing_test.sh: no Go obtainable)
#   5. the lab smoke test           (real Jupyter server on 127.0.0.1: token required, a gonb kernel runs Go code)
#   6. the notebooks                (docker/run_notebooks.py: execute, check, HTML, screenshots)
#
# Every stage runs even when an earlier one failed (except when install fails);
# the exit status is non-zero when any stage failed. Outputs go to
# $OTLAB_ARTIFACTS (default: artifacts/ at the repo root, git-ignored).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$OTLAB_ROOT"

export CI=${CI:-true}
OTLAB_ARTIFACTS=${OTLAB_ARTIFACTS:-$OTLAB_ROOT/artifacts}
mkdir -p "$OTLAB_ARTIFACTS"
OTLAB_ARTIFACTS=$(cd "$OTLAB_ARTIFACTS" && pwd)
export OTLAB_ARTIFACTS

# The parallel-kernel tests run under the race detector (stage after go test),
# in otkit and its internal kernel packages.
OTLAB_RACE_TESTS='^(TestFastLSEInlineEqualsParallel|TestFast32LSEBitExact|TestFastKernelSinkhornGOMAXPROCS|TestSinkhornDeterministicAcrossGOMAXPROCS|TestSinkhornParallelSymmetric|TestFitEMSameAtAnyGOMAXPROCS|TestTutorialPairDeterministic|TestResultMethodsConcurrent|TestStreamedScalingDeterministic|TestStreamedScalingConcurrent|TestStreamPassDirection)$'

T0=$(date +%s)
results=()
failed=0
stage() { # stage NAME CMD...: run, time and record one stage
	local name=$1 s rc
	shift
	printf '\n[otlab] ==== %s\n' "$name" >&2
	s=$(date +%s)
	"$@"
	rc=$?
	results+=("$(printf '%-28s %-4s %4ss' "$name" "$([ $rc = 0 ] && echo ok || echo FAIL)" "$(($(date +%s) - s))")")
	[ $rc = 0 ] || failed=$((failed + 1))
	return $rc
}

summary() {
	printf '\n[otlab] ==== summary (artifacts in %s)\n' "$OTLAB_ARTIFACTS" >&2
	printf '  %s\n' "${results[@]}" >&2
	printf '  %-28s %-4s %4ss\n' total "$([ $failed = 0 ] && echo ok || echo FAIL)" "$(($(date +%s) - T0))" >&2
}

if ! stage install bash docker/install.sh; then
	summary
	otlab_die "install failed; nothing else can run (see MISSING lines above)"
fi
otlab_go_env

gofmt_check() {
	local bad
	bad=$(git ls-files -z -- '*.go' 2>/dev/null | xargs -0 -r gofmt -l)
	if [ -n "$bad" ]; then
		echo "gofmt: these files are not formatted:" >&2
		echo "$bad" >&2
		return 1
	fi
}
stage gofmt gofmt_check
stage "go vet ./..." go vet ./...
stage "go test ./..." go test ./...
# The race detector on the tests that drive the parallel kernels (chunked LSE
# reductions, EM chunks, shared kernel scratch); the whole suite under -race
# would take ~10x longer. Budget: under 3 minutes on 2 cores.
stage "go test -race (parallel)" go test -race -run "$OTLAB_RACE_TESTS" ./otkit/...

# The kernels at the other instruction-set levels: internal/simd's tests
# compare every level bit for bit in one process; here the whole solves run
# on the AVX2 loops (x/sys/cpu honours GODEBUG) and on the Go loops (noasm)
# and must hash to the same bits (TestBitIdentity).
isa_levels() {
	go vet -tags noasm ./otkit/... &&
		go test -tags noasm ./otkit/internal/... &&
		go test -tags noasm -run TestBitIdentity ./otkit &&
		GODEBUG=cpu.avx512f=off go test -run TestBitIdentity ./otkit
}
stage "go test (AVX2, noasm)" isa_levels

nested() {
	local m rc=0
	for m in tools docker/imagecheck; do
		[ -f "$m/go.mod" ] || continue
		# The tools module has no packages of its own; its go.mod is checked by install.
		[ -n "$(go -C "$m" list ./... 2>/dev/null)" ] || continue
		echo "go -C $m vet ./... && go -C $m test ./..." >&2
		go -C "$m" vet ./... || rc=1
		go -C "$m" test ./... || rc=1
	done
	return $rc
}
stage "nested modules' tests" nested
stage "install.sh without Go" bash docker/install_missing_test.sh
stage "lab smoke" env OTLAB_SKIP_INSTALL=1 bash docker/lab.sh --smoke

notebooks() {
	shopt -s nullglob
	local nbs=(notebooks/*.ipynb)
	if [ ${#nbs[@]} -eq 0 ]; then
		echo "no notebooks/*.ipynb found: the notebooks are part of the test and must exist" >&2
		return 1
	fi
	"$OTLAB_PYTHON" docker/run_notebooks.py --out "$OTLAB_ARTIFACTS/notebooks" "${nbs[@]}"
}
stage notebooks notebooks

summary
[ $failed = 0 ]
