#!/usr/bin/env python3
"""Reference numbers from POT 0.8.2 for the exact-OT tests (NetworkSimplex / Ot.emd, Wasserstein1d, SlicedWasserstein).

Writes src/test/resources/dev/proxima/transport/pot_exact.txt in testkit's ReferenceTable format
(<name> <f64|i64> <shape|scalar> <values...>). Run from modules/transport with Debian's POT:

    /usr/bin/python3 src/test/python/make_exact_fixtures.py
"""
import os

import numpy as np
import ot

rng = np.random.RandomState(20261205)
lines = ["# POT %s exact-OT fixtures, made by src/test/python/make_exact_fixtures.py" % ot.__version__]


def put(name, arr):
    arr = np.asarray(arr, dtype=np.float64)
    shape = "scalar" if arr.ndim == 0 else ",".join(str(d) for d in arr.shape)
    lines.append("%s f64 %s %s" % (name, shape, " ".join(repr(float(x)) for x in arr.ravel())))


def weights(n, zeros=()):
    w = rng.uniform(0.1, 1.0, n)
    w[list(zeros)] = 0.0
    return w / w.sum()


# --- EMD: name -> (a, b, M)
emd_cases = {}
x = rng.rand(10, 2); y = rng.rand(10, 2) + 0.5
emd_cases["uniform10"] = (np.full(10, 0.1), np.full(10, 0.1), ot.dist(x, y))
x = rng.rand(12, 3); y = rng.randn(7, 3)
emd_cases["unequal12x7"] = (weights(12), weights(7), ot.dist(x, y))
emd_cases["ties15"] = (np.full(15, 1 / 15), np.full(15, 1 / 15), rng.randint(0, 4, (15, 15)).astype(float))
emd_cases["ties9x13"] = (np.full(9, 1 / 9), np.full(13, 1 / 13), rng.randint(0, 3, (9, 13)).astype(float))
emd_cases["zeros8x6"] = (weights(8, zeros=(0, 3, 4)), weights(6, zeros=(2,)), rng.rand(8, 6) * 5 - 1)
x = rng.rand(30, 3); y = rng.randn(45, 3) * 0.3 + 1
emd_cases["cloud30x45"] = (weights(30), weights(45), ot.dist(x, y))
emd_cases["euclid25x25"] = (np.full(25, 0.04), np.full(25, 0.04), ot.dist(rng.rand(25, 2), rng.rand(25, 2), metric="euclidean"))
for name, (a, b, M) in emd_cases.items():
    put("emd/%s/a" % name, a)
    put("emd/%s/b" % name, b)
    put("emd/%s/M" % name, M)
    put("emd/%s/cost" % name, ot.emd2(a, b, M))

# --- 1-D: wasserstein_1d with weights, several p; batched columns with per-column weights
u = rng.randn(7) * 2; v = rng.randn(5) + 1
wu = weights(7); wv = weights(5)
put("w1d/u", u); put("w1d/v", v); put("w1d/wu", wu); put("w1d/wv", wv)
for p in (1, 1.5, 2, 3):
    put("w1d/p%s" % str(p).replace(".", "_"), ot.wasserstein_1d(u, v, wu, wv, p=p))
    put("w1d/uniform/p%s" % str(p).replace(".", "_"), ot.wasserstein_1d(u, v, p=p))
U = rng.randn(6, 3); V = rng.randn(4, 3) * 0.5 + 0.3
WU = rng.uniform(0.1, 1, (6, 3)); WU /= WU.sum(0)
WV = rng.uniform(0.1, 1, (4, 3)); WV /= WV.sum(0)
put("w1d/batch/u", U); put("w1d/batch/v", V); put("w1d/batch/wu", WU); put("w1d/batch/wv", WV)
put("w1d/batch/p2", ot.wasserstein_1d(U, V, WU, WV, p=2))

# --- sliced: fixed projections (unit columns), weights, p = 1 and 2
xs = rng.randn(20, 3); xt = rng.randn(15, 3) * 0.7 + 0.5
a = weights(20); b = weights(15)
P = rng.randn(3, 8); P /= np.sqrt((P ** 2).sum(0, keepdims=True))
put("sliced/xs", xs); put("sliced/xt", xt); put("sliced/a", a); put("sliced/b", b); put("sliced/projections", P)
for p in (1, 2):
    put("sliced/p%d" % p, ot.sliced_wasserstein_distance(xs, xt, a, b, n_projections=8, p=p, projections=P))

out = os.path.join(os.path.dirname(__file__), "..", "resources", "dev", "proxima", "transport", "pot_exact.txt")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", os.path.normpath(out), len(lines), "lines")
