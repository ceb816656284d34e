#!/usr/bin/python3
"""Probes a running lab (docker/lab.sh --smoke starts one and calls this).

    /usr/bin/python3 docker/lab_smoke.py PORT TOKEN [PREFIX]

Checks, as a user's browser would see them: the server answers with the token
and refuses without it (403); the gonb kernel is offered; a gonb kernel
started through the server runs the notebooks' first-cell wiring and then a
Go cell that uses the project's own package (otkit), printing the right number.
"""

import asyncio
import json
import re
import sys
import time
import urllib.error
import urllib.request
import uuid

WIRING = ('!*rm -f go.work && go work init && go work use . "$(cd "$GONB_DIR" && dirname "$(go env GOMOD)")"\n'
          "%goworkfix\n%noautoget")
CELL = ('%%\nvar c otkit.Cost = otkit.SqEuclidean{}\n'
        'fmt.Printf("otlab-smoke %.1f\\n", c.Cost([]float64{0, 0}, []float64{3, 4}))')
WANT = "otlab-smoke 25.0"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to a login page) is an answer, not something to follow


_opener = urllib.request.build_opener(_NoRedirect)


def request(base, path, token=None, method="GET", body=None):
    req = urllib.request.Request(base + path, method=method, data=body)
    if token:
        req.add_header("Authorization", "token " + token)
    try:
        with _opener.open(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


async def run_cells(base, token, kernel_id, cells, timeout=300):
    """Executes cells on the kernel over the server's websocket; returns (text, errors)."""
    import tornado.websocket

    url = "ws" + base[len("http"):] + "/api/kernels/%s/channels?token=%s" % (kernel_id, token)
    ws = await tornado.websocket.websocket_connect(url, max_message_size=1 << 28)
    session = uuid.uuid4().hex
    text, errors = [], []
    for code in cells:
        msg_id = uuid.uuid4().hex
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": "smoke", "session": session, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        deadline = time.monotonic() + timeout
        done = False
        while not done:
            left = deadline - time.monotonic()
            if left <= 0:
                errors.append("cell timed out after %ss" % timeout)
                break
            raw = await asyncio.wait_for(ws.read_message(), left)
            if raw is None:
                errors.append("websocket closed")
                break
            m = json.loads(raw)
            if m.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            t = m["msg_type"]
            if t == "stream":
                text.append(m["content"]["text"])
            elif t == "display_data" and "gonb-err" in m["content"]["data"].get("text/html", ""):
                # GoNB shows compile errors as HTML; keep their text.
                h = re.sub(r"<style>.*?</style>|<[^>]+>", "", m["content"]["data"]["text/html"], flags=re.S)
                errors.append(" ".join(h.split())[:600])
            elif t == "error":
                errors.append("%s: %s" % (m["content"]["ename"], m["content"]["evalue"]))
            elif t == "status" and m["content"]["execution_state"] == "idle":
                done = True
    ws.close()
    return "".join(text), errors


def main():
    # PREFIX: a URL path in front of the server's, e.g. /user/NAME behind JupyterHub.
    port, token = sys.argv[1], sys.argv[2]
    prefix = sys.argv[3] if len(sys.argv) > 3 else ""
    base = "http://127.0.0.1:%s%s" % (port, prefix)
    refused = (403,) if not prefix else (302, 403)  # JupyterHub redirects to its login page
    deadline = time.time() + 90
    while True:
        try:
            if request(base, "/api/status", token)[0] == 200:
                break
        except OSError:
            pass
        if time.time() > deadline:
            sys.exit("lab smoke: server did not answer within 90 s")
        time.sleep(0.3)
    code, _ = request(base, "/api/kernelspecs")
    if code not in refused:
        sys.exit("lab smoke: /api/kernelspecs without a token answered %d, want 403" % code)
    code, _ = request(base, "/api/kernelspecs", "wrong" + token)
    if code not in refused:
        sys.exit("lab smoke: a wrong token answered %d, want 403" % code)
    code, body = request(base, "/api/kernelspecs", token)
    specs = json.loads(body)["kernelspecs"] if code == 200 else {}
    if "gonb" not in specs:
        sys.exit("lab smoke: gonb kernel not offered (kernels: %s)" % sorted(specs))
    # A session, as the Notebook UI opens one: the kernel starts in the notebook's folder.
    code, body = request(base, "/api/sessions", token, "POST", json.dumps(
        {"path": "lab-smoke.ipynb", "type": "notebook", "name": "", "kernel": {"name": "gonb"}}).encode())
    if code not in (200, 201):
        sys.exit("lab smoke: starting a gonb session answered %d" % code)
    sess = json.loads(body)
    t0 = time.monotonic()
    try:
        text, errors = asyncio.run(run_cells(base, token, sess["kernel"]["id"], [WIRING, CELL]))
    finally:
        request(base, "/api/sessions/" + sess["id"], token, "DELETE")
    if errors or WANT not in text:
        sys.exit("lab smoke: the Go cell did not print %r: errors %s, output %r" % (WANT, errors, text[-500:]))
    print("lab smoke: server at %s requires the token (refused without or with a wrong one), offers %s; "
          "a gonb kernel ran a cell using otkit in %.1fs" % (base, sorted(specs), time.monotonic() - t0))


if __name__ == "__main__":
    main()
