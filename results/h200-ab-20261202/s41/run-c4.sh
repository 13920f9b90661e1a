#!/usr/bin/env bash
# s41 call 4, jars v1 (acca69e: the kernels of abad8c7, main with v89 taken out; PTX identical) and v4 (v90, with the review commit: the wg forms' full-path softmax takes its exponentials as
# ex2.approx.ftz — one MUFU.EX2 each instead of exp2f's denormal range fix around it; only results below 2^-126 differ).
# Calls 1-3's traces: the softmax is 3.4 of the longest 1x480 tile's 6.4 us loop (0.85 us a page), the largest phase.
# Prediction (written before): the softmax 3.4 -> ~2.6 us over that tile (a quarter of its instructions were the range fix),
# 1x480 alone -0.5..-0.8 us; engine long -1..-1.5 %, Llama long -0.5..-1 %, 4x80 -0.3 %, short +-0 (its form, t32, keeps
# exp2f). Rule (written before): keep v90 if kernel_check attention passes (every form within its tolerance of the float64
# reference and of the 4-warp form; wg-early == wg bitwise) and the GPU tests pass, long >= 1 % faster, nothing above +0.5 %.
source scripts/gpu/call-setup.sh s41c4 585
G=$R/.gpu/s41
timeout $(left 40) $R/.gpu/kernel_check_at attn_trace > $W/attn-trace.txt 2>&1
prog "attn_trace rc=$?"
timeout $(left 90) $R/.gpu/kernel_check attention_pipe > $W/kernel-check-attention-pipe.txt 2>&1
prog "kernel_check attention_pipe rc=$?"
timeout $(left 120) $R/.gpu/kernel_check attention > $W/kernel-check-attention.txt 2>&1
prog "kernel_check attention rc=$?"
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_JAR_A=$G/v4.jar AB_OUT=$W/res
ab_pairs fl 3 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs f48 2 --model ernie-4.5-0.3b --sizes 512 --batch 4x80 --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs fll 2 --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 100 | tee -a $W/progress.txt
ab_pairs fs 1 --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
# every GPU test on the session's last code (v4 is main's head with v90; without it, main differs only in that kernel)
JAR=$G/v4.jar TESTS=$G/v4-tests.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "every GPU test rc=$?"; rm -rf $W/junit-gpu
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt $W/gpu-tests.log $W/kernel-check-attention.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s41c4)
grep -E "ALL PASSED|FAILURES|FAIL" $W/kernel-check-attention-pipe.txt | head -5
zcat $W/kernel-check-attention.txt.gz | grep -E "ALL PASSED|checks failed|FAIL" | head -8
zcat $W/kernel-check-attention.txt.gz | grep -E "perf: 1x480|perf: 4x80|wg.*reference|float64" | head -12
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
cat $W/progress.txt | tr '\n' ';'; echo
grep -A2 "^attn_trace 1x480" $W/attn-trace.txt | cut -c1-330; grep "^attn_trace" $W/attn-trace.txt
cat $W/table.txt
