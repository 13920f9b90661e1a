#!/usr/bin/env bash
# For GPU CI runners: build -> prefill -> gate against this device's committed baseline.
#   scripts/gpu-ci.sh [extra prefill options]
# Exit: 0 pass, 1 regression, 2 unusable input or environment (missing baseline, no GPU, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
jar=cli/target/bench.jar
[ -f "$jar" ] && [ "${SKIP_BUILD:-0}" = 1 ] || mvn -B -ntp package -DskipTests
out=${OUT_DIR:-target}/ci-prefill.json
mkdir -p "$(dirname "$out")"
# Same settings as the committed baseline (see results/README.md).
java -jar "$jar" prefill --sizes 16,64,512 --prompts short,long --batch 4x80 --iterations 300 --warmup 30 --json "$out" "$@"
device=$(java -jar "$jar" devices | sed -n 's/^GPU 0: \(.*\)  sm_.*/\1/p' | sed 's/ *$//')
slug=$(printf '%s' "$device" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//')
base=results/baselines/$slug.json
[ -f "$base" ] || { echo "error: no baseline for \"$device\" ($base): make one with scripts/refresh-baseline.sh" >&2; exit 2; }
java -jar "$jar" gate --baseline "$base" --current "$out"
