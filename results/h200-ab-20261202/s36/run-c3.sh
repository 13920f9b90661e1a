#!/bin/bash
# s36 call 3, jar v5 (1a08e73: v77 argmax over a cluster and v78 the last layer on the last rows at 65..512, both bundled).
# Every GPU test on it, then the results set's core (SKIP_TABLE=1: no plain GEMM changed; the last-rows GEMMs run the
# 32-row streaming kernels of bucket 32) with the in-graph timeline, PyTorch twice, run A gated against B.
# Prediction (written before the run): 100/100; graph GPU p50 against set 042418 (same host kind, another lease): ERNIE
# long -2 %, 4x80 -1.5 %, 8x16 -1.2 %, short -0.8 % (v77), Llama long -3 %, Llama short -0.2 %, tiny +-1 %; the timeline
# at 512: the last layer's o / gate_up / down at 32 rows (~11 us against 30 at 512) plus the gather (~2-3 us); gates pass,
# the planted slowdown exits 1.
source scripts/gpu/call-setup.sh s36c3 585
R=$(pwd); J=$R/.gpu/s36/v5.jar
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J TESTS=$R/.gpu/s36/tests5.jar OUT=$W timeout 170 bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/launch_cost PK_TRACE_LIB=$R/.gpu/libpktrace.so timeout $(left 570) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s36c3)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -14; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate A vs B exit|gate planted exit"
grep -h WARNING $W/log-core.txt | head -10
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
