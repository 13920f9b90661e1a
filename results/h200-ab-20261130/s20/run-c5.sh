#!/bin/bash
# s20 call 5, two jars: base = de9fbff (cli/target/bench.jar), p32 = de9fbff with attention tiles of 32 rows instead of 64
# (p32-probe.diff: PREFILL_ATTN_ROWS_PER_TILE and the Java constant; a probe, never committed). Carry .gpu (jre.tar.xz,
# p32.jar) and cli/target/bench.jar.
# Why: call 4 put ERNIE-4.5-0.3B's graph at 16 ~18 us cheaper for prompts of 2-4 tokens (16-32 rows: one split-path
# tile) than for 7-8 (56-64 rows: one full-path tile), ~1 us per layer, while each further token costs 1-3 us. With
# 32-row tiles every tile runs the split path (mma.sync, warps over key chunks, no wgmma, no two-half combine);
# ERNIE's short prompt becomes three split tiles (32 + 32 + 16 rows) instead of a full one and a split one.
# Three alternating runs, graph GPU p50 at size 16: ERNIE short, 2x8, 4- and 7-token prompts, 1x8+8d@512 (plain graph),
# 8d@2048 and 16d@2048 (decode graph: decode tiles are <= 8 rows, already split path: unchanged but for the tile
# count); Llama short, 2x8, 1x8+8d@512, 16d@2048; tiny short, 2x8.
# Prediction: ERNIE short -2..-3 % (attention ~1 us per layer cheaper), 2x8 -1..-2 %, 7 tokens -> near 4 tokens' time;
# decode steps within 0.5 %; Llama (kh, 40 rows -> 32 + 8) -1..+1 %; tiny (20 rows: already split) unchanged.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s20c5out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
JB=$(pwd)/cli/target/bench.jar; JP=$(pwd)/.gpu/p32.jar
jar() { [ $1 = base ] && echo $JB || echo $JP; }
P="--max-num-seqs 32 --max-model-len 4096 --sizes 16 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress"
(cd $(mktemp -d) && for rep in 1 2 3; do for j in base p32; do
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $(jar $j) prefill --model ernie-4.5-0.3b $P --prompts short --prompt-lens 4,7 --batch 2x8 --mix 1x8+8d@512,8d@2048,16d@2048 --json $W/res/ernie-$j-$rep-$stamp.json > $W/ernie-$j-$rep.txt 2>&1 || echo "ernie $j $rep failed"
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $(jar $j) prefill --model llama-3.2-1b $P --prompts short --batch 2x8 --mix 1x8+8d@512,16d@2048 --json $W/res/llama-$j-$rep-$stamp.json > $W/llama-$j-$rep.txt 2>&1 || echo "llama $j $rep failed"
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $(jar $j) prefill --model tiny $P --prompts short --batch 2x8 --json $W/res/tiny-$j-$rep-$stamp.json > $W/tiny-$j-$rep.txt 2>&1 || echo "tiny $j $rep failed"
done; prog "rep $rep"; done)
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s20c5out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s20c5out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for (a, w) in sorted({k[:2] for k in r}):
    b = med(r[(a, w, 'base')]); n = med(r[(a, w, 'p32')])
    print('%-6s %-20s base %7.1f  p32 %7.1f (%+.1f%%)  [%s | %s]' % (a, w, b, n, 100 * (n / b - 1), ' '.join('%.1f' % x for x in r[(a, w, 'base')]), ' '.join('%.1f' % x for x in r[(a, w, 'p32')])))
PY
grep -h -i 'mismatch\|differ\|error' $W/*.txt | sort | uniq -c | head
tail -1 $W/progress.txt
