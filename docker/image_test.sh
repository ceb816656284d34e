#!/usr/bin/env bash
# Builds the lab image from the Dockerfile with podman (no Docker engine, no image
# registry needed) and checks it as a user would. Run as root on Debian/Ubuntu.
#
#   bash docker/image_test.sh               build, run, check, clean up
#   bash docker/image_test.sh --if-changed  the same, unless the image's inputs hash to the
#                                           value recorded by the last passing run on this
#                                           machine (what .ci/run calls)
#   bash docker/image_test.sh --hash        print the hash of the image's inputs
#
# Stages (each timed; a summary with the image size is printed at the end):
#   1. prerequisites: podman, runc, mmdebstrap, slirp4netns (apt-get when missing); free disk
#   2. podman configuration, storage and temporary files, all in a scratch folder
#      (otlab-image-test.PID in OTLAB_IMAGE_SCRATCH, default /var/tmp): nothing global is changed
#   3. the base image debian:bookworm-slim: pulled if a registry answers, else made with
#      mmdebstrap from the Debian mirror, with bookworm-slim's apt and dpkg clean-up settings
#   4. podman build --pull=never --network host of the Dockerfile, unchanged; the host's locally
#      added CA certificates (/usr/local/share/ca-certificates, for TLS-inspecting proxies) are
#      mounted read-only into the build, never copied into the repository
#   5. podman run as a user would (slirp4netns, port published on 127.0.0.1 only), then checks:
#      uid 1000 / gid 100, tini is PID 1, the token from the log is required (lab_smoke.py: 403
#      without, 200 with), the gonb kernel is offered, a Go cell using otkit runs through the
#      published port, both notebooks run inside the container with docker/run_notebooks.py
#      (executed notebooks, HTML and screenshots copied to $OTLAB_ARTIFACTS/image/), and
#      podman stop ends it cleanly within its grace period
#   6. what the image's size is made of (podman history, du of the big folders)
#
# Environment:
#   OTLAB_IMAGE_TEST=1      with --if-changed: run even when the inputs' hash is recorded as passing
#   OTLAB_IMAGE_TEST=0      with --if-changed: never run
#   OTLAB_IMAGE_KEEP=1      keep the scratch folder (storage with the image) for inspection
#   OTLAB_IMAGE_BASE=pull|mmdebstrap|auto   how to get the base image (default auto: try a pull first)
#   OTLAB_STATE_DIR         where the last passing hash is recorded (default /var/lib/otlab)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$OTLAB_ROOT" || exit 1

BASE_IMAGE=docker.io/library/debian:bookworm-slim
IMAGE=localhost/gootlab:image-test
NEED_GB=12 # peak use of a fresh build is ~8 GB (base tar, layers, the committed image)
STATE_DIR=${OTLAB_STATE_DIR:-/var/lib/otlab}
RECORD=$STATE_DIR/image-test.pass
LOCAL_CA=/usr/local/share/ca-certificates

# The image's inputs: what decides what the image installs and how it starts. The code and
# the notebooks, which the image also copies, are tested on the host in the same CI run by
# the same install.sh and harness; see docker/README.md ("CI").
INPUTS=(Dockerfile .dockerignore docker tools go.mod go.sum package.json package-lock.json)

inputs_hash() {
	local p
	for p in "${INPUTS[@]}"; do
		[ -e "$p" ] || continue
		find "$p" -type f ! -path '*/.ipynb_checkpoints/*' -print0
	done | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

case "${1:-}" in
--hash)
	inputs_hash
	exit
	;;
--if-changed)
	h=$(inputs_hash)
	case "${OTLAB_IMAGE_TEST:-}" in
	0)
		otlab_say "image test: skipped (OTLAB_IMAGE_TEST=0)"
		exit 0
		;;
	1) otlab_say "image test: forced (OTLAB_IMAGE_TEST=1)" ;;
	*)
		if [ -r "$RECORD" ] && [ "$(awk '$1 == "hash" { print $2 }' "$RECORD")" = "$h" ]; then
			otlab_say "image test: skipped: its inputs (${INPUTS[*]}) hash to $h, which passed on this machine"
			sed 's/^/    /' "$RECORD" >&2
			otlab_say "(OTLAB_IMAGE_TEST=1 forces it)"
			exit 0
		fi
		otlab_say "image test: inputs hash $h has not passed on this machine (record: $RECORD)"
		;;
	esac
	;;
"") ;;
*) otlab_die "unknown argument $1 (use --if-changed or --hash)" ;;
esac

T0=$(date +%s)
input_hash=$(inputs_hash) # recorded at the end if every check passed
results=()
stage_start=0
begin() {
	printf '\n[otlab] ==== image test: %s\n' "$1" >&2
	stage_name=$1
	stage_start=$(date +%s)
}
end() {
	results+=("$(printf '%-34s %5ss' "$stage_name" "$(($(date +%s) - stage_start))")")
}
fail() {
	otlab_say "IMAGE TEST FAILED in stage '$stage_name': $*"
	stage_name="$stage_name (FAILED)"
	end
	exit 1
}
summary() {
	printf '\n[otlab] ==== image test summary (load average at the end: %s)\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >&2
	printf '  %s\n' "${results[@]}" >&2
	printf '  %-34s %5ss\n' total "$(($(date +%s) - T0))" >&2
	[ -z "${image_size:-}" ] || printf '  %-34s %s\n' "image size" "$image_size" >&2
	[ -z "${peak_disk:-}" ] || printf '  %-34s %s\n' "scratch folder at its largest" "$peak_disk" >&2
}

# ---------------------------------------------------------------- 1. prerequisites
begin prerequisites
if [ "$(id -u)" != 0 ]; then
	fail "run as root (rootful podman with its storage in a scratch folder); as root it installs: apt-get install -y podman runc mmdebstrap slirp4netns"
fi
need_pkgs=()
for p in podman runc mmdebstrap slirp4netns; do
	command -v "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	command -v apt-get >/dev/null 2>&1 || fail "install ${need_pkgs[*]} (no apt-get here)"
	otlab_say "installing ${need_pkgs[*]}"
	# Another apt (a CI run of another worktree) may hold the lock: wait for it.
	if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${need_pkgs[@]}" >&2; then
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q >&2 &&
			DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${need_pkgs[@]}" >&2 ||
			fail "could not install ${need_pkgs[*]}: run apt-get install -y ${need_pkgs[*]}"
	fi
fi
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || fail "the kernel has no overlay filesystem (modprobe overlay), which podman's storage needs here"

# A folder of its own (deleted at the end), in OTLAB_IMAGE_SCRATCH or /var/tmp.
SCRATCH=${OTLAB_IMAGE_SCRATCH:-/var/tmp}/otlab-image-test.$$
mkdir -p "$SCRATCH" || fail "cannot create $SCRATCH"
SCRATCH=$(cd "$SCRATCH" && pwd)
avail_kb=$(df -Pk "$SCRATCH" | awk 'NR == 2 { print $4 }')
if [ "$avail_kb" -lt $((NEED_GB * 1024 * 1024)) ]; then
	rmdir "$SCRATCH" 2>/dev/null
	fail "needs $NEED_GB GB free in $(dirname "$SCRATCH"), has $((avail_kb / 1024 / 1024)) GB: free $((NEED_GB - avail_kb / 1024 / 1024)) GB more, or point OTLAB_IMAGE_SCRATCH at a bigger disk"
fi
otlab_say "scratch folder $SCRATCH ($((avail_kb / 1024 / 1024)) GB free); podman $(podman --version | awk '{print $3}'), runc $(runc --version | awk 'NR == 1 {print $3}')"

# One image test at a time on a machine (two builds would each take twice as long).
mkdir -p "$STATE_DIR" || fail "cannot create $STATE_DIR"
exec 9>"$STATE_DIR/image-test.lock"
if ! flock -n 9; then
	otlab_say "another image test is running on this machine; waiting for it"
	flock 9
fi
end

# ---------------------------------------------------------------- 2. podman configuration
begin "podman configuration"
conf=$SCRATCH/conf
mkdir -p "$conf" "$SCRATCH/tmp" "$SCRATCH/run" "$SCRATCH/storage" "$SCRATCH/networks"
cat >"$conf/containers.conf" <<EOF
# Written by docker/image_test.sh; used through CONTAINERS_CONF for this test only.
[containers]
# Without CAP_SYS_RESOURCE (these VMs) the default rlimits cannot be set.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
# crun fails on these hosts ("cgroups in hybrid mode not supported").
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$SCRATCH/events.log"
tmp_dir = "$SCRATCH/run/libpod"
image_copy_tmp_dir = "$SCRATCH/tmp"
[network]
network_config_dir = "$SCRATCH/networks"
EOF
cat >"$conf/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$SCRATCH/storage"
runroot = "$SCRATCH/run/storage"
EOF
cat >"$conf/registries.conf" <<EOF
unqualified-search-registries = ["docker.io"]
EOF
cat >"$conf/policy.json" <<EOF
{"default": [{"type": "insecureAcceptAnything"}]}
EOF
export CONTAINERS_CONF=$conf/containers.conf
export CONTAINERS_STORAGE_CONF=$conf/storage.conf
export CONTAINERS_REGISTRIES_CONF=$conf/registries.conf
export TMPDIR=$SCRATCH/tmp
POLICY=(--signature-policy "$conf/policy.json")
# podman 4.3 creates these two whatever its configuration says (a blob-info cache, an empty
# network run folder): remove them afterwards when this test created them.
created=()
for d in /var/lib/containers /run/containers; do
	[ -e "$d" ] || created+=("$d")
done
container=
cleanup() {
	local rc=$?
	if [ -n "$container" ]; then
		podman rm -f -t 0 "$container" >/dev/null 2>&1
	fi
	if [ "${OTLAB_IMAGE_KEEP:-}" = 1 ]; then
		otlab_say "kept $SCRATCH: use it with CONTAINERS_CONF=$CONTAINERS_CONF CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF podman images"
	else
		begin "clean up"
		podman rmi -a -f >/dev/null 2>&1
		# c/storage leaves its overlay folder mounted (a private bind mount): unmount, then delete.
		awk -v d="$SCRATCH/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
			umount -l "$m" 2>/dev/null
		done
		rm -rf "$SCRATCH"
		end
	fi
	[ ${#created[@]} = 0 ] || rm -rf "${created[@]}"
	summary
	[ $rc = 0 ] && otlab_say "image test passed" || otlab_say "image test FAILED"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
podman info --format '{{.Store.GraphDriverName}} {{.Host.OCIRuntime.Name}}' >"$SCRATCH/info" 2>&1 ||
	fail "podman does not start with this configuration: $(tail -n 3 "$SCRATCH/info")"
otlab_say "podman: storage driver and runtime: $(cat "$SCRATCH/info")"
end

# ---------------------------------------------------------------- 3. base image
peak() { # remember the scratch folder's largest size
	local kb
	kb=$(du -sxk "$SCRATCH" 2>/dev/null | cut -f1)
	if [ -n "$kb" ] && [ "$kb" -gt "${peak_kb:-0}" ]; then
		peak_kb=$kb
		peak_disk="$(awk -v k="$kb" 'BEGIN { printf "%.1f GB", k / 1024 / 1024 }')"
	fi
}

make_base() { # debian:bookworm-slim from the Debian mirror, with its clean-up settings
	local root=$SCRATCH/base-settings
	mkdir -p "$root"
	# As in the official slim image: no cached .debs, compressed lists, no translations,
	# and no docs, man pages or locales installed (dpkg path-exclude), also for later installs.
	cat >"$root/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
	cat >"$root/docker-slim" <<'EOF'
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "gz";
Acquire::Languages "none";
Apt::AutoRemove::SuggestsImportant "false";
EOF
	cat >"$root/docker-dpkg" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
	# mmdebstrap unpacks the essential packages before dpkg reads path-exclude: remove
	# what those excludes would have kept out.
	local SLIM_HOOK='cd "$1" && rm -rf usr/share/man/* usr/share/info/* usr/share/groff/* usr/share/lintian/* usr/share/linda/*
find usr/share/doc -mindepth 2 ! -type d ! -name copyright -delete
find usr/share/doc -mindepth 1 -type d -empty -delete
find usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +'
	local mirror=http://deb.debian.org/debian
	mmdebstrap --variant=minbase --format=tar \
		--dpkgopt="$root/docker-dpkg" --aptopt="$root/docker-clean" --aptopt="$root/docker-slim" \
		--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/apt/* "$1"/var/log/dpkg.log' \
		--customize-hook="$SLIM_HOOK" \
		bookworm "$SCRATCH/base.tar" \
		"deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
		"deb http://deb.debian.org/debian-security bookworm-security main" \
		>"$SCRATCH/mmdebstrap.log" 2>&1 || {
		tail -n 20 "$SCRATCH/mmdebstrap.log" >&2
		return 1
	}
	otlab_say "base rootfs: $(du -h "$SCRATCH/base.tar" | cut -f1) tar"
	peak
	podman import --change 'CMD ["bash"]' \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		"$SCRATCH/base.tar" "$BASE_IMAGE" >/dev/null || return 1
	rm -f "$SCRATCH/base.tar"
}

begin "base image"
base_how=${OTLAB_IMAGE_BASE:-auto}
got_base=
if [ "$base_how" != mmdebstrap ]; then
	otlab_say "trying to pull $BASE_IMAGE"
	if timeout 60 podman pull "${POLICY[@]}" "$BASE_IMAGE" >"$SCRATCH/pull.log" 2>&1; then
		got_base=pulled
	else
		otlab_say "no registry answered ($(tail -n 1 "$SCRATCH/pull.log" | cut -c1-160))"
		[ "$base_how" = pull ] && fail "OTLAB_IMAGE_BASE=pull, and the pull failed"
	fi
fi
if [ -z "$got_base" ]; then
	otlab_say "making $BASE_IMAGE with mmdebstrap --variant=minbase bookworm"
	make_base || fail "mmdebstrap could not make the base image (is http://deb.debian.org reachable?)"
	got_base=mmdebstrap
fi
otlab_say "base image ($got_base): $(podman image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
end

# ---------------------------------------------------------------- 4. build
begin "build (podman build)"
build_args=(--pull=never --network host --layers -t "$IMAGE" -f Dockerfile)
if [ -d "$LOCAL_CA" ] && [ -n "$(ls -A "$LOCAL_CA" 2>/dev/null)" ]; then
	# Trusted by the build only: the image's ca-certificates package picks them up when
	# install.sh installs it, so the Go toolchain and npm downloads pass a TLS-inspecting proxy.
	otlab_say "mounting the host's local CA certificates ($LOCAL_CA: $(ls "$LOCAL_CA" | tr '\n' ' ')) read-only into the build"
	build_args+=(-v "$LOCAL_CA:$LOCAL_CA:ro")
fi
otlab_say "podman build ${build_args[*]} ."
( while sleep 20; do peak; done ) &
peak_pid=$!
podman build "${POLICY[@]}" "${build_args[@]}" . >"$SCRATCH/build.log" 2>&1
rc=$?
kill "$peak_pid" 2>/dev/null
wait "$peak_pid" 2>/dev/null
peak
mkdir -p "${OTLAB_ARTIFACTS:-$OTLAB_ROOT/artifacts}/image"
ART=$(cd "${OTLAB_ARTIFACTS:-$OTLAB_ROOT/artifacts}/image" && pwd)
cp "$SCRATCH/build.log" "$ART/build.log"
if [ $rc != 0 ]; then
	tail -n 40 "$SCRATCH/build.log" >&2
	fail "podman build failed (whole log: $ART/build.log)"
fi
grep -E '^\[otlab\] (install complete|[0-9]/6)' "$SCRATCH/build.log" | sed 's/^/    /' >&2
image_size=$(podman image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.2f GB (%.0f bytes)", $1 / 1e9, $1 }')
otlab_say "built $IMAGE: $image_size"
end

# ---------------------------------------------------------------- 5. run and check
begin "run and check"
port=$("$OTLAB_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
container=otlab-image-test-$$
# As a user runs it (docker run -p 8888:8888 gootlab), but published on 127.0.0.1 only,
# through slirp4netns (no iptables rules on the host), with rlimits these VMs can set.
podman run -d --name "$container" --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 \
	--network slirp4netns -p "127.0.0.1:$port:8888" "$IMAGE" >/dev/null || fail "podman run failed"
token=
for _ in $(seq 1 120); do
	token=$(podman logs "$container" 2>&1 | sed -n 's/.*token=\([0-9a-f]\{16,\}\).*/\1/p' | head -n 1)
	[ -n "$token" ] && break
	[ "$(podman inspect -f '{{.State.Running}}' "$container")" = true ] || break
	sleep 0.5
done
[ -n "$token" ] || fail "the container printed no URL with a token: $(podman logs "$container" 2>&1 | tail -n 20)"
otlab_say "the container printed its URL with a ${#token}-character token"

ids=$(podman exec "$container" sh -c 'echo "$(id -un) $(id -u) $(id -g)"')
[ "$ids" = "jovyan 1000 100" ] || fail "the server runs as '$ids', want 'jovyan 1000 100'"
otlab_say "user: $ids"
pid1=$(podman exec "$container" cat /proc/1/cmdline | tr '\0' ' ')
case "$pid1" in
"tini -g -- "*) otlab_say "PID 1: $pid1" ;;
*) fail "PID 1 is '$pid1', want tini -g --" ;;
esac
"$OTLAB_PYTHON" docker/lab_smoke.py "$port" "$token" || fail "docker/lab_smoke.py through 127.0.0.1:$port failed; log: $(podman logs "$container" 2>&1 | tail -n 30)"

otlab_say "running the notebooks inside the container: docker/run_notebooks.py"
podman exec -w /opt/gootlab "$container" sh -c 'python3 docker/run_notebooks.py --out /tmp/image-notebooks notebooks/*.ipynb' >&2
nb_rc=$?
rm -rf "$ART/notebooks"
podman cp "$container:/tmp/image-notebooks" "$ART/notebooks" 2>/dev/null
[ $nb_rc = 0 ] || fail "the notebooks failed inside the container (outputs in $ART/notebooks)"
otlab_say "notebooks passed inside the container; outputs in $ART/notebooks"

s=$(date +%s.%N)
podman stop -t 10 "$container" >/dev/null || fail "podman stop failed"
stop_s=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
code=$(podman inspect -f '{{.State.ExitCode}}' "$container")
# 137 = killed after the 10 s grace period: tini did not pass SIGTERM on, or the server ignored it.
case "$code" in
0 | 143) otlab_say "podman stop: stopped in $stop_s s, exit code $code" ;;
*) fail "podman stop: exit code $code after $stop_s s (137: SIGKILL after the grace period)" ;;
esac
end

# ---------------------------------------------------------------- 6. size
begin "size report"
{
	echo "image $IMAGE: $image_size"
	echo
	podman history --no-trunc --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" |
		sed -e 's/|[0-9]* [A-Z_]*=[^ ]* [A-Z_]*=[^ ]* [A-Z_]*=[^ ]* //' -e 's,/bin/sh -c ,,' | cut -c1-150
	echo
	echo "largest folders (du -sh, inside the image):"
	podman run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --user 0 "$IMAGE" \
		sh -c 'du -xsh /usr/lib/* /usr/share/* /usr/local/* /opt/go/* /opt/go/pkg/* /opt/gootlab /var/lib/* /home/* 2>/dev/null | sort -rh | head -n 25'
} >"$ART/size.txt" 2>&1
sed 's/^/    /' "$ART/size.txt" >&2
end

mkdir -p "$STATE_DIR"
{
	echo "hash $input_hash"
	echo "passed $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo none) in $(($(date +%s) - T0)) s, image $image_size"
} >"$RECORD"
otlab_say "recorded the passing inputs hash in $RECORD"
