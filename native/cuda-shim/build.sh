#!/bin/sh
# Builds the CUDA shim into $1 (default: target/cuda-shim): libcuda.so.1, libcublas.so.13, libnvrtc.so.13 and the
# headers the shim's NVRTC compiles kernels with. Uses $CXX, else g++; without a C++ compiler it prints why and
# builds nothing (the GPU tests then skip, each with the reason, because the driver file is missing).
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-target/cuda-shim}
cxx=${CXX:-g++}
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "[cuda-shim] SKIPPED: no C++ compiler '$cxx' on PATH; the CUDA shim is not built"
  exit 0
fi
mkdir -p "$out"
flags="-std=c++17 -O2 -U_FORTIFY_SOURCE -fPIC -shared -fvisibility=hidden -Wall -Wno-unused-function"
"$cxx" $flags -Wl,-soname,libcuda.so.1 -o "$out/libcuda.so.1" "$here/driver.cpp" -ldl
# -U_FORTIFY_SOURCE: the scheduler switches fibers with _longjmp between stacks, which longjmp_chk would refuse
# cuBLAS checks memory through the driver: linked against the shim driver, found beside it ($ORIGIN first)
"$cxx" $flags -Wl,-soname,libcublas.so.13 -Wl,--disable-new-dtags,-rpath,'$ORIGIN' -o "$out/libcublas.so.13" "$here/cublas.cpp" \
  "$out/libcuda.so.1"
"$cxx" $flags -Wl,-soname,libnvrtc.so.13 -o "$out/libnvrtc.so.13" "$here/nvrtc.cpp" -ldl
cp "$here/pxshim.h" "$here/px_device.h" "$out/"
# the prelude precompiled with exactly the flags of the shim's NVRTC (nvrtc.cpp), which saves a third of every kernel
# compile; g++ ignores a header it cannot use (another compiler or flags) and parses px_device.h instead
"$cxx" -std=c++17 -O1 -ffp-contract=off -fno-fast-math -fno-strict-aliasing -fPIC -w -x c++-header -o "$out/px_device.h.gch" \
  "$out/px_device.h"
echo "[cuda-shim] built $out/libcuda.so.1, libcublas.so.13, libnvrtc.so.13 with $cxx"
