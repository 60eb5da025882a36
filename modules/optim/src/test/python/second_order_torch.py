"""Reference trajectories of the second-order and sharpness-aware optimizers on the tiny problem of
torch_optimizers.py, in F64, written with torch 1.13 tensor operations from the papers' update equations.

Run with Debian's Python (torch 1.13):  /usr/bin/python3 second_order_torch.py
Writes ../resources/dev/proxima/optim/second_order_torch.txt in the testkit ReferenceTable format:
<case>/<k>.w and <case>/<k>.b, the parameters after step k (k = 1..STEPS).

Sophia and AdaHessian take the exact Hessian diagonal here (torch.autograd.functional.hessian) in place
of a stochastic estimate, so that the update rules themselves are compared; the Java test gives them the
same exact diagonal. SAM/ASAM run over torch.optim.SGD with momentum; M-FAC and the regularized Newton
step solve their linear systems densely.
"""
import os

import torch

torch.set_default_dtype(torch.float64)

X = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 1.0, 0.75], [0.1, 0.2, 0.3]])
Y = torch.tensor([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.25], [0.0, 1.0]])
W0 = torch.tensor([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.25]])
B0 = torch.tensor([0.05, -0.1])
STEPS = 5


def loss_fn(w, b):
    return ((X @ w + b - Y) ** 2).mean() + 0.05 * (w ** 4).sum()


def flat_loss(theta):
    return loss_fn(theta[:6].reshape(3, 2), theta[6:])


def grad_at(theta):
    t = theta.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(flat_loss(t), t)
    return g


def hessian_at(theta):
    return torch.autograd.functional.hessian(flat_loss, theta)


def start():
    return torch.cat([W0.reshape(-1), B0])


def sophia(lr, b1, b2, rho, eps, k, wd):
    theta = start()
    m = torch.zeros(8)
    h = torch.zeros(8)
    out = []
    for t in range(STEPS):
        g = grad_at(theta)
        m = b1 * m + (1 - b1) * g
        if t % k == 0:
            h = b2 * h + (1 - b2) * torch.diagonal(hessian_at(theta))
        ratio = torch.clamp(m / torch.clamp(rho * h, min=eps), -1.0, 1.0)
        theta = theta - lr * (ratio + wd * theta)
        out.append(theta.clone())
    return out


def adahessian(lr, b1, b2, eps, power, wd):
    theta = start()
    m = torch.zeros(8)
    v = torch.zeros(8)
    out = []
    for t in range(1, STEPS + 1):
        g = grad_at(theta)
        d = torch.abs(torch.diagonal(hessian_at(theta)))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * d * d
        bc1 = 1 - b1 ** t
        bc2 = (1 - b2 ** t) ** 0.5
        denom = (v.sqrt() ** power) / (bc2 ** power) + eps
        theta = theta - lr * (m / bc1 / denom + wd * theta)
        out.append(theta.clone())
    return out


def mfac(lr, size, damping, momentum, wd):
    theta = start()
    window = []
    buf = None
    out = []
    for _ in range(STEPS):
        g = grad_at(theta) + wd * theta
        window = (window + [g])[-size:]
        fisher = damping * torch.eye(8) + sum(torch.outer(x, x) for x in window) / size
        u = torch.linalg.solve(fisher, g)
        buf = u if buf is None else momentum * buf + u
        theta = theta - lr * buf
        out.append(theta.clone())
    return out


def regularized_newton(lr, lipschitz):
    theta = start()
    out = []
    for _ in range(STEPS):
        g = grad_at(theta)
        shift = (lipschitz * g.norm()) ** 0.5
        d = torch.linalg.solve(hessian_at(theta) + shift * torch.eye(8), g)
        theta = theta - lr * d
        out.append(theta.clone())
    return out


def sam(lr, momentum, rho, adaptive, eta):
    w = W0.clone().requires_grad_(True)
    b = B0.clone().requires_grad_(True)
    opt = torch.optim.SGD([w, b], lr=lr, momentum=momentum)
    out = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(w, b).backward()
        with torch.no_grad():
            scales = [(p.abs() + eta) if adaptive else torch.ones_like(p) for p in (w, b)]
            norm = torch.sqrt(sum(((s * p.grad) ** 2).sum() for s, p in zip(scales, (w, b))))
            eps = [rho * s * s * p.grad / (norm + 1e-12) for s, p in zip(scales, (w, b))]
            saved = [w.clone(), b.clone()]
            w.add_(eps[0])
            b.add_(eps[1])
        opt.zero_grad()
        loss_fn(w, b).backward()
        with torch.no_grad():
            w.copy_(saved[0])
            b.copy_(saved[1])
        opt.step()
        out.append(torch.cat([w.detach().reshape(-1), b.detach()]))
    return out


def row(name, t):
    shape = ",".join(str(d) for d in t.shape)
    return name + " f64 " + shape + " " + " ".join(repr(float(v)) for v in t.reshape(-1).tolist())


def main():
    cases = {
        "sophia": sophia(lr=0.05, b1=0.9, b2=0.95, rho=0.5, eps=1e-3, k=2, wd=0.1),
        "adahessian": adahessian(lr=0.1, b1=0.9, b2=0.999, eps=1e-4, power=1.0, wd=0.01),
        "adahessian_half_power": adahessian(lr=0.1, b1=0.8, b2=0.99, eps=1e-3, power=0.5, wd=0.0),
        "mfac": mfac(lr=0.05, size=3, damping=0.5, momentum=0.9, wd=0.01),
        "regularized_newton": regularized_newton(lr=0.8, lipschitz=2.0),
        "sam_sgd": sam(lr=0.05, momentum=0.9, rho=0.05, adaptive=False, eta=0.0),
        "asam_sgd": sam(lr=0.05, momentum=0.9, rho=0.5, adaptive=True, eta=0.01),
    }
    lines = ["# generated by src/test/python/second_order_torch.py with torch " + torch.__version__ + " (F64)"]
    for name, steps in cases.items():
        for k, theta in enumerate(steps, start=1):
            lines.append(row(name + "/" + str(k) + ".w", theta[:6].reshape(3, 2)))
            lines.append(row(name + "/" + str(k) + ".b", theta[6:]))
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "resources", "dev", "proxima", "optim", "second_order_torch.txt")
    with open(target, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
