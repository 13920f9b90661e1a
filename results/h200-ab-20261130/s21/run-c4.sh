#!/bin/bash
# s21 call 4, one jar: af64fba (branch s21-rope). Carry .gpu (jre; t/: tests jar of af64fba + JUnit console; kc2/:
# kernel_check of af64fba's kernels; trace/; ops/) and cli/target/bench.jar.
# Call 3 (f7d68c6): the fused form cost ERNIE's chain at 16 8.8 us per layer against rope 2.6 + attention 3.1 (short
# +13.8 %). Reading: pk_sum_partial4's runtime loop inside each prologue item made the thread wait for that item's loads
# before issuing the next item's (in-order issue): about one L2 round trip per item, three per thread. af64fba loads every
# item's planes first (226 registers, no spill). Prediction: the fused link at 16 ~4.5-5 us per layer (one round trip for
# rope's input, one for nothing else): short -1..-4 % against the bundled rows; kernel alone (call 2/3: fused 10.1 vs pair
# 9.0 us) ~8 us.
# 1. kernel_check attention_rope (bits vs the pair, timings), memcheck / racecheck / synccheck; the fused kernel's SASS;
#    ncu (warp states) of the fused kernel and of t32 on the short prompt.
# 2. A/B, three alternating runs, graph GPU p50: ERNIE at 16, bundled vs ra16: short, 2x8, 1x8+8d@512, 16d@2048; tiny at
#    16, bundled vs rat16: short, 2x8. Rules as call 3 (ra16: short >= 2 % faster, nothing at 16 > +0.5 %; rat16: short
#    >= 2 %, 2x8 <= +0.5 %).
# 3. GPU tests RopeIntoAttentionGpuTest and AttentionWgGpuTest; the engine under memcheck with ra16; the timeline of ra16.
cd "$(dirname "$0")/../../.."
set -u
R=$(pwd)
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$R/cli/target/bench.jar
S=$R/results/h200-ab-20261130/s21
W=/tmp/s21c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 500 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
for b in kernel_check kernel_check_nt; do xz -dc .gpu/kc2/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
(cd /tmp && timeout $(left 40) /tmp/kernel_check attention_rope > $W/kernel-check-attention-rope.txt 2>&1; prog "kernel_check attention_rope rc=$?")
(cd /tmp && timeout $(left 30) compute-sanitizer --tool memcheck /tmp/kernel_check_nt attention_rope > $W/memcheck-attention-rope.txt 2>&1; prog "memcheck rc=$?")
(cd /tmp && timeout $(left 60) compute-sanitizer --tool racecheck /tmp/kernel_check_nt attention_rope > $W/racecheck-attention-rope.txt 2>&1; prog "racecheck rc=$?")
(cd /tmp && timeout $(left 30) compute-sanitizer --tool synccheck /tmp/kernel_check_nt attention_rope > $W/synccheck-attention-rope.txt 2>&1; prog "synccheck rc=$?")
cuobjdump -sass -fun attention_prefill_wg_early_t32_rope /tmp/kernel_check > $W/sass-t32-rope.txt 2>&1; gzip -9 $W/sass-t32-rope.txt
(cd /tmp && timeout $(left 60) ncu --kernel-name attention_prefill_wg_early_t32_rope --launch-skip 4 --launch-count 1 --section SpeedOfLight --section WarpStateStats --section LaunchStats --section SchedulerStats /tmp/kernel_check_nt attention_rope > $W/ncu-t32-rope-short.txt 2>&1; prog "ncu rope rc=$?")
(cd /tmp && timeout $(left 60) ncu --kernel-name attention_prefill_wg_early_t32 --launch-skip 2 --launch-count 1 --section SpeedOfLight --section WarpStateStats --section LaunchStats --section SchedulerStats /tmp/kernel_check_nt attention_rope > $W/ncu-t32-short.txt 2>&1; prog "ncu t32 rc=$?")
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base ra16; do
    timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"
  done
  for f in base rat16; do
    timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --warmup 50 --iterations 300 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/tiny-$f-$rep-$stamp.json > $W/tiny-$f-$rep.txt 2>&1 || echo "tiny $f $rep failed"
  done
  prog "ab rep $rep"; done)
JAR=$J TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh .gpu/t/junit.jar --select-class io.prefillbench.engine.RopeIntoAttentionGpuTest --select-class io.prefillbench.engine.AttentionWgGpuTest > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 50) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512 --warmup 1 --iterations 2 --no-progress --impl-choices $S/choices-ra16.json > $W/memcheck-engine-ernie-ra16.txt 2>&1; prog "engine memcheck rc=$?")
for f in ra16; do
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$f.csv timeout $(left 50) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-profile --no-progress $(ch $f) > $W/timeline-run-$f.txt 2>&1) || echo "trace $f failed"
  python3 kernels/check/graph_timeline.py /tmp/pktrace-$f.csv --ops .gpu/ops/ernie-$f.txt --nodes $W/timeline-nodes-$f.csv > $W/timeline-$f.txt 2>&1 || echo "timeline $f failed"
  gzip -9f $W/timeline-nodes-$f.csv
done
prog "timeline"
(cd /tmp && tar cJf $OUT/res.tar.xz s21c4out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s21c4out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s %s@%d' % (k[0], w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'base')])
    print('%-26s base %7.1f' % (w, b) + ''.join('  %s %7.1f (%+.1f%%)' % (c, med(r[(w, c)]), 100 * (med(r[(w, c)]) / b - 1)) for c in ('ra16', 'rat16') if r[(w, c)]))
PY
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
grep -E "ALL PASSED|checks failed|perf" $W/kernel-check-attention-rope.txt | grep -v '^attention rope.*OK  ' | tail -8 | cut -c1-150
for f in $W/memcheck-*.txt $W/racecheck-*.txt $W/synccheck-*.txt; do echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $f | tail -1)"; done
for f in $W/ncu-*.txt; do echo "== $(basename $f)"; grep -E 'Duration|Registers Per|Elapsed Cycles|Warp Cycles Per Issued|Stall|Issued Warp|No Eligible|Active Warps Per' $f | head -12; done
grep -A11 'op of a layer' $W/timeline-ra16.txt | head -12; grep -i 'span' $W/timeline-ra16.txt | head -1
cat $W/progress.txt
