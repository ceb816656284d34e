#!/usr/bin/env bash
# The image's start script (Jupyter Docker Stacks convention: CMD ["start-notebook.sh"]).
#
# Under JupyterHub (JUPYTERHUB_API_TOKEN set by the spawner) it runs the single-user
# server, which authenticates through the Hub. Standalone it runs Jupyter Notebook on
# port 8888 of every interface of the container, with token auth on: the token is
# JUPYTER_TOKEN if set, otherwise a fresh random one, printed in the URL below.
# Extra arguments are passed to the server.
set -euo pipefail

nbdir=${NOTEBOOK_DIR:-/opt/gootlab/notebooks}
[ -d "$nbdir" ] || nbdir=$HOME

if [ -n "${JUPYTERHUB_API_TOKEN:-}" ]; then
	# The spawner chooses address and port (JUPYTERHUB_SERVICE_URL) and may pass
	# --notebook-dir itself; only fill in the notebook folder when it does not.
	case " $* " in
	*notebook-dir* | *notebook_dir*) exec jupyterhub-singleuser "$@" ;;
	*) exec jupyterhub-singleuser --notebook-dir="$nbdir" "$@" ;;
	esac
fi

if [ -z "${JUPYTER_TOKEN:-}" ]; then
	JUPYTER_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
fi
export JUPYTER_TOKEN
port=${JUPYTER_PORT:-8888}
echo "[otlab] the lab: http://127.0.0.1:$port/tree?token=$JUPYTER_TOKEN (use the host port you published)" >&2
exec jupyter notebook --no-browser --ip="${JUPYTER_IP:-0.0.0.0}" --port="$port" --NotebookApp.port_retries=0 \
	--notebook-dir="$nbdir" "$@"
