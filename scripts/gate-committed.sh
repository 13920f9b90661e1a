#!/usr/bin/env bash
# Gates, for every committed baseline (results/baselines/<device>.json), the newest other committed
# prefill result made on the same device with the same command line (argv without --json) against
# it. Must pass in CI. Then checks the gate itself on the committed pair in results/gate-checks/: the
# clean run must pass against the baseline and the planted slowdown (a busy kernel in every graph)
# must exit 1, so a gate that always passes (or always fails) fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=cli/target/bench.jar
shopt -s nullglob
# A baseline may carry a policy, results/baselines/<slug>.fail-on (the metrics whose SLOWER verdict fails, and why):
# `gate` applies it by itself when no --fail-on is given, and prints it.
baselines=(results/baselines/*.json)
if [ ${#baselines[@]} -eq 0 ]; then echo "gate: no baselines committed yet"; exit 0; fi
for base in "${baselines[@]}"; do
  current=$(python3 - "$base" <<'PY'
import glob, json, os, sys
base = sys.argv[1]
b = json.load(open(base))
# options that change no timing: where the file goes, replacing one, and the profiling pass (it runs after
# the timed loop); everything else must match, and the gate itself then compares the recorded conditions
NO_TIMING = {"--profile", "--no-profile", "--force", "--progress", "--no-progress"}
def command(r):
    argv = r["meta"]["argv"]
    out = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--json":
            skip = True
        elif not a.startswith("--json=") and a not in NO_TIMING:
            out.append(a)
    return tuple(out)
key = (b["devices"][0]["name"], command(b))
same = []
for f in sorted(glob.glob("results/prefill-*.json")):
    r = json.load(open(f))
    if (r["devices"][0]["name"], command(r)) == key and open(f).read() != open(base).read():
        same.append((r["meta"]["timestamp"], f))
print(max(same)[1] if same else "")
PY
)
  if [ -z "$current" ]; then echo "gate: no committed result to gate against $base"; exit 1; fi
  echo "gate: $current against $base"
  java -jar "$jar" gate --baseline "$base" --current "$current"
done

shopt -s nullglob
planted=(results/gate-checks/planted-slowdown-*.json)
if [ ${#planted[@]} -eq 0 ]; then echo "gate: no planted-slowdown run in results/gate-checks/"; exit 1; fi
for slow in "${planted[@]}"; do
  clean=results/gate-checks/prefill-${slow#results/gate-checks/planted-slowdown-}
  base=results/baselines/$(python3 -c 'import json,re,sys; print(re.sub("[^a-z0-9]+","-",json.load(open(sys.argv[1]))["devices"][0]["name"].lower()).strip("-"))' "$clean").json
  echo "gate check: $clean against $base (must pass)"
  java -jar "$jar" gate --baseline "$base" --current "$clean"
  echo "gate check: $slow against $base (must exit 1: regression)"
  rc=0
  java -jar "$jar" gate --baseline "$base" --current "$slow" || rc=$?
  if [ "$rc" -ne 1 ]; then echo "gate check: the planted slowdown $slow gave exit $rc, not 1: the gate misses regressions"; exit 1; fi
done
# Planted runs beside the results (newer devices): the planted run differs from its baseline in the
# slowdown kernel (a recorded run condition), so the check allows exactly that and must still exit 1.
for slow in results/planted-slowdown-*.json; do
  base=results/baselines/$(python3 -c 'import json,re,sys; print(re.sub("[^a-z0-9]+","-",json.load(open(sys.argv[1]))["devices"][0]["name"].lower()).strip("-"))' "$slow").json
  [ -f "$base" ] || continue
  echo "gate check: $slow against $base (must exit 1: regression)"
  rc=0
  java -jar "$jar" gate --baseline "$base" --current "$slow" --allow-config-diff || rc=$?
  if [ "$rc" -ne 1 ]; then echo "gate check: the planted slowdown $slow gave exit $rc, not 1: the gate misses regressions"; exit 1; fi
done
echo "gate checks: clean run passes, planted slowdown caught"
