#!/bin/bash
# s20 call 9, one jar: v37 = 4927407. Carry .gpu/jre.tar.xz and cli/target/bench.jar.
# Why: the t32 form gained ERNIE-4.5-0.3B 1.7-2.7 % at 32 / 64 (call 6); Llama-3.2-1B (32 q / 8 kv heads, group 4) runs
# the early wg form at 17..512, where its 30-60-token prompts are 2-4 tiles of 64 rows per kv head.
# Candidate (choices-l64.json, written before the run): t32 for Llama's head layout at 17..64.
# Three alternating runs, graph GPU p50: Llama 4x8 (32), 30-token prompt (32), 4x16 (64), 60-token prompt (64),
# 1x8 + 24 decodes over 1024 (32).
# Prediction: -1..-2 % on the prompts and batches (ERNIE's gain at these sizes), the mixed step +-0.5 %.
# Rule: bundled if one workload drops >= 1 % and none rises > 0.5 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
S=$(pwd)/results/h200-ab-20261130/s20
W=/tmp/s20c9out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 300 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base l64; do
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 32 --max-model-len 4096 --sizes 32,64 --prompt-lens 30,60 --batch 4x8,4x16 --mix 1x8+24d@1024 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"
done; echo "rep $rep $(( $(date +%s)-s )) s"; done)
(cd /tmp && tar cJf $OUT/res.tar.xz s20c9out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s20c9out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[("%s@%d" % (w["name"], w["paddedSize"]), k[1])].append(g["gpuNs"]["p50"] / 1e3)  # llama-TAG-REP-... (the summary was recomputed here after the call: k[3] named no tag)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'base')]); n = med(r[(w, 'l64')])
    print('%-22s base %7.1f  l64 %7.1f (%+.1f%%)  [%s | %s]' % (w, b, n, 100 * (n / b - 1), ' '.join('%.1f' % x for x in r[(w, 'base')]), ' '.join('%.1f' % x for x in r[(w, 'l64')])))
PY
