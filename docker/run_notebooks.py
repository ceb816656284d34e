#!/usr/bin/python3
"""Executes GoNB notebooks headless and checks them as a reader would see them.

    /usr/bin/python3 docker/run_notebooks.py [--out DIR] [--timeout S] [--no-browser] [--no-live] [--no-restart] NB.ipynb...

For each notebook NAME.ipynb, in order:

1. execute every cell with the gonb kernel (nbclient), in the notebook's own
   folder, timing each cell; the kernel's log goes to DIR/NAME.kernel.log;
2. fail on any error output, and on stream text with a line starting
   "panic: " or "exit status N" (runtime failures), or on a cell timeout;
3. write the executed notebook to DIR/NAME.ipynb and sign it
   (python3 -m nbformat.sign), so the Notebook UI trusts its scripts;
4. export it to DIR/NAME.html (nbconvert, no re-execution);
5. open the HTML in headless Chromium through the DevTools protocol: fail on
   page exceptions, and unless every echarts chart in the outputs drew into its
   canvases (non-transparent pixels); save a full-page screenshot
   DIR/NAME.png (tiles NAME.png, NAME.2.png, ... for long pages), one
   PNG per chart, DIR/NAME.charts/cell-CC-chart-K.png, and one per code
   cell's output area, DIR/NAME.outputs/cell-CC.png;
6. fail when a chart output carries no static image (widgets put a PNG of the
   chart inside its element), and open the HTML again with JavaScript
   disabled: every chart must show a loaded, non-blank static image
   (non-background pixels counted; DIR/NAME.static/);
7. serve an unsigned copy with the classic Notebook (untrusted: scripts
   stripped) and check the same there (DIR/NAME.untrusted/);
8. run the committed notebook in a live Notebook page (Run All through the
   DevTools protocol): every cell runs without error, every chart draws, and
   every cell that sent progress updates in step 1 shows a progress bar while
   it runs (DIR/NAME.live.png);
9. restart check: the set-up cell and the last code cell alone in a fresh
   kernel must run without error;
10. run the author's checks, when NAME.checks.py exists beside the notebook.

Also saved: the last frame of every animation player
(DIR/NAME.charts/cell-CC-chart-K-last.png) and, when a notebook has several
players, all of them side by side frame by frame (DIR/NAME.players.gif).

The checks hook (notebooks/NAME.checks.py): its function check(nb), and any
other top-level check_*(nb) function of exactly one argument, is called with
the executed notebook, and passes unless it raises (use assert with a
message; AssertionError text is printed). nb behaves as the executed nbformat
node (nb.cells, nb.metadata, nb["cells"]) and adds helpers (below). Functions
named check_* with more than one parameter are helpers and are not called.
Example:

    def check(nb):
        i = nb.cell("FitPair(")                  # first code cell whose source contains this
        masses = nb.floats(i, r"mass (\\S+)")      # every match of the group in its text output
        assert abs(masses[0] - 0.41) < 0.02, masses

Notebook offers: nb.nb (the executed nbformat node), nb.cells (all cells),
nb.cell(substr) -> index, nb.text(i) (stream + text/plain output of cell i),
nb.html(i), nb.pngs(i) (PNG bytes), nb.floats(i, regex), nb.search(regex) ->
first match in any cell's text, nb.seconds(i) (wall time of cell i),
nb.stdout() (all standard output), nb.records() / nb.record(run) (what the
cells handed over with tutorial.Record, which the reader does not see),
nb.updates(i) (in-place display updates, i.e. progress, cell i sent while it
ran), nb.html_text(i) (text of cell i's HTML outputs, tags removed),
nb.charts (per echarts chart on the page: cell index, canvas count and
size, painted pixels, PNG path),
nb.out_dir (artifacts folder, to save anything worth keeping).

Timings go to DIR/NAME.timings.json and DIR/summary.json, and are printed.
The README's figures (docs/figures.txt: which cell's picture is which figure)
are copied to DIR/figures/; a figure whose cell cannot be found fails the run.
Exit status 0 only if every notebook passed every step.
"""

import argparse
import asyncio
import base64
import glob
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

RUNTIME_FAILURE = re.compile(r"^(panic: |exit status \d+\s*$)", re.M)
ECHARTS_INIT = "echarts.init("


def log(msg):
    print(msg, flush=True)


# ----------------------------------------------------------------------------- execution


class CountingClient(NotebookClient):
    """An nbclient that also counts, per cell, the in-place display updates
    (update_display_data messages) the kernel sends while the cell runs: what
    a live page receives from a progress bar. The saved notebook keeps only
    the final state, so this is the only place they can be seen."""

    def process_message(self, msg, cell, cell_index):
        if msg.get("msg_type") == "update_display_data":
            counts = self.otlab_updates
            counts[cell_index] = counts.get(cell_index, 0) + 1
        return super().process_message(msg, cell, cell_index)


RECORD_ENV = "OTLAB_NOTEBOOK_RECORD"  # tutorial.Record appends JSON lines to this file


def read_records(path):
    """{run: fields} from the JSON lines tutorial.Record wrote."""
    out = {}
    if os.path.exists(path):
        for ln in open(path):
            if ln.strip():
                d = json.loads(ln)
                out[d.pop("run")] = d
    return out


def execute(path, out_dir, timeout, cells=None):
    """Runs the notebook (or only the code cells whose indices are in cells, in
    a fresh kernel); returns (executed nb, per-cell seconds, kernel start s,
    total s, failures). The executed notebook's metadata "otlab" holds the
    numbers the cells handed to the checks (tutorial.Record) and the count of
    in-place display updates per cell."""
    nb = nbformat.read(path, as_version=4)
    if cells is not None:
        for i, c in enumerate(nb.cells):
            if c.cell_type == "code" and i not in cells:
                c.source = ""  # GoNB runs nothing for an empty cell
    name = os.path.splitext(os.path.basename(path))[0]
    starts, seconds = {}, {}

    def on_execute(cell, cell_index, **_):
        starts[cell_index] = time.monotonic()

    def on_executed(cell, cell_index, **_):
        seconds[cell_index] = time.monotonic() - starts.get(cell_index, time.monotonic())

    client = CountingClient(
        nb,
        timeout=timeout,
        startup_timeout=120,
        kernel_name="gonb",
        allow_errors=True,  # keep going: report every failing cell, not just the first
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        on_cell_execute=on_execute,
        on_cell_executed=on_executed,
    )
    failures = []
    t0 = time.monotonic()
    kernel_up = [None]

    def on_start(**_):
        kernel_up[0] = time.monotonic() - t0

    client.on_notebook_start = on_start
    client.otlab_updates = {}
    record = tempfile.NamedTemporaryFile(prefix="otlab-record-", suffix=".jsonl", delete=False)
    record.close()
    os.environ[RECORD_ENV] = record.name  # the kernel, and each cell's program, inherit it
    log_name = name + (".kernel.log" if cells is None else ".restart.kernel.log")
    with open(os.path.join(out_dir, log_name), "wb") as klog:
        try:
            client.execute(stdout=klog, stderr=klog)
        except CellTimeoutError as e:
            failures.append("cell timed out after %ss: %s" % (timeout, str(e).splitlines()[0]))
        except DeadKernelError as e:
            failures.append("kernel died: %s" % e)
        except Exception as e:  # kernel did not start, etc.
            failures.append("execution failed: %s: %s" % (type(e).__name__, e))
    total = time.monotonic() - t0
    del os.environ[RECORD_ENV]
    nb.metadata["otlab"] = {"records": read_records(record.name),
                            "display_updates": {str(k): v for k, v in sorted(client.otlab_updates.items())}}
    os.unlink(record.name)
    return nb, seconds, kernel_up[0], total, failures


def cell_text(cell):
    parts = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            parts.append(o.text)
        elif o.output_type in ("execute_result", "display_data"):
            parts.append(o.data.get("text/plain", ""))
        elif o.output_type == "error":
            parts.append("%s: %s\n" % (o.ename, o.evalue))
    return "".join(parts)


def scan_failures(nb):
    """Error outputs and runtime-failure text, per code cell."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        first = cell.source.strip().splitlines()[:1]
        where = "cell %d (%s)" % (i, first[0][:60] if first else "empty")
        for o in cell.get("outputs", []):
            if o.output_type == "error":
                msg = strip_ansi(o.evalue or "") or strip_ansi("\n".join(o.get("traceback", [])))
                found.append("%s: error output: %s: %s%s" % (where, o.ename, msg.strip()[:400], compile_context(cell)))
            elif o.output_type == "stream":
                m = RUNTIME_FAILURE.search(o.text)
                if m:
                    line = o.text[m.start():].splitlines()[0]
                    found.append("%s: runtime failure in %s: %s" % (where, o.name, line[:200]))
            elif o.output_type == "display_data":
                for mime, raw in o.data.items():
                    if mime == "image/png":
                        try:
                            ok = base64.b64decode(raw)[:8] == b"\x89PNG\r\n\x1a\n"
                        except Exception:
                            ok = False
                        if not ok:
                            found.append("%s: image/png output is not a PNG" % where)
    return found


def compile_context(cell):
    """GoNB shows compile errors as HTML ("Cell[N]: Line L ... message"); quote those lines."""
    lines = []
    for o in cell.get("outputs", []):
        h = o.get("data", {}).get("text/html", "") if o.output_type == "display_data" else ""
        if "gonb-err" not in h:
            continue
        h = re.sub(r'<div class="gonb-err-context">.*?</div></div>', "", h, flags=re.S)
        text = re.sub(r"<style>.*?</style>|<[^>]+>", "", h, flags=re.S)
        lines += [ln.strip() for ln in text.splitlines() if "Cell[" in ln]
    return ("\n      " + "\n      ".join(lines[:5])) if lines else ""


def strip_ansi(s):
    return re.sub(r"\x1b\[[0-9;]*m", "", s)


# ----------------------------------------------------------------------------- browser


class DevTools:
    """A minimal Chrome DevTools Protocol client over tornado's websocket."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.pending = {}
        self.events = []
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        while True:
            msg = await self.ws.read_message()
            if msg is None:
                return
            m = json.loads(msg)
            if "id" in m and m["id"] in self.pending:
                self.pending.pop(m["id"]).set_result(m)
            elif "method" in m:
                self.events.append(m)

    async def call(self, method, timeout=60, **params):
        self.next_id += 1
        fut = asyncio.get_event_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.write_message(json.dumps({"id": self.next_id, "method": method, "params": params}))
        m = await asyncio.wait_for(fut, timeout)
        if "error" in m:
            raise RuntimeError("%s: %s" % (method, m["error"]))
        return m["result"]

    async def eval(self, expr):
        r = await self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("page script failed: %s" % r["exceptionDetails"])
        return r["result"].get("value")


CANVAS_JS = r"""
(() => {
  // One entry per echarts chart (the element echarts.init marked), with the
  // non-transparent pixels of all its canvases (zrender may use several layers).
  const cells = [...document.querySelectorAll('.cell, .jp-Cell')];
  const painted = c => {
    try {
      const ctx = c.getContext('2d');
      if (!ctx || !c.width || !c.height) return 0;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let j = 3; j < d.length; j += 4) if (d[j] !== 0) n++;
      return n;
    } catch (e) { return -1; }
  };
  return [...document.querySelectorAll('[_echarts_instance_]')].map(el => {
    const cvs = [...el.querySelectorAll('canvas')];
    const box = el.getBoundingClientRect();
    const cell = el.closest('.cell, .jp-Cell');
    return {canvases: cvs.length, width: cvs.length ? cvs[0].width : 0, height: cvs.length ? cvs[0].height : 0,
            painted: cvs.reduce((s, c) => s + Math.max(0, painted(c)), 0),
            cell: cell ? cells.indexOf(cell) : -1, player: !!el.otlabPlayer,
            x: box.left + scrollX, y: box.top + scrollY, w: box.width, h: box.height};
  });
})()
"""


OUTPUTS_JS = r"""
(() => {
  const cells = [...document.querySelectorAll('.cell, .jp-Cell')];
  const out = [];
  cells.forEach((cell, i) => {
    const o = cell.querySelector('.output_wrapper, .jp-Cell-outputWrapper');
    if (!o) return;
    const b = o.getBoundingClientRect();
    if (b.width > 0 && b.height > 4) out.push({cell: i, x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height});
  });
  return out;
})()
"""


def chromium_path():
    for c in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(c)
        if p:
            return p
    return None


STATIC_JS = r"""
(() => {
  // Every chart element (echarts' container) and the static image inside it,
  // as a page without scripts shows them.
  const cells = [...document.querySelectorAll('.cell, .jp-Cell')];
  return [...document.querySelectorAll('.otlab-chart > div[id]')].map(el => {
    const img = el.querySelector('img.otlab-static');
    const box = (img || el).getBoundingClientRect();
    const cell = el.closest('.cell, .jp-Cell');
    return {cell: cell ? cells.indexOf(cell) : -1, id: el.id, img: !!img,
            loaded: !!(img && img.complete && img.naturalWidth > 0),
            x: box.left + scrollX, y: box.top + scrollY, w: box.width, h: box.height};
  });
})()
"""


def ink_pixels(png_bytes):
    """Pixels that are not page background (near-white): a blank chart has none."""
    import io
    from PIL import Image
    im = Image.open(io.BytesIO(png_bytes)).convert("L")
    return sum(1 for v in im.getdata() if v < 235)


async def server_answers(port, token):
    """Waits up to about 30 s for the Notebook server's API to answer."""
    for _ in range(150):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/api?token=%s" % (port, token), timeout=2)
            return True
        except Exception:
            await asyncio.sleep(0.2)
    return False


async def open_page(url, js_enabled=True):
    """Starts headless Chromium, opens url; returns (proc, profile dir, DevTools, websocket, problems)."""
    import tornado.websocket

    exe = chromium_path()
    if not exe:
        return None, None, None, None, ["chromium not found (Debian package chromium)"]
    prof = tempfile.mkdtemp(prefix="otlab-chromium-")
    args = [exe, "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--user-data-dir=" + prof, "--remote-debugging-port=0",
            "--window-size=1200,900", "about:blank"]
    if os.geteuid() == 0 or os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv"):
        args.insert(2, "--no-sandbox")  # root, or a container (Docker, podman) without user namespaces for the sandbox
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(prof, "DevToolsActivePort")
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().count("\n") >= 1:
                break
            await asyncio.sleep(0.1)
        else:
            return proc, prof, None, None, ["chromium did not open its DevTools port"]
        port = open(port_file).read().split("\n")[0].strip()
        with urllib.request.urlopen("http://127.0.0.1:%s/json/list" % port, timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        ws = await tornado.websocket.websocket_connect(page["webSocketDebuggerUrl"], max_message_size=1 << 30)
        dt = DevTools(ws)
        await dt.call("Runtime.enable")
        await dt.call("Page.enable")
        if not js_enabled:
            await dt.call("Emulation.setScriptExecutionDisabled", value=True)
        await dt.call("Page.navigate", url=url)
        problems = []
        deadline = time.monotonic() + 60
        while not any(e["method"] == "Page.loadEventFired" for e in dt.events):
            if time.monotonic() > deadline:
                problems.append("page did not finish loading in 60 s")
                break
            await asyncio.sleep(0.1)
    except Exception as e:  # the caller's close_page stops chromium
        return proc, prof, None, None, ["chromium: %s: %s" % (type(e).__name__, e)]
    return proc, prof, dt, ws, problems


def close_page(proc, prof, dt, ws):
    if dt:
        dt.reader.cancel()
    if ws:
        ws.close()
    if proc:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    if prof:
        shutil.rmtree(prof, ignore_errors=True)


async def check_static_charts(url, what, static_dir, expected_charts, settle=0.5):
    """Opens url without running its scripts (js_enabled False) and checks that
    every chart shows its static image: one per expected chart, loaded, with
    ink. Saves each as static_dir/cell-CC-chart-K.png. Returns (charts, problems)."""
    proc, prof, dt, ws, problems = await open_page(url, js_enabled=False)
    try:
        if dt is None:
            return [], problems
        await asyncio.sleep(settle)
        charts = await dt.eval(STATIC_JS) or []
        os.makedirs(static_dir, exist_ok=True)
        per_cell = {}
        for c in charts:
            per_cell[c["cell"]] = per_cell.get(c["cell"], 0) + 1
            c["ink"] = 0
            if c["w"] > 0 and c["h"] > 0:
                r = await dt.call("Page.captureScreenshot", timeout=120, format="png", captureBeyondViewport=True,
                                  clip={"x": c["x"], "y": c["y"], "width": c["w"], "height": c["h"], "scale": 1})
                png = base64.b64decode(r["data"])
                p = os.path.join(static_dir, "cell-%02d-chart-%d.png" % (c["cell"], per_cell[c["cell"]]))
                with open(p, "wb") as f:
                    f.write(png)
                c["png"] = p
                c["ink"] = ink_pixels(png)
        blank = [c for c in charts if not c["loaded"] or c["ink"] < 0.005 * max(1, c["w"] * c["h"])]
        if len(charts) != expected_charts:
            problems.append("%s: %d chart(s) in the outputs, %d chart element(s) on the page"
                            % (what, expected_charts, len(charts)))
        for c in blank:
            problems.append("%s: chart in cell %d shows no static image (image %s, %d non-background pixels)"
                            % (what, c["cell"], "loaded" if c["loaded"] else "missing", c["ink"]))
        return charts, problems
    except Exception as e:
        return [], problems + ["%s: browser check failed: %s: %s" % (what, type(e).__name__, e)]
    finally:
        close_page(proc, prof, dt, ws)


async def save_players_gif(dt, charts, players, path):
    """Steps every animation player of the page through its frames together
    and writes the side-by-side pictures as an animated GIF (half size, one
    frame per second, like the players)."""
    import io
    from PIL import Image
    count = await dt.eval("document.querySelectorAll('[_echarts_instance_]')[%d].otlabPlayer.count" % charts.index(players[0]))
    frames = []
    for k in range(count):
        for c in players:
            await dt.eval("(() => { const el = document.querySelectorAll('[_echarts_instance_]')[%d]; "
                          "el.otlabPlayer.show(Math.min(%d, el.otlabPlayer.count - 1)); })()" % (charts.index(c), k))
        await asyncio.sleep(0.9)  # the transition between frames (at most 600 ms)
        row = []
        for c in players:
            r = await dt.call("Page.captureScreenshot", timeout=120, format="png", captureBeyondViewport=True,
                              clip={"x": c["x"], "y": c["y"], "width": c["w"], "height": c["h"], "scale": 0.5})
            row.append(Image.open(io.BytesIO(base64.b64decode(r["data"]))).convert("RGB"))
        w, h = sum(im.width for im in row), max(im.height for im in row)
        frame = Image.new("RGB", (w, h), "white")
        x = 0
        for im in row:
            frame.paste(im, (x, 0))
            x += im.width
        frames.append(frame.convert("P", palette=Image.ADAPTIVE, colors=128))
    # Hold the last frame: the end state is the point.
    durations = [1000] * (len(frames) - 1) + [3000]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=True)


async def inspect_html(html_path, shot_base, charts_dir, outputs_dir, expected_charts):
    """Opens the exported HTML in headless Chromium; returns (charts, problems, shots)."""
    proc, prof, dt, ws, problems = await open_page("file://" + os.path.abspath(html_path))
    try:
        if dt is None:
            return [], problems, []
        # Wait until the charts have drawn (and their entry animation ended): the
        # painted-pixel counts stop changing for a second, or 20 s pass.
        charts, last, stable_since = [], None, time.monotonic()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            charts = await dt.eval(CANVAS_JS) or []
            sig = [(c["painted"], c["canvases"]) for c in charts]
            if sig != last:
                last, stable_since = sig, time.monotonic()
            elif len(charts) >= expected_charts and time.monotonic() - stable_since > 1.0:
                break
            await asyncio.sleep(0.25)
        for e in dt.events:
            if e["method"] == "Runtime.exceptionThrown":
                d = e["params"]["exceptionDetails"]
                problems.append("page exception: " + (d.get("exception", {}).get("description") or d.get("text", ""))[:300])
        drawn = [c for c in charts if (c["painted"] or 0) > 0]
        if len(drawn) < expected_charts:
            problems.append("%d echarts chart(s) in the outputs, but only %d drew into a canvas (cell, painted pixels: %s)"
                            % (expected_charts, len(drawn), [(c["cell"], c["painted"]) for c in charts]))
        # Full-page screenshot, in tiles (very tall captures fail).
        metrics = await dt.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width, height = 1200, int(size["height"]) + 1
        await dt.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
        shots, tile, y, k = [], 8000, 0, 1
        while y < height:
            h = min(tile, height - y)
            r = await dt.call("Page.captureScreenshot", timeout=120, format="png", captureBeyondViewport=True,
                              clip={"x": 0, "y": y, "width": width, "height": h, "scale": 1})
            p = shot_base + (".png" if k == 1 else ".%d.png" % k)
            with open(p, "wb") as f:
                f.write(base64.b64decode(r["data"]))
            shots.append(p)
            y, k = y + h, k + 1
        # One PNG per chart, for the README and for a quick look.
        if charts:
            os.makedirs(charts_dir, exist_ok=True)
        per_cell = {}
        for c in charts:
            per_cell[c["cell"]] = per_cell.get(c["cell"], 0) + 1
            p = os.path.join(charts_dir, "cell-%02d-chart-%d.png" % (c["cell"], per_cell[c["cell"]]))
            if c["w"] > 0 and c["h"] > 0:
                r = await dt.call("Page.captureScreenshot", timeout=120, format="png", captureBeyondViewport=True,
                                  clip={"x": c["x"], "y": c["y"], "width": c["w"], "height": c["h"], "scale": 1})
                with open(p, "wb") as f:
                    f.write(base64.b64decode(r["data"]))
                c["png"] = p
        # The last frame of every animation (the players start at frame 0).
        for c in charts:
            if not c.get("player") or not c.get("png"):
                continue
            await dt.eval("(() => { const el = document.querySelectorAll('[_echarts_instance_]')[%d]; "
                          "el.otlabPlayer.show(el.otlabPlayer.count - 1); })()" % charts.index(c))
            await asyncio.sleep(1.5)  # the transition between frames
            r = await dt.call("Page.captureScreenshot", timeout=120, format="png", captureBeyondViewport=True,
                              clip={"x": c["x"], "y": c["y"], "width": c["w"], "height": c["h"], "scale": 1})
            c["png_last"] = c["png"][:-len(".png")] + "-last.png"
            with open(c["png_last"], "wb") as f:
                f.write(base64.b64decode(r["data"]))
        # All players side by side, frame by frame, as one GIF (NAME.players.gif).
        players = [c for c in charts if c.get("player") and c.get("png")]
        if len(players) >= 2:
            await save_players_gif(dt, charts, players, shot_base + ".players.gif")
        # One PNG per code cell's output area: what a reader sees under the cell.
        outputs = await dt.eval(OUTPUTS_JS) or []
        if outputs:
            os.makedirs(outputs_dir, exist_ok=True)
        for o in outputs:
            r = await dt.call("Page.captureScreenshot", timeout=120, format="png", captureBeyondViewport=True,
                              clip={"x": o["x"], "y": o["y"], "width": o["w"], "height": min(o["h"], 8000), "scale": 1})
            with open(os.path.join(outputs_dir, "cell-%02d.png" % o["cell"]), "wb") as f:
                f.write(base64.b64decode(r["data"]))
        return charts, problems, shots
    except Exception as e:
        return [], ["browser check failed: %s: %s" % (type(e).__name__, e)], []
    finally:
        close_page(proc, prof, dt, ws)


UNTRUSTED_JS = r"""
(() => {
  // The classic Notebook renders an untrusted notebook's HTML outputs
  // sanitized: scripts are dropped, so no chart may draw and every chart must
  // show its static image.
  if (!window.Jupyter || !Jupyter.notebook || !Jupyter.notebook._fully_loaded) return null;
  const cells = [...document.querySelectorAll('.cell')];
  const imgs = [...document.querySelectorAll('.output_area .otlab-chart img.otlab-static')];
  return {trusted: Jupyter.notebook.trusted, canvases: document.querySelectorAll('.output_area canvas').length,
          charts: imgs.map(img => { const b = img.getBoundingClientRect(); const cell = img.closest('.cell');
            return {cell: cell ? cells.indexOf(cell) : -1, loaded: img.complete && img.naturalWidth > 0,
                    x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height}; })};
})()
"""


def free_port():
    import socket
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


async def check_untrusted(nb, name, out_dir, expected_charts):
    """Serves an unsigned copy of the executed notebook with the classic
    Notebook (as a reader who opens a downloaded notebook sees it: "Not
    Trusted") and checks, in headless Chromium, that no chart script ran and
    that every chart shows its static image. Returns problems."""
    import secrets
    what = "untrusted notebook"
    d = tempfile.mkdtemp(prefix="otlab-untrusted-")
    copy = nbformat.from_dict(json.loads(json.dumps(nb)))
    copy.metadata["otlab_untrusted_copy"] = True  # another hash: the signature of the executed copy does not apply
    nbformat.write(copy, os.path.join(d, name + ".ipynb"))
    port, token = free_port(), secrets.token_hex(16)
    args = [sys.executable, "-m", "notebook", "--no-browser", "--ip=127.0.0.1", "--port=%d" % port,
            "--NotebookApp.port_retries=0", "--NotebookApp.token=" + token, "--notebook-dir=" + d]
    if os.geteuid() == 0:
        args.append("--allow-root")
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc = prof = dt = ws = None
    problems = []
    try:
        if not await server_answers(port, token):
            return ["%s: the Notebook server did not start" % what]
        url = "http://127.0.0.1:%d/notebooks/%s.ipynb?token=%s" % (port, name, token)
        proc, prof, dt, ws, problems = await open_page(url)
        if dt is None:
            return problems
        r, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline:
            r = await dt.eval(UNTRUSTED_JS)
            if r is not None and len(r["charts"]) >= expected_charts and all(c["loaded"] for c in r["charts"]):
                break
            await asyncio.sleep(0.5)
        if r is None:
            return problems + ["%s: the Notebook page did not load the notebook" % what]
        if r["trusted"]:
            problems.append("%s: the copy opened as trusted; the check needs an untrusted notebook" % what)
        if r["canvases"]:
            problems.append("%s: %d canvas(es) drew although scripts should be stripped" % (what, r["canvases"]))
        if len(r["charts"]) != expected_charts:
            problems.append("%s: %d static chart image(s), want %d" % (what, len(r["charts"]), expected_charts))
        sdir = os.path.join(out_dir, name + ".untrusted")
        os.makedirs(sdir, exist_ok=True)
        for k, c in enumerate(r["charts"]):
            ink = 0
            # The Notebook page scrolls inside #site, not the window: bring each
            # image into the viewport and capture it there.
            box = await dt.eval("(() => { const img = document.querySelectorAll("
                                "'.output_area .otlab-chart img.otlab-static')[%d]; img.scrollIntoView({block: 'center'}); "
                                "const b = img.getBoundingClientRect(); return {x: b.left, y: b.top, w: b.width, h: b.height}; })()" % k)
            await asyncio.sleep(0.2)
            if box["w"] > 0 and box["h"] > 0:
                shot = await dt.call("Page.captureScreenshot", timeout=120, format="png",
                                     clip={"x": box["x"], "y": box["y"], "width": box["w"], "height": box["h"], "scale": 1})
                png = base64.b64decode(shot["data"])
                with open(os.path.join(sdir, "chart-%d-cell-%02d.png" % (k + 1, c["cell"])), "wb") as f:
                    f.write(png)
                ink = ink_pixels(png)
            if not c["loaded"] or ink < 0.005 * max(1, c["w"] * c["h"]):
                problems.append("%s: chart %d (cell %d) shows no static image (%d non-background pixels)"
                                % (what, k + 1, c["cell"], ink))
        return problems
    except Exception as e:
        return problems + ["%s: check failed: %s: %s" % (what, type(e).__name__, e)]
    finally:
        close_page(proc, prof, dt, ws)
        server.terminate()  # also ends the kernel the page started
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(d, ignore_errors=True)


LIVE_WATCH_JS = r"""
(() => {
  // Record every cell whose output shows a progress bar while the cell runs.
  window.otlabLive = {progress: {}, errors: []};
  window.addEventListener('error', e => otlabLive.errors.push(String(e.message)));
  const cells = () => [...document.querySelectorAll('#notebook-container .cell')];
  const look = () => document.querySelectorAll('.cell.running .output_area progress').forEach(p => {
    otlabLive.progress[cells().indexOf(p.closest('.cell'))] = true; });
  new MutationObserver(look).observe(document.getElementById('notebook-container'),
                                     {childList: true, subtree: true, attributes: true});
  Jupyter.notebook.execute_all_cells();
  return true;
})()
"""

LIVE_STATE_JS = r"""
(() => {
  const cs = Jupyter.notebook.get_cells().map((c, i) => ({i: i, code: c.cell_type === 'code', n: c.input_prompt_number}));
  const code = cs.filter(c => c.code);
  return {done: code.every(c => typeof c.n === 'number') && !document.querySelector('.cell.running'),
          executed: code.filter(c => typeof c.n === 'number').length, code: code.length,
          kernel: !!(Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()),
          canvases: document.querySelectorAll('.output_area canvas').length,
          errors: document.querySelectorAll('.output_area .output_error, .output_area .gonb-err').length,
          progress: otlabLive.progress, pageErrors: otlabLive.errors};
})()
"""


async def check_live(path, name, out_dir, progress_cells, expected_charts):
    """The live lab: serves a copy of the notebook as committed (no outputs)
    with the classic Notebook, runs all cells from the page (as a reader
    clicking Run All), and checks that every cell that sends progress updates
    (progress_cells, from the nbclient run) shows a progress bar while it
    runs, that every chart draws, and that no cell fails. Returns (report, problems)."""
    import secrets
    what = "live lab"
    # The copy sits next to the notebook: its set-up cell finds the repository
    # from the notebook's folder. The server autosaves it; it is removed after.
    d = os.path.dirname(os.path.abspath(path))
    live_name = ".otlab-live-%s-%d" % (name, os.getpid())
    shutil.copyfile(path, os.path.join(d, live_name + ".ipynb"))
    port, token = free_port(), secrets.token_hex(16)
    args = [sys.executable, "-m", "notebook", "--no-browser", "--ip=127.0.0.1", "--port=%d" % port,
            "--NotebookApp.port_retries=0", "--NotebookApp.token=" + token, "--notebook-dir=" + d,
            "--ContentsManager.allow_hidden=True"]  # the copy's name starts with a dot
    if os.geteuid() == 0:
        args.append("--allow-root")
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc = prof = dt = ws = None
    problems, report = [], {}
    t0 = time.monotonic()
    try:
        if not await server_answers(port, token):
            return report, ["%s: the Notebook server did not start" % what]
        url = "http://127.0.0.1:%d/notebooks/%s.ipynb?token=%s" % (port, live_name, token)
        proc, prof, dt, ws, problems = await open_page(url)
        if dt is None:
            return report, problems
        deadline = time.monotonic() + 60
        while not await dt.eval("!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && "
                                "Jupyter.notebook.kernel.is_connected())"):
            if time.monotonic() > deadline:
                return report, problems + ["%s: the kernel did not connect in 60 s" % what]
            await asyncio.sleep(0.25)
        t_run = time.monotonic()
        await dt.eval(LIVE_WATCH_JS)
        deadline = time.monotonic() + 900
        while True:
            r = await dt.eval(LIVE_STATE_JS)
            if r["done"] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)  # the last chart's first paint
        r = await dt.eval(LIVE_STATE_JS)
        report = {"code_cells": r["code"], "executed": r["executed"], "seconds": round(time.monotonic() - t_run, 1),
                  "canvases": r["canvases"], "progress_seen": sorted(int(k) for k in r["progress"])}
        shot = await dt.call("Page.captureScreenshot", timeout=120, format="png")
        with open(os.path.join(out_dir, name + ".live.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        if not r["done"]:
            problems.append("%s: %d of %d code cells ran in 15 min" % (what, r["executed"], r["code"]))
        if r["errors"]:
            problems.append("%s: %d cell(s) show an error" % (what, r["errors"]))
        for e in r["pageErrors"]:
            problems.append("%s: page error: %s" % (what, e[:200]))
        if r["canvases"] < expected_charts:
            problems.append("%s: %d canvas(es) for %d chart(s)" % (what, r["canvases"], expected_charts))
        for i in progress_cells:
            if str(i) not in r["progress"]:
                problems.append("%s: cell %d sends progress updates, but no progress bar showed while it ran" % (what, i))
        return report, problems
    except Exception as e:
        return report, problems + ["%s: check failed: %s: %s" % (what, type(e).__name__, e)]
    finally:
        close_page(proc, prof, dt, ws)
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        for p in glob.glob(os.path.join(d, live_name + ".ipynb")) + glob.glob(os.path.join(d, ".ipynb_checkpoints", live_name + "*")):
            os.unlink(p)
        try:
            os.rmdir(os.path.join(d, ".ipynb_checkpoints"))  # only if the server created it for the copy
        except OSError:
            pass


def check_restart(path, out_dir, timeout):
    """A reader restarts the kernel and runs the set-up cell and then one cell
    further down: that must work (the set-up cell declares what later cells
    need). Runs the first and the last code cell in a fresh kernel; returns problems."""
    nb = nbformat.read(path, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if len(code) < 2:
        return []
    run, _, _, total, failures = execute(path, out_dir, timeout, cells={code[0], code[-1]})
    failures += scan_failures(run)
    log("  restart: set-up cell + last code cell (cell %d) in a fresh kernel: %s (%.1fs)"
        % (code[-1], "ok" if not failures else "FAIL", total))
    return ["after a kernel restart (set-up cell, then cell %d): %s" % (code[-1], f) for f in failures]


# ----------------------------------------------------------------------------- checks hook


class Notebook:
    """What a NAME.checks.py function receives."""

    def __init__(self, nb, seconds, charts, out_dir):
        self.nb = nb
        self.cells = nb.cells
        self._seconds = seconds
        self.charts = charts
        self.out_dir = out_dir

    # Anything else is the executed nbformat node's: nb.metadata, nb["cells"], ...
    def __getattr__(self, name):
        return getattr(self.nb, name)

    def __getitem__(self, key):
        return self.nb[key]

    def cell(self, substr):
        for i, c in enumerate(self.cells):
            if c.cell_type == "code" and substr in c.source:
                return i
        raise AssertionError("no code cell contains %r" % substr)

    def text(self, i):
        return cell_text(self.cells[i])

    def html(self, i):
        return "".join(o.data.get("text/html", "") for o in self.cells[i].get("outputs", [])
                       if o.output_type in ("display_data", "execute_result"))

    def pngs(self, i):
        return [base64.b64decode(o.data["image/png"]) for o in self.cells[i].get("outputs", [])
                if o.output_type in ("display_data", "execute_result") and "image/png" in o.data]

    def floats(self, i, regex):
        return [float(m) for m in re.findall(regex, self.text(i))]

    def search(self, regex):
        for c in self.cells:
            if c.cell_type == "code":
                m = re.search(regex, cell_text(c))
                if m:
                    return m
        return None

    def seconds(self, i):
        return self._seconds.get(i)

    def stdout(self):
        """All standard-output text of the code cells, in order."""
        return "\n".join(o.get("text", "") for c in self.cells if c.cell_type == "code"
                         for o in c.get("outputs", [])
                         if o.get("output_type") == "stream" and o.get("name") == "stdout")

    def records(self):
        """{run: fields} that the cells handed to the checks with tutorial.Record
        (not shown to the reader; kept in the executed notebook's metadata)."""
        return dict(self.nb.metadata.get("otlab", {}).get("records", {}))

    def record(self, run):
        r = self.records()
        assert run in r, "no record for run %r: did its cell run?" % run
        return r[run]

    def updates(self, i):
        """In-place display updates (progress bars) cell i sent while it ran."""
        return self.nb.metadata.get("otlab", {}).get("display_updates", {}).get(str(i), 0)

    def html_text(self, i):
        """The text of cell i's HTML outputs, tags removed (what a reader reads there)."""
        import html as _html
        h = re.sub(r"<style>.*?</style>|<script>.*?</script>", "", self.html(i), flags=re.S)
        h = re.sub(r"</?(br|p|div|pre|summary|details|tr|td|th|table|caption)\b[^>]*>", "\n", h)
        return _html.unescape(re.sub(r"<[^>]+>", "", h))


def is_check(name, f):
    """check(nb), and any check_*(nb) taking exactly one argument (helpers with more are left alone)."""
    if not (name == "check" or name.startswith("check_")) or not inspect.isfunction(f):
        return False
    params = [p for p in inspect.signature(f).parameters.values()
              if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(params) == 1


def run_checks(checks_path, nbobj):
    """Returns [(name, error or None)]."""
    spec = importlib.util.spec_from_file_location("otlab_checks_" + os.path.basename(checks_path).split(".")[0], checks_path)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except Exception:
        return [("load " + os.path.basename(checks_path), traceback.format_exc(limit=3))]
    fns = [(n, f) for n, f in vars(mod).items() if is_check(n, f) and getattr(f, "__module__", None) == mod.__name__]
    if not fns:
        return [("load " + os.path.basename(checks_path), "defines no check(nb) function")]
    out = []
    for n, f in fns:
        try:
            f(nbobj)
            out.append((n, None))
        except Exception as e:
            tb = traceback.extract_tb(e.__traceback__)
            where = next(("line %d" % fr.lineno for fr in reversed(tb) if fr.filename == checks_path), "")
            out.append((n, "%s%s: %s" % (type(e).__name__, " at " + where if where else "", e)))
    return out


# ----------------------------------------------------------------------------- main


def process(path, out_dir, timeout, browser, restart=True, live=True):
    name = os.path.splitext(os.path.basename(path))[0]
    log("\n=== notebook %s" % path)
    nb, seconds, kernel_s, total, failures = execute(path, out_dir, timeout)
    failures += scan_failures(nb)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for i in code_cells:
        first = (nb.cells[i].source.strip().splitlines() or [""])[0]
        s = seconds.get(i)
        log("  cell %2d %8s  %s" % (i, "%.2fs" % s if s is not None else "not run", first[:70]))
    log("  kernel start %.2fs, total %.2fs" % (kernel_s or 0, total))

    out_nb = os.path.join(out_dir, name + ".ipynb")
    t_export = time.monotonic()
    nbformat.write(nb, out_nb)
    r = subprocess.run([sys.executable, "-m", "nbformat.sign", out_nb], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("signing failed: " + (r.stderr or r.stdout).strip()[-300:])

    html = os.path.join(out_dir, name + ".html")
    r = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", out_dir, out_nb],
                       capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(html):
        failures.append("HTML export failed: " + r.stderr.strip()[-500:])

    export_s = time.monotonic() - t_export
    charts = []
    t_browser = time.monotonic()
    expected = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.output_type == "display_data" and ECHARTS_INIT in o.data.get("text/html", ""))
    if browser and os.path.exists(html):
        charts, problems, shots = asyncio.run(inspect_html(html, os.path.join(out_dir, name),
                                                           os.path.join(out_dir, name + ".charts"),
                                                           os.path.join(out_dir, name + ".outputs"), expected))
        failures += problems
        log("  browser: %d chart(s) in the outputs, %d on the page, %d drew; screenshot %s (%.1fs; sign+export %.1fs)"
            % (expected, len(charts), sum(1 for c in charts if (c["painted"] or 0) > 0),
               ", ".join(os.path.basename(s) for s in shots) or "none", time.monotonic() - t_browser, export_s))

    # Every chart carries a static image, and shows it where no script runs.
    for i, c in enumerate(nb.cells):
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            h = o.get("data", {}).get("text/html", "") if o.output_type == "display_data" else ""
            if ECHARTS_INIT in h and 'class="otlab-static"' not in h:
                failures.append("cell %d: a chart output without a static image" % i)
    if browser and os.path.exists(html):
        t_static = time.monotonic()
        static, problems = asyncio.run(check_static_charts("file://" + os.path.abspath(html), "HTML export without JavaScript",
                                                           os.path.join(out_dir, name + ".static"), expected))
        failures += problems
        log("  no JavaScript: %d chart(s), %d with a static image (%.1fs)"
            % (len(static), sum(1 for c in static if c["loaded"] and c["ink"] > 0), time.monotonic() - t_static))
        t_untrusted = time.monotonic()
        problems = asyncio.run(check_untrusted(nb, name, out_dir, expected))
        failures += problems
        log("  untrusted notebook in the Notebook UI: %s (%.1fs)" % ("ok" if not problems else "FAIL", time.monotonic() - t_untrusted))
        if live:
            progress_cells = sorted(int(k) for k, v in nb.metadata["otlab"]["display_updates"].items() if v > 0)
            live_report, problems = asyncio.run(check_live(path, name, out_dir, progress_cells, expected))
            failures += problems
            log("  live lab (Run All in the Notebook page): %s code cells of %s ran in %ss, %s canvases, progress bars seen "
                "while running in cells %s (want %s): %s" % (live_report.get("executed"), live_report.get("code_cells"),
                                                             live_report.get("seconds"), live_report.get("canvases"),
                                                             live_report.get("progress_seen"), progress_cells,
                                                             "ok" if not problems else "FAIL"))
    if restart:
        failures += check_restart(path, out_dir, timeout)

    checks = []
    checks_path = os.path.splitext(os.path.abspath(path))[0] + ".checks.py"
    if os.path.exists(checks_path):
        checks = run_checks(checks_path, Notebook(nb, seconds, charts, out_dir))
        for n, err in checks:
            log("  check %-40s %s" % (n, "ok" if err is None else "FAIL: " + err))
    else:
        log("  no %s: only the generic checks ran" % os.path.basename(checks_path))

    report = {
        "notebook": path,
        "kernel_start_s": round(kernel_s or 0, 3),
        "total_s": round(total, 3),
        "cells": [{"index": i, "seconds": round(seconds[i], 3) if i in seconds else None,
                   "first_line": (nb.cells[i].source.strip().splitlines() or [""])[0][:120]} for i in code_cells],
        "charts_expected": expected,
        "charts": charts,
        "checks": [{"name": n, "ok": e is None, "error": e} for n, e in checks],
        "failures": failures,
    }
    with open(os.path.join(out_dir, name + ".timings.json"), "w") as f:
        json.dump(report, f, indent=1)
    for msg in failures:
        log("  FAIL: " + msg)
    return report


def pick_figures(list_path, out_dir, reports):
    """Copies the README's figures out of this run's PNGs; returns problems.

    Each line of list_path: NOTEBOOK FIGURE KIND SOURCE-TEXT, where KIND is
    "output" (the whole output area of a cell), "chart" or "chart-K" (its
    first or K-th chart), or
    "players" (the GIF of all the notebook's animation players side by side;
    SOURCE-TEXT must still name a code cell, e.g. one with a player), and the
    cell is the first code cell whose source contains SOURCE-TEXT.
    """
    problems = []
    fig_dir = os.path.join(out_dir, "figures")
    os.makedirs(fig_dir, exist_ok=True)
    by_name = {os.path.splitext(os.path.basename(r["notebook"]))[0]: r for r in reports}
    for ln in open(list_path):
        ln = ln.strip()
        if not ln or ln.startswith("#"):
            continue
        parts = ln.split(None, 3)
        if len(parts) != 4 or not re.fullmatch(r"output|chart(-[1-9][0-9]*)?|players", parts[2]):
            problems.append("%s: bad line %r" % (list_path, ln))
            continue
        nbname, fig, kind, text = parts
        if nbname not in by_name:
            continue  # that notebook was not run this time
        nb = nbformat.read(os.path.join(out_dir, nbname + ".ipynb"), as_version=4)
        idx = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and text in c.source), None)
        if idx is None:
            problems.append("figure %s: no code cell of %s contains %r" % (fig, nbname, text))
            continue
        if kind.startswith("chart"):
            src = os.path.join(out_dir, nbname + ".charts/cell-%02d-chart-%s.png" % (idx, kind[6:] or "1"))
        else:
            src = os.path.join(out_dir, nbname + {"output": ".outputs/cell-%02d.png" % idx, "players": ".players.gif"}[kind])
        if not os.path.exists(src):
            problems.append("figure %s: %s has no %s picture for cell %d" % (fig, nbname, kind, idx))
            continue
        shutil.copyfile(src, os.path.join(fig_dir, fig))
    return problems


def checks_only(paths):
    """Runs notebooks/NAME.checks.py on each executed NAME.ipynb; returns the exit status."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    failed = 0
    for p in paths:
        name = os.path.splitext(os.path.basename(p))[0]
        checks = os.path.join(root, "notebooks", name + ".checks.py")
        if not os.path.exists(checks):
            log("%s: no %s" % (p, checks))
            failed += 1
            continue
        nbobj = Notebook(nbformat.read(p, as_version=4), {}, [], os.path.dirname(p))
        for n, err in run_checks(checks, nbobj):
            log("  check %-36s %s" % (n, "ok" if err is None else "FAIL: " + err))
            failed += err is not None
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    ap.add_argument("--out", default=os.path.join(os.environ.get("OTLAB_ARTIFACTS", "artifacts"), "notebooks"))
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium checks and screenshots")
    ap.add_argument("--no-restart", action="store_true", help="skip the restart check (set-up cell + last cell, fresh kernel)")
    ap.add_argument("--no-live", action="store_true", help="skip the live-lab run (Run All in the Notebook page)")
    ap.add_argument("--checks-only", action="store_true",
                    help="only run the checks, on notebooks executed before (e.g. artifacts/notebooks/NAME.ipynb)")
    ap.add_argument("--figures", default="docs/figures.txt",
                    help="list of the README's figures to copy into OUT/figures (see pick_figures)")
    a = ap.parse_args()
    nbs = a.notebooks or sorted(glob.glob("notebooks/*.ipynb"))
    nbs = [p for p in nbs if not p.endswith(".out.ipynb") and "/.ipynb_checkpoints/" not in p
           and not os.path.basename(p).startswith(".otlab-live-")]
    if not nbs:
        sys.exit("no notebooks given and none in notebooks/")
    if a.checks_only:
        sys.exit(checks_only(nbs))
    os.makedirs(a.out, exist_ok=True)
    reports = [process(p, a.out, a.timeout, not a.no_browser, not a.no_restart, not a.no_live) for p in nbs]
    if a.figures and os.path.exists(a.figures) and not a.no_browser:
        problems = pick_figures(a.figures, a.out, reports)
        for msg in problems:
            log("FAIL: " + msg)
        if problems:
            reports[-1]["failures"] += problems
        else:
            log("README figures copied to %s" % os.path.join(a.out, "figures"))
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(reports, f, indent=1)
    checks = [c for r in reports for c in r["checks"]]
    bad = [r for r in reports if r["failures"] or any(not c["ok"] for c in r["checks"])]
    log("\n=== notebooks: %d run, %d failed; total %.1fs (%s)" % (
        len(reports), len(bad), sum(r["total_s"] for r in reports),
        ", ".join("%s %.1fs" % (os.path.basename(r["notebook"]), r["total_s"]) for r in reports)))
    if checks:
        log("notebook checks: %d passed, %d failed" % (sum(c["ok"] for c in checks), sum(not c["ok"] for c in checks)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
