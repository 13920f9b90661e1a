#!/bin/bash
# s15 call 4: the results set on v16 = 50c75c7 (the merged v39.6 attention at 17..512 and v40's SiLU rows at 17..64; call 3
# ran every GPU test on this jar): scripts/gpu-results.sh core (SKIP_TABLE=1: the GEMMs of the committed per-GEMM table
# did not change; PK_TRACE_LIB: the in-graph timeline; LAUNCH_COST_BIN: launch_cost.cu built here), then the study.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s15/c4; J=/tmp/s15c4; rm -rf $J /tmp/s15c4out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x && python3 scripts/gpu/rejar.py $J/x/v16 $J/bench.jar > /dev/null
xz -dkc $C/launch_cost.xz > $J/launch_cost; chmod +x $J/launch_cost
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s15c4out; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
(uptime; nproc; ps -eo pcpu,comm --sort=-pcpu | head -8; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J/bench.jar SKIP_TABLE=1 LAUNCH_COST_BIN=$J/launch_cost PK_TRACE_LIB=/tmp/tr/libpktrace.so timeout 330 bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; echo "core rc=$? $(el) s"
JAR=$J/bench.jar timeout $(( 570 - $(el) )) bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(el) s"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar czf $OUT/s15c4.tgz s15c4out)
grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" $W/core.log | head -8; grep -E "gate B vs A exit|gate planted exit|FAILED|p50" $W/core.log $W/log-core.txt | head -12
tail -5 $W/study.log
