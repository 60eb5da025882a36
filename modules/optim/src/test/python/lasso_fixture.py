"""Writes src/test/resources/fixtures/prox/lasso.txt: a small LASSO problem and its solution by scikit-learn's
coordinate descent, for the FISTA/ADMM tests (ProximalSolversTest). Run with Debian's /usr/bin/python3
(numpy, scikit-learn) from modules/optim:  /usr/bin/python3 src/test/python/lasso_fixture.py

scikit-learn's Lasso minimises (1/(2n))·‖b − Ax‖² + α‖x‖₁; multiplied by n this is ½‖Ax − b‖² + λ‖x‖₁ with
λ = n·α, the form the Java tests solve. Each line is a name followed by whitespace-separated numbers
(matrices row-major)."""
import numpy as np
from sklearn.linear_model import Lasso

rng = np.random.default_rng(2026)
n, p = 30, 10
a = rng.standard_normal((n, p))
x_true = np.zeros(p)
x_true[[1, 4, 7]] = [2.0, -3.0, 1.5]
b = a @ x_true + 0.1 * rng.standard_normal(n)
alpha = 0.1
model = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=1_000_000).fit(a, b)
x = model.coef_
lam = n * alpha
objective = 0.5 * np.sum((a @ x - b) ** 2) + lam * np.sum(np.abs(x))

def line(name, values):
    return name + " " + " ".join(repr(float(v)) for v in np.ravel(values)) + "\n"

with open("src/test/resources/fixtures/prox/lasso.txt", "w") as f:
    f.write(line("shape", [n, p]))
    f.write(line("lambda", [lam]))
    f.write(line("a", a))
    f.write(line("b", b))
    f.write(line("x", x))
    f.write(line("objective", [objective]))
print("x =", x, "objective =", objective)
