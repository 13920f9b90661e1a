#!/usr/bin/env bash
# The serving study's report: every serve-*.json of an output directory of serve-study.sh on one page
# (TTFT, TPOT and throughput against the arrival rate, one line per policy, saturated runs crossed;
# graph share and padding waste per policy and rate; the four-prompt trace runs in their own tables).
#
#   scripts/gpu/serve-report.sh DIR        -> DIR/serve-report.html, the tables on stdout
#
# Needs only Java 25 and the built jar (mvn -B package -DskipTests -> cli/target/bench.jar); no GPU.
set -euo pipefail
dir=${1:?usage: serve-report.sh DIR (the OUT_DIR of serve-study.sh)}
root=$(cd "$(dirname "$0")/../.." && pwd)
jar=${JAR:-$root/cli/target/bench.jar}
shopt -s nullglob
files=("$dir"/serve-*.json "$dir"/four80-*.json)
if [ ${#files[@]} -eq 0 ]; then echo "serve-report.sh: no serve-*.json in $dir" >&2; exit 2; fi
exec java -jar "$jar" report "${files[@]}" -o "$dir/serve-report.html"
