#!/bin/bash
# s19 call 4, two jars: v34 = c56ca40 (the bundled rows before), v35 = 364fd9c (a graph per batch kind: decode rows at
# 1..16; ERNIE's prompts and mixed steps on the early wg form, its uniform decode steps on the wg form in a second graph;
# Llama-3.2-1B's uniform decode steps on the early wg form in a second graph, its prompts on kh). Carry
# .gpu/jre-s.tar.xz and .gpu/s19/c4 (jars.tar.xz = v34, v35 and the JUnit console unpacked; the tests jar of v35).
# 1. Every GPU test on v35 (new: MixedStepGraphEqualsEagerGpuTest.theDecodeGraphGivesThePlainPlansBits, ERNIE and Llama;
#    randomMixes now replays ERNIE's decode graph at 16 for its decode-only steps).
# 2. Three alternating runs, graph GPU p50, v34 vs v35 (bundled each): ERNIE and Llama at 16: short, 2x8, 1x8+8d@512,
#    8d@2048, 16d@2048; ERNIE 4x16 (64) and 8x16 (128) unchanged.
#    Predictions (call 3): ERNIE short -3 %, 2x8 -2.4 %, 1x8+8d@512 -5 %, decode steps +-0.5 % (their graph runs the old
#    plan), 64 / 128 +-0.5 %; Llama 16d@2048 -20 %, 8d@2048 -6 %, prompts and the mixed step +-0.5 % (kh as before).
#    Rule: kept if ERNIE's short gains >= 1.5 %, Llama's 16d@2048 >= 10 %, and no workload rises > 0.5 %.
# 3. memcheck of the engine replaying both of ERNIE's graphs at 16 (short and 8d@2048).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s19/c4; J=/tmp/s19c4; rm -rf $J /tmp/s19c4out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v34 v35 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s19c4out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
JAR=$J/v35.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd $(mktemp -d) && for rep in 1 2 3; do for v in v34 v35; do
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,64,128 --prompts short --batch 2x8,4x16,8x16 --mix 1x8+8d@512,8d@2048,16d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/ernie-$v-$rep-$stamp.json > $W/ernie-$v-$rep.txt 2>&1 || echo "ernie $v $rep failed"
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,8d@2048,16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress --json $W/res/llama-$v-$rep-$stamp.json > $W/llama-$v-$rep.txt 2>&1 || echo "llama $v $rep failed"
done; prog "ab rep $rep"; done)
(cd $(mktemp -d) && timeout $(left 120) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/v35.jar prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --mix 8d@2048 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-decode-graph.txt 2>&1; prog "memcheck rc=$?")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s19c4out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
grep -h 'ERROR SUMMARY' $W/memcheck-*.txt
grep -E "decode|captured" $W/ernie-v35-1.txt | head -6
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list); dg = {}
for f in sorted(glob.glob('/tmp/s19c4out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        key = (k[0], '%s@%d' % (w['name'], w['paddedSize']))
        if g: r[key + (k[1],)].append(g['gpuNs']['p50'] / 1e3)
        if k[1] == 'v35': dg[key] = w.get('decodeGraph')
for (a, w) in sorted({k[:2] for k in r}):
    b = statistics.median(r[(a, w, 'v34')]); n = statistics.median(r[(a, w, 'v35')])
    print('%-6s %-20s v34 %.1f  v35 %.1f (%+.1f%%)  decodeGraph=%s  [%s | %s]' % (a, w, b, n, 100 * (n / b - 1), dg.get((a, w)),
          ' '.join('%.1f' % x for x in r[(a, w, 'v34')]), ' '.join('%.1f' % x for x in r[(a, w, 'v35')])))
PY
tail -1 $W/progress.txt
