#!/bin/bash
# s25 call 9, one jar: abf9e01 (main: v65's rows for the plain graphs bundled — call 8 — on top of 743e618's v65 kernels,
# validated in call 7). First every GPU test on abf9e01 (the bundled plans changed: Llama's and ERNIE's qkv at 16 in the
# plain graphs now run gemm_bf16_stream_m16_n32_rope), then the results set's core (scripts/gpu-results.sh core;
# SKIP_TABLE=1: no kernel of the per-GEMM table changed and its harness links cuBLAS, which these calls do not build),
# then run A gated against run B (CI's direction); the set is kept only if the tests pass and both gate directions pass.
# Carry .gpu/jre.tar.xz, .gpu/s25/v66b.jar, .gpu/s25/tb, .gpu/kc/launch_cost.xz, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s25/v66b.jar
W=/tmp/s25c9out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J TESTS=.gpu/s25/tb/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 170) bash scripts/gpu-tests.sh .gpu/s25/tb/junit.jar > $W/gpu-tests-abf9e01.log 2>&1
prog "gpu-tests abf9e01 rc=$?"; rm -rf $W/junit-gpu
xz -dc .gpu/kc/launch_cost.xz > /tmp/launch_cost && chmod +x /tmp/launch_cost
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=/tmp/launch_cost PK_TRACE_LIB=$(pwd)/.gpu/trace/libpktrace.so timeout $(left 380) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s25c9out)
grep -E 'tests (successful|failed)' $W/gpu-tests-abf9e01.log | tr -s ' '
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate planted exit"
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
