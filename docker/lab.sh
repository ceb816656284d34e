#!/usr/bin/env bash
# Starts the lab: installs what is missing (docker/install.sh), then a Jupyter
# Notebook server on the notebooks, bound to 127.0.0.1, with a fresh random
# token, and prints the URL to open. Stop it with Ctrl-C.
#
#   bash docker/lab.sh            start the lab (port OTLAB_PORT, default 8888, or the next free one)
#   bash docker/lab.sh --smoke    start it, check the token is required and a gonb kernel runs Go code, stop
#
# The token is passed through the environment (JUPYTER_TOKEN), not the command
# line, so other users of the machine cannot read it from the process list.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$OTLAB_ROOT"

mode=serve
[ "${1:-}" = --smoke ] && mode=smoke

# OTLAB_SKIP_INSTALL=1: the caller (test.sh) has just run install.sh.
[ "${OTLAB_SKIP_INSTALL:-}" = 1 ] || bash docker/install.sh
otlab_go_env

nbdir=$OTLAB_ROOT/notebooks
[ -d "$nbdir" ] || nbdir=$OTLAB_ROOT

port=$("$OTLAB_PYTHON" - "${OTLAB_PORT:-8888}" <<'PY'
import socket, sys
p = int(sys.argv[1])
for cand in range(p, p + 50):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", cand))
    except OSError:
        continue
    finally:
        s.close()
    print(cand)
    break
else:
    sys.exit("no free port in %d..%d" % (p, p + 49))
PY
)
JUPYTER_TOKEN=$("$OTLAB_PYTHON" -c 'import secrets; print(secrets.token_hex(24))')
export JUPYTER_TOKEN

args=(notebook --no-browser --ip=127.0.0.1 --port="$port" --NotebookApp.port_retries=0
	--notebook-dir="$nbdir")
[ "$(id -u)" = 0 ] && args+=(--allow-root)

url="http://127.0.0.1:$port/tree?token=$JUPYTER_TOKEN"
if [ "$mode" = serve ]; then
	otlab_say "notebooks: $nbdir"
	otlab_say "open this URL in a browser on this machine (the server listens on 127.0.0.1 only):"
	printf '\n    %s\n\n' "$url"
	otlab_say "(from another machine: ssh -L $port:127.0.0.1:$port THIS-HOST, then open the same URL)"
	exec jupyter "${args[@]}"
fi

# --smoke: start, probe (docker/lab_smoke.py), stop. The server gets a bare PATH
# without Go, so the check also proves that the kernel finds go and goimports
# through its own kernel.json.
log=$(mktemp)
env PATH=/usr/local/bin:/usr/bin:/bin jupyter "${args[@]}" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT
if ! "$OTLAB_PYTHON" docker/lab_smoke.py "$port" "$JUPYTER_TOKEN"; then
	echo "---- server log" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
