#!/usr/bin/env bash
# Tests install.sh on a machine where no Go can be obtained: it must end with exit
# status 1 and MISSING lines naming Go and what needs Go (tools, kernel, modules),
# not crash (it once died with "OTLAB_GOBIN: unbound variable").
#
#   bash docker/install_missing_test.sh      (docker/test.sh runs it)
#
# install.sh runs in a private mount namespace (unshare) where every Go it looks for
# is hidden (/usr/local/go, /usr/lib/go*, /usr/bin/go, ~/.local/go), PATH holds only
# basic tools and a stub jupyter, and apt-get is absent, so it can neither find nor
# install a Go. Its one write outside the namespace's tmpfs folders would be a
# bookworm-backports apt source: /etc/apt/sources.list.d is a tmpfs here too.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$OTLAB_ROOT" || exit 1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/home"
for t in bash sh env cat cut head tail sort grep sed awk mkdir mktemp rm cp chmod id date dirname basename tr tee uname ls; do
	p=$(command -v "$t") || {
		echo "install_missing_test: $t not found on this machine" >&2
		exit 1
	}
	ln -s "$p" "$work/bin/$t"
done
printf '#!/bin/sh\nexit 1\n' >"$work/bin/jupyter" # present, so the kernel step gets past its first check
chmod +x "$work/bin/jupyter"
: >"$work/not-go"

ns=(unshare --mount --propagation private)
[ "$(id -u)" = 0 ] || ns=(unshare --user --map-root-user --mount --propagation private)
# shellcheck disable=SC2016
"${ns[@]}" env -i HOME="$work/home" PATH="$work/bin" WORK="$work" ROOT="$OTLAB_ROOT" MOUNT="$(command -v mount)" /bin/bash -c '
	for d in /usr/local/go /usr/lib/go /usr/lib/go-* /etc/apt/sources.list.d; do
		[ -d "$d" ] && { "$MOUNT" -t tmpfs tmpfs "$d" || exit 90; }
	done
	[ -e /usr/bin/go ] && { "$MOUNT" --bind "$WORK/not-go" /usr/bin/go || exit 90; }
	cd "$ROOT" && bash docker/install.sh go tools kernel modules
' >"$work/out" 2>&1
rc=$?
sed 's/^/    | /' "$work/out" >&2

fails=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "  ok    $what" >&2
	else
		echo "  FAIL  $what" >&2
		fails=$((fails + 1))
	fi
}
has() { grep -qF -- "$1" "$work/out"; }
lacks() { ! grep -qF -- "$1" "$work/out"; }
if [ $rc = 90 ]; then
	echo "install_missing_test: could not hide Go in a mount namespace (needs root, or unprivileged user namespaces)" >&2
	exit 1
fi
check "exit status 1 (got $rc)" test "$rc" = 1
check "no unbound variable" lacks "unbound variable"
check "no missing command" lacks "command not found"
check "MISSING names Go" has "MISSING: Go >= $GO_MIN"
check "MISSING names the Go tools" has "MISSING: Go tools gonb/gopls/goimports (need Go first)"
check "MISSING names the kernel" has "MISSING: gonb kernel registration"
check "MISSING names the Go modules" has "MISSING: Go modules (need Go first)"
check "ends with the missing list" has "install incomplete"
[ $fails = 0 ] || {
	echo "install_missing_test: $fails check(s) failed" >&2
	exit 1
}
echo "install_missing_test: install.sh without any Go lists what is missing and exits 1" >&2
