#!/bin/bash
# s19 call 2, two jars: v33 = b64a928 (HEAD's forward before v51), v34 = c56ca40 (v51: the TMA tiles' rope epilogue with
# each row's position and slot staged in shared memory before the PDL wait and a thread's cos / sin and bias loads issued
# four items at a time before their stores; same arithmetic). Carry .gpu/jre-s.tar.xz and .gpu/s19/c2 (jars.tar.xz = v33,
# v34 and the JUnit console unpacked; the tests jar of v34; libcupti / libpktrace).
# Why: call 1's eq1 (qkv at 81..128 on the 64 x 64 TMA tile unsplit, rope_kv_write reading bf16) tied the bundled split-2
# qkv on 8x16 (618.3 vs 618.0 us): an unsplit qkv costs nothing there, so rope_kv_write's link (2.56 us per layer in set
# 131019's timeline, 46 us of 8x16's 618) is what a rope epilogue could save. v29 (s9) fused it and lost (+2 %): its
# epilogue walked 4-8 items per thread after the mainloop, each a dependent chain position -> cos / sin behind the previous
# item's stores.
# 1. The GPU test of the TMA rope forms on v34 (fused == the same tile unfused + rope_kv_write, bit for bit, eager and graph,
#    ERNIE and tiny-bias with its qkv bias, at 128 and 512).
# 2. Three alternating runs, graph GPU p50, ERNIE 8x16 / 1x96 / 1x80+31d@2048 (bucket 128), long / 4x80 (512):
#    v33 base, v33 eq1, v33 etr (v29's epilogue), v34 base, v34 etr, v34 etr5 (also 512 on 128 x 64 s9 _rope).
#    Predictions: v33 etr +1..+2 % on 8x16 (as v29); v34 etr -3..-5 % on 8x16 and 1x96, -2..-4 % on the mixed step
#    (rope's link gone, the epilogue ~+0.7 us); etr5 at 512 +-1 % (v29: the fused 128 x 64 tile lost ~4 % to cuBLASLt +
#    rope, most of it the epilogue). v34 base == v33 base (no bundled row reaches the _rope tiles).
#    Rule: etr is bundled if v34 etr's 8x16 drops >= 1 % against v34 base and no workload rises > 0.5 %; etr5's 512 rows
#    likewise on long and 4x80.
# 3. memcheck and synccheck of the engine with etr5 (128 and 512); 4. the in-graph timeline of 8x16 with etr on v34.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s19/c2; J=/tmp/s19c2; rm -rf $J /tmp/s19c2out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v33 v34 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
S=$(pwd)/results/h200-ab-20261130/s19
W=/tmp/s19c2out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
# 1. GPU test
JAR=$J/v34.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $J/junit.jar \
  --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest --include-methodname '.*tmaRope.*' > $W/gpu-test-tmarope.log 2>&1
prog "gpu test rc=$?"; rm -rf $W/junit-gpu
# 2. A/B
run() { timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J/$1.jar prefill --model ernie-4.5-0.3b --max-num-seqs 32 --max-model-len 4096 --sizes 128,512 --prompts long --batch 8x16,1x96,4x80 --mix 1x80+31d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $2) --json $W/res/ernie-$1_$2-$3-$stamp.json > $W/ernie-$1_$2-$3.txt 2>&1 || echo "ernie $1 $2 $3 failed"; }
(cd $(mktemp -d) && for rep in 1 2 3; do
  run v33 base $rep; run v33 eq1 $rep; run v33 etr $rep; run v34 base $rep; run v34 etr $rep; run v34 etr5 $rep
  prog "ab rep $rep"; done)
# 3. sanitizers on the engine
for t in memcheck synccheck; do (cd $(mktemp -d) && timeout $(left 100) compute-sanitizer --tool $t --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/v34.jar prefill --model ernie-4.5-0.3b --max-num-seqs 16 --sizes 128,512 --prompts short --batch 8x16,1x300 $(ch etr5) --warmup 1 --iterations 2 --no-progress > $W/$t-engine-etr5.txt 2>&1; prog "$t rc=$?"); done
# 4. timeline
m=ernie-4.5-0.3b
(cd $(mktemp -d) && LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$m.csv \
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J/v34.jar prefill --model $m --max-num-seqs 16 --sizes 128 --prompts short --batch 8x16 --warmup 10 --iterations 60 --no-eager --no-progress $(ch etr) > $W/timeline-run-$m.txt 2>&1; prog "traced $m rc=$?")
java -jar $J/v34.jar plan --model $m --max-num-seqs 16 --sizes 128 $(ch etr) --dump-ops /tmp/pkops-$m.txt > /dev/null 2>&1
python3 kernels/check/graph_timeline.py /tmp/pktrace-$m.csv --ops /tmp/pkops-$m.txt --nodes $W/timeline-nodes-$m.csv > $W/timeline-$m-etr.txt 2>&1 || echo "timeline $m failed"
gzip -9f $W/timeline-nodes-$m.csv
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s19c2out)
grep -E "tests (successful|failed)|✘" $W/gpu-test-tmarope.log | head -6
grep -h 'ERROR SUMMARY' $W/*check-engine-*.txt
sed -n '/op of a layer/,/^$/p' $W/timeline-$m-etr.txt | head -14; grep -E '^\| \*\*all' $W/timeline-$m-etr.txt
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s19c2out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
for (a, w) in sorted({k[:2] for k in r}):
    cs = sorted({k[2] for k in r if k[:2] == (a, w)})
    print('%-6s %-22s ' % (a, w) + '  '.join('%s %.1f' % (c, statistics.median(r[(a, w, c)])) for c in cs))
    for base in ('v33_base', 'v34_base'):
        b = statistics.median(r[(a, w, base)])
        print('   vs %s: ' % base + '  '.join('%s %+.1f%%' % (c, 100 * (statistics.median(r[(a, w, c)]) / b - 1)) for c in cs if c[:3] == base[:3] and c != base))
PY
tail -1 $W/progress.txt
