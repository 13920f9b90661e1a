#!/bin/bash
# s17 call 7, one jar: v24 = 3c0a762 (the bundled rows). Carry .gpu/jre-s.tar.xz and .gpu/s17/c6 (call 6's carry).
# Which of call 1's fusions earn their place, and Llama's down split at 16 (three alternating runs, graph GPU p50):
#   tiny  base / tnr (no rope_into_qkv row: the rope fixup may cost more than the link it saves) / tns (no SiLU row)
#   Llama-3.2-1B short@16, 2x8@16, 16d@2048: base / lnr (no rope row) / ld16 (down split 16, 512 blocks) / ld4 (split 4)
# Predictions: tnr -0.5..+1 us (call 2's timeline: tiny's rope-fused qkv 4.6 us per layer, a plain qkv + rope ~1.5 + 1.3);
# tns +0.5..1 us; lnr +-1 %; ld16 / ld4 +-1 % (down streams at 3.6 TB/s already).
# Rule (written before this run): a candidate replaces the bundled rows if no workload of its model rises > 0.5 % and one
# drops >= 1 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s17/c6; J=/tmp/s17c7; rm -rf $J /tmp/s17c7out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
python3 scripts/gpu/rejar.py $J/x/v24 $J/v24.jar > /dev/null
S=$(pwd)/results/h200-ab-20261130/s17
W=/tmp/s17c7out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 400 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v24.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base tnr tns; do timeout $(left 30) $B prefill --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/tiny-$f-$rep-$stamp.json > $W/tiny-$f-$rep.txt 2>&1 || echo "tiny $f $rep failed"; done
  for f in base lnr ld16 ld4; do timeout $(left 40) $B prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 16d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"; done
  prog "ab rep $rep"; done)
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s17c7out)
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s17c7out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
for (a, w) in sorted({k[:2] for k in r}):
    cs = sorted({k[2] for k in r if k[:2] == (a, w)})
    print('%-6s %-18s gpu ' % (a, w) + '  '.join('%s %.1f [%s]' % (c, statistics.median(r[(a, w, c)]), ' '.join('%.1f' % x for x in r[(a, w, c)])) for c in cs))
PY
tail -1 $W/progress.txt
