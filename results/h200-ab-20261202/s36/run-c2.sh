#!/usr/bin/env bash
# s36 call 2, jar v4 (1a23d2b: v77 re-applied + v78 option, the last layer on each sequence's last row, reached by a
# last_rows fusion row; fusion rows matched at the GEMM's row capacity).
# 1. Every GPU test on v4 (prediction: 100/100, the 98 + LastRowsGpuTest's 2).
# 2. kernel_check embed (gather_last_rows against the CPU gather, 50 batches x 2 widths; timing at 32 sequences: ~2 us);
#    memcheck and racecheck on kernel_check_nt embed; memcheck on the engine running ERNIE's last rows at 512 (4x80) and
#    tiny's at 16 / 64 (a 100-token prompt chunked).
# 3. A/B, graph GPU p50, pairs alternating (b = bundled rows, a = candidate). Predictions from set 042418's timeline at 512
#    (o 5.3, post_norm 1.9, gate_up 14.4, down 8.7 = 30.4 us at 512 rows; ~11 at 32 rows + ~2 for the gather):
#    lr (129..512): long -17 us (-1.8 %), 4x80 -17 us (-2.0 %); Llama long -2..-3 %. lr65 (65..512): 8x16 at 128 -3 us
#    (-0.5 %). Rule written before the run: bundle 129..512 if ERNIE long and 4x80 are each >= 1 % faster and Llama long is
#    not > +0.3 %; add 65..128 if 8x16 is >= 0.5 % faster.
source scripts/gpu/call-setup.sh s36c2 585
R=$(pwd); G=$R/.gpu/s36
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
nvidia-smi > $W/smi.txt 2>&1
JAR=$G/v4.jar TESTS=$G/tests4.jar OUT=$W timeout $(left 170) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
timeout $(left 30) $R/.gpu/kernel_check embed > $W/kc-embed.txt 2>&1; prog "kernel_check embed rc=$?"
for tool in memcheck racecheck; do
  timeout $(left 40) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt embed > $W/san-$tool-embed.txt 2>&1
  prog "$tool kernel_check_nt embed rc=$?"
done
cd $(mktemp -d)
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v4.jar prefill --no-progress \
  --impl-choices $G/choices-lr.json --sizes 512 --batch 4x80 --warmup 1 --iterations 2 --warmup-ms 0 --prime-ms 0 \
  --json $W/san-engine-ernie.json > $W/san-memcheck-engine-ernie.txt 2>&1
prog "memcheck engine ernie rc=$?"
timeout $(left 40) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v4.jar prefill --no-progress \
  --model tiny --impl-choices $G/choices-lrt.json --sizes 16,64 --prompt-lens 10,100 --batch 3x20 --max-num-seqs 8 \
  --max-model-len 512 --warmup 1 --iterations 3 --json $W/san-engine-tiny.json > $W/san-memcheck-engine-tiny.txt 2>&1
prog "memcheck engine tiny rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v4.jar AB_OUT=$W/res
CH=choices-lr.json ab_pairs lr 3 --sizes 512 --prompts long --batch 4x80 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-lr65.json ab_pairs lr65 2 --sizes 128 --batch 8x16 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-lr.json ab_pairs llr 2 --model llama-3.2-1b --sizes 512 --prompts long --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s36c2)
grep -E "gather" $W/kc-embed.txt | grep -v "^\s" | tail -4 | cut -c1-200
tail -1 $W/kc-embed.txt
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -10
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
