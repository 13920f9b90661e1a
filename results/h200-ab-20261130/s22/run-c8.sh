#!/bin/bash
# s22 call 8, one jar: 24a4b17 (main: v56 + v57 — silu_mul's and rope_kv_write's first item's index math before the PDL
# wait; call 7 timed and validated it: every GPU test 79/79, kernel_check rope / act / small / spread / fused with every
# check's max_err and fails as v56's, the sanitizers and the engine under memcheck clean). Carry .gpu (jre; kc/launch_cost.xz;
# trace/libpktrace.so) and cli/target/bench.jar.
# The results set's core (scripts/gpu-results.sh core, SKIP_TABLE=1: no GEMM changed), then run A gated against run B
# (CI's direction); the set is kept only if both gate directions pass.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
W=/tmp/s22c8out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 500 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
xz -dc .gpu/kc/launch_cost.xz > /tmp/launch_cost && chmod +x /tmp/launch_cost
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=/tmp/launch_cost PK_TRACE_LIB=$(pwd)/.gpu/trace/libpktrace.so timeout $(left 420) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s22c8out)
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate planted exit"
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
