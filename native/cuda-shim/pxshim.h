// The interface between the CUDA shim's driver (libcuda.so.1 stand-in) and the kernel modules its NVRTC
// stand-in builds: the driver owns the thread scheduler and hands each module this table when it loads it.
#pragma once

struct px_dim3 {
    unsigned x, y, z;
};

struct PxShimRuntime {
    px_dim3 threadIdx, blockIdx, blockDim, gridDim;   // of the thread (fiber) running now
    void (*syncthreads)();                            // block barrier
    void (*syncwarp)(unsigned mask);                  // warp barrier
    // one warp exchange: every lane publishes size bytes at in, then reads lane src's value into out
    // (its own value when src < 0 or src is its own lane)
    void (*shfl)(unsigned mask, const void* in, void* out, unsigned size, int src);
    void (*trap)();                                   // never returns (throws PxShimTrap)
    int (*check_arg)(int index, const void* ptr);     // 0 when a pointer argument lies in the current device's memory
};

// thrown by trap(): ends the trapping thread; the driver then aborts the launch
struct PxShimTrap {
};

// every module exports:  void pxshim_bind(PxShimRuntime*)  and per kernel  int <name>__pxshim(int mode, void** params)
// (mode 0: check the pointer arguments, the first bad one's index + 1 or 0; mode 1: run the kernel for the current thread)
