#!/bin/bash
# s13 call 4: the results set's core part on the jar that bundles the half-width rows for ERNIE-4.5-0.3B at 1..64
# (call 3's rules: the ranges stay, Llama's rows go), after every GPU test on that same jar. SKIP_TABLE=1: the table's
# GEMMs did not change; SKIP_TESTS=1 (the re-run, call 5): no GPU tests (call 4 ran them on the same jar) (the n32 kernels' per-GEMM timings against the plain kernels are call 2's kernel_check n32).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s13/c4; J=/tmp/c4; mkdir -p $J/x && tar -xJf $C/jar.tar.xz -C $J/x && python3 scripts/gpu/rejar.py $J/x/n32 $J/bench.jar
for f in junit.jar launch_cost; do xz -dkc $C/$f.xz > $J/$f; done; chmod +x $J/launch_cost; cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/c4out; mkdir -p $W; s=$(date +%s)
(uptime; nproc; ps -eo pcpu,comm --sort=-pcpu | head -8; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
el() { echo $(( $(date +%s)-s )); }
[ "${SKIP_TESTS:-0}" = 1 ] || JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 120 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
JAR=$J/bench.jar SKIP_TABLE=1 LAUNCH_COST_BIN=$J/launch_cost PK_TRACE_LIB=/tmp/tr/libpktrace.so timeout $(( 580 - $(el) )) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; echo "core rc=$? $(el) s"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar czf $OUT/c4.tgz c4out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" $W/core.log | head -8; grep -E "gate B vs A exit|gate planted exit|FAILED" $W/core.log $W/log-core.txt | head
