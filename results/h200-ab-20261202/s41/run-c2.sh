#!/usr/bin/env bash
# s41 call 2, jars v1 (acca69e, main before v89) and v2 (v89: attention_prefill_wg_early / _lp walk a full tile's pages with
# the next page's S = Q K^T issued before the current page's softmax, so the tensor cores work under it; every wgmma group
# waited by the step's end; the arithmetic and its order unchanged, so the same bits as attention_prefill_wg).
# Call 1's trace (kernel_check attn_trace, 1x480, the longest tiles: 8 pages, 4 steps a half) had the block at 9.27 us: loop
# 6.35 = K wait 0.51 + S 1.59 + softmax 3.36 + V wait 0.24 + P V 0.64; entry -> Q in registers 2.3; combine + store 0.67.
# Prediction (written before): the loop 6.35 -> ~4.5 us (S under the softmax), the block ~7.5, 1x480 alone 12.2 -> ~10.5 us;
# 4x80 (one page a half) unchanged; engine long -2..-3 % (attention 9.4 -> ~7.8 us a layer), Llama long -1.5..-2.5 %, 4x80
# +-0.3 %, short (the t32 form, untouched) +-0. Rule (written before): keep v89 if every bit check holds (attention_pipe:
# wg-early and wg-early-lp == wg bitwise everywhere; kernel_check attention as main's), the sanitizers are clean, and long is
# >= 1 % faster with no workload above +0.5 %; else revert it.
source scripts/gpu/call-setup.sh s41c2 585
G=$R/.gpu/s41
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
timeout $(left 40) $R/.gpu/kernel_check_at attn_trace > $W/attn-trace.txt 2>&1
prog "attn_trace rc=$?"
timeout $(left 90) $R/.gpu/kernel_check attention_pipe > $W/kernel-check-attention-pipe.txt 2>&1
prog "kernel_check attention_pipe rc=$?"
timeout $(left 120) $R/.gpu/kernel_check attention > $W/kernel-check-attention.txt 2>&1
prog "kernel_check attention rc=$?"
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_JAR_A=$G/v2.jar AB_OUT=$W/res
ab_pairs pl 3 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs p48 2 --model ernie-4.5-0.3b --sizes 512 --batch 4x80 --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs pll 2 --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 100 | tee -a $W/progress.txt
ab_pairs ps 1 --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
JAR=$G/v2.jar TESTS=$G/v2-tests.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.AttentionWgGpuTest --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest \
  --select-class io.prefillbench.engine.EngineVsCpuReferenceGpuTest --select-class io.prefillbench.engine.L2PersistGpuTest > $W/gpu-tests.log 2>&1
prog "GPU tests rc=$?"; rm -rf $W/junit-gpu
timeout $(left 90) $CS --tool memcheck --error-exitcode 99 $R/.gpu/kernel_check_nt attention_pipe > $W/san-memcheck-pipe.txt 2>&1
prog "memcheck attention_pipe rc=$?"
timeout $(left 150) $CS --tool racecheck --error-exitcode 99 $R/.gpu/kernel_check_nt attention_pipe > $W/san-racecheck-pipe.txt 2>&1
prog "racecheck attention_pipe rc=$?"
timeout $(left 60) $CS --tool synccheck --error-exitcode 99 $R/.gpu/kernel_check_nt attention_pipe > $W/san-synccheck-pipe.txt 2>&1
prog "synccheck attention_pipe rc=$?"
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt $W/gpu-tests.log $W/kernel-check-attention.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s41c2)
grep -E "ALL PASSED|FAILURES|FAIL" $W/kernel-check-attention-pipe.txt | head -5; grep -c "bitwise" $W/kernel-check-attention-pipe.txt
zcat $W/kernel-check-attention.txt.gz | grep -E "ALL PASSED|FAILURES|wg-early == wg" | head -6
zcat $W/kernel-check-attention.txt.gz | grep -E "perf" | head -12
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
grep -A8 "^attn_trace" $W/attn-trace.txt | cut -c1-330
cat $W/table.txt
