#!/bin/sh
# Runs on the GPU machine from the unpacked device pack (see pack.sh): the GPU tests, the JMH CudaBench,
# and the PyTorch peer. Output goes to stdout and, when $OUT is set, to files under it.
#   on-device.sh tests | bench | peer | all
set -u
here=$(cd "$(dirname "$0")" && pwd)
java="$here/jre/bin/java"
out=${OUT:-/tmp/px-out}
mkdir -p "$out"
flags="--enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector --sun-misc-unsafe-memory-access=allow"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null | tee "$out/gpu.txt"
what=${1:-all}
if [ "$what" = tests ] || [ "$what" = all ]; then
  # shellcheck disable=SC2086
  "$java" $flags -jar "$here/junit-platform-console-standalone.jar" execute \
      --class-path "$here/benchmarks.jar:$here/tests/bindings-cuda:$here/tests/tensor-cuda" \
      --scan-class-path "$here/tests/bindings-cuda:$here/tests/tensor-cuda" \
      --details=tree --disable-ansi-colors --reports-dir="$out/junit" 2>&1 | tee "$out/tests.txt"
fi
if [ "$what" = bench ] || [ "$what" = all ]; then
  # shellcheck disable=SC2086
  "$java" $flags -jar "$here/benchmarks.jar" CudaBench -rf json -rff "$out/cuda-bench.json" 2>&1 | tee "$out/cuda-bench.txt"
fi
if [ "$what" = peer ] || [ "$what" = all ]; then
  python3 "$here/torch_cuda.py" 2>&1 | tee "$out/torch-cuda.txt"
fi
