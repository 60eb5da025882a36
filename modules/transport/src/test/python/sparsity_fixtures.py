"""Reference numbers for SparsityConstrainedTest (run with Debian's /usr/bin/python3: numpy, scipy, POT 0.8.2).

    /usr/bin/python3 modules/transport/src/test/python/sparsity_fixtures.py

writes modules/transport/src/test/resources/dev/proxima/transport/sparsity.txt (testkit's ReferenceTable format):
  - "l2": k = n, where sparsity-constrained OT is quadratically regularised OT: POT's ot.smooth dual and
    semi-dual plans (reg_type='l2') on a small random problem;
  - "k2": k = 2 < n, the semi-dual of Liu, Puigcerver and Blondel (ICLR 2023) written here independently in
    NumPy (top-k, then Euclidean projection onto the simplex) and maximised with SciPy's L-BFGS-B, to tight
    tolerance: its optimal value and plan.
"""
import os

import numpy as np
import ot
import ot.smooth
from scipy.optimize import minimize

rng = np.random.default_rng(14)
n, m = 6, 5
x = rng.uniform(size=(n, 2))
y = rng.normal(loc=0.5, scale=0.3, size=(m, 2))
C = ot.dist(x, y)
a = rng.uniform(0.5, 1.5, size=n)
a /= a.sum()
b = rng.uniform(0.5, 1.5, size=m)
b /= b.sum()
gamma = 2.0

plan_dual = ot.smooth.smooth_ot_dual(a, b, C, gamma, reg_type='l2', stopThr=1e-12, numItermax=10000)
plan_semi = ot.smooth.smooth_ot_semi_dual(a, b, C, gamma, reg_type='l2', stopThr=1e-12, numItermax=10000)


def project_simplex_topk(z, k):
    """Projection of z onto {u >= 0, sum u = 1, ||u||_0 <= k}: top k entries, then the simplex."""
    idx = np.argsort(-z)[:k]
    v = z[idx]
    cs = np.cumsum(v)
    r = np.arange(1, k + 1)
    rho = np.nonzero(v - (cs - 1) / r > 0)[0][-1]
    tau = (cs[rho] - 1) / (rho + 1)
    u = np.zeros_like(z)
    u[idx] = np.maximum(v - tau, 0)
    return u


def semi_dual(alpha, k):
    X = alpha[:, None] - C
    T = np.zeros_like(C)
    for j in range(m):
        T[:, j] = b[j] * project_simplex_topk(X[:, j] / (gamma * b[j]), k)
    obj = alpha @ a - (np.sum(X * T) - 0.5 * gamma * np.sum(T * T))
    return -obj, -(a - T.sum(axis=1)), T


k = 2
res = minimize(lambda al: semi_dual(al, k)[:2], np.zeros(n), jac=True, method='L-BFGS-B',
               options={'maxiter': 10000, 'gtol': 1e-13, 'ftol': 1e-15})
_, grad, plan_k2 = semi_dual(res.x, k)

def line(name, arr):
    arr = np.asarray(arr, dtype=np.float64)
    shape = "scalar" if arr.ndim == 0 else ",".join(str(d) for d in arr.shape)
    return name + " f64 " + shape + " " + " ".join(repr(float(v)) for v in arr.ravel()) + "\n"


path = os.path.join(os.path.dirname(__file__), "..", "resources", "dev", "proxima", "transport", "sparsity.txt")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    f.write("# made by src/test/python/sparsity_fixtures.py (numpy %s, POT %s)\n" % (np.__version__, ot.__version__))
    f.write(line("a", a) + line("b", b) + line("C", C) + line("gamma", gamma))
    f.write(line("l2/planDual", plan_dual) + line("l2/planSemiDual", plan_semi))
    f.write(line("k2/k", k) + line("k2/objective", -res.fun) + line("k2/plan", plan_k2))
print("wrote", os.path.normpath(path), "row error of the k=2 reference", float(np.abs(grad).sum()))
