#!/bin/bash
# s16 call 3, two jars: v17 = fc49bab (the bundled forward with its two copy nodes), v18 = b174320 (no copy nodes:
# build_tile_map, first in every plan with embed after it without PDL, copies the batch metadata in from pinned host
# memory, argmax writes the first tokens into pinned memory). Carry .gpu/jre-s.tar.xz and .gpu/s16/c3 (jars.tar.xz = v17/,
# v18/ and the JUnit console unpacked; the tests jar of b174320).
# Prediction (call 2's launch_cost table: copy nodes 37.5 vs mapped 23.0 us host per forward at 26 links, 95.8 vs 84.5
# at 167): graph time -11..-15 us per forward at every size: short -2..-3 %, 8x16 -2 %, long / 4x80 -1..-1.5 %, tiny host
# 76 -> ~62 us (-18 %), Llama short -1 %; eager a little faster too (two API calls fewer).
# Rule (written before this run): v18 stays if graph GPU p50 of every workload is at or below v17 + 0.5 % (median of three
# alternating runs) and tiny's graph host p50 drops >= 10 %; otherwise the change is reverted. Its checks in the same call:
# every GPU test on v18, the engine under memcheck.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s16/c3; J=/tmp/s16c3; rm -rf $J /tmp/s16c3out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v17 v18 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s16c3out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
run() {  # jar
  local v=$1 B="java --enable-native-access=ALL-UNNAMED -jar $J/$1.jar"
  timeout $(left 40) $B prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 20 --iterations 200 --no-profile --no-progress --json $W/res/ernie-$v-$rep-$stamp.json > $W/ernie-$v-$rep.txt 2>&1 || echo "ernie $v $rep failed"
  timeout $(left 30) $B prefill --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 --no-profile --no-progress --json $W/res/tiny-$v-$rep-$stamp.json > $W/tiny-$v-$rep.txt 2>&1 || echo "tiny $v $rep failed"
  timeout $(left 30) $B prefill --model llama-3.2-1b --sizes 16 --prompts short --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/llama-$v-$rep-$stamp.json > $W/llama-$v-$rep.txt 2>&1 || echo "llama $v $rep failed"
  timeout $(left 40) $B prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --sizes 16,64 --mix 16d@2048,64d@1024,1x8+8d@512 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"
}
(cd $(mktemp -d) && for rep in 1 2 3; do run v17; run v18; prog "rep $rep"; done)
JAR=$J/v18.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 90) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/v18.jar prefill --sizes 16,64 --prompts short --batch 4x16 --mix 1x20+15d@300 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; prog "engine memcheck rc=$?")
(cd /tmp && tar czf $OUT/s16c3.tgz s16c3out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s16c3out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        for mode in ('graph', 'eager'):
            if w.get(mode):
                for t in ('gpu', 'host'):
                    r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), mode, t, k[1])].append(w[mode][t + 'Ns']['p50'] / 1e3)
rows = sorted({k[:4] for k in r})
print('%-6s %-22s %-5s %-4s %9s %9s %7s' % ('', 'workload', 'mode', '', 'v17 us', 'v18 us', 'change'))
for a, w, m, t in rows:
    x, y = statistics.median(r[(a, w, m, t, 'v17')] or [float('nan')]), statistics.median(r[(a, w, m, t, 'v18')] or [float('nan')])
    print('%-6s %-22s %-5s %-4s %9.1f %9.1f %+6.1f%%' % (a, w, m, t, x, y, 100 * (y / x - 1)))
PY
