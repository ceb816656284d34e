# shellcheck shell=bash
# Shared helpers for docker/*.sh. Source it; it sets OTLAB_ROOT and puts Go and
# the Go tools on PATH, so every script (bare machine, CI, image) sees the same tools.

OTLAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export OTLAB_ROOT
# shellcheck source=versions.env
. "$OTLAB_ROOT/docker/versions.env"

otlab_say() { printf '[otlab] %s\n' "$*" >&2; }
otlab_die() { printf '[otlab] ERROR: %s\n' "$*" >&2; exit 1; }

# otlab_prepend_path DIR: put DIR first on PATH unless it is already there.
otlab_prepend_path() {
	case ":$PATH:" in
	*":$1:"*) ;;
	*) PATH="$1:$PATH" ;;
	esac
}

# otlab_go_env sets PATH so that a Go >= GO_MIN and the installed tools (gonb,
# goimports, gopls) are found first. Go is looked for on PATH, then in the
# user's ~/.local/go (where install.sh puts a fetched toolchain when it cannot
# write /usr/local/go), then in /usr/local/go.
otlab_go_env() {
	local g v best=""
	# Empty while no usable Go is found: install.sh then lists what is missing.
	OTLAB_GOBIN=${OTLAB_GOBIN:-}
	for g in "$(command -v go 2>/dev/null)" "${HOME:-/nonexistent}/.local/go/bin/go" /usr/local/go/bin/go; do
		[ -n "$g" ] && [ -x "$g" ] || continue
		v=$(GOTOOLCHAIN=local "$g" env GOVERSION 2>/dev/null) || continue
		v=${v#go}
		if otlab_version_ge "${v%%[-+ ]*}" "$GO_MIN"; then
			best=$g
			break
		fi
	done
	if [ -n "$best" ]; then
		otlab_prepend_path "$(dirname "$best")"
		local gobin
		gobin=$(go env GOBIN)
		[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
		OTLAB_GOBIN=$gobin
		otlab_prepend_path "$gobin"
		otlab_prepend_path "$(go env GOROOT)/bin"
	fi
	export PATH OTLAB_GOBIN
}

# otlab_version_ge A B: true when version A >= version B (dotted numbers, "go" prefix ignored).
otlab_version_ge() {
	local a=${1#go} b=${2#go}
	[ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n1)" = "$b" ]
}

# otlab_python: the system Python with Debian's nbformat/nbclient (a pyenv
# python3 first on PATH lacks them).
OTLAB_PYTHON=${OTLAB_PYTHON:-/usr/bin/python3}
export OTLAB_PYTHON
