#!/usr/bin/env bash
# For GPU CI runners: build -> the baseline's own prefill command -> gate against this device's committed baseline.
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
device=$(java -jar "$jar" devices | sed -n 's/^GPU 0: \(.*\)  sm_.*/\1/p' | sed 's/ *$//')
slug=$(printf '%s' "$device" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//')
base=results/baselines/$slug.json
[ -f "$base" ] || { echo "error: no baseline for \"$device\" ($base): make one with scripts/refresh-baseline.sh" >&2; exit 2; }
# The baseline's own command line (meta.argv without --json; files made before 92b4d76 repeat the subcommand):
# the gate refuses runs whose conditions differ, so CI runs exactly what the baseline ran.
mapfile -t argv < <(python3 - "$base" <<'PY'
import json, sys
argv = json.load(open(sys.argv[1]))["meta"]["argv"]
if len(argv) > 1 and argv[0] == argv[1] == "prefill":
    argv = argv[1:]
out, skip = [], False
for a in argv:
    if skip: skip = False
    elif a == "--json": skip = True
    elif not a.startswith("--json="): out.append(a)
print("\n".join(out))
PY
)
echo "+ java -jar $jar ${argv[*]} --json $out $*"
java -jar "$jar" "${argv[@]}" --json "$out" "$@"
java -jar "$jar" gate --baseline "$base" --current "$out"
