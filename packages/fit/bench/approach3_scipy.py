"""scipy side of packages/fit/bench/approach3.ts: the same Approach-3 computation, timed.

Reads JSON on stdin: {"n", "d", "loss": [...], "counts": [[draw counts per run] per resample], "delta",
"grid_stride": k (every k-th start)}.
Same algorithm as @isoflop/fit: L-BFGS-B (unbounded, analytic gradient of the summed Huber objective,
numpy-vectorised) from each of Chinchilla's 4,500 starts at scipy's default tolerance, the 4 best
distinct end points polished at a tight one; each bootstrap resample starts from those optima plus the
4-point grid. Prints one JSON object with wall times, the full-data optimum and per-resample results.
"""
import itertools
import json
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import logsumexp

payload = json.load(sys.stdin)
DELTA = payload["delta"]
log_n = np.log(np.array(payload["n"]))
log_d = np.log(np.array(payload["d"]))
log_loss = np.log(np.array(payload["loss"]))
TIGHT = {"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000}
DISTINCT = 1e-3


def make_objective(weight, ln, ld, ll):
    def objective(theta):
        log_a, log_b, log_e, alpha, beta = theta
        terms = np.stack([log_a - alpha * ln, log_b - beta * ld, np.full_like(ln, log_e)])
        lse = logsumexp(terms, axis=0)
        r = ll - lse
        small = np.abs(r) <= DELTA
        value = np.sum(weight * np.where(small, 0.5 * r * r, DELTA * (np.abs(r) - 0.5 * DELTA)))
        share = np.exp(terms - lse)
        slope = -weight * np.clip(r, -DELTA, DELTA)
        grad = np.array([
            np.sum(slope * share[0]),
            np.sum(slope * share[1]),
            np.sum(slope * share[2]),
            -np.sum(slope * share[0] * ln),
            -np.sum(slope * share[1] * ld),
        ])
        return value, grad

    return objective


def distance(p, q):
    return max(abs(np.exp(p[2]) - np.exp(q[2])), *(abs(p[i] - q[i]) for i in (0, 1, 3, 4)))


def collect(results, keep):
    optima = []
    for x, value in results:
        if not np.isfinite(value):
            continue
        for o in optima:
            if distance(o[0], x) < DISTINCT:
                if value < o[1]:
                    o[0], o[1] = x, value
                break
        else:
            optima.append([x, value])
    optima.sort(key=lambda o: o[1])
    return optima[:keep]


def fit(objective, inits, keep):
    screened = collect([(r.x, r.fun) for r in (minimize(objective, x0, jac=True, method="L-BFGS-B") for x0 in inits)], 4)
    polished = collect([(r.x, r.fun) for r in (minimize(objective, o[0], jac=True, method="L-BFGS-B", options=TIGHT) for o in screened)], keep)
    return polished


grid = [
    np.array(p, dtype=float)
    for p in itertools.product(range(0, 30, 5), range(0, 30, 5), np.arange(-1, 1.5, 0.5), np.arange(0, 2.5, 0.5), np.arange(0, 2.5, 0.5))
]
grid = grid[:: payload["grid_stride"]]
small_grid = [np.array([a, b, 0.0, 0.5, 0.5]) for a in (5.0, 10.0) for b in (5.0, 10.0)]

start = time.perf_counter()
full = fit(make_objective(np.ones_like(log_n), log_n, log_d, log_loss), grid, 4)
full_seconds = time.perf_counter() - start
warm = [o[0] for o in full] + small_grid
boot = []
for counts in payload["counts"]:
    counts = np.array(counts, dtype=float)
    drawn = counts > 0
    best = fit(make_objective(counts[drawn], log_n[drawn], log_d[drawn], log_loss[drawn]), warm, 1)[0]
    boot.append({"theta": best[0].tolist(), "objective": float(best[1])})
total_seconds = time.perf_counter() - start
print(json.dumps({
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "full_seconds": full_seconds,
    "total_seconds": total_seconds,
    "theta": full[0][0].tolist(),
    "objective": float(full[0][1]),
    "boot": boot,
}))
