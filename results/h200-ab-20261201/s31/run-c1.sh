#!/bin/bash
# s31 call 1, jar v89 (main 55b8395: prefill's default --first-tokens spin; the forward is set 055343's, jar 88c5072,
# and every GPU test passed on that engine in s29 call 7, 88/88: this jar changes only a CLI default, so no GPU tests
# here). The results set's core under the new default (SKIP_TABLE=1: no GEMM kernel changed) with the in-graph timeline,
# PyTorch twice (TORCH_RUNS=2), run A gated against run B.
# Prediction (written before the run): graph host p50 against 055343's run B as s30 call 9 measured spin against sync:
# short -2.3 % (~0.409 ms), long -0.9 % (~0.929), 4x80 / 8x16 -0.3 % (~0.831 / ~0.586), each +-1 % for the lease; GPU p50
# within +-1 % of 055343 (0.412 / 0.926 / 0.823 / 0.579); tiny end to end 41.5-42.5 us; Llama short ~0.846 ms; no
# SampleDrift warning beyond one eager mode; gates B vs A and A vs B pass, planted exits 1. The gate against the sync
# baseline 055343 refuses (firstTokens differs), which is why this set makes a new baseline.
# Carry .gpu/jre.tar.xz, .gpu/s31/v89.jar, .gpu/s26/launch_cost, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s31/v89.jar
W=/tmp/s31c1out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 590 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/s26/launch_cost PK_TRACE_LIB=$R/.gpu/trace/libpktrace.so timeout $(left 570) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s31c1out)
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate A vs B exit|gate planted exit"
grep -h WARNING $W/log-core.txt | head -10
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
