#!/usr/bin/env bash
# s40 call 1, jar v1 (main + v87: the LM head's argmax folded into its epilogue — gemm_bf16_stream_m{16,32,64}_amax and
# argmax_keys, reached by an argmax_into_lm_head fusion row only; Lowering.foldArgmax).
# 1. Checks: kernel_check amax (the fold == the plain GEMM's C bit for bit and argmax_rows's tokens at every capacity, ERNIE's
#    vocabulary and a partial last tile, planted ties across and inside tiles, NaN rows and columns, zero rows; keys back at
#    zero; PDL pair times) with its memcheck and racecheck on the no-timing build; ArgmaxFoldGpuTest (ERNIE and Llama at 16
#    and 64 with the row: the bundled logits and tokens, which are the CPU argmax of those logits, eager and graph, twice;
#    graph == eager); memcheck of the engine with the row (short + 2x8).
# 2. A/B, graph GPU p50, pairs alternating (b bundled, a choices-am.json). Prediction (written before): argmax's link (3.4 us at
#    ERNIE short in set 135438's timeline: the cluster form reads 16 x 207 KB of logits) becomes a one-block read of 16 keys,
#    ~1.3 us; the LM head's epilogue adds shuffles and 64 atomics a block, off the chain but for its last blocks: ERNIE short
#    -1.5..-2 us (-0.4..-0.5 %), 2x8 alike, long -2 us (-0.2 %), decode mixes -0.3 %, Llama short -2 us (-0.25 %).
#    Rule (written before): bundle at 1..64 if ERNIE short and 2x8 are each >= 0.3 % faster in the median of their pairs and
#    no other workload is above the null's +0.3 %.
source scripts/gpu/call-setup.sh s40c1 585
R=$(pwd); G=$R/.gpu/s40
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
timeout $(left 60) $R/.gpu/kernel_check amax > $W/kernel-check-amax.txt 2>&1
prog "kernel_check amax rc=$?"
timeout $(left 90) $CS --tool memcheck --error-exitcode 99 $R/.gpu/kernel_check_nt amax > $W/san-memcheck-amax.txt 2>&1
prog "memcheck amax rc=$?"
timeout $(left 120) $CS --tool racecheck --error-exitcode 99 $R/.gpu/kernel_check_nt amax > $W/san-racecheck-amax.txt 2>&1
prog "racecheck amax rc=$?"
JAR=$G/v1.jar TESTS=$G/tests1.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.ArgmaxFoldGpuTest > $W/gpu-tests.log 2>&1
prog "ArgmaxFoldGpuTest rc=$?"; rm -rf $W/junit-gpu
cd $(mktemp -d)
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress \
  --impl-choices $G/choices-am.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-ernie.json > $W/san-memcheck-engine-ernie.txt 2>&1
prog "memcheck engine ernie am rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_OUT=$W/res AB_PIN_LAYOUT=1  # the fold adds a pinned slice: both sides at the same addresses
E="--model ernie-4.5-0.3b --sizes 16 --warmup 100 --iterations 300"; L="--model llama-3.2-1b --sizes 16 --warmup 100 --iterations 300"
CH=choices-am.json ab_pairs am 5 $E --prompts short | tee -a $W/progress.txt
CH=choices-am.json ab_pairs amx 4 $E --batch 2x8 | tee -a $W/progress.txt
CH=choices-am.json ab_pairs aml 3 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
CH=choices-am.json ab_pairs amll 3 $L --prompts short | tee -a $W/progress.txt
CH=choices-am.json ab_pairs amdec 2 --model ernie-4.5-0.3b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s40c1)
grep -E "ALL PASSED|FAILURES" $W/kernel-check-amax.txt; grep "^amax" $W/kernel-check-amax.txt
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
