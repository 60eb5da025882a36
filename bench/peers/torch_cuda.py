"""PyTorch peer of dev.proxima.bench.cuda.CudaBench, on the same GPU (run on the device machine).

    python3 bench/peers/torch_cuda.py          # prints one line per case: median and best of the repeats

Matmul: n x n @ n x n (float32: TF32 tensor cores OFF, like cublasSgemm's default math; bfloat16: tensor
cores with float32 accumulation); add: a + b on 2^28 float32; copy: b.copy_(a). Every timed call ends with
torch.cuda.synchronize(); results are freed by the caching allocator as in the Java benchmark.
"""
import math
import statistics
import time

import torch


def timed(fn, min_seconds=1.0, repeats=7):
    fn()
    torch.cuda.synchronize()
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        torch.cuda.synchronize()
        if time.perf_counter() - t0 >= 0.2:
            break
        calls *= 2
    samples = []
    deadline = time.perf_counter() + min_seconds
    while len(samples) < repeats or time.perf_counter() < deadline:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        torch.cuda.synchronize()
        samples.append((time.perf_counter() - t0) / calls)
    return statistics.median(samples), min(samples)


def sin_tensor(count, phase, dtype, shape):
    idx = torch.arange(count, dtype=torch.float32, device="cuda") + phase
    return torch.sin(idx).reshape(shape).to(dtype)


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))
    for dtype in (torch.float32, torch.bfloat16):
        for n in (1024, 2048, 4096, 8192):
            a = sin_tensor(n * n, 0.0, dtype, (n, n))
            b = sin_tensor(n * n, 0.5, dtype, (n, n))
            med, best = timed(lambda: torch.matmul(a, b))
            tflops = 2 * n ** 3 / med / 1e12
            print(f"matmul {str(dtype).split('.')[-1]:9s} n={n:5d}  median {med * 1e6:10.1f} us  best {best * 1e6:10.1f} us  {tflops:7.1f} TFLOP/s")
            del a, b
    size = 1 << 28
    a = sin_tensor(size, 0.0, torch.float32, (size,))
    b = sin_tensor(size, 0.5, torch.float32, (size,))
    out = torch.empty_like(a)
    med, best = timed(lambda: torch.add(a, b))
    print(f"add   2^28 f32  median {med * 1e6:10.1f} us  best {best * 1e6:10.1f} us  {3 * 4 * size / med / 1e9:7.1f} GB/s")
    med, best = timed(lambda: out.copy_(a))
    print(f"copy  2^28 f32  median {med * 1e6:10.1f} us  best {best * 1e6:10.1f} us  {2 * 4 * size / med / 1e9:7.1f} GB/s")


if __name__ == "__main__":
    main()
