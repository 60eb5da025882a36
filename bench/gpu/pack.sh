#!/bin/sh
# Packs what the GPU machine needs (it has no Java) into one file to carry there:
#   bench/target/device-pack.tar.xz  =  a jlink'd JDK 25 runtime (stripped), the benchmark uber jar (Proxima +
#   tensor-cuda + JMH), the test classes of bindings/cuda and modules/tensor-cuda, the JUnit console launcher,
#   bench/peers/torch_cuda.py and bench/gpu/on-device.sh.
#
#   bench/gpu/pack.sh            # on this machine (needs Maven Central once for the JUnit console jar)
#
# Then, with the device tool:  command "mkdir -p /tmp/px && tar xJf bench/target/device-pack.tar.xz -C /tmp/px &&
# /tmp/px/device/on-device.sh tests|bench|peer|all", carry ["bench/target/device-pack.tar.xz"]  (about 45 MiB; the
# carry limit is 64 MiB).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
./mvnw -q -B package -DskipTests -pl bench,bindings/cuda,modules/tensor-cuda -am
./mvnw -q -B test-compile -pl bindings/cuda,modules/tensor-cuda -am
junit=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml | head -1)
console_version=$(echo "$junit" | sed 's/^5\./1./')
out=bench/target/device
rm -rf "$out" && mkdir -p "$out/tests"
./mvnw -q -B dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$console_version" \
    -DoutputDirectory="$out" -Dmdep.stripVersion=true
java_home=$(bench/run.sh --java-home)
"$java_home/bin/jlink" --add-modules java.base,java.management,jdk.management,java.logging,jdk.unsupported,jdk.incubator.vector,java.xml \
    --strip-debug --no-header-files --no-man-pages --compress zip-9 --output "$out/jre" 2>&1 | grep -v "incubator modules" || true
strip --strip-unneeded "$out/jre/lib/server/libjvm.so" 2>/dev/null || true
cp bench/target/benchmarks.jar "$out/"
cp -r bindings/cuda/target/test-classes "$out/tests/bindings-cuda"
cp -r modules/tensor-cuda/target/test-classes "$out/tests/tensor-cuda"
cp bench/peers/torch_cuda.py bench/gpu/on-device.sh "$out/"
chmod +x "$out/on-device.sh"
tar -cJf bench/target/device-pack.tar.xz -C bench/target device
ls -la bench/target/device-pack.tar.xz
