"""Reference numbers from POT 0.8.2 for the transport module's Sinkhorn tests.

Run with Debian's Python (numpy, POT as `ot`):
    /usr/bin/python3 modules/transport/src/test/python/sinkhorn_fixtures.py
It writes modules/transport/src/test/resources/fixtures/sinkhorn/pot.txt, a text table that the tests read with
the testkit's ReferenceTable (one tensor per line: name, dtype, shape, values in row-major order).
"""
import os

import numpy as np
import ot

rng = np.random.RandomState(20261205)
out = {}


def arr(x):
    return np.asarray(x, dtype=np.float64)


# 1. the 2x2 case of the issue
a2 = np.array([0.5, 0.5])
M2 = np.array([[0.0, 1.0], [1.0, 0.0]])
out["two"] = {"a": arr(a2), "b": arr(a2), "M": arr(M2), "reg": 1.0,
              "plan": arr(ot.sinkhorn(a2, a2, M2, 1.0, method="sinkhorn_log", stopThr=1e-14, numItermax=100000)),
              "cost": float(ot.sinkhorn2(a2, a2, M2, 1.0, method="sinkhorn_log", stopThr=1e-14, numItermax=100000))}

# 2. a random 6 x 9 problem in 2-D with random weights
n, m = 6, 9
x = rng.rand(n, 2)
y = rng.rand(m, 2) + 0.3
a = rng.rand(n) + 0.1
a /= a.sum()
b = rng.rand(m) + 0.1
b /= b.sum()
M = ot.dist(x, y)
cases = []
for reg in (0.5, 0.05, 0.01):
    P = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log", stopThr=1e-13, numItermax=200000)
    cost = ot.sinkhorn2(a, b, M, reg, method="sinkhorn_log", stopThr=1e-13, numItermax=200000)
    cases.append({"reg": reg, "plan": arr(P), "cost": float(cost)})
out["random"] = {"x": arr(x), "y": arr(y), "a": arr(a), "b": arr(b), "M": arr(M), "cases": cases,
                 "emd_cost": float(ot.emd2(a, b, M))}

# 3. unbalanced (KL marginals, POT's reg_m), on the same problem, with masses that differ
bu = b * 1.7
unbalanced = []
for reg, reg_m in ((0.1, 1.0), (0.05, 0.3)):
    P = ot.unbalanced.sinkhorn_unbalanced(a, bu, M, reg, reg_m, stopThr=1e-15, numItermax=200000)
    unbalanced.append({"reg": reg, "reg_m": reg_m, "plan": arr(P)})
out["unbalanced"] = {"a": arr(a), "b": arr(bu), "cases": unbalanced}

# 4. barycenter of two 1-D histograms on a grid of 30 points
grid = np.arange(30, dtype=np.float64)
Mb = ot.dist(grid.reshape(-1, 1), grid.reshape(-1, 1))
Mb /= Mb.max()
h1 = ot.datasets.make_1D_gauss(30, m=8, s=2)
h2 = ot.datasets.make_1D_gauss(30, m=22, s=3)
A = np.vstack([h1, h2]).T
weights = np.array([0.3, 0.7])
bary = ot.bregman.barycenter(A, Mb, 0.01, weights, numItermax=100000, stopThr=1e-12)
out["barycenter"] = {"A": arr(A), "M": arr(Mb), "reg": 0.01, "weights": arr(weights), "barycenter": arr(bary)}

# 5. Sinkhorn divergence of two point clouds (POT's empirical_sinkhorn_divergence: <P, M> values)
xs = rng.randn(7, 2)
xt = rng.randn(5, 2) + 1.0
ws = np.full(7, 1 / 7)
wt = np.full(5, 1 / 5)
div = ot.bregman.empirical_sinkhorn_divergence(xs, xt, 0.5, ws, wt, numIterMax=100000, stopThr=1e-13)
out["divergence"] = {"x": arr(xs), "y": arr(xt), "a": arr(ws), "b": arr(wt), "reg": 0.5, "divergence": float(div)}



def flatten(prefix, value, rows):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(prefix + "/" + k if prefix else k, v, rows)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for i, v in enumerate(value):
            flatten(prefix + "/" + str(i), v, rows)
    else:
        t = np.asarray(value, dtype=np.float64)
        shape = "scalar" if t.ndim == 0 else ",".join(str(d) for d in t.shape)
        rows.append(prefix + " f64 " + shape + " " + " ".join(repr(float(v)) for v in t.ravel()))


lines = ["# POT " + ot.__version__ + " reference numbers, written by src/test/python/sinkhorn_fixtures.py"]
flatten("", out, lines)
path = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "sinkhorn", "pot.txt")
with open(path, "w") as fh:
    fh.write("\n".join(lines) + "\n")
print("wrote", os.path.normpath(path))
