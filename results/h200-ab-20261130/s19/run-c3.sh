#!/bin/bash
# s19 call 3, one jar: v34 = c56ca40 (HEAD's forward; v51 touches only the TMA _rope tiles, which no bundled row reaches).
# Carry .gpu/jre-s.tar.xz and .gpu/s19/c2 (call 2's jars).
# Why: the early wg attention form at 1..16 is model- and batch-dependent (s15-s17): ERNIE's prompts gain with it (short
# -2..-2.5 %, 1x8+8d@512 -5 %) and its uniform decode steps lose (16d@2048 +8..+10 %); Llama-3.2-1B the other way round
# (prompts +1.7 %, 16d@2048 -21 %, 8d@512 -5 %). A graph per batch kind (uniform-decode batches, every sequence one new
# token, replaying a decode graph of their size, as vLLM's FULL_AND_PIECEWISE mode keeps) could take both halves. Before
# building it: do the halves still hold on today's forward (v42's tile map, v45's norms, v49)?
# Candidates (choices-*.json here, written before the run), three alternating runs, graph GPU p50, bucket 16:
#   ae16  ERNIE's attention at 1..16 on attention_prefill_wg_early (bundled: attention_prefill_wg)
#   le16  Llama's attention at 1..16 on attention_prefill_wg_early (bundled: its rule's attention_prefill_kh)
# Workloads: short, 2x8, 1x8+8d@512 (mixed), 8d@2048 and 16d@2048 (uniform decode).
# Predictions: ae16 short -2 %, 2x8 -2 %, mixed -4 %, decodes +8..+10 %; le16 short +1.5 %, 2x8 +1 %, mixed -3 %,
# 16d@2048 -20 %, 8d@2048 -10 %.
# Rule: the graph per batch kind is built if ae16 gains >= 1.5 % on ERNIE's short and le16 >= 10 % on Llama's 16d@2048
# (the halves a decode graph would take), whatever the other halves do.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s19/c2; J=/tmp/s19c3; rm -rf $J /tmp/s19c3out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x v34
for v in v34; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
S=$(pwd)/results/h200-ab-20261130/s19
W=/tmp/s19c3out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v34.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base ae16; do timeout $(left 40) $B prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,8d@2048,16d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"; done
  for f in base le16; do timeout $(left 40) $B prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,8d@2048,16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"; done
  prog "ab rep $rep"; done)
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s19c3out)
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s19c3out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
for (a, w) in sorted({k[:2] for k in r}):
    cs = sorted({k[2] for k in r if k[:2] == (a, w)}, key=lambda c: (c != 'base', c))
    b = statistics.median(r[(a, w, 'base')])
    print('%-6s %-20s ' % (a, w) + '  '.join('%s %.1f%s' % (c, statistics.median(r[(a, w, c)]), '' if c == 'base' else ' (%+.1f%%)' % (100 * (statistics.median(r[(a, w, c)]) / b - 1))) for c in cs)
          + '   [' + ' '.join('%.1f' % x for c in cs for x in r[(a, w, c)]) + ']')
PY
tail -1 $W/progress.txt
