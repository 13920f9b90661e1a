#!/bin/bash
# s38 call 4, jar v3 (main with the s38 rows bundled: Llama-3.2-1B's gate_up (SiLU) at 1..16 on gemm_bf16_stream_m16k128s4
# in every graph, its down and o there in prompt-batch graphs). Every GPU test on it, then the results set's core
# (SKIP_TABLE=1: no plain GEMM at 512 changed) with the in-graph timeline, PyTorch twice, run A gated against B.
# Prediction (written before the run): 106/106 GPU tests (104 + RingDepthGpuTest's k128 case + LayoutWithTest's move is CPU);
# graph GPU p50 against set 063905 (same host kind, another lease): Llama short -6 % (call 3: kgo -6.0 %, its decode graph
# kg's), Llama long and every ERNIE and tiny workload +-1 % (their plans unchanged); gates pass, the planted slowdown exits 1.
source scripts/gpu/call-setup.sh s38c4 585
R=$(pwd); J=$R/.gpu/s38/v3.jar
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J TESTS=$R/.gpu/s38/tests3.jar OUT=$W timeout 170 bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/launch_cost PK_TRACE_LIB=$R/.gpu/libpktrace.so timeout $(left 570) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s38c4)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -14; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate A vs B exit|gate planted exit"
grep -h WARNING $W/log-core.txt | head -10
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
