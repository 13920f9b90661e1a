#!/usr/bin/env bash
# Runs the JUnit tests tagged "gpu" on a GPU host that has a Java 25 runtime but no Maven, with the
# JUnit console launcher over the built jars. (With Maven on the GPU host, plain `mvn test` runs them
# too: GPU tests skip themselves only where no GPU is found.)
#
#   scripts/gpu-tests.sh JUNIT_CONSOLE_JAR [junit console options, e.g. --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest]
#
# Build first: mvn -B package -DskipTests   (cli/target/bench.jar, bench/target/*-tests.jar)
set -euo pipefail
console=${1:?usage: gpu-tests.sh JUNIT_CONSOLE_JAR [junit options]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
jar=${JAR:-$root/cli/target/bench.jar}
tests=${TESTS:-$(ls "$root"/bench/target/prefillbench-bench-*-tests.jar)}
reports=${OUT:-$root/target}/junit-gpu
selection=("$@")
[ ${#selection[@]} -gt 0 ] || selection=(--select-package io.prefillbench)
java -Xmx8g --enable-native-access=ALL-UNNAMED -jar "$console" execute \
  -cp "$jar:$tests" --include-tag gpu "${selection[@]}" \
  --details=tree --disable-banner --reports-dir "$reports"
