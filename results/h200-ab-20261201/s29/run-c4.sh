#!/bin/bash
# s29 call 4, jar v82 (main 9bfc39a: prefill primes each workload for 300 ms by default, --prime-ms; the forward is set
# 022600's, jar 36aad2b). First every GPU test (the engine is s28 call 6's, 88/88, but for a rename), then the results
# set's core (SKIP_TABLE=1: no GEMM kernel changed) and run A gated against run B, then the study if the call has the time.
# Prediction: against 022600 every workload within the lease's spread (8x16 was already timed after long, in the primed
# state; short, long, 4x80, tiny and Llama do not feel the state, calls 2-3), host p50 of the first workload (short) a few
# us lower (the prime also warms the JIT).
# Carry .gpu/jre.tar.xz, .gpu/s29/v82.jar, .gpu/s29/t, .gpu/s26/launch_cost, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s29/v82.jar
W=/tmp/s29c4out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J TESTS=.gpu/s29/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 200 bash scripts/gpu-tests.sh .gpu/s29/t/junit.jar > $W/gpu-tests-9bfc39a.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/s26/launch_cost PK_TRACE_LIB=$R/.gpu/trace/libpktrace.so timeout $(left 330) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s29c4out)
if [ $(left 200) -ge 185 ]; then
  JAR=$J timeout $(left 200) bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; prog "study rc=$?"
  (cd /tmp && tar cJf $OUT/res.tar.xz s29c4out)
fi
grep -E 'tests (successful|failed)' $W/gpu-tests-9bfc39a.log | tr -s ' '
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate planted exit"
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
