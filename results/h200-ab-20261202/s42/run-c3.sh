#!/usr/bin/env bash
# s42 call 3: the results set's core on the jar that lands (V, default v5: 9ce9d3f, main with v90 + v92 — the wg forms' full-path
# softmax on ex2.approx.ftz and without the mask's instructions on pages before every row of the warp), SKIP_TABLE=1 (no plain
# GEMM changed), with the in-graph timeline, PyTorch twice, run A gated against B. Every GPU test ran on this jar in call 2.
# Prediction (written before the run): graph GPU p50 against set 135438 (same host kind, another lease): ERNIE long -3 %,
# 4x80 -1 %, Llama long -1.5 %, short / 8x16 / Llama short / tiny +-1 % (call 2's A/B, and 135438's spread against 063905);
# gates pass, the planted slowdown exits 1.
source scripts/gpu/call-setup.sh s42c3 585
G=$R/.gpu/s42; V=${V:-v5}
mkdir -p $G/jd && tar -xJf $G/jars.tar.xz -C $G/jd
python3 scripts/gpu/jar_delta.py apply $G/v1.jar $G/jd $V $G/$V.jar || exit 1
J=$G/$V.jar
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/launch_cost PK_TRACE_LIB=$R/.gpu/libpktrace.so timeout $(left 560) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s42c3)
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -14; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate A vs B exit|gate planted exit"
grep -h WARNING $W/log-core.txt | head -10
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
