#!/usr/bin/env python3
"""Peer timing for ConvBench: torch.nn.functional.conv2d, batch 32, 64->64 channels, 32x32, 3x3, padding 1, F32.

Same sin(i) inputs as dev.proxima.bench.tensor.ConvBench. Run with Debian's torch (apt-get install python3-torch):
    /usr/bin/python3 bench/peers/torch_conv.py
"""
import timeit

import numpy as np
import torch

torch.set_num_threads(2)
x = torch.from_numpy(np.sin(np.arange(32 * 64 * 32 * 32, dtype=np.float32)).reshape(32, 64, 32, 32).copy())
w = torch.from_numpy((np.sin(np.arange(64 * 64 * 9, dtype=np.float32) + 0.5) * 0.05).reshape(64, 64, 3, 3).copy())
f = lambda: torch.nn.functional.conv2d(x, w, padding=1)
for _ in range(10):
    f()
times = sorted(t * 1e3 for t in timeit.repeat(f, repeat=30, number=1))
print(f"torch {torch.__version__} threads {torch.get_num_threads()} mkldnn {torch.backends.mkldnn.is_available()}")
print(f"conv2d 32x64x32x32 3x3    median {times[len(times) // 2]:8.3f} ms   best {times[0]:8.3f} ms")
