"""Side-by-side timing: otkit's FitEM against scikit-learn's GaussianMixture.

The problem is the coupled-GMM tutorial's pooled fit: 20,000 points in 2-D
(10,000 from each of the tutorial's two ground-truth mixtures), K = 3,
20 EM steps. sklearn runs with tol=0 and reg_covar=0 so it performs all 20
steps; its timing is taken twice, from given initial parameters (pure EM,
the like-for-like number) and with its default k-means initialisation.
otkit is timed by BenchmarkEM20k (20 EM steps from a k-means++ start on data
drawn from the same mixtures) at 1 and 2 threads.

Run from anywhere with the Debian interpreter and python3-sklearn:

    /usr/bin/python3 bench/em/em_sklearn.py
"""
import os
import re
import subprocess
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPEATS = 5


def tutorial_points(rng, n):
    def rot(m, deg):
        t = np.deg2rad(deg)
        r = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        a = r @ m
        return 0.5 * (a + a.T)

    base = 3.0 * np.array([[[0.2, 0], [0, 0.1]], [[0.6, 0], [0, 0.3]], [[0.5, -0.4], [-0.4, 0.5]]])
    mean0 = np.array([[2.0, -1.0], [-2.0, 0.0], [4.0, 3.0]])
    mean1 = mean0 + np.array([[1.0, -0.5], [-1.0, -1.0], [-1.0, 0.0]])
    cov1 = np.stack([rot(base[0], 5), rot(base[1], -5), rot(base[2], -10)])
    out = []
    for means, covs, w in ((mean0, base, [0.2, 0.2, 0.6]), (mean1, cov1, [0.4, 0.4, 0.2])):
        labels = rng.choice(3, size=n, p=w)
        out.append(np.array([rng.multivariate_normal(means[k], covs[k]) for k in labels]))
    return np.concatenate(out)


def time_sklearn(x, **kw):
    best = float("inf")
    for _ in range(REPEATS):
        gm = GaussianMixture(n_components=3, covariance_type="full", tol=0.0, reg_covar=0.0,
                             max_iter=20, n_init=1, random_state=0, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            gm.fit(x)
            best = min(best, time.perf_counter() - t0)
        assert gm.n_iter_ == 20
    return best


def time_go():
    out = subprocess.run(
        ["go", "test", "./otkit", "-run", "^$", "-bench", "^BenchmarkEM20k$",
         "-benchtime", "10x", "-count", str(REPEATS), "-cpu", "1,2"],
        cwd=REPO, capture_output=True, text=True, check=True).stdout
    best = {}
    for m in re.finditer(r"BenchmarkEM20k(?:-(\d+))?\s+\d+\s+([\d.]+) ns/op", out):
        cpu = int(m.group(1) or 1)
        best[cpu] = min(best.get(cpu, float("inf")), float(m.group(2)) * 1e-9)
    return best


def main():
    rng = np.random.default_rng(0)
    x = tutorial_points(rng, 10_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        init = GaussianMixture(n_components=3, max_iter=1, random_state=0).fit(x)
    given = dict(init_params="random", weights_init=init.weights_, means_init=init.means_,
                 precisions_init=init.precisions_)
    sk_given = time_sklearn(x, **given)
    sk_kmeans = time_sklearn(x)
    go = time_go()
    print(f"EM, 20 steps, 20000 x 2 points, K = 3 (best of {REPEATS}; sklearn {sklearn.__version__})")
    print(f"  sklearn GaussianMixture, given initial parameters: {sk_given:.4f} s")
    print(f"  sklearn GaussianMixture, default k-means init:     {sk_kmeans:.4f} s")
    for cpu in sorted(go):
        print(f"  otkit FitEM, GOMAXPROCS={cpu}:                       {go[cpu]:.4f} s"
              f"  ({sk_given / go[cpu]:.1f}x faster than sklearn's pure EM)")


if __name__ == "__main__":
    main()
