#!/bin/bash
# s19 call 8, one jar: v35 = 364fd9c (the bundled rows, a graph per batch kind). Carry .gpu/jre-s.tar.xz and .gpu/s19/c5.
# Why: SiLU * up in ERNIE-4.5-0.3B's half-width gate_up is bundled at 17..64 but not at 1..16, where s15 measured short
# +1.5..+2.1 % and its timeline put the attention after it 1.4 us per layer dearer, with the late attention form. Since v52
# the prompts at 1..16 run the early form (its tile read before the PDL wait).
# Candidate (choices-es16.json, written before the run): the SiLU fusion row at 1..16 (both of size 16's graphs).
# Three alternating runs, graph GPU p50: short, 2x8, 1x8+8d@512 (plain graph), 8d@2048, 16d@2048 (decode graph).
# Prediction: short -1..+2 % (the fused epilogue saves silu_mul's 1.65 us link, the unsplit gate_up already runs 192 blocks).
# Rule: bundled if short drops >= 1 % and no workload rises > 0.5 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s19/c5; J=/tmp/s19c8; rm -rf $J /tmp/s19c8out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
python3 scripts/gpu/rejar.py $J/x/v35 $J/v35.jar > /dev/null
S=$(pwd)/results/h200-ab-20261130/s19
W=/tmp/s19c8out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 250 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base es16; do
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J/v35.jar prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,8d@2048,16d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"
done; prog "ab rep $rep"; done)
(cd /tmp && tar cJf $OUT/res.tar.xz s19c8out)
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s19c8out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
for (a, w) in sorted({k[:2] for k in r}):
    b = statistics.median(r[(a, w, 'base')]); n = statistics.median(r[(a, w, 'es16')])
    print('%-6s %-20s base %.1f  es16 %.1f (%+.1f%%)  [%s | %s]' % (a, w, b, n, 100 * (n / b - 1), ' '.join('%.1f' % x for x in r[(a, w, 'base')]), ' '.join('%.1f' % x for x in r[(a, w, 'es16')])))
PY
tail -1 $W/progress.txt
