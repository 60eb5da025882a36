#!/usr/bin/env python3
"""Peer for dev.proxima.bench.transport.SinkhornNewtonSparseBench: POT's log-domain Sinkhorn (ot.bregman.sinkhorn_log) (POT has no
Sinkhorn-Newton-Sparse) on the same problem, eps = 0.01, to marginal error 1e-8.

Problem (the same numbers as the Java benchmark, no random generator involved): n points x_i of the plane
filling [0,1]^2 uniformly (the R2 low-discrepancy sequence) and n points y_i of a shifted Gaussian
(Box-Muller on a second R2 stream: centre (0.6, 0.4), sigma 0.15); squared Euclidean cost, uniform weights.

POT's sinkhorn_log checks its error every 10 iterations, as ||P^T 1 - b||_2; this script reports its
iteration count and time, and the L1 marginal error ||P 1 - a||_1 + ||P^T 1 - b||_1 of the plan it returns.
Run: /usr/bin/python3 bench/peers/pot_sns.py [n ...] [--repeat R]   (Debian's POT 0.8.2)
"""
import sys
import time

import numpy as np
import ot

G = 1.32471795724474602596  # the plastic number: R2 sequence steps 1/G, 1/G^2


def problem(n):
    i = np.arange(n, dtype=np.float64)
    x = np.stack([np.mod(0.5 + i / G, 1.0), np.mod(0.5 + i / G ** 2, 1.0)], axis=1)
    u = np.mod(0.3 + (i + 1) / G, 1.0)
    v = np.mod(0.7 + (i + 1) / G ** 2, 1.0)
    r = 0.15 * np.sqrt(-2.0 * np.log(np.maximum(u, 1e-300)))
    y = np.stack([0.6 + r * np.cos(2 * np.pi * v), 0.4 + r * np.sin(2 * np.pi * v)], axis=1)
    a = np.full(n, 1.0 / n)
    return a, a.copy(), ot.dist(x, y)


def main():
    args = [s for s in sys.argv[1:] if not s.startswith("--")]
    repeat = 3
    if "--repeat" in sys.argv:
        repeat = int(sys.argv[sys.argv.index("--repeat") + 1])
        args = [s for s in args if s != str(repeat)]
    sizes = [int(s) for s in args] or [500, 1000]
    print("POT", ot.__version__, "numpy", np.__version__)
    for n in sizes:
        a, b, M = problem(n)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            P, log = ot.bregman.sinkhorn_log(a, b, M, 0.01, numItermax=100000, stopThr=1e-8, log=True)
            times.append(time.perf_counter() - t0)
        err = np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum()
        times.sort()
        print(f"n={n:5d} sinkhorn_log eps=0.01 iterations {log['niter']:6d}  median {times[len(times) // 2] * 1e3:10.1f} ms"
              f"  best {times[0] * 1e3:10.1f} ms  L1 marginal error {err:.2e}  cost {np.sum(P * M):.10f}")


if __name__ == "__main__":
    main()
