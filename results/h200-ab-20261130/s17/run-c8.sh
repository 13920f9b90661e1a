#!/bin/bash
# s17 call 8, one jar: v25 = 3669b91 (the bundled rows; the tests jar adds TmaGemmGpuTest's Llama case). Carry
# .gpu/jre-s.tar.xz and .gpu/s17/c8 (jars.tar.xz = v25 and the JUnit console unpacked; the tests jar of 3669b91).
# Llama-3.2-1B at 81..128 on ERNIE's TMA tiles instead of cuBLASLt (ERNIE's 8x16 gained 4 % from them, v25.2):
#   base / lt3 (qkv, o, down on gemm_bf16_tma_64x64s8, split 2 / 4 / 4 into their consumers; gate_up cuBLASLt + silu_mul)
#   / lt4 (lt3 + gate_up on gemm_bf16_tma_128x64s8 with SiLU fused: 256 blocks, two waves)
#   on 8x16@128, 1x100@128, 1x80+31d@2048@128; three alternating runs, graph GPU p50.
# Prediction: lt3 -2..-4 % (no library call breaks the PDL chain; o / down fold their splits into the norm), lt4 unsure
# (two waves of the fused tile; at 512 Llama's fused gate_up lost). Rule (written before this run): bundled if no
# workload rises > 0.5 % and one drops >= 1 %. Then the new GPU test (graph == eager on those rows at 96 and 128).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s17/c8; J=/tmp/s17c8; rm -rf $J /tmp/s17c8out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v25 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
S=$(pwd)/results/h200-ab-20261130/s17
W=/tmp/s17c8out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 230 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v25.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base lt3 lt4; do
  timeout $(left 30) $B prefill --model llama-3.2-1b --max-num-seqs 64 --max-model-len 4096 --sizes 128 --prompt-lens 100 --batch 8x16 --mix 1x80+31d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"
done; prog "ab rep $rep"; done)
JAR=$J/v25.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 80) bash scripts/gpu-tests.sh $J/junit.jar --select-method io.prefillbench.engine.TmaGemmGpuTest#llamaShapesOnTheTmaTilesGraphEqualsEager > $W/gpu-test-llama-tma.log 2>&1
prog "gpu test rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && tar cJf $OUT/res.tar.xz s17c8out)
grep -E "tests (successful|failed)|✘" $W/gpu-test-llama-tma.log | head -4
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s17c8out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
for (a, w) in sorted({k[:2] for k in r}):
    cs = sorted({k[2] for k in r if k[:2] == (a, w)})
    print('%-6s %-22s gpu ' % (a, w) + '  '.join('%s %.1f [%s]' % (c, statistics.median(r[(a, w, c)]), ' '.join('%.1f' % x for x in r[(a, w, c)])) for c in cs))
PY
tail -1 $W/progress.txt
