#!/usr/bin/env python3
"""Peer timings for dev.proxima.bench.io.IoBench: numpy.save / numpy.load of a 256 MiB float32 array
([64, 1048576]) to a temporary file. Prints median and best of the repeats in milliseconds.
Run: python3 bench/peers/numpy_io.py [repeats]   (a smoke run: python3 bench/peers/numpy_io.py 1)
"""
import os
import sys
import tempfile
import timeit

import numpy as np


def timed(name, fn, repeat):
    times = sorted(t * 1e3 for t in timeit.repeat(fn, repeat=repeat, number=1))
    print(f"{name:28s} median {times[len(times) // 2]:10.3f} ms   best {times[0]:10.3f} ms")


def main():
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print("numpy", np.__version__)
    a = np.full((64, 1 << 20), 0.5, dtype=np.float32)
    with tempfile.TemporaryDirectory(prefix="proxima-numpy-io") as d:
        w = os.path.join(d, "w.npy")
        r = os.path.join(d, "r.npy")
        np.save(r, a)
        timed("npy write 256 MiB F32", lambda: np.save(w, a), repeat)
        timed("npy read 256 MiB F32", lambda: np.load(r), repeat)


if __name__ == "__main__":
    main()
