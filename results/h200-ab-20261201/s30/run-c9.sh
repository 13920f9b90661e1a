#!/bin/bash
# s30 call 9, jar v88 (main 88c5072, set 055343's jar): spin against sync on the core set's command (short, long, 4x80,
# 8x16) under the new warm-up defaults, three alternating pairs, and on 17..64-token plans (prompts of 30 and 60 tokens,
# 2x8, 4x16), two pairs. s29 call 3 had spin +0.6 % on long and 4x80 (their GPU time up 4-6 us) with a graph-only prime;
# call 7 had it faster on every 16-row plan.
# Prediction (written before the run): short -0.5..-1 %, 8x16 -0.3..-1 %, long and 4x80 within +-0.6 %; 17..64 -0.5..-1 %.
# Rule: spin is next session's default candidate (with its own set) if the median over pairs of every workload's graph
# host p50 is <= +0.3 % against sync; otherwise a small-bucket policy is.
# Carry .gpu/jre.tar.xz, .gpu/s30/v88.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
R=$(pwd); J=$R/.gpu/s30/v88.jar
W=/tmp/s30c9out; rm -rf $W; mkdir -p $W; s=$(date +%s)
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
run() {  # LABEL MODE args...
  local label=$1 mode=$2; shift 2
  timeout 150 java --enable-native-access=ALL-UNNAMED -jar $J prefill "$@" --first-tokens $mode --no-progress --json $W/$label-$mode.json > $W/$label-$mode.txt 2>&1
  prog "$label $mode rc=$?"
}
for p in 1 2 3; do
  a=sync; b=spin; [ $p = 2 ] && { a=spin; b=sync; }
  for m in $a $b; do run core-p$p $m --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300; done
done
for p in 1 2; do
  a=spin; b=sync; [ $p = 2 ] && { a=sync; b=spin; }
  for m in $a $b; do run small-p$p $m --sizes 16,32,64 --prompt-lens 30,60 --batch 2x8,4x16 --warmup 30 --iterations 300; done
done
python3 - "$W" > $W/table.txt <<'PY'
import json, sys, glob, os, statistics as st, collections
W = sys.argv[1]
rows = collections.defaultdict(dict)
for f in sorted(glob.glob(W + "/*.json")):
    lab, mode = os.path.basename(f)[:-5].rsplit("-", 1)
    kind, pair = lab.split("-")
    for w in json.load(open(f))["workloads"]:
        rows[(kind, w["name"])].setdefault(mode, []).append((pair, w["graph"]["hostNs"]["p50"] / 1e3, w["graph"]["gpuNs"]["p50"] / 1e3))
print("| workload | sync host p50 us (pairs) | spin host p50 us (pairs) | spin / sync, median of pairs | GPU sync / spin |")
print("|---|---|---|---:|---|")
for (kind, name), m in rows.items():
    sy = sorted(m.get("sync", [])); sp = sorted(m.get("spin", []))
    r = st.median([b[1] / a[1] - 1 for a, b in zip(sy, sp)]) * 100
    print(f"| {kind} {name} | {' / '.join(f'{x[1]:.1f}' for x in sy)} | {' / '.join(f'{x[1]:.1f}' for x in sp)} | {r:+.2f} % | "
          f"{st.median([x[2] for x in sy]):.1f} / {st.median([x[2] for x in sp]):.1f} |")
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s30c9out)
cat $W/table.txt
tail -2 $W/progress.txt
