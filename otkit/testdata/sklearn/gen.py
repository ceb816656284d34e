"""Reference EM fits from scikit-learn for otkit's TestEMMatchesSklearn.

Reads input.json (data and k-means++ initial mixtures written by the Go
test with -sklearn-input), runs sklearn.mixture.GaussianMixture from exactly
those initial parameters with no covariance regularisation and tol=0, so
that it performs all `steps` EM iterations, and writes expected.json.
Run with the Debian interpreter and python3-sklearn:

    /usr/bin/python3 gen.py
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture


def main():
    with open("input.json") as f:
        cases = json.load(f)
    out = []
    for case in cases:
        x = np.asarray(case["x"], dtype=np.float64)
        init = case["init"]
        means = np.asarray(init["means"], dtype=np.float64)
        covs = np.asarray(init["covariances"], dtype=np.float64)
        weights = np.asarray(init["weights"], dtype=np.float64)
        precisions = np.array([np.linalg.inv(c) for c in covs])
        gm = GaussianMixture(
            n_components=len(weights),
            covariance_type="full",
            tol=0.0,
            reg_covar=0.0,
            max_iter=case["steps"],
            n_init=1,
            init_params="random",
            weights_init=weights,
            means_init=means,
            precisions_init=precisions,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gm.fit(x)
        out.append(
            {
                "name": case["name"],
                "fit": {
                    "means": gm.means_.tolist(),
                    "covariances": gm.covariances_.tolist(),
                    "weights": gm.weights_.tolist(),
                },
                "score": float(gm.score(x)),
                "n_iter": int(gm.n_iter_),
                "sklearn_version": sklearn.__version__,
            }
        )
    with open("expected.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
