#!/usr/bin/env bash
# Runs every gpu-tagged engine test (graph == eager bit for bit, engine vs CPU reference, leaks, the
# cuBLAS alternative selected from a measurements row) on a GPU host with a Java 25 runtime and no
# Maven, through the JUnit console launcher over the built jars. Also dumps the lowered ops of the
# default ERNIE plan and prints kernels per layer at buckets 16 and 512.
#
#   scripts/gpu/engine-tests.sh JUNIT_CONSOLE_JAR
#
# Build first (anywhere with Maven): mvn -B package -DskipTests
set -euo pipefail
console=${1:?usage: engine-tests.sh JUNIT_CONSOLE_JAR}
root=$(cd "$(dirname "$0")/../.." && pwd)
jar=${JAR:-$root/cli/target/bench.jar}
out=${OUT:-$root/target}
mkdir -p "$out"
java --enable-native-access=ALL-UNNAMED -jar "$jar" plan --sizes 16,512 --dump-ops "$out/lowered-ops.txt" |
  grep -E "^### Lowered ops at size|^\| (16|512) \|" || true
"$root/scripts/gpu-tests.sh" "$console" --select-package io.prefillbench.engine --select-package io.prefillbench.cuda
