#!/bin/bash
# s24 call 6, one jar: d8f3b29 (main's code: v61 argmax, the SiLU row at 1..16 for ERNIE, v62b's option kernel, v63 embed;
# calls 1, 2, 4 and 5 validated each: GPU tests 79/79 on v61 and on v63, kernel_check act / small / tilemap, sanitizers,
# the engine under memcheck). The results set's core (scripts/gpu-results.sh core; SKIP_TABLE=1: no GEMM kernel changed
# since the committed table's, and its harness links cuBLAS, which these calls do not build), then run A gated against
# run B (CI's direction); the set is kept only if both gate directions pass.
# Carry .gpu/jre.tar.xz, .gpu/kc/launch_cost.xz, .gpu/trace, .gpu/s24/v63.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s24/v63.jar
W=/tmp/s24c6out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
xz -dc .gpu/kc/launch_cost.xz > /tmp/launch_cost && chmod +x /tmp/launch_cost
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=/tmp/launch_cost PK_TRACE_LIB=$(pwd)/.gpu/trace/libpktrace.so timeout $(left 500) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s24c6out)
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate planted exit"
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
