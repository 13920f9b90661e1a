#!/bin/bash
# s23 call 3, one jar: 01893b1 (main: v59 — the streaming GEMMs' copy sources found once before the PDL wait; call 2
# timed and validated it: every GPU test 79/79, gemm_stream_check quick 714/714 as main's build, kernel_check of the
# streaming families with v59's GEMMs as main's, the sanitizers and the engine under memcheck clean). Carry .gpu/jre.tar.xz,
# .gpu/kc/launch_cost.xz, .gpu/trace/libpktrace.so and .gpu/s23/v59.jar.
# The results set's core (scripts/gpu-results.sh core; SKIP_TABLE=1: the table's harness links cuBLAS and would be built
# on the device, which these calls do not do — the committed table predates v59), then run A gated against run B (CI's
# direction); the set is kept only if both gate directions pass. Then, for the next audit, ncu of Llama-3.2-1B's layer 5
# and of tiny's whole forward at 16 (eager short, application replay, caches as left): time, warp instructions,
# stall reasons per issue, per kernel.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s23/v59.jar
W=/tmp/s23c3out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 520 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
xz -dc .gpu/kc/launch_cost.xz > /tmp/launch_cost && chmod +x /tmp/launch_cost
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=/tmp/launch_cost PK_TRACE_LIB=$(pwd)/.gpu/trace/libpktrace.so timeout $(left 400) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
M='gpu__time_duration.sum,smsp__inst_executed.sum,smsp__cycles_active.avg,regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio'
# Llama-3.2-1B at 16: skip the embed / tile map and layers 0-4 of the first (eager) forward; tiny: its whole first forward
for m in llama tiny; do
  [ $m = llama ] && { A2="--model llama-3.2-1b"; SK=37; CNT=14; } || { A2="--model tiny"; SK=0; CNT=40; }
  (cd $(mktemp -d) && timeout $(left 60) $NCU --target-processes all --replay-mode application --cache-control none --clock-control none \
    --launch-skip $SK --launch-count $CNT --metrics "$M" -o $W/ncu-$m \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill $A2 --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --warmup 0 --iterations 1 --no-graph --no-profile --no-progress > $W/ncu-$m-run.txt 2>&1; prog "ncu $m rc=$?")
  [ -f $W/ncu-$m.ncu-rep ] && $NCU --import $W/ncu-$m.ncu-rep --page raw --csv > $W/ncu-$m.csv 2>&1
done
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz --exclude='*.ncu-rep' s23c3out)
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate planted exit"
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
