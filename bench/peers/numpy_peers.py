#!/usr/bin/env python3
"""Peer timings for bench/RESULTS.md: NumPy/SciPy on the same inputs as the JMH benchmarks.

Inputs mirror dev.proxima.bench.tensor.BenchData: sin(i + phase) laid out row-major.
Prints one line per operation: name, median and best of the repeats in milliseconds, the BLAS NumPy uses.
Run: python3 bench/peers/numpy_peers.py   (Debian: apt-get install python3-numpy python3-scipy libopenblas0-pthread)
"""
import sys
import timeit

import numpy as np


def sin_vector(count, phase, dtype=np.float64):
    return np.sin(np.arange(phase, phase + count, 1.0, dtype=dtype)).astype(dtype)


def sin_matrix(n, phase, dtype=np.float64):
    return sin_vector(n * n, phase, dtype).reshape(n, n)


def timed(name, fn, repeat=7, number=1):
    fn()  # warm-up
    times = timeit.repeat(fn, repeat=repeat, number=number)
    per = sorted(t / number * 1e3 for t in times)
    print(f"{name:28s} median {per[len(per) // 2]:10.3f} ms   best {per[0]:10.3f} ms")


def blas_name():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']} [{blas.get('openblas configuration', '').strip()}]"
    except (TypeError, KeyError):
        import os
        return os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")


def main():
    print("numpy", np.__version__, "| BLAS:", blas_name())
    which = set(sys.argv[1:])

    def want(group):
        return not which or group in which

    if want("linalg"):
        a = sin_matrix(512, 0.0)
        m = sin_matrix(1024, 0.25)
        sym = m + m.T
        system = sin_matrix(2048, 0.5) + 64.0 * np.eye(2048)
        rhs = sin_vector(2048, 1.0)
        timed("svd 512 (full)", lambda: np.linalg.svd(a, full_matrices=True))
        timed("eigh 1024", lambda: np.linalg.eigh(sym))
        timed("solve 2048", lambda: np.linalg.solve(system, rhs))
    if want("fft"):
        x = sin_vector(1 << 20, 0.0)
        timed("rfft 2^20 F64", lambda: np.fft.rfft(x), repeat=15)
    if want("matmul"):
        for n in (64, 256, 1024, 2048):
            for dt in (np.float32, np.float64):
                a = sin_matrix(n, 0.0, dt)
                b = sin_matrix(n, 0.5, dt)
                number = max(1, int(2e8 / (2 * n ** 3)))
                timed(f"matmul {n} {np.dtype(dt).name}", lambda: a @ b, number=number)
    if want("elementwise"):
        for size in (1_000_000, 10_000_000):
            a = sin_vector(size, 0.0, np.float32)
            b = sin_vector(size, 0.5, np.float32)
            c = sin_vector(size, 1.0, np.float32)
            timed(f"a*b+c {size} f32", lambda: a * b + c, repeat=15)
            timed(f"exp {size} f32", lambda: np.exp(a), repeat=15)


if __name__ == "__main__":
    main()
