"""POT peer of bench/src/main/java/dev/proxima/bench/transport/SinkhornBench.java.

Runs POT's ot.sinkhorn with method='sinkhorn_log' (log domain) and method='sinkhorn' (scaling form) to stopThr=1e-6
on the same problems as the JMH benchmark (SinkhornProblems.java: Kronecker-sequence points, no random generator),
squared Euclidean cost (ot.dist), uniform weights. Prints, per problem and method, the median and best wall time of
the repeats in milliseconds and POT's iteration count.

    /usr/bin/python3 bench/peers/pot_sinkhorn.py [repeats] [size ...]     # sizes: 500 1000 2000 800x1200
"""
import math
import sys
import time

import numpy as np
import ot

ALPHAS = [0.7548776662466927, 0.5698402909980532, 0.4142135623730951, 0.7320508075688772]


def frac(v):
    return v - np.floor(v)


def uniform(n, d):
    i = np.arange(1, n + 1, dtype=np.float64)
    return np.stack([frac(i * ALPHAS[k]) for k in range(d)], axis=1)


def gaussian(m, d):
    i = np.arange(1, m + 1, dtype=np.float64)
    cols = []
    for k in range(d):
        u1 = frac(i * ALPHAS[k] + 0.5 * ALPHAS[(k + 1) % 4])
        u2 = frac(i * ALPHAS[(k + 2) % 4] + 0.25)
        z = np.sqrt(-2 * np.log(np.maximum(u1, 1e-12))) * np.cos(2 * math.pi * u2)
        cols.append(0.75 + 0.15 * z)
    return np.stack(cols, axis=1)


def problem(size):
    if "x" in size:
        n, m = (int(s) for s in size.split("x"))
        d = 3
    else:
        n = m = int(size)
        d = 2
    x, y = uniform(n, d), gaussian(m, d)
    return np.full(n, 1.0 / n), np.full(m, 1.0 / m), ot.dist(x, y)


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    sizes = sys.argv[2:] or ["500", "1000", "2000", "800x1200"]
    for size in sizes:
        a, b, M = problem(size)
        for eps in (0.05, 0.01):
            for method in ("sinkhorn_log", "sinkhorn"):
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    P, log = ot.sinkhorn(a, b, M, eps, method=method, stopThr=1e-6, numItermax=100000, log=True, warn=False)
                    times.append((time.perf_counter() - t0) * 1e3)
                cost = float((P * M).sum())
                print(f"{size:>9} eps {eps:<5} {method:<13} median {np.median(times):10.1f} ms  best {min(times):10.1f} ms"
                      f"  iterations {log['niter']}  cost {cost:.6f}", flush=True)


if __name__ == "__main__":
    main()
