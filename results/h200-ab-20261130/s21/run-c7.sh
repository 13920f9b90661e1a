#!/bin/bash
# s21 call 7, one jar: e5e1a2c (main). Carry .gpu/jre.tar.xz and cli/target/bench.jar.
# Probe (choices only, written by mkcand4.py before the run): Llama-3.2-1B at 16 with rope_kv_write separate again
# (its rope_into_qkv row dropped) now that its prompts run the t32 attention (v54). s20 measured rope separate at +0.8 %
# with the kh form (lr) and -0.2 % with the early 64-row form (lre; -4.5 % on 1x8+8d@512).
# Three alternating runs, graph GPU p50: short, 2x8, 1x8+8d@512, 16d@2048. Prediction: -1..+1 % on short, 1x8+8d@512
# -1..-4 %. Rule: bundled if short drops >= 1 % and nothing rises > 0.5 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
S=$(pwd)/results/h200-ab-20261130/s21
W=/tmp/s21c7out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 200 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base lrt; do
  timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"
done; echo "rep $rep $(( $(date +%s)-s )) s"; done)
(cd /tmp && tar cJf $OUT/res.tar.xz s21c7out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s21c7out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'base')]); n = med(r[(w, 'lrt')])
    print('%-22s base %7.1f  lrt %7.1f (%+.1f%%)  [%s | %s]' % (w, b, n, 100 * (n / b - 1), ' '.join('%.1f' % x for x in r[(w, 'base')]), ' '.join('%.1f' % x for x in r[(w, 'lrt')])))
PY
