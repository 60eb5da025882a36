#!/usr/bin/env python3
"""Peer timing for dev.proxima.bench.optim.AdamStepBench: torch.optim.Adam(foreach=True) on the same layout.

Ten float32 parameters of 1 000 000 elements each (10 M in all) with fixed random gradients; one
optimizer.step() per call (lr 1e-3, default betas and eps), 2 threads. Also times foreach=False (the
per-parameter loop) for reference. Prints median and best of the repeats in milliseconds.

Run with Debian's torch (not a pyenv python):  /usr/bin/python3 bench/peers/torch_adam.py [repeats] [threads]
"""
import sys
import timeit

import torch

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 30
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
torch.manual_seed(42)


def make(foreach):
    params = [torch.randn(1_000_000, requires_grad=True) for _ in range(10)]
    for p in params:
        p.grad = torch.randn(1_000_000)
    return torch.optim.Adam(params, lr=1e-3, foreach=foreach)


def timed(name, opt):
    for _ in range(5):
        opt.step()  # warm-up (state allocated on the first step)
    times = timeit.repeat(opt.step, number=1, repeat=REPEAT)
    times.sort()
    print(f"{name}: median {times[len(times) // 2] * 1e3:.2f} ms, best {times[0] * 1e3:.2f} ms")


timed("adam foreach=True step", make(True))
timed("adam foreach=False step", make(False))
