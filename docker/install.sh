#!/usr/bin/env bash
# Installs whatever the lab and the tests need and is missing; skips what is present.
# Run it as often as you like: a second run only checks. Used unchanged by the
# bare-machine set-up (lab.sh, test.sh), by CI and by the Dockerfile.
#
#   bash docker/install.sh              every step
#   bash docker/install.sh go tools     only these steps (apt go tools kernel npm modules)
#
# Steps, each checked first:
#   1. Debian packages (Jupyter Notebook, nbconvert, nbclient, Chromium, POT, sklearn; npm while echarts is missing)
#   2. Go >= GO_MIN (else a Go that can switch toolchains, then GO_TOOLCHAIN through the Go module proxy)
#   3. the pinned Go tools from tools/go.mod: gonb, gopls, goimports
#   4. the gonb Jupyter kernel, with go and the tools on its PATH
#   5. npm assets (echarts, pinned by package-lock.json) into node_modules/
#   6. the project's Go modules, and a warm build cache for the notebooks' packages
#
# Environment:
#   OTLAB_APT_EXTRA       more Debian packages to install (the image adds tini and jupyterhub)
#   OTLAB_APT_SKIP        Debian packages of step 1 not to install (the image skips the test peers POT and sklearn)
#   OTLAB_KERNEL_PREFIX   register the kernel under PREFIX/share/jupyter (system-wide) instead of the user's data dir
#   OTLAB_SKIP_WARM=1     skip step 6's build
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$OTLAB_ROOT" || exit 1

missing=()
miss() {
	missing+=("$1")
	otlab_say "MISSING: $1"
}

APT_PACKAGES=(jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client chromium python3-pot python3-sklearn python3-pil ca-certificates)
# shellcheck disable=SC2206
APT_PACKAGES+=(${OTLAB_APT_EXTRA:-})

SUDO=()
can_root() {
	if [ "$(id -u)" = 0 ]; then
		SUDO=()
		return 0
	fi
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO=(sudo -n)
		return 0
	fi
	return 1
}

apt_updated=
apt_install() { # apt_install [apt-get options --] PKG...
	local opts=()
	if [ "${1:-}" = -t ]; then
		opts=(-t "$2")
		shift 2
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		otlab_say "no apt-get on this machine: install these by other means: $*"
		return 1
	fi
	if ! can_root; then
		otlab_say "not root and no password-less sudo: run as root: apt-get install -y $*"
		return 1
	fi
	if [ -z "$apt_updated" ]; then
		otlab_say "apt-get update"
		if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/tmp/otlab-apt-update.$$ 2>&1; then
			tail -n 5 /tmp/otlab-apt-update.$$ >&2
			rm -f /tmp/otlab-apt-update.$$
			otlab_say "apt-get update failed: no network, or no Debian mirror reachable"
			return 1
		fi
		rm -f /tmp/otlab-apt-update.$$
		apt_updated=1
	fi
	otlab_say "apt-get install ${opts[*]} $*"
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${opts[@]}" "$@"
}

pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# ---------------------------------------------------------------- 1. Debian packages
step_apt() {
	local want=() need=() p
	for p in "${APT_PACKAGES[@]}"; do
		case " ${OTLAB_APT_SKIP:-} " in
		*" $p "*) ;;
		*) want+=("$p") ;;
		esac
	done
	# npm only installs echarts (step 5): not needed once echarts is in place.
	command -v npm >/dev/null 2>&1 || echarts_ok || want+=(npm)
	if ! command -v dpkg-query >/dev/null 2>&1; then
		miss "not a Debian/Ubuntu system (no dpkg): install by hand: ${want[*]}"
		return
	fi
	for p in "${want[@]}"; do
		pkg_installed "$p" || need+=("$p")
	done
	if [ ${#need[@]} -eq 0 ]; then
		otlab_say "1/6 Debian packages: present"
		return
	fi
	otlab_say "1/6 Debian packages: installing ${need[*]}"
	if ! apt_install "${need[@]}"; then
		for p in "${need[@]}"; do
			pkg_installed "$p" || miss "Debian package $p (apt-get install -y $p)"
		done
	fi
}

# ---------------------------------------------------------------- 2. Go
go_version_of() { # go_version_of GO → "1.26.8" or ""
	local v
	v=$(GOTOOLCHAIN=local "$1" env GOVERSION 2>/dev/null) || return 1
	v=${v#go}
	printf '%s\n' "${v%%[-+ ]*}"
}

step_go() {
	otlab_go_env
	local cur=""
	command -v go >/dev/null 2>&1 && cur=$(go_version_of "$(command -v go)")
	if [ -n "$cur" ] && otlab_version_ge "$cur" "$GO_MIN"; then
		otlab_say "2/6 Go: go$cur present ($(command -v go))"
		return
	fi
	otlab_say "2/6 Go: ${cur:+go$cur is older than }go$GO_MIN needed; fetching $GO_TOOLCHAIN"
	# A bootstrap Go that understands GOTOOLCHAIN (>= 1.21).
	local boot=""
	if [ -n "$cur" ] && otlab_version_ge "$cur" "$GO_BOOTSTRAP_MIN"; then
		boot=$(command -v go)
	else
		local codename=""
		[ -r /etc/os-release ] && codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
		if [ "$codename" = bookworm ]; then
			# bookworm's golang-go is 1.19; bookworm-backports has 1.23.
			if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && can_root; then
				otlab_say "adding Debian bookworm-backports to apt sources (for golang-go >= 1.21)"
				echo "deb http://deb.debian.org/debian bookworm-backports main" |
					"${SUDO[@]}" tee /etc/apt/sources.list.d/otlab-bookworm-backports.list >/dev/null
				apt_updated=
			fi
			apt_install -t bookworm-backports golang-go
		else
			apt_install golang-go
		fi
		local g
		for g in /usr/lib/go-*/bin/go /usr/bin/go; do
			[ -x "$g" ] || continue
			local v
			v=$(go_version_of "$g") || continue
			if otlab_version_ge "$v" "$GO_BOOTSTRAP_MIN"; then
				boot=$g
				break
			fi
		done
	fi
	if [ -z "$boot" ]; then
		miss "Go >= $GO_MIN (none found, and no Debian golang-go >= $GO_BOOTSTRAP_MIN could be installed to fetch $GO_TOOLCHAIN); install Go from go.dev into /usr/local/go"
		return
	fi
	local goroot
	if ! goroot=$(GOTOOLCHAIN=$GO_TOOLCHAIN GOFLAGS= "$boot" env GOROOT) || [ ! -x "$goroot/bin/go" ]; then
		miss "Go toolchain $GO_TOOLCHAIN (download through the Go module proxy failed: no network, or GOPROXY unreachable)"
		return
	fi
	local dest=/usr/local/go
	if ! { [ -w /usr/local ] || can_root; } || [ -e "$dest" ]; then
		dest="${HOME}/.local/go"
	fi
	otlab_say "installing $GO_TOOLCHAIN into $dest"
	if [ "$dest" = /usr/local/go ]; then
		"${SUDO[@]}" mkdir -p "$dest" && "${SUDO[@]}" cp -a "$goroot/." "$dest/"
	else
		rm -rf "$dest" && mkdir -p "$dest" && cp -a "$goroot/." "$dest/"
	fi || {
		miss "Go toolchain copy into $dest failed"
		return
	}
	# The downloaded copy in the module cache is no longer needed (never remove
	# the bootstrap's own GOROOT, which is what GOROOT is when it already was GO_TOOLCHAIN).
	case "$goroot" in
	*/golang.org/toolchain@*)
		chmod -R u+w "$goroot" 2>/dev/null && rm -rf "$goroot"
		rm -f "${goroot%/golang.org/toolchain@*}/cache/download/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN".*
		;;
	esac
	otlab_go_env
	otlab_say "Go: $(go version)"
}

# ---------------------------------------------------------------- 3. Go tools
TOOL_MODS=(github.com/janpfeifer/gonb golang.org/x/tools/gopls golang.org/x/tools)
TOOL_BINS=(gonb gopls goimports)

bin_main_module() { # bin_main_module BIN → "path version" of the module that built it
	go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $2, $3; exit }'
}

step_tools() {
	command -v go >/dev/null 2>&1 || {
		miss "Go tools gonb/gopls/goimports (need Go first)"
		return
	}
	local want=() i ok=1
	mapfile -t want < <(go -C tools list -m -f '{{.Path}} {{.Version}}' "${TOOL_MODS[@]}" 2>/dev/null)
	if [ ${#want[@]} -ne 3 ]; then
		miss "Go tool versions from tools/go.mod (go -C tools list -m failed: module proxy unreachable?)"
		return
	fi
	for i in 0 1 2; do
		if [ "$(bin_main_module "$OTLAB_GOBIN/${TOOL_BINS[$i]}")" != "${want[$i]}" ]; then
			ok=
		fi
	done
	if [ -n "$ok" ]; then
		otlab_say "3/6 Go tools: present in $OTLAB_GOBIN (${want[*]})"
		return
	fi
	otlab_say "3/6 Go tools: building ${want[*]} into $OTLAB_GOBIN (a few minutes with a cold build cache)"
	if ! go -C tools install tool; then
		miss "Go tools (go -C tools install tool failed: module proxy unreachable?)"
	fi
}

# ---------------------------------------------------------------- 4. gonb kernel
kernel_check() { # prints "ok DIR GONB" when the gonb kernel Jupyter finds (or the one under OTLAB_KERNEL_PREFIX) is usable
	"$OTLAB_PYTHON" - "$OTLAB_GOBIN" "$(go env GOROOT)/bin" "${OTLAB_KERNEL_PREFIX:-}" <<'PY'
import json, os, subprocess, sys
gobin, gorootbin, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
spec = None
if prefix:
    d = os.path.join(prefix, "share/jupyter/kernels/gonb")
    try:
        with open(os.path.join(d, "kernel.json")) as f:
            spec = {"resource_dir": d, "spec": json.load(f)}
    except OSError:
        pass
else:
    try:
        out = subprocess.run(["jupyter", "kernelspec", "list", "--json"], capture_output=True, text=True, check=True).stdout
        spec = json.loads(out)["kernelspecs"].get("gonb")
    except Exception:
        pass
if not spec:
    print("not registered"); sys.exit()
k = spec["spec"]
exe = k["argv"][0]
if not os.access(exe, os.X_OK):
    print("kernel binary missing: " + exe); sys.exit()
path = (k.get("env") or {}).get("PATH", "")
parts = path.split(":")
if gobin not in parts or gorootbin not in parts:
    print("kernel PATH lacks the Go tools"); sys.exit()
print("ok " + spec["resource_dir"] + " " + exe)
PY
}

kernel_patch_env() { # kernel_patch_env KERNEL.JSON: give the kernel go and the tools on PATH
	"$OTLAB_PYTHON" - "$1" "$OTLAB_GOBIN" "$(go env GOROOT)/bin" <<'PY'
import json, sys
p, gobin, gorootbin = sys.argv[1:4]
with open(p) as f:
    k = json.load(f)
env = k.get("env") or {}
# jupyter_client expands ${PATH} from the environment of the process that starts the kernel.
env["PATH"] = gobin + ":" + gorootbin + ":${PATH}"
k["env"] = env
with open(p, "w") as f:
    json.dump(k, f, indent=1)
PY
}

step_kernel() {
	if ! command -v jupyter >/dev/null 2>&1 || ! command -v go >/dev/null 2>&1 || ! [ -x "$OTLAB_GOBIN/gonb" ]; then
		miss "gonb kernel registration (needs jupyter, Go and gonb first)"
		return
	fi
	local st want_gonb
	st=$(kernel_check)
	want_gonb=$(go -C tools list -m -f '{{.Path}} {{.Version}}' github.com/janpfeifer/gonb 2>/dev/null)
	if [ "${st%% *}" = ok ]; then
		local exe=${st##* }
		if [ "$(bin_main_module "$exe")" = "$want_gonb" ]; then
			otlab_say "4/6 gonb kernel: registered ($(echo "$st" | cut -d' ' -f2))"
			return
		fi
		st="kernel binary is not $want_gonb"
	fi
	otlab_say "4/6 gonb kernel: registering ($st)"
	local datadir kdir
	if [ -n "${OTLAB_KERNEL_PREFIX:-}" ]; then
		datadir=$(mktemp -d)
	else
		datadir=${JUPYTER_DATA_DIR:-$("$OTLAB_PYTHON" -c 'from jupyter_core.paths import jupyter_data_dir as d; print(d())')}
	fi
	kdir=$datadir/kernels/gonb
	if ! JUPYTER_DATA_DIR=$datadir "$OTLAB_GOBIN/gonb" --install; then
		miss "gonb kernel (gonb --install failed)"
		return
	fi
	kernel_patch_env "$kdir/kernel.json" || {
		miss "gonb kernel (could not set PATH in $kdir/kernel.json)"
		return
	}
	if [ -n "${OTLAB_KERNEL_PREFIX:-}" ]; then
		jupyter kernelspec install --replace --name gonb --prefix "$OTLAB_KERNEL_PREFIX" "$kdir" >/dev/null || miss "gonb kernel (jupyter kernelspec install --prefix $OTLAB_KERNEL_PREFIX failed)"
		rm -rf "$datadir"
	fi
	st=$(kernel_check)
	[ "${st%% *}" = ok ] || miss "gonb kernel ($st after registering)"
}

# ---------------------------------------------------------------- 5. npm assets
echarts_ok() {
	local f=node_modules/echarts/dist/echarts.min.js
	[ -f "$f" ] && [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$ECHARTS_SHA256" ]
}

step_npm() {
	if echarts_ok; then
		otlab_say "5/6 npm assets: echarts $ECHARTS_VERSION present"
		return
	fi
	if ! command -v npm >/dev/null 2>&1; then
		miss "npm (Debian package npm) to install echarts $ECHARTS_VERSION"
		return
	fi
	otlab_say "5/6 npm assets: npm ci (echarts $ECHARTS_VERSION)"
	if ! npm ci --no-audit --no-fund --loglevel=error; then
		miss "echarts $ECHARTS_VERSION (npm ci failed: npm registry unreachable?)"
		return
	fi
	echarts_ok || miss "echarts $ECHARTS_VERSION (node_modules/echarts/dist/echarts.min.js has the wrong sha256)"
}

# ---------------------------------------------------------------- 6. Go modules, build cache
step_modules() {
	command -v go >/dev/null 2>&1 || {
		miss "Go modules (need Go first)"
		return
	}
	local m ok=1
	for m in . tools docker/imagecheck; do
		[ -f "$m/go.mod" ] || continue
		if GOPROXY=off go -C "$m" mod download >/dev/null 2>&1; then
			continue
		fi
		otlab_say "6/6 Go modules: downloading for $m"
		if ! go -C "$m" mod download; then
			miss "Go modules of $m (go mod download failed: module proxy unreachable?)"
			ok=
		fi
	done
	[ -n "$ok" ] || return
	if [ "${OTLAB_SKIP_WARM:-}" = 1 ]; then
		otlab_say "6/6 Go modules: present (build cache warm-up skipped)"
		return
	fi
	# Compile the packages the notebooks import, so the first cell does not wait for them.
	if go build -tags nbdeps ./... 2>/tmp/otlab-warm.$$; then
		otlab_say "6/6 Go modules: present; build cache warm"
	else
		otlab_say "warning: go build -tags nbdeps ./... failed (the notebooks will show the same error):"
		head -n 20 /tmp/otlab-warm.$$ >&2
	fi
	rm -f /tmp/otlab-warm.$$
}

t0=$(date +%s)
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(apt go tools kernel npm modules)
for s in "${steps[@]}"; do
	case "$s" in
	apt | go | tools | kernel | npm | modules)
		otlab_go_env
		"step_$s"
		;;
	*) otlab_die "unknown step $s (steps: apt go tools kernel npm modules)" ;;
	esac
done

if [ ${#missing[@]} -gt 0 ]; then
	otlab_say "install incomplete after $(($(date +%s) - t0)) s; missing:"
	for m in "${missing[@]}"; do printf '  - %s\n' "$m" >&2; done
	exit 1
fi
otlab_say "install complete ($(($(date +%s) - t0)) s)"
