#!/bin/bash
# s17 call 4, one jar: v22 = c0c3762 (the session's bundled rows and add_rmsnorm_256: tiny unsplit, fused and on the early
# wg attention at 16; Llama-3.2-1B fused at 16, half-width at 32, 256-thread norms at 16..256; ERNIE-4.5-0.3B's lowering
# unchanged since 39c6c74). Carry .gpu/jre-s.tar.xz and .gpu/s17/c4 (jars.tar.xz = v22 and the JUnit console unpacked; the
# tests jar of c0c3762; launch_cost.xz built from c0c3762's kernels/check/launch_cost.cu; the s15 trace libraries).
# 1. Every GPU test on v22 (the tiny attention row is new since call 3's tests).
# 2. If they all pass: the results set's core (scripts/gpu-results.sh core: main job, ERNIE runs A / B, --no-pdl, the
#    planted slowdown and both gates, Llama-3.2-1B, tiny, launch cost Java and C++, JMH, the in-graph timeline, PyTorch
#    in the same lease; SKIP_TABLE=1: no GEMM kernel changed since the committed table). The study part (sweep, serving
#    study, report) is not remade: ERNIE's forward is the one that made it (results set 121933).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s17/c4; J=/tmp/s17c4; rm -rf $J /tmp/s17c4out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v22 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/; xz -dkc $C/launch_cost.xz > $J/launch_cost; chmod +x $J/launch_cost
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s17c4out; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nproc; ps -eo pcpu,comm --sort=-pcpu | head -8; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J/v22.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
if grep -q ' 0 tests failed' $W/gpu-tests.log; then
  JAR=$J/v22.jar SKIP_TABLE=1 LAUNCH_COST_BIN=$J/launch_cost PK_TRACE_LIB=/tmp/tr/libpktrace.so timeout $(left 400) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
else prog "core skipped (tests)"; fi
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s17c4out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" $W/core.log 2>/dev/null | head -12; grep -E "gate B vs A exit|gate planted exit" $W/core.log 2>/dev/null
tail -3 $W/progress.txt
