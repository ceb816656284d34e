#!/usr/bin/python3
"""Executes GoNB notebooks headless and checks them as a reader would see them.

    /usr/bin/python3 docker/run_notebooks.py [--out DIR] [--timeout S] [--no-browser] NB.ipynb...

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
6. run the author's checks, when NAME.checks.py exists beside the notebook.

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
nb.stdout() (all standard output), nb.summaries() / nb.summary(run) (the
fields of the "summary: {json}" lines a notebook prints, keyed by "run"),
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


def execute(path, out_dir, timeout):
    """Runs the notebook; returns (executed nb, per-cell seconds, kernel start s, total s, failures)."""
    nb = nbformat.read(path, as_version=4)
    name = os.path.splitext(os.path.basename(path))[0]
    starts, seconds = {}, {}

    def on_execute(cell, cell_index, **_):
        starts[cell_index] = time.monotonic()

    def on_executed(cell, cell_index, **_):
        seconds[cell_index] = time.monotonic() - starts.get(cell_index, time.monotonic())

    client = NotebookClient(
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
    with open(os.path.join(out_dir, name + ".kernel.log"), "wb") as klog:
        try:
            client.execute(stdout=klog, stderr=klog)
        except CellTimeoutError as e:
            failures.append("cell timed out after %ss: %s" % (timeout, str(e).splitlines()[0]))
        except DeadKernelError as e:
            failures.append("kernel died: %s" % e)
        except Exception as e:  # kernel did not start, etc.
            failures.append("execution failed: %s: %s" % (type(e).__name__, e))
    total = time.monotonic() - t0
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
            cell: cell ? cells.indexOf(cell) : -1,
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


async def inspect_html(html_path, shot_base, charts_dir, outputs_dir, expected_charts):
    """Opens the exported HTML in headless Chromium; returns (charts, problems, shots)."""
    import tornado.websocket

    problems = []
    exe = chromium_path()
    if not exe:
        return [], ["chromium not found (Debian package chromium)"], []
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
            return [], ["chromium did not open its DevTools port"], []
        port = open(port_file).read().split("\n")[0].strip()
        with urllib.request.urlopen("http://127.0.0.1:%s/json/list" % port, timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        ws = await tornado.websocket.websocket_connect(page["webSocketDebuggerUrl"], max_message_size=1 << 30)
        dt = DevTools(ws)
        await dt.call("Runtime.enable")
        await dt.call("Page.enable")
        await dt.call("Page.navigate", url="file://" + os.path.abspath(html_path))
        deadline = time.monotonic() + 60
        while not any(e["method"] == "Page.loadEventFired" for e in dt.events):
            if time.monotonic() > deadline:
                problems.append("page did not finish loading in 60 s")
                break
            await asyncio.sleep(0.1)
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
        # One PNG per code cell's output area: what a reader sees under the cell.
        outputs = await dt.eval(OUTPUTS_JS) or []
        if outputs:
            os.makedirs(outputs_dir, exist_ok=True)
        for o in outputs:
            r = await dt.call("Page.captureScreenshot", timeout=120, format="png", captureBeyondViewport=True,
                              clip={"x": o["x"], "y": o["y"], "width": o["w"], "height": min(o["h"], 8000), "scale": 1})
            with open(os.path.join(outputs_dir, "cell-%02d.png" % o["cell"]), "wb") as f:
                f.write(base64.b64decode(r["data"]))
        dt.reader.cancel()
        ws.close()
        return charts, problems, shots
    except Exception as e:
        return [], ["browser check failed: %s: %s" % (type(e).__name__, e)], []
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(prof, ignore_errors=True)


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

    def summaries(self):
        """{run: fields} from the notebook's machine-readable `summary: {json}` lines,
        each of which names its run in the field "run"."""
        out = {}
        for line in self.stdout().splitlines():
            if line.startswith("summary: "):
                d = json.loads(line[len("summary: "):])
                out[d["run"]] = d
        return out

    def summary(self, run):
        s = self.summaries()
        assert run in s, "no summary line for run %r: did its cell run?" % run
        return s[run]


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


def process(path, out_dir, timeout, browser):
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

    Each line of list_path: NOTEBOOK FIGURE.png KIND SOURCE-TEXT, where KIND is
    "output" (the whole output area of a cell) or "chart" (its first chart),
    and the cell is the first code cell whose source contains SOURCE-TEXT.
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
        if len(parts) != 4 or parts[2] not in ("output", "chart"):
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
        src = os.path.join(out_dir, nbname + (".outputs/cell-%02d.png" % idx if kind == "output"
                                              else ".charts/cell-%02d-chart-1.png" % idx))
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
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium check and screenshots")
    ap.add_argument("--checks-only", action="store_true",
                    help="only run the checks, on notebooks executed before (e.g. artifacts/notebooks/NAME.ipynb)")
    ap.add_argument("--figures", default="docs/figures.txt",
                    help="list of the README's figures to copy into OUT/figures (see pick_figures)")
    a = ap.parse_args()
    nbs = a.notebooks or sorted(glob.glob("notebooks/*.ipynb"))
    nbs = [p for p in nbs if not p.endswith(".out.ipynb") and "/.ipynb_checkpoints/" not in p]
    if not nbs:
        sys.exit("no notebooks given and none in notebooks/")
    if a.checks_only:
        sys.exit(checks_only(nbs))
    os.makedirs(a.out, exist_ok=True)
    reports = [process(p, a.out, a.timeout, not a.no_browser) for p in nbs]
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
