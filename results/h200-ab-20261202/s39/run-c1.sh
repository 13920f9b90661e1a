#!/usr/bin/env bash
# s39 call 1, jar v1 (2d3b622: main + gemm_bf16_stream_m16_n32k256s3 / _s4 [_silu], the 16-row half-width tile with 256-deep
# stages; rows only, never a default).
# 1. What s38 owed (its review refactors never ran on a GPU): RingDepthGpuTest (now + 4 k256 cases: ERNIE's gate_up on the
#    k256 tile == the bundled bits; Llama's down and o at 4 splits on it == the same rows on the six-stage half-width kernel,
#    eager and graph), LayoutWithGpuTest, kernel_check n32 and ringk (ring_shapes).
# 2. The new kernels: kernel_check ring256 (bits against the six-stage half-width kernel at the same splits, PDL back-to-back
#    times against it and against the bundled kernel of each shape), memcheck + racecheck on kernel_check_nt ring256, memcheck
#    of the engine on ldo3 (Llama short + 2x8).
# 3. A/B, graph GPU p50, pairs alternating (b bundled, a = choices-X.json).
#    Predictions (written before the call): eg3: ERNIE's gate_up 3.94 us a layer in the chain -> ~3.5 (v83's 16 KB stages took
#    the plain tile's gate_up -17 % alone and ~-8 % in the chain), short -1..-2 %, 2x8 alike, decodes -0.5..-1 %; eg4: its
#    96 KB blocks leave no room for down's 72 KB one beside two of them (v80's loss at 108 KB): eg4 no better than eg3,
#    maybe worse (0..+3 %). ldo3 / ldo4: the norms after o and down read 4 fp32 planes instead of 8 (0.5 MB less each;
#    launch_cost's split-K pairs: ~0.35 us per 0.5 MB), the GEMMs at the same 256 blocks and 16 KB stages +-0: -0.7 us a layer,
#    Llama short -1.4 %, 2x8 alike; ld3 and lo3 about half each.
#    Rule (written before): bundle the best ERNIE row if short >= 1 % and 2x8 >= 0.5 % faster in the median of pairs and no
#    decode mix above the null's +0.3 %; the best Llama row (prompt batches) if short >= 1 % and 2x8 >= 0.5 %.
source scripts/gpu/call-setup.sh s39c1 585
R=$(pwd); G=$R/.gpu/s39
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
nvidia-smi > $W/smi.txt 2>&1
timeout $(left 40) $R/.gpu/kernel_check ring256 > $W/kc-ring256.txt 2>&1; prog "kernel_check ring256 rc=$?"
timeout $(left 60) $R/.gpu/kernel_check n32 > $W/kc-n32.txt 2>&1; prog "kernel_check n32 rc=$?"
timeout $(left 30) $R/.gpu/kernel_check ringk > $W/kc-ringk.txt 2>&1; prog "kernel_check ringk rc=$?"
for tool in memcheck racecheck; do
  timeout $(left 90) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt ring256 > $W/san-$tool-ring256.txt 2>&1
  prog "$tool kernel_check_nt ring256 rc=$?"
done
JAR=$G/v1.jar TESTS=$G/tests1.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.RingDepthGpuTest --select-class io.prefillbench.engine.LayoutWithGpuTest > $W/gpu-tests.log 2>&1
prog "RingDepthGpuTest + LayoutWithGpuTest rc=$?"; rm -rf $W/junit-gpu
cd $(mktemp -d)
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress \
  --model llama-3.2-1b --impl-choices $G/choices-ldo3.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-llama.json > $W/san-memcheck-engine-llama.txt 2>&1
prog "memcheck engine llama ldo3 rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_OUT=$W/res
E="--model ernie-4.5-0.3b --sizes 16 --warmup 100 --iterations 300"; L="--model llama-3.2-1b --sizes 16 --warmup 100 --iterations 300"
CH=choices-eg3.json ab_pairs eg3 3 $E --prompts short | tee -a $W/progress.txt
CH=choices-eg4.json ab_pairs eg4 3 $E --prompts short | tee -a $W/progress.txt
CH=choices-ldo3.json ab_pairs ldo3 3 $L --prompts short | tee -a $W/progress.txt
CH=choices-ldo4.json ab_pairs ldo4 3 $L --prompts short | tee -a $W/progress.txt
CH=choices-eg3.json ab_pairs eg3x 2 $E --batch 2x8 | tee -a $W/progress.txt
CH=choices-ldo3.json ab_pairs ldo3x 2 $L --batch 2x8 | tee -a $W/progress.txt
CH=choices-eg3.json ab_pairs eg3dec 2 --model ernie-4.5-0.3b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
CH=choices-ld3.json ab_pairs ld3 2 $L --prompts short | tee -a $W/progress.txt
CH=choices-lo3.json ab_pairs lo3 2 $L --prompts short | tee -a $W/progress.txt
CH=choices-eg4.json ab_pairs eg4x 2 $E --batch 2x8 | tee -a $W/progress.txt
CH=choices-ldo4.json ab_pairs ldo4x 2 $L --batch 2x8 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s39c1)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -c " OK " $W/kc-ring256.txt; grep FAIL $W/kc-ring256.txt | head -3; tail -1 $W/kc-ring256.txt; tail -1 $W/kc-n32.txt; tail -1 $W/kc-ringk.txt
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
grep -E "us " $W/kc-ring256.txt | sed 's/  max_err.*fails [0-9/]*//' | cut -c1-150
cat $W/table.txt
