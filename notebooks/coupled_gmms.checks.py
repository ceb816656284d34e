"""Output checks for coupled_gmms.ipynb, read as a user would read them.

Hook used by the CI harness: ``check(nb)`` receives the executed notebook
(an ``nbformat.NotebookNode``) and raises ``AssertionError`` listing every
failed expectation; returning means the notebook passed. The file also runs on
its own: ``/usr/bin/python3 notebooks/coupled_gmms.checks.py EXECUTED.ipynb``.

What is compared with the tutorial (numbers from ../shared seeds, see
ott-reference §9.1). Our samples come from another random generator than
JAX's, so values agree to a few hundredths, not digit for digit:

* the balanced (MW2) run: fitted masses of both mixtures and the normalised
  coupling, with the tutorial's non-converged Sinkhorn state (Converged false,
  column sums that are not GMM 1's masses) reproduced;
* the converged coupling of the same problem (epsilon schedule): converged,
  marginals equal to the masses;
* the unbalanced (UW2) run: masses and a diagonal normalised coupling;
* the iteration lines of both fits: iteration 0 (where both mixtures are the
  pooled fit) and, for the balanced run, the last line.

Components are matched by their means: a fitted component of GMM j is named
after the nearest mean of generator j (A, B or C below). The tutorial's tables
list C (the cluster near (4, 3), heavy in GMM 0) last in run 1 and first in
run 2; A and B have the same weights in both generators and cannot be told
apart by mass, so their tutorial values are matched either way round and the
closer assignment is used.
"""

import itertools
import json
import math
import sys

# Generator means (ott-reference §9.1): GMM 1 shifts GMM 0's means.
GEN_MEANS = [
    {"A": (2.0, -1.0), "B": (-2.0, 0.0), "C": (4.0, 3.0)},
    {"A": (3.0, -1.5), "B": (-3.0, -1.0), "C": (3.0, 3.0)},
]

# Tutorial numbers, by component name. For run 1 the order of the printed
# vectors is (X, Y, C) with {X, Y} = {A, B}; for run 2 it is (C, X, Y).
SEED_BALANCED = {
    "masses0": [0.22632582, 0.23542637, 0.5382478],
    "masses1": [0.36791384, 0.3672651, 0.26482108],
    "coupling": [[0.22631681, 0, 0], [0, 0.2354198, 0], [0.2182516, 0, 0.32001185]],
    "colsums": [0.445, 0.235, 0.320],
    "order": ("X", "Y", "C"),
}
SEED_UNBALANCED = {
    "masses0": [0.56643116, 0.19865721, 0.23491158],
    "masses1": [0.255262, 0.39326635, 0.35147163],
    "coupling": [[0.4567368, 0, 0], [0, 0.25642195, 0], [0, 0, 0.2868412]],
    "order": ("C", "X", "Y"),
}
SEED_LINE0 = {"balanced": (-3.872, -3.894, 0.011, -7.766), "unbalanced": (-3.872, -3.894, 0.011, -7.767)}
SEED_LAST_BALANCED = (-3.617, -3.633, 6.862, -7.319)

TOL_MASS = 0.03  # masses and coupling entries
TOL_Q = 0.02  # per-point EM objectives
TOL_MARGINAL = 1e-3  # converged marginals against the masses


def summaries(nb):
    """Returns {run: fields} from the notebook's `summary: {...}` lines."""
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


def stdout_text(nb):
    return "\n".join(
        o.get("text", "")
        for c in nb.cells if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


def names(means, j):
    """Names each fitted component of mixture j after the nearest generator mean."""
    gen = GEN_MEANS[j]
    out = []
    for m in means:
        out.append(min(gen, key=lambda k: math.dist(m, gen[k])))
    return out


class Checker:
    def __init__(self):
        self.failures = []

    def expect(self, ok, msg):
        if not ok:
            self.failures.append(msg)
        return ok

    def close(self, got, want, tol, what):
        return self.expect(abs(got - want) <= tol, f"{what}: got {got:.5f}, tutorial {want:.5f} (tolerance {tol})")


def by_name(run, seed, ours):
    """Tutorial values keyed by component name, choosing the A/B assignment
    that best fits our run. Returns (masses0, masses1, coupling) dicts."""
    best = None
    for xy in itertools.permutations(("A", "B")):
        label = {"X": xy[0], "Y": xy[1], "C": "C"}
        order = [label[o] for o in seed["order"]]
        m0 = dict(zip(order, seed["masses0"]))
        m1 = dict(zip(order, seed["masses1"]))
        cp = {(order[i], order[j]): seed["coupling"][i][j] for i in range(3) for j in range(3)}
        err = sum(abs(m0[k] - ours["m0"][k]) + abs(m1[k] - ours["m1"][k]) for k in "ABC")
        err += sum(abs(cp[k] - ours["cp"][k]) for k in cp)
        if best is None or err < best[0]:
            best = (err, m0, m1, cp)
    return best[1:]


def ours_by_name(c, s):
    n0, n1 = names(s["means0"], 0), names(s["means1"], 1)
    ok = c.expect(sorted(n0) == ["A", "B", "C"], f"{s['run']}: GMM 0 components {n0} do not match the three generator clusters")
    ok = c.expect(sorted(n1) == ["A", "B", "C"], f"{s['run']}: GMM 1 components {n1} do not match the three generator clusters") and ok
    if not ok:
        return None
    return {
        "m0": dict(zip(n0, s["masses0"])),
        "m1": dict(zip(n1, s["masses1"])),
        "cp": {(n0[i], n1[j]): s["coupling"][i][j] for i in range(3) for j in range(3)},
        "col": dict(zip(n1, s["colsums"])),
        "n1": n1,
    }


def check_run(c, s, seed):
    ours = ours_by_name(c, s)
    if ours is None:
        return None
    m0, m1, cp = by_name(s["run"], seed, ours)
    for k in "ABC":
        c.close(ours["m0"][k], m0[k], TOL_MASS, f"{s['run']}: GMM 0 mass of component {k}")
        c.close(ours["m1"][k], m1[k], TOL_MASS, f"{s['run']}: GMM 1 mass of component {k}")
    for k in sorted(cp):
        c.close(ours["cp"][k], cp[k], TOL_MASS, f"{s['run']}: coupling {k[0]}->{k[1]}")
    return ours


def check_line(c, run, step, want):
    got = (step["Q0"], step["Q1"], step["Transport"], step["Objective"])
    for g, w, what in zip(got, want, ("q0", "q1", "transport", "objective")):
        tol = TOL_Q if what != "transport" else max(TOL_Q, 0.1 * abs(w))
        c.close(g, w, tol, f"{run} iteration {step['Iter']}: {what}")


def check(nb):
    c = Checker()
    s = summaries(nb)
    text = stdout_text(nb)
    for run in ("balanced_fit", "balanced", "balanced_converged", "unbalanced_fit", "unbalanced"):
        c.expect(run in s, f"no summary line for run {run!r}: did its cell run?")
    for needle in ("Fitted GMM 0 masses", "Fitted GMM 1 masses", "Mass transfer, rows=source, columns=destination",
                   "Normalized coupling", "Sinkhorn converged: false", "Sinkhorn converged: true", "wall time:"):
        c.expect(needle in text, f"the printed output lacks {needle!r}")

    if "balanced_fit" in s:
        f = s["balanced_fit"]
        check_line(c, "balanced", f["first"], SEED_LINE0["balanced"])
        c.expect(f["last"]["Iter"] == 29, f"balanced fit: last iteration {f['last']['Iter']}, want 29")
        check_line(c, "balanced", f["last"], SEED_LAST_BALANCED)
    if "unbalanced_fit" in s:
        check_line(c, "unbalanced", s["unbalanced_fit"]["first"], SEED_LINE0["unbalanced"])

    if "balanced" in s:
        b = s["balanced"]
        c.expect(b["converged"] is False, "balanced: the tutorial's coupling is a non-converged Sinkhorn state; ours says converged")
        ours = check_run(c, b, SEED_BALANCED)
        if ours is not None:
            # The printed column sums are far from GMM 1's masses: that is the point.
            gap = max(abs(ours["col"][k] - ours["m1"][k]) for k in "ABC")
            c.expect(gap > 0.05, f"balanced: column sums {b['colsums']} should differ visibly from GMM 1 masses {b['masses1']}")
            # The tutorial's column sum of C (listed last) is 0.320.
            c.close(ours["col"]["C"], SEED_BALANCED["colsums"][2], TOL_MASS, "balanced: column sum of component C")
    if "balanced_converged" in s:
        b = s["balanced_converged"]
        c.expect(b["converged"] is True, "balanced_converged: Sinkhorn did not converge")
        for got, want, what in ((b["rowsums"], b["masses0"], "row"), (b["colsums"], b["masses1"], "column")):
            c.expect(max(abs(g - w) for g, w in zip(got, want)) <= TOL_MARGINAL,
                     f"balanced_converged: {what} sums {got} differ from masses {want}")
    if "unbalanced" in s:
        u = s["unbalanced"]
        ours = check_run(c, u, SEED_UNBALANCED)
        if ours is not None:
            off = sum(v for (k, l), v in ours["cp"].items() if k != l)
            c.expect(off < 0.01, f"unbalanced: coupling should be diagonal in matched components, off-diagonal mass {off:.4f}")

    if c.failures:
        raise AssertionError("coupled_gmms.ipynb:\n  " + "\n  ".join(c.failures))


if __name__ == "__main__":
    import nbformat

    check(nbformat.read(sys.argv[1], as_version=4))
    print("coupled_gmms checks passed")
