#!/usr/bin/env python3
"""Peer timing for dev.proxima.bench.transport.EmdBench: POT's exact EMD (ot.emd, network simplex) on the same problems.

Problems (the same numbers as EmdBench.problem in Java): n points uniform in [0,1]^d against m points of a
Gaussian N(1, 0.25^2 I) (shifted away from the unit cube), squared Euclidean cost, uniform weights:
  "500", "1000", "2000": n = m, d = 2;  "800x1200": n = 800, m = 1200, d = 3.
The uniforms come from splitmix64 (exactly the same doubles in Java and here), the Gaussians from Box-Muller on
them, so both sides solve the same problem up to last-bit differences of log/cos.
Prints, per problem, median and best of the repeats in milliseconds and the optimal cost (%.17g).

Run with Debian's POT (not a pyenv python):  /usr/bin/python3 bench/peers/pot_emd.py [repeats] [problem ...]
"""
import math
import sys
import time

import numpy as np
import ot

MASK = (1 << 64) - 1


def splitmix64_uniforms(seed, count):
    """count doubles in [0, 1): splitmix64's outputs, top 53 bits."""
    state = seed & MASK
    out = np.empty(count)
    for k in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z = z ^ (z >> 31)
        out[k] = (z >> 11) * (1.0 / (1 << 53))
    return out


def problem(n, m, d):
    x = splitmix64_uniforms(1, n * d).reshape(n, d)
    u = splitmix64_uniforms(2, 2 * m * d)
    g = np.empty(m * d)
    for k in range(m * d):
        u1 = 1.0 - u[2 * k]          # in (0, 1]
        u2 = u[2 * k + 1]
        g[k] = 1.0 + 0.25 * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    y = g.reshape(m, d)
    M = ot.dist(x, y)                # squared Euclidean
    a = np.full(n, 1.0 / n)
    b = np.full(m, 1.0 / m)
    return a, b, M


PROBLEMS = {"500": (500, 500, 2), "1000": (1000, 1000, 2), "2000": (2000, 2000, 2), "800x1200": (800, 1200, 3)}

if __name__ == "__main__":
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    names = sys.argv[2:] or list(PROBLEMS)
    for name in names:
        a, b, M = problem(*PROBLEMS[name])
        times = []
        cost = None
        for _ in range(repeats):
            t0 = time.perf_counter()
            G = ot.emd(a, b, M)
            times.append((time.perf_counter() - t0) * 1e3)
            cost = float(np.sum(G * M))
        times.sort()
        print(f"{name}: median {times[len(times) // 2]:.1f} ms, best {times[0]:.1f} ms, cost {cost:.17g}", flush=True)
