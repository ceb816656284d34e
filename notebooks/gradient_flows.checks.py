"""Output checks for gradient_flows.ipynb, read as a user would read them.

Hook used by the CI harness: ``check(nb)`` receives the executed notebook
(an ``nbformat.NotebookNode``) and raises ``AssertionError`` listing every
failed expectation; returning means the notebook passed. The file also runs on
its own: ``/usr/bin/python3 notebooks/gradient_flows.checks.py EXECUTED.ipynb``.

The notebook prints one ``summary: {json}`` line per flow with the 11 frame
values (steps 0, 50, …, 500), the final spread of x (root-mean-square distance
of the points to their mean), the spread of the target and the distance
between the two means. The tutorial's numbers (ott-reference §9.2) come from
other random points, so the checks assert what does not depend on them:

* every run: 11 frames, values decreasing overall, means within 0.01 (the
  mean contracts by 0.984 per step in all three flows);
* OT_eps, default epsilon: the cloud spreads (final spread at least half the
  target's), final value small and positive, like the tutorial's 0.150;
* OT_eps, eps = 1: **collapse** — final spread below 15 % of the target's — and
  a final value close to the total variance of y (the exact value for a point
  mass at the target's mean), like the tutorial's 0.528;
* S_eps, eps = 1: **no collapse** — final spread within 25 % of the target's —
  and a final value below 0.01 (tutorial: 0.00162);
* step 0: OT_1 minus S_1 equals ½(OT_1(x,x) + OT_1(y,y)), printed by the
  notebook, and each step-0 value is within 10 % of the tutorial's.
"""

import json
import sys

SEED_FIRST = {"ot_default": 37.65444, "ot_eps1": 37.75590, "sdiv_eps1": 37.25344}
SEED_LAST = {"ot_default": 0.14988, "ot_eps1": 0.52791, "sdiv_eps1": 0.00162}


def summaries(nb):
    out = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") != "stream" or o.get("name") != "stdout":
                continue
            for line in o.get("text", "").splitlines():
                if line.startswith("summary: "):
                    d = json.loads(line[len("summary: "):])
                    out[d["run"]] = d
    return out


def check(nb):
    failures = []

    def expect(ok, msg):
        if not ok:
            failures.append(msg)

    s = summaries(nb)
    for run in ("ot_default", "ot_eps1", "sdiv_eps1", "comparison"):
        expect(run in s, f"no summary line for run {run!r}: did its cell run?")
    for run in ("ot_default", "ot_eps1", "sdiv_eps1"):
        if run not in s:
            continue
        r = s[run]
        v = r["values"]
        expect(len(v) == 11, f"{run}: {len(v)} frames, want 11 (steps 0, 50, ..., 500)")
        expect(all(b <= a + 1e-9 for a, b in zip(v, v[1:])), f"{run}: frame values do not decrease: {v}")
        expect(abs(v[0] - SEED_FIRST[run]) <= 0.1 * SEED_FIRST[run],
               f"{run}: value at step 0 is {v[0]:.5f}, tutorial {SEED_FIRST[run]:.5f} (10 %)")
        expect(r["mean_gap"] < 0.01, f"{run}: final |mean x - mean y| = {r['mean_gap']:.4f}, want < 0.01")
    if "ot_default" in s:
        r = s["ot_default"]
        expect(r["spread_x"] >= 0.5 * r["spread_y"],
               f"ot_default: final spread {r['spread_x']:.4f} is less than half the target's {r['spread_y']:.4f}")
        expect(0 < r["values"][-1] < 0.4, f"ot_default: final value {r['values'][-1]:.5f}, tutorial {SEED_LAST['ot_default']}")
    if "ot_eps1" in s:
        r = s["ot_eps1"]
        expect(r["spread_x"] < 0.15 * r["spread_y"],
               f"ot_eps1: no collapse, final spread {r['spread_x']:.4f} vs target {r['spread_y']:.4f}")
        tv = r["spread_y"] ** 2
        expect(abs(r["values"][-1] - tv) <= 0.1 * tv,
               f"ot_eps1: final value {r['values'][-1]:.5f} should be close to the total variance of y {tv:.5f}")
    if "sdiv_eps1" in s:
        r = s["sdiv_eps1"]
        expect(abs(r["spread_x"] / r["spread_y"] - 1) <= 0.25,
               f"sdiv_eps1: final spread {r['spread_x']:.4f} not comparable to the target's {r['spread_y']:.4f}")
        expect(0 <= r["values"][-1] < 0.01, f"sdiv_eps1: final value {r['values'][-1]:.5f}, want < 0.01 (tutorial 0.00162)")
    if "comparison" in s:
        r = s["comparison"]
        expect(abs(r["gap_step0"] - r["half_self_terms"]) <= 1e-6 * max(1, abs(r["half_self_terms"])),
               f"step 0: OT_1 - S_1 = {r['gap_step0']:.8f}, want 1/2 (OT(x,x) + OT(y,y)) = {r['half_self_terms']:.8f}")

    if failures:
        raise AssertionError("gradient_flows.ipynb:\n  " + "\n  ".join(failures))


if __name__ == "__main__":
    import nbformat

    check(nbformat.read(sys.argv[1], as_version=4))
    print("gradient_flows checks passed")
