#!/usr/bin/env bash
# s40 call 2, jar v2 (v87.1: the _amax epilogue reduces each row's key over the block's warps through shared memory and joins
# keys[row] only where its key beats the one there).
# Call 1 (jar v1): the fold's bits held everywhere (kernel_check amax 6/6, ArgmaxFoldGpuTest 2/2, memcheck / racecheck clean),
# but the _amax GEMM alone took 62.2 us against 50.9 (ERNIE's LM head at 16): 1616 blocks x 4 warps x 16 atomics on one
# 128-byte line, serialized in one L2 slice; the argmax part of the pair did shrink as predicted (3.9 -> 1.1 us), and the
# engine moved +0.1 / -0.1 / -0.1 / -0.0 % (short, 2x8, long, Llama).
# 1. Checks as call 1 (racecheck matters more: the epilogue now shares memory across warps).
# 2. A/B as call 1 (b bundled, a choices-am.json, layouts pinned). Prediction (written before): the GEMM alone back to ~51 us,
#    the pair ~52 against 54.8; engine ERNIE short -2..-3 us (-0.5..-0.7 %), 2x8 alike, long -0.2..-0.3 %, Llama short -0.3 %,
#    decode mixes -0.3..-0.5 %. Rule (written before): bundle at 1..64 if ERNIE short and 2x8 are each >= 0.3 % faster in the
#    median of their pairs and no other workload is above the null's +0.3 %.
source scripts/gpu/call-setup.sh s40c2 585
R=$(pwd); G=$R/.gpu/s40
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
timeout $(left 60) $R/.gpu/kernel_check amax > $W/kernel-check-amax.txt 2>&1
prog "kernel_check amax rc=$?"
timeout $(left 90) $CS --tool memcheck --error-exitcode 99 $R/.gpu/kernel_check_nt amax > $W/san-memcheck-amax.txt 2>&1
prog "memcheck amax rc=$?"
timeout $(left 120) $CS --tool racecheck --error-exitcode 99 $R/.gpu/kernel_check_nt amax > $W/san-racecheck-amax.txt 2>&1
prog "racecheck amax rc=$?"
JAR=$G/v2.jar TESTS=$G/tests2.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.ArgmaxFoldGpuTest > $W/gpu-tests.log 2>&1
prog "ArgmaxFoldGpuTest rc=$?"; rm -rf $W/junit-gpu
cd $(mktemp -d)
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v2.jar prefill --no-progress \
  --impl-choices $G/choices-am.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-ernie.json > $W/san-memcheck-engine-ernie.txt 2>&1
prog "memcheck engine ernie am rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v2.jar AB_OUT=$W/res AB_PIN_LAYOUT=1  # the fold adds a pinned slice: both sides at the same addresses
E="--model ernie-4.5-0.3b --sizes 16 --warmup 100 --iterations 300"; L="--model llama-3.2-1b --sizes 16 --warmup 100 --iterations 300"
CH=choices-am.json ab_pairs am 5 $E --prompts short | tee -a $W/progress.txt
CH=choices-am.json ab_pairs amx 4 $E --batch 2x8 | tee -a $W/progress.txt
CH=choices-am.json ab_pairs aml 3 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
CH=choices-am.json ab_pairs amll 3 $L --prompts short | tee -a $W/progress.txt
CH=choices-am.json ab_pairs amdec 2 --model ernie-4.5-0.3b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s40c2)
grep -E "ALL PASSED|FAILURES" $W/kernel-check-amax.txt; grep "^amax" $W/kernel-check-amax.txt
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
