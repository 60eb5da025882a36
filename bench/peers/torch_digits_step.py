#!/usr/bin/env python3
"""Peer timing for dev.proxima.bench.optim.DigitsStepBench: PyTorch (CPU, 2 threads) on the same workload.

MLP 64-128-128-10 with ReLU, float32, a batch of 128 random inputs in [0, 1) with fixed random labels,
cross-entropy. Measures per call:
  adamwStep      zero_grad, forward, loss, backward, torch.optim.AdamW(lr 3e-3, weight_decay 1e-2, foreach).step()
  sophiaHvpStep  a Sophia step with its Hessian refresh (torch has no Sophia; written out as the paper's update):
                 forward, gradients with create_graph=True, one Hutchinson product u * (H u) with a Rademacher u,
                 m <- b1 m + (1-b1) g, h <- b2 h + (1-b2) u*Hu, p <- p (1 - lr wd) - lr clip(m / max(rho h, eps), 1)
  sophiaStep     the same with the refresh every 10 steps (the product amortised)
Prints median and best of the repeats in milliseconds.

Run with Debian's torch (not a pyenv python):  /usr/bin/python3 bench/peers/torch_digits_step.py [repeats]
"""
import sys
import timeit

import torch

torch.set_num_threads(2)
torch.manual_seed(42)

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def mlp():
    torch.manual_seed(1)
    return torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128), torch.nn.ReLU(),
                               torch.nn.Linear(128, 10))


x = torch.rand(128, 64)
y = torch.randint(0, 10, (128,))
loss_fn = torch.nn.functional.cross_entropy

adamw_net = mlp()
adamw = torch.optim.AdamW(adamw_net.parameters(), lr=3e-3, weight_decay=1e-2, foreach=True)


def adamw_step():
    adamw.zero_grad(set_to_none=True)
    loss = loss_fn(adamw_net(x), y)
    loss.backward()
    adamw.step()
    return loss.item()


class Sophia:
    def __init__(self, params, lr=3e-3, b1=0.965, b2=0.99, rho=0.04, eps=1e-12, wd=0.1, every=10):
        self.params = list(params)
        self.lr, self.b1, self.b2, self.rho, self.eps, self.wd, self.every = lr, b1, b2, rho, eps, wd, every
        self.m = [torch.zeros_like(p) for p in self.params]
        self.h = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self, closure):
        loss = closure()
        refresh = self.t % self.every == 0
        grads = torch.autograd.grad(loss, self.params, create_graph=refresh)
        if refresh:
            us = [torch.randint(0, 2, p.shape, dtype=p.dtype) * 2 - 1 for p in self.params]
            hvs = torch.autograd.grad(grads, self.params, grad_outputs=us)
        with torch.no_grad():
            for i, p in enumerate(self.params):
                g = grads[i].detach()
                self.m[i].mul_(self.b1).add_(g, alpha=1 - self.b1)
                if refresh:
                    self.h[i].mul_(self.b2).add_(us[i] * hvs[i], alpha=1 - self.b2)
                p.mul_(1 - self.lr * self.wd)
                p.add_((self.m[i] / (self.rho * self.h[i]).clamp(min=self.eps)).clamp(-1, 1), alpha=-self.lr)
        self.t += 1
        return loss.item()


sophia_hvp_net = mlp()
sophia_hvp = Sophia(sophia_hvp_net.parameters(), every=1)
sophia_net = mlp()
sophia = Sophia(sophia_net.parameters(), every=10)


def timed(name, fn):
    for _ in range(10):
        fn()  # warm-up
    per = sorted(t * 1e3 for t in timeit.repeat(fn, repeat=REPEAT, number=1))
    print(f"{name:14s} median {per[len(per) // 2]:9.3f} ms   best {per[0]:9.3f} ms")


print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
timed("adamwStep", adamw_step)
timed("sophiaHvpStep", lambda: sophia_hvp.step(lambda: loss_fn(sophia_hvp_net(x), y)))
timed("sophiaStep", lambda: sophia.step(lambda: loss_fn(sophia_net(x), y)))
