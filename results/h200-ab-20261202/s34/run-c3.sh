#!/bin/bash
# s34 call 3, jar 9c92ab0 (main: v75 bundled — qkv at 1..16 on the pair tiles for ERNIE (every graph), Llama (prompts), tiny (and its o, down on the 16-column kernel)). Every GPU test on it
# (97: call 2's 95 + EngineVsCpuReferenceGpuTest#theBundledRowsMatchReference x2), then the results set's core (SKIP_TABLE=1: the table's
# plain GEMMs did not change; the pair form is timed in call 1) with the in-graph timeline, PyTorch twice, run A gated against run B.
# Prediction (written before the run): 97/97; graph GPU p50 against 235718: short -3.4 % (~0.389 ms GPU, host ~0.395), long / 4x80
# / 8x16 within +-1 %; tiny -4 % (~38.7 us GPU, ~41 host); Llama short -3 % (~0.829 ms); gates pass, planted exits 1; the timeline
# at 16 has qkv + rope ~0.8 us a layer shorter (3.9 -> ~3.1) and no other kernel moved by more than 0.2 us.
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s34/v3.jar
W=/tmp/s34c3out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J TESTS=$R/.gpu/s34/tests3.jar OUT=$W timeout 170 bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/launch_cost PK_TRACE_LIB=$R/.gpu/libpktrace.so timeout $(left 570) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s34c3out)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate A vs B exit|gate planted exit"
grep -h WARNING $W/log-core.txt | head -10
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
