#!/usr/bin/env bash
# s38 call 5, jar v4 (bb25536 + the GPU test's expected kernel: GraphEqualsEagerGpuTest.theBundledShapeFusions... asserted
# Llama's gate_up at 16 on gemm_bf16_stream_m16_silu and stopped there in call 4, before its bit comparison).
# 1. GraphEqualsEagerGpuTest, the whole class (prediction: 32/32; its Llama case now compares the k128 SiLU form against the
#    same GEMM + silu_mul bit for bit).
# 2. Confirmation A/B of the bundled s38 rows (b) against the rows before (a = choices-pre.json), graph GPU p50: prediction
#    a slower by +6.4 % on short (call 3's kgo -6.0 %), +6 % on 2x8, decode mixes +0.9 / +0.4 % (kg's decode graph).
# 3. Llama-3.2-1B short at 16, in-graph timeline (CUPTI) on the bundled rows: prediction gate_up 18.2 -> ~16, down 9.4 ->
#    ~8.8, o 2.4 -> ~2.3 us a layer against s37 call 9's.
source scripts/gpu/call-setup.sh s38c5 300
R=$(pwd); G=$R/.gpu/s38; J=$G/v4.jar
JAR=$J TESTS=$G/tests4.jar OUT=$W timeout $(left 100) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest > $W/gpu-tests.log 2>&1
prog "GraphEqualsEagerGpuTest rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
source scripts/gpu/ab-pairs.sh
AB_JAR=$J AB_OUT=$W/res
CH=choices-pre.json ab_pairs pre 3 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-pre.json ab_pairs pre28 2 --model llama-3.2-1b --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-pre.json ab_pairs predec 2 --model llama-3.2-1b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
L=$R/.gpu/libpktrace.so
CUDA_INJECTION64_PATH=$L PK_TRACE_OUT=/tmp/pk-llama.csv timeout $(left 80) java --enable-native-access=ALL-UNNAMED -jar $J prefill \
  --model llama-3.2-1b --sizes 16 --prompts short --warmup 10 --iterations 60 --no-progress --json $W/res/pk-llama.json > $W/timeline-run-llama.txt 2>&1
prog "traced llama rc=$?"
java --enable-native-access=ALL-UNNAMED -jar $J plan --model llama-3.2-1b --sizes 16 --dump-ops /tmp/ops-llama.txt > /dev/null 2>&1
python3 kernels/check/graph_timeline.py /tmp/pk-llama.csv --ops /tmp/ops-llama.txt --nodes $W/timeline-nodes-llama.csv > $W/timeline-llama.txt 2>&1
prog "timeline llama rc=$?"; gzip -9f $W/timeline-nodes-llama.csv
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s38c5)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h "capture size 16" $W/timeline-llama.txt; grep -h -E "^\| (input_norm|qkv|attention|o|post_norm|gate_up|down) " $W/timeline-llama.txt
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
