"""Reference trajectories of torch.optim optimizers on a fixed tiny problem, in F64.

Run with Debian's Python (torch 1.13):  /usr/bin/python3 torch_optimizers.py
Writes ../resources/dev/proxima/optim/torch_optimizers.txt in the testkit ReferenceTable format:
problem/X, problem/Y, problem/w0, problem/b0, then <case>/<k>.w and <case>/<k>.b, the parameters after
step k (k = 1..steps). Lion and AdaGrad-Norm are not in torch: their rows come from the papers' update
equations written out below with torch tensor operations.
"""
import os

import torch

torch.set_default_dtype(torch.float64)

X = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 1.0, 0.75], [0.1, 0.2, 0.3]])
Y = torch.tensor([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.25], [0.0, 1.0]])
W0 = torch.tensor([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.25]])
B0 = torch.tensor([0.05, -0.1])


def loss_fn(w, b):
    return ((X @ w + b - Y) ** 2).mean() + 0.05 * (w ** 4).sum()


def fresh():
    return W0.clone().requires_grad_(True), B0.clone().requires_grad_(True)


def run_torch(make, steps, closure_steps=False):
    w, b = fresh()
    opt = make([w, b])
    out = []
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            loss = loss_fn(w, b)
            loss.backward()
            return loss
        if closure_steps:
            opt.step(closure)
        else:
            closure()
            opt.step()
        out.append((w.detach().clone(), b.detach().clone()))
    return out


def run_manual(update, init, steps):
    w, b = fresh()
    state = init([w, b])
    out = []
    for t in range(1, steps + 1):
        w.grad = None
        b.grad = None
        loss_fn(w, b).backward()
        with torch.no_grad():
            update([w, b], [w.grad, b.grad], state, t)
        out.append((w.detach().clone(), b.detach().clone()))
    return out


def lion(lr, beta1, beta2, wd):
    # Chen et al. 2023, Algorithm 2 (decoupled weight decay)
    def update(params, grads, state, t):
        for p, g, m in zip(params, grads, state):
            c = beta1 * m + (1 - beta1) * g
            p.mul_(1 - lr * wd)
            p.add_(torch.sign(c), alpha=-lr)
            m.mul_(beta2).add_(g, alpha=1 - beta2)
    return update, lambda params: [torch.zeros_like(p) for p in params]


def adagrad_norm(lr, b0):
    # Ward, Wu and Bottou 2019: b_t^2 = b_{t-1}^2 + ||g_t||^2 (over all parameters), x -= lr g / b_t
    def update(params, grads, state, t):
        state[0] = state[0] + sum((g ** 2).sum() for g in grads)
        bt = torch.sqrt(state[0])
        for p, g in zip(params, grads):
            p.sub_(lr * g / bt)
    return update, lambda params: [torch.tensor(b0 * b0)]


STEPS = 10
O = torch.optim
CASES = {
    "sgd_plain": lambda: run_torch(lambda ps: O.SGD(ps, lr=0.1), STEPS),
    "sgd_momentum": lambda: run_torch(lambda ps: O.SGD(ps, lr=0.05, momentum=0.9), STEPS),
    "sgd_dampening_wd": lambda: run_torch(lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01), STEPS),
    "sgd_nesterov_wd": lambda: run_torch(lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), STEPS),
    "sgd_maximize": lambda: run_torch(lambda ps: O.SGD(ps, lr=0.01, momentum=0.5, maximize=True), STEPS),
    "adam_default": lambda: run_torch(lambda ps: O.Adam(ps, lr=0.01), STEPS),
    "adam_amsgrad_wd": lambda: run_torch(lambda ps: O.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True), STEPS),
    "adam_maximize": lambda: run_torch(lambda ps: O.Adam(ps, lr=0.01, maximize=True), STEPS),
    "adamw": lambda: run_torch(lambda ps: O.AdamW(ps, lr=0.01, weight_decay=0.1), STEPS),
    "adamw_amsgrad": lambda: run_torch(lambda ps: O.AdamW(ps, lr=0.02, betas=(0.85, 0.98), weight_decay=0.05, amsgrad=True), STEPS),
    "adagrad": lambda: run_torch(lambda ps: O.Adagrad(ps, lr=0.1), STEPS),
    "adagrad_decay_wd": lambda: run_torch(lambda ps: O.Adagrad(ps, lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-8), STEPS),
    "rmsprop": lambda: run_torch(lambda ps: O.RMSprop(ps, lr=0.01), STEPS),
    "rmsprop_centered_momentum_wd": lambda: run_torch(lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5, centered=True), STEPS),
    "lbfgs": lambda: run_torch(lambda ps: O.LBFGS(ps, lr=1, max_iter=5, history_size=10), 4, closure_steps=True),
    "lbfgs_strong_wolfe": lambda: run_torch(lambda ps: O.LBFGS(ps, lr=1, max_iter=5, history_size=3, line_search_fn="strong_wolfe"), 4, closure_steps=True),
    "lion": lambda: run_manual(*lion(0.01, 0.9, 0.99, 0.1), STEPS),
    "adagrad_norm": lambda: run_manual(*adagrad_norm(0.5, 0.1), STEPS),
}


def row(name, t):
    shape = ",".join(str(d) for d in t.shape) if t.dim() > 0 else "scalar"
    return name + " f64 " + shape + " " + " ".join(repr(float(v)) for v in t.reshape(-1).tolist())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "resources", "dev", "proxima", "optim", "torch_optimizers.txt")
    lines = ["# generated by src/test/python/torch_optimizers.py with torch " + torch.__version__ + " (F64)",
             row("problem/X", X), row("problem/Y", Y), row("problem/w0", W0), row("problem/b0", B0)]
    for name, make in CASES.items():
        for k, (w, b) in enumerate(make(), start=1):
            lines.append(row(name + "/" + str(k) + ".w", w))
            lines.append(row(name + "/" + str(k) + ".b", b))
    with open(target, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
