#!/bin/bash
# s36 call 5, jar v6 (branch lr33: the last_rows row from 33 instead of 65) against v5 (1a08e73, set 063905's jar).
# 1. GPU tests on v6 that run the last rows at 33..64: LastRowsGpuTest, GraphEqualsEagerGpuTest, EngineVsCpuReferenceGpuTest,
#    MixedStepGraphEqualsEagerGpuTest, FreshGraphGpuTest (prediction: all pass).
# 2. A/B, graph GPU p50, pairs alternating (b = v5, a = v6). Prediction (after call 4's -1.7 % on 4x16@64): 4x16@64 -1.5 %,
#    1x40@64 -1 %, 2x20@48 -1 %, Llama 4x16@64 -1..-2 %. Rule written before the run: merge if ERNIE's three are each
#    >= 0.5 % faster, Llama's not > +0.3 %, and the tests pass.
source scripts/gpu/call-setup.sh s36c5 300
R=$(pwd); G=$R/.gpu/s36
sel=()
for c in LastRowsGpuTest GraphEqualsEagerGpuTest EngineVsCpuReferenceGpuTest MixedStepGraphEqualsEagerGpuTest FreshGraphGpuTest; do
  sel+=(--select-class io.prefillbench.engine.$c)
done
JAR=$G/v6.jar TESTS=$G/tests7.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh $R/.gpu/junit.jar "${sel[@]}" > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v5.jar AB_JAR_A=$G/v6.jar AB_OUT=$W/res
ab_pairs e64 2 --sizes 64 --batch 4x16 --prompt-lens 40 --warmup 100 --iterations 300 | tee -a $W/progress.txt
ab_pairs e48 2 --sizes 48 --batch 2x20 --warmup 100 --iterations 300 | tee -a $W/progress.txt
ab_pairs l64 2 --model llama-3.2-1b --sizes 64 --batch 4x16 --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s36c5)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
cat $W/progress.txt
cat $W/table.txt
