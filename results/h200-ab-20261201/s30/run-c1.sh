#!/bin/bash
# s30 call 1, jar v88 (main 88c5072: prefill's defaults --prime-ms 300 --warmup-ms 1000; the forward is set 022600's,
# jar 36aad2b, and every GPU test passed on its engine in s29 call 7, 88/88 on 83ecd38: this jar changes only the CLI's
# defaults, so no GPU tests here). The results set's core under the new defaults (SKIP_TABLE=1: no GEMM kernel changed)
# with the in-graph timeline, run A gated against run B.
# Prediction (written before the run): every workload within the lease's spread of 022600 (graph host p50 within ~2 %,
# short ~0.42-0.43 ms, 8x16 GPU ~575 us since it runs after long), no SampleDrift warning except possibly tiny's eager,
# tiny end to end 45-46 us (s29 call 6: 45.8), gates B vs A and A vs B pass, planted exits 1.
# Carry .gpu/jre.tar.xz, .gpu/s30/v88.jar, .gpu/s26/launch_cost, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s30/v88.jar
W=/tmp/s30c1out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/s26/launch_cost PK_TRACE_LIB=$R/.gpu/trace/libpktrace.so timeout $(left 540) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s30c1out)
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate A vs B exit|gate planted exit"
grep -h WARNING $W/log-core.txt | head -10
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
