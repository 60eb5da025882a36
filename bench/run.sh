#!/bin/sh
# Runs Proxima's JMH benchmarks from the uber jar bench/target/benchmarks.jar with a JDK 25.
#
#   bench/run.sh [JMH options and benchmark regexps]   e.g. bench/run.sh MatmulBench -p n=64 -rf json -rff out.json
#   bench/run.sh --info                                 prints Java, vector width, threads, OpenBLAS library/core
#   bench/run.sh -h                                     JMH's own help (-l lists the benchmarks)
#   bench/run.sh --java-home                            prints the JDK it would use (bench/gpu/pack.sh jlinks it)
#
# The JDK is found like ./mvnw finds it: $PROXIMA_JAVA_HOME, then $JAVA_HOME, then the newest JDK of at
# least the wrapper's requiredJavaFeature under the usual install folders. The `java` on PATH may be
# older and is not used unless it is JAVA_HOME. JMH forks its measurement JVMs with the same java.
# Build the jar first:  ./mvnw -q package -DskipTests -pl bench -am
set -eu

bench_dir=$(cd "$(dirname "$0")" && pwd)
root_dir=$(dirname "$bench_dir")
jar="$bench_dir/target/benchmarks.jar"
props="$root_dir/.mvn/wrapper/maven-wrapper.properties"
need=$(sed -n 's/^requiredJavaFeature=//p' "$props" 2>/dev/null | tr -d '\r')
need=${need:-25}

java_feature() {
  [ -x "$1/bin/java" ] && [ -f "$1/release" ] || { echo 0; return; }
  v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release")
  echo "${v:-0}"
}

pick_jdk() {
  for candidate in "${PROXIMA_JAVA_HOME:-}" "${JAVA_HOME:-}"; do
    if [ -n "$candidate" ] && [ "$(java_feature "$candidate")" -ge "$need" ]; then echo "$candidate"; return; fi
  done
  best=""; best_v=0
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
             "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
             /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$dir" ] || continue
    v=$(java_feature "$dir")
    if [ "$v" -ge "$need" ] && [ "$v" -gt "$best_v" ]; then best="$dir"; best_v=$v; fi
  done
  echo "$best"
}

jdk=$(pick_jdk)
if [ -z "$jdk" ]; then
  echo "run.sh: needs a JDK $need or newer, and none was found (looked at \$PROXIMA_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, ~/.jdks)." >&2
  exit 1
fi
if [ "${1:-}" = "--java-home" ]; then
  echo "$jdk"
  exit 0
fi
if [ ! -f "$jar" ]; then
  echo "run.sh: $jar is missing; build it with: (cd $root_dir && ./mvnw -q package -DskipTests -pl bench -am)" >&2
  exit 1
fi

# The flags Proxima needs on the class path. JMH's own JVM does not run Proxima code, and its forks get
# the flags from each benchmark class's @Fork(jvmArgsAppend).
flags="--enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector --sun-misc-unsafe-memory-access=allow"

if [ "${1:-}" = "--info" ]; then
  # shellcheck disable=SC2086
  exec "$jdk/bin/java" $flags -cp "$jar" dev.proxima.bench.PlatformInfo
fi
echo "run.sh: $jdk/bin/java -jar $jar $*" >&2
exec "$jdk/bin/java" -jar "$jar" "$@"
