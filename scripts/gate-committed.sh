#!/usr/bin/env bash
# Gates the newest committed prefill result of each device against that device's committed
# baseline (results/baselines/<device>.json). Must pass in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=cli/target/bench.jar
shopt -s nullglob
baselines=(results/baselines/*.json)
if [ ${#baselines[@]} -eq 0 ]; then echo "gate: no baselines committed yet"; exit 0; fi
for base in "${baselines[@]}"; do
  current=$(grep -l -F "$(sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p' "$base" | head -1)" results/prefill-*.json 2>/dev/null | sort | tail -1 || true)
  if [ -z "$current" ]; then echo "gate: no committed result for baseline $base"; exit 1; fi
  echo "gate: $current against $base"
  java -jar "$jar" gate --baseline "$base" --current "$current"
done
