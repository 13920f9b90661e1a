#!/usr/bin/env bash
# s43 call 1: v93 on trial, one jar (v93.jar) with the bundled rows (b) against choices-tma.json (a): ERNIE-4.5-0.3B's and
# Llama-3.2-1B's attention at 17..512 on attention_prefill_wg_early_tma, the early form with its full path's K / V pages brought
# in by TMA (one thread per key half issues a page's two tensor copies; keys past the kv length zeroed after they land) instead
# of cp.async from the half's 128 threads (8 a step, 16 before Q's wait, each with its address arithmetic).
# Why: s42 found the walk issue-bound (v90 and v92 took instructions out of the softmax and gained ~10x what 1x480 alone said;
# v89 / v91, which only moved the S product or the copies, gained nothing): the copies' instructions are the next ones to take out.
# Prediction (written before the run): attn_one 1x480 9.7 -> ~8.9 us (-0.7..-1.0); the trace's loop over the longest tile
# 4.85 -> ~4.1 us, waited -> Q regs 1.12 -> ~0.8; engine graph GPU p50 long -1.5..-2 %, 4x80 -0.5..-1 %, Llama long -0.5..-1 %,
# short +-0.3 % (its t32 form at 16 has no full path: a null).
# The candidate file travels in .gpu/s43 and lands in results/ with its run block (results/add-run-blocks.py) after the run.
# Rule (written before the run): bundle the two rows if kernel_check attention_pipe (wg-early-tma == wg bitwise everywhere) and
# attention pass, memcheck / racecheck / synccheck of attention_pipe are clean, every GPU test passes, and long is >= 0.7 % faster
# with 4x80 and Llama long not above +0.3 %; else keep the form as an option.
source scripts/gpu/call-setup.sh s43c1 585
G=$R/.gpu/s43
tar -xJf $G/kc.tar.xz -C $G  # kc/kernel_check (timing), kc/kernel_check_nt (no timing), kc/kernel_check_at (-DPK_ATTN_TRACE)
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
for f in 3 7; do ATTN_FORM=$f timeout $(left 30) $G/kc/kernel_check_at attn_trace > $W/attn-trace-f$f.txt 2>&1; prog "attn_trace form $f rc=$?"; done
timeout $(left 60) $G/kc/kernel_check attention_pipe > $W/kernel-check-attention-pipe.txt 2>&1; prog "kernel_check attention_pipe rc=$?"
timeout $(left 90) $G/kc/kernel_check attention > $W/kernel-check-attention.txt 2>&1; prog "kernel_check attention rc=$?"
for i in 1 2 3; do for f in 3 7; do ATTN_FORM=$f $G/kc/kernel_check attn_one 2>&1 | grep attn_one; done; done > $W/attn-one.txt
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 $G/kc/kernel_check_nt attention_pipe > $W/san-memcheck-pipe.txt 2>&1
prog "memcheck attention_pipe rc=$?"
timeout $(left 120) $CS --tool racecheck --error-exitcode 99 $G/kc/kernel_check_nt attention_pipe > $W/san-racecheck-pipe.txt 2>&1
prog "racecheck attention_pipe rc=$?"
timeout $(left 40) $CS --tool synccheck --error-exitcode 99 $G/kc/kernel_check_nt attention_pipe > $W/san-synccheck-pipe.txt 2>&1
prog "synccheck attention_pipe rc=$?"
(cuobjdump -sass -fun attention_prefill_wg_early_tma $G/kc/kernel_check; cuobjdump -sass -fun attention_prefill_wg_early $G/kc/kernel_check) 2>&1 | gzip -9 > $W/sass-wg-early-and-tma.txt.gz
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v93.jar AB_CHOICES_DIR=$G CH=choices-tma.json AB_OUT=$W/res
ab_pairs tl 5 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs t48 3 --model ernie-4.5-0.3b --sizes 512 --batch 4x80 --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs tll 3 --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 100 | tee -a $W/progress.txt
ab_pairs ts 2 --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
JAR=$G/v93.jar TESTS=$G/v93-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "every GPU test rc=$?"; rm -rf $W/junit-gpu
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v93.jar prefill --no-progress \
  --model ernie-4.5-0.3b --sizes 512 --prompts long --batch 4x80 --impl-choices $G/choices-tma.json --warmup 1 --iterations 2 > $W/san-memcheck-engine.txt 2>&1
prog "memcheck engine (tma rows) rc=$?"
rm -f $W/res*/*.hlog $W/*.hlog; gzip -9 $W/res*/*.txt $W/gpu-tests.log $W/kernel-check-attention.txt $W/san-racecheck-pipe.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s43c1)
grep -E "ALL PASSED|FAILURES|FAIL" $W/kernel-check-attention-pipe.txt | head -3
zcat $W/kernel-check-attention.txt.gz | grep -E "ALL PASSED|checks failed|FAILURES" | head -4; cat $W/attn-one.txt | tr '\n' ';'; echo
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt; zcat $W/san-racecheck-pipe.txt.gz | grep -E "RACECHECK SUMMARY"
cat $W/progress.txt | tr '\n' ';'; echo
for f in 3 7; do echo "== form $f"; grep -A2 "^attn_trace 1x480" $W/attn-trace-f$f.txt | cut -c1-330; done
cat $W/table.txt
