#!/usr/bin/env bash
# s42 call 1, jars v1 (cfaa8a7, main: the kernels of abad8c7), v2 (v90: the wg forms' full-path softmax takes its exponentials
# as ex2.approx.ftz, one MUFU.EX2 each instead of exp2f's denormal range fix around it; only results below 2^-126 differ) and
# v3 (v90 + v91: the next pages' K / V copies issued while the tensor cores compute S, between S's commit and its wait,
# instead of in front of its wgmma; the same copies into a slot S does not read, so v90's bits) and v4 (v91 + v92: the softmax
# called with a constant mask flag in two branches, so pages before every row of the warp skip the mask's ~100 compares,
# predicate ands and selects a thread, which ptxas had if-converted onto every page; the same bits). v2..v4 travel as their
# differing entries (scripts/gpu/jar_delta.py: the fatbin and build-info), rebuilt here and checked entry by entry.
# s41's trace (1x480's longest tiles, 8 pages, 4 steps a half): loop 6.35 us = K wait 0.51, S 1.59 (the copies' issue
# ~0.25 a step in front of the product), softmax 3.36, V wait 0.24, P V 0.64.
# Predictions (written before): v90 the softmax 3.36 -> ~2.6 us over that tile, 1x480 alone -0.5..-0.8 us, engine long
# -1..-1.5 %, Llama long -0.5..-1 %, 4x80 -0.3 %, short +-0 (its t32 form keeps exp2f). v91 on top: S 1.59 -> ~1.0 us over the
# tile (the issue under the product), long a further -0.5..-1 %, 4x80 -0.2 %, short +-0. v92 on top: the softmax a further
# ~0.5 us over the tile (6 of its 8 pages a warp unmasked, a third of their instructions gone), long -0.5..-1 %, 4x80 -0.3 %.
# Rules (written before): keep v90 if kernel_check attention passes (every form within its tolerance of the float64
# reference and of the 4-warp form; wg-early == wg bitwise), attention_pipe holds, the GPU tests pass, long >= 1 % faster
# and nothing above +0.5 %. Keep v91 (against v90) and v92 (against v91) each if its checks hold as v90's and long >= 0.5 %
# faster, nothing > +0.5 %. Also: ncu of 1x480 alone on v92 (every section, per-instruction stall samples) and the SASS of the early form, for the
# next change's arithmetic.
source scripts/gpu/call-setup.sh s42c1 585
G=$R/.gpu/s42
tar -xJf $G/kc.tar.xz -C $G  # kc2 (v90), kc3 (v91), kc4 (v92) and main (kernel_check_at) harness builds, xz to fit the carry
mkdir -p $G/jd && tar -xJf $G/jars.tar.xz -C $G/jd
for v in v2 v3 v4; do python3 scripts/gpu/jar_delta.py apply $G/v1.jar $G/jd $v $G/$v.jar || exit 1; done
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
for v in main:$G/main/kernel_check_at v90:$G/kc2/kernel_check_at v91:$G/kc3/kernel_check_at v92:$G/kc4/kernel_check_at; do
  timeout $(left 40) ${v#*:} attn_trace > $W/attn-trace-${v%%:*}.txt 2>&1; prog "attn_trace ${v%%:*} rc=$?"
done
for k in 2 3 4; do
  timeout $(left 60) $G/kc$k/kernel_check attention_pipe > $W/kernel-check-attention-pipe-v$k.txt 2>&1
  prog "kernel_check attention_pipe v$k rc=$?"
  timeout $(left 90) $G/kc$k/kernel_check attention > $W/kernel-check-attention-v$k.txt 2>&1
  prog "kernel_check attention v$k rc=$?"
  for i in 1 2 3; do $G/kc$k/kernel_check attn_one 2>&1 | grep attn_one; done > $W/attn-one-v$k.txt
done
cuobjdump -sass -fun attention_prefill_wg_early $G/kc2/kernel_check > $W/sass-wg-early-v90.txt 2>&1
cuobjdump -sass -fun attention_prefill_wg_early $G/kc3/kernel_check > $W/sass-wg-early-v91.txt 2>&1
cuobjdump -sass -fun attention_prefill_wg_early $G/kc4/kernel_check > $W/sass-wg-early-v92.txt 2>&1
prog "sass"
(cd $(mktemp -d) && timeout $(left 120) $NCU --set full --import-source yes --clock-control none -k regex:attention_prefill_wg_early \
  --launch-skip 3 --launch-count 1 -o $W/ncu-attn-v92 $G/kc4/kernel_check attn_one > $W/ncu-run.txt 2>&1; prog "ncu rc=$?")
$NCU -i $W/ncu-attn-v92.ncu-rep --page source --csv --print-source sass > $W/ncu-attn-v92-source.csv 2>&1
$NCU -i $W/ncu-attn-v92.ncu-rep --page details > $W/ncu-attn-v92-details.txt 2>&1
prog "ncu export"
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_JAR_A=$G/v2.jar AB_OUT=$W/res
ab_pairs fl 3 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs f48 2 --model ernie-4.5-0.3b --sizes 512 --batch 4x80 --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs fll 2 --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 100 | tee -a $W/progress.txt
ab_pairs fs 1 --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
AB_JAR=$G/v2.jar AB_JAR_A=$G/v3.jar AB_OUT=$W/res3
ab_pairs gl 3 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs g48 2 --model ernie-4.5-0.3b --sizes 512 --batch 4x80 --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs gll 1 --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 100 | tee -a $W/progress.txt
ab_pairs gs 1 --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
AB_JAR=$G/v3.jar AB_JAR_A=$G/v4.jar AB_OUT=$W/res4
ab_pairs hl 3 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs h48 2 --model ernie-4.5-0.3b --sizes 512 --batch 4x80 --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs hll 1 --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 100 | tee -a $W/progress.txt
ab_pairs hs 1 --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
python3 $R/scripts/gpu/ab-table.py $W/res3 b > $W/table3.txt
python3 $R/scripts/gpu/ab-table.py $W/res4 b > $W/table4.txt
# every GPU test on v4 (main + v90 + v91 + v92)
JAR=$G/v4.jar TESTS=$G/v4-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "every GPU test rc=$?"; rm -rf $W/junit-gpu
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 $G/kc4/kernel_check_nt attention_pipe > $W/san-memcheck-pipe.txt 2>&1
prog "memcheck attention_pipe rc=$?"
timeout $(left 90) $CS --tool racecheck --error-exitcode 99 $G/kc4/kernel_check_nt attention_pipe > $W/san-racecheck-pipe.txt 2>&1
prog "racecheck attention_pipe rc=$?"
timeout $(left 40) $CS --tool synccheck --error-exitcode 99 $G/kc4/kernel_check_nt attention_pipe > $W/san-synccheck-pipe.txt 2>&1
prog "synccheck attention_pipe rc=$?"
rm -f $W/res*/*.hlog $W/*.hlog; gzip -9 $W/res*/*.txt $W/gpu-tests.log $W/kernel-check-attention-v*.txt $W/ncu-attn-v92-source.csv $W/sass-*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s42c1)
for k in 2 3 4; do grep -E "ALL PASSED|FAILURES|FAIL" $W/kernel-check-attention-pipe-v$k.txt | head -3
  zcat $W/kernel-check-attention-v$k.txt.gz | grep -E "ALL PASSED|checks failed|FAILURES" | head -4; cat $W/attn-one-v$k.txt | tr '\n' ';'; echo; done
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
for v in main v90 v91 v92; do echo "== $v"; grep -A2 "^attn_trace 1x480" $W/attn-trace-$v.txt | cut -c1-330; done
grep -E "Duration|Registers Per|Issue Slots Busy|Warp Cycles Per Issued|Executed Ipc A" $W/ncu-attn-v92-details.txt | head -8
cat $W/table.txt; cat $W/table3.txt; cat $W/table4.txt
