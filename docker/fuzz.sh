#!/usr/bin/env bash
# Long fuzz runs of otkit's fuzz targets (not part of CI: CI runs their
# regression corpus, otkit/testdata/fuzz/, with every `go test ./...`).
#
#   bash docker/fuzz.sh [DURATION] [TARGET...]
#
# DURATION is a go test -fuzztime value (default 10m); TARGETs default to
# every Fuzz function of otkit. Targets run one after another, each with
# -parallel ${OTLAB_FUZZ_PARALLEL:-1} workers (the machine is shared; raise it
# on a machine of your own). A failing input is written by go test to
# otkit/testdata/fuzz/<Target>/: fix the bug, commit the input as a
# regression case, and rerun. Prints, per target, the duration and the size
# of the corpus (generated cache entries + committed testdata).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$OTLAB_ROOT"
otlab_go_env

time=${1:-10m}
[ $# -gt 0 ] && shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	mapfile -t targets < <(go test -list '^Fuzz' ./otkit | grep '^Fuzz')
fi
cache="$(go env GOCACHE)/fuzz/$(go list -m)/otkit"
failed=0
summary=()
for t in "${targets[@]}"; do
	otlab_say "fuzzing $t for $time"
	s=$(date +%s)
	go test -run '^$' -fuzz "^$t\$" -fuzztime "$time" -parallel "${OTLAB_FUZZ_PARALLEL:-1}" ./otkit
	rc=$?
	gen=$(find "$cache/$t" -type f 2>/dev/null | wc -l)
	kept=$(find "otkit/testdata/fuzz/$t" -type f 2>/dev/null | wc -l)
	summary+=("$(printf '%-16s %-4s %5ss  corpus %d generated + %d in testdata' "$t" "$([ $rc = 0 ] && echo ok || echo FAIL)" "$(($(date +%s) - s))" "$gen" "$kept")")
	[ $rc = 0 ] || failed=$((failed + 1))
done
printf '  %s\n' "${summary[@]}" >&2
[ $failed = 0 ]
