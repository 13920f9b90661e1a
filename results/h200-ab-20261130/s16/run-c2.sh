#!/bin/bash
# s16 call 2, jar v17 = fc49bab (as call 1). Carry .gpu/jre-s.tar.xz and .gpu/s16/c2 (jars.tar.xz = v17/ and the JUnit
# console unpacked, the tests jar, the trace libraries of s15 (libpktrace.so, libcupti.so.13.xz), launch_cost.xz built at
# the commit of this script from kernels/check/launch_cost.cu with -arch=sm_90).
# Call 1 found the hybrid attention form (v41) losing on long-prefix decodes at 16 as much as the early form, although its
# long-prefix tiles run the late form's code after the wait: so the loss is not those tiles' prefetch. Which op pays?
# (1) In-graph timelines (CUPTI) of 16d@2048 at 16: base, e16, lp16. Prediction: if attention still carries the loss in
#     lp16, its pre-wait metadata reads or the plan order (build_tile_map first, embed without PDL) are what is left;
#     if another op carries it, a phase effect of the chain.
# (2) The fixed cost of a forward, C++ (launch_cost's new section): copy nodes in / out as the engine issues them against
#     the metadata read through the pinned buffer's device mapping by the first kernel and the first tokens written
#     straight into pinned memory by the last, 26 and 167 PDL links. Prediction: the copy nodes cost 3-6 us per forward
#     (a DMA round trip each, and no PDL overlap at either end), the mapped form ~1-2 us.
# (3) The bit-for-bit GPU test of the three wg forms (the hybrid's engine check).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s16/c2; J=/tmp/s16c2; rm -rf $J /tmp/s16c2out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v17 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/; xz -dkc $C/launch_cost.xz > $J/launch_cost; chmod +x $J/launch_cost
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s16c2out; mkdir -p $W; s=$(date +%s); root=$PWD
R=$root/results/h200-ab-20261130/s16
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
MIX="--model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096"
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/v17.jar"
timeout $(left 60) $J/launch_cost 169 51 > $W/launch-cost.txt 2>&1; prog "launch_cost rc=$?"
(cd $(mktemp -d) && for v in base e16 lp16; do
  x=""; [ $v != base ] && x="--impl-choices $R/choices-$v.json"
  $BJ plan $MIX --sizes 16 $x --dump-ops $W/ops-$v.txt > /dev/null 2>&1
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout $(left 60) \
    $BJ prefill $MIX --sizes 16 --mix 16d@2048 $x --warmup 10 --iterations 40 --no-eager --no-profile --no-progress > $W/trace-run-$v.txt 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v-16d2048 > $W/timeline-$v.txt 2>&1
  rm -f $W/trace-$v.csv; gzip -9 $W/nodes-$v.csv $W/ops-$v.txt; prog "timeline $v"; done)
JAR=$J/v17.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $J/junit.jar \
  --select-method io.prefillbench.engine.MixedStepGraphEqualsEagerGpuTest#earlyAttentionFormEqualsTheWgFormBitForBit > $W/gpu-tests.log 2>&1
prog "gpu-test rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && tar czf $OUT/s16c2.tgz s16c2out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
sed -n '/fixed cost | graph/,$p' $W/launch-cost.txt
for f in $W/timeline-*.txt; do echo "== $(basename $f)"; grep -E "median span" $f; sed -n '/op of a layer/,$p' $f | head -12; done
