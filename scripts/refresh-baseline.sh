#!/usr/bin/env bash
# Makes a results file the baseline of its device: validates it with the gate (the file against itself must
# pass), then copies it to results/baselines/<device-slug>.json, e.g. nvidia-h100-80gb-hbm3.json.
# Usage: scripts/refresh-baseline.sh RESULTS.json [SLUG]
# Needs cli/target/bench.jar (mvn -B -pl cli -am package -DskipTests).
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 RESULTS.json [SLUG]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/cli/target/bench.jar"
src=$(realpath -- "$1")
[ -f "$jar" ] || { echo "error: $jar not found; build it: mvn -B -pl cli -am package -DskipTests" >&2; exit 2; }
[ -f "$src" ] || { echo "error: $1: no such file" >&2; exit 2; }

# The gate reads and validates the file (schema, complete, paired samples); against itself it must pass.
if ! out=$(java -jar "$jar" gate --baseline "$src" --current "$src" 2>&1); then
  echo "$out" >&2
  echo "error: $1 is not usable as a baseline" >&2
  exit 2
fi

# Device name: the first "name" inside "devices" (bench.jar writes devices before workloads).
device=$(awk '/"devices"/ {d = 1} d && /"name"/ { sub(/.*"name"[ ]*:[ ]*"/, ""); sub(/".*/, ""); print; exit }' "$src")
slug=${2:-$(printf '%s' "$device" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//')}
[ -n "$slug" ] || { echo "error: no device name in $1; pass a SLUG" >&2; exit 2; }

dest_dir="$root/results/baselines"
mkdir -p "$dest_dir"
tmp=$(mktemp "$dest_dir/.$slug.XXXXXX")
cp -- "$src" "$tmp"
chmod 644 "$tmp"
mv -f -- "$tmp" "$dest_dir/$slug.json" # same directory: atomic rename
echo "baseline for \"$device\": results/baselines/$slug.json"
