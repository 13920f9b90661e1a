#!/bin/bash
# s20 call 1, one jar: de9fbff (the bundled rows). Carry .gpu/jre.tar.xz and cli/target/bench.jar.
# Why: Llama-3.2-1B's attention at 16 costs 8.4 us per layer in the chain (s18 timelines, kh) against ERNIE-4.5-0.3B's
# 4.2 (early wg), while alone (the profiling pass) both take ~8.5-9. ERNIE's attention follows rope_kv_write (a small
# kernel, during which its blocks are resident and read their tile); Llama's follows the rope-fused qkv GEMM (v43, its
# fixup tail). Hypothesis: the fused qkv ahead of it is what keeps Llama's attention from hiding its prologue, so the
# early form lost on Llama's prompts (+1.7 %, s17) only because of the fusion in front.
# Candidates (choices-*.json, written by mkcand.py before the run): lr (rope_kv_write separate, kh as bundled), le (the
# early wg form for prompts too, rope fused), lre (both).
# Three alternating runs, graph GPU p50: short, 2x8, 1x8+8d@512 (plain graph), 8d@2048, 16d@2048 (decode graph).
# Prediction: lre short -2..-4 % (attention 8.4 -> ~5 us per layer, rope's link +2.6, qkv unfused -1), le +1.7 %
# (s17), lr +1.3 % (s17 call 7). Rule: bundled if short drops >= 1 % and no workload rises > 0.5 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
S=$(pwd)/results/h200-ab-20261130/s20
W=/tmp/s20c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
CANDS="base lr le lre"
(cd $(mktemp -d) && for rep in 1 2 3; do for f in $CANDS; do
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,8d@2048,16d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"
done; prog "ab rep $rep"; done)
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s20c1out)
CANDS="$CANDS" python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics, os
r = collections.defaultdict(list)
cands = os.environ['CANDS'].split()
for f in sorted(glob.glob('/tmp/s20c1out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
for (a, w) in sorted({k[:2] for k in r}):
    b = statistics.median(r[(a, w, 'base')])
    print('%-6s %-20s base %7.1f' % (a, w, b) + ''.join('  %s %7.1f (%+.1f%%)' % (c, statistics.median(r[(a, w, c)]), 100 * (statistics.median(r[(a, w, c)]) / b - 1)) for c in cands[1:] if r[(a, w, c)]))
PY
tail -1 $W/progress.txt
