#!/bin/bash
# Session 11, call 7 (jar deadd0a: the bundled file of 8da1625 — attention_prefill_wg at one block per SM for ERNIE's
# attention shape, gate_up + SiLU on the 128 x 64 TMA tile at 65..128): every GPU test, then the results set —
# gpu-results.sh core (SKIP_TABLE=1: no GEMM kernel changed since the committed table; PK_TRACE_LIB: the in-graph
# timeline) and study; each part tarred as it ends.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=/tmp/s11j7; mkdir -p $J && for f in bench.jar junit.jar launch_cost; do xz -dkc .gpu/s11/j7/$f.xz > $J/$f; done; chmod +x $J/launch_cost
cp .gpu/s11/j7/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp .gpu/s11/tr/libpktrace.so /tmp/tr/ && xz -dkc .gpu/s11/tr/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s11c7; mkdir -p $W/res; s=$(date +%s)
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 120 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $W/junit-gpu
JAR=$J/bench.jar SKIP_TABLE=1 LAUNCH_COST_BIN=$J/launch_cost PK_TRACE_LIB=/tmp/tr/libpktrace.so timeout 270 bash scripts/gpu-results.sh $W/res core > $W/core.log 2> $W/log-core.txt; echo "core rc=$? $(( $(date +%s)-s )) s"
(cd /tmp && tar czf $OUT/s11c7-core.tgz s11c7)
left=$(( 585 - ($(date +%s)-s) ))
JAR=$J/bench.jar timeout $left bash scripts/gpu-results.sh $W/res study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(( $(date +%s)-s )) s"
(cd /tmp && tar czf $OUT/s11c7-all.tgz s11c7 && rm -f $OUT/s11c7-core.tgz)
grep -E "tests (successful|failed)" $W/gpu-tests.log
grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" $W/core.log | head -8
grep -E "gate B vs A exit|gate planted exit|FAILED" $W/core.log $W/log-core.txt | head
tail -3 $W/study.log
