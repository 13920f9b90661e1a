#!/bin/bash
# s30 call 8: how much of the headline ratio's move (short: 0.43 of PyTorch in 022600's lease, 0.52 in 055343's) is
# PyTorch's own spread inside one call, and whether its 30-iteration warm-up (ours: 300 ms primed + 1000 ms since 055343)
# flatters us. bench/python/torch_prefill.py --modes compile-cudagraphs on ERNIE's four workloads, four runs alternating
# warm-ups of 30 and 3000 iterations, and our prefill (jar v88, set 055343's command) between them.
# Prediction (written before the run): PyTorch's p50 within +-3 % across the runs of one warm-up; 3000 warm-up iterations
# within 2 % of 30; ours within 1 %.
# Carry .gpu/jre.tar.xz, .gpu/s30/v88.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
R=$(pwd); J=$R/.gpu/s30/v88.jar
W=/tmp/s30c8out; rm -rf $W; mkdir -p $W; s=$(date +%s)
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
torch() {  # LABEL WARMUP
  PYTHONUNBUFFERED=1 timeout 150 python3 bench/python/torch_prefill.py --model ernie-4.5-0.3b --prompt-lens 10,480 --batches 4x80,8x16 \
    --modes compile-cudagraphs --warmup $2 --iterations 300 --git-sha 88c507297dd553220f831f58cda108b9f690360a --json $W/torch-$1.json > $W/torch-$1.txt 2>&1
  prog "torch $1 rc=$?"
}
ours() {
  timeout 120 java --enable-native-access=ALL-UNNAMED -jar $J prefill --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 \
    --warmup 30 --iterations 300 --no-progress --json $W/ours-$1.json > $W/ours-$1.txt 2>&1
  prog "ours $1 rc=$?"
}
torch w30a 30; ours 1; torch w3000a 3000; torch w30b 30; ours 2; torch w3000b 3000
python3 - "$W" > $W/table.txt <<'PY'
import json, sys, glob, os
W = sys.argv[1]
print("| run | short | long | 4x80 | 8x16 |  (p50 ms, host)")
print("|---|---:|---:|---:|---:|")
for f in sorted(glob.glob(W + "/torch-*.json")):
    d = json.load(open(f)); rows = d.get("results", d.get("workloads", []))
    v = [r["compile-cudagraphs"]["p50"] / 1e6 for r in rows]
    print(f"| {os.path.basename(f)[:-5]} | " + " | ".join(f"{x:.3f}" for x in v) + " |")
for f in sorted(glob.glob(W + "/ours-*.json")):
    d = json.load(open(f))
    print(f"| {os.path.basename(f)[:-5]} graph | " + " | ".join(f"{w['graph']['hostNs']['p50']/1e6:.3f}" for w in d["workloads"]) + " |")
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s30c8out)
cat $W/table.txt
cat $W/progress.txt
