#!/usr/bin/env python3
"""Peer timing for dev.proxima.bench.optim.MuonStepBench: PyTorch (CPU, 2 threads) on the same workload.

One 1024 x 1024 float32 parameter with a fixed gradient. Measures, per call:
  newtonSchulz   five quintic Newton-Schulz steps (3.4445, -4.7750, 2.0315) on the 1024 x 1024 update,
                 after dividing by its Frobenius norm (Muon's orthogonalization, in float32, not bfloat16)
  muonStep       a whole Muon step: momentum (EMA, beta 0.95) with Nesterov, the five steps, decoupled
                 weight decay and the parameter update (in place, as torch does)
  adamwStep      torch.optim.AdamW(foreach=True).step() on the same parameter and gradient
Prints median and best of the repeats in milliseconds.

Run with Debian's torch (not a pyenv python):  /usr/bin/python3 bench/peers/torch_muon.py [repeats]
"""
import sys
import timeit

import torch

torch.set_num_threads(2)
torch.manual_seed(42)

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 10
N = 1024

param = torch.nn.Parameter(torch.randn(N, N) * 0.02)
param.grad = torch.randn(N, N)
momentum = torch.zeros(N, N)
adamw = torch.optim.AdamW([param], lr=1e-3, weight_decay=1e-2, foreach=True)


def newton_schulz(g, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.T if g.size(0) > g.size(1) else g
    x = x / (x.norm() + 1e-7)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if g.size(0) > g.size(1) else x


def ns():
    return newton_schulz(param.grad)[0, 0].item()


@torch.no_grad()
def muon_step():
    g = param.grad
    momentum.lerp_(g, 1 - 0.95)
    update = g.lerp(momentum, 0.95)
    o = newton_schulz(update)
    param.mul_(1 - 0.02 * 0.01)
    param.add_(o, alpha=-0.02 * max(1.0, N / N) ** 0.5)
    return param[0, 0].item()


def adamw_step():
    adamw.step()
    return param[0, 0].item()


def timed(name, fn):
    fn()  # warm-up
    per = sorted(t * 1e3 for t in timeit.repeat(fn, repeat=REPEAT, number=1))
    print(f"{name:14s} median {per[len(per) // 2]:9.3f} ms   best {per[0]:9.3f} ms")


print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
timed("newtonSchulz", ns)
timed("muonStep", muon_step)
timed("adamwStep", adamw_step)
