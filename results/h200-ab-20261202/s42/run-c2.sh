#!/usr/bin/env bash
# s42 call 2, jars v1 (cfaa8a7, main before the session), v2 (v90) and v5 (9ce9d3f: v90 + v92 without v91, the candidate to
# land). Call 1 measured v90 against main (long -2.5 %, 4x80 -0.9 %, Llama long -1.3 %, short -0.5 %: its rule met), v91 against
# v90 (long +0.5 %: taken out) and v92 on top of v91 (long -0.8 %, 4x80 -0.2 %, Llama long +-0, short +0.2 %).
# Prediction (written before): v5 against v2 as v92 against v91: long -0.5..-1 %, 4x80 -0.2 %, Llama long +-0.3 %, short +-0
# (its t32 form has no full path); v5 against v1 long -3..-3.5 %, 4x80 -1 %, Llama long -1.3 %. Rule (written before): land
# v92 if kernel_check attention and attention_pipe pass, the sanitizers are clean, every GPU test passes, and against v2
# long >= 0.5 % faster with nothing above +0.5 %; else land v90 alone.
source scripts/gpu/call-setup.sh s42c2 585
G=$R/.gpu/s42
tar -xJf $G/kc.tar.xz -C $G  # kc5 (v5's harness builds) and main's trace build
mkdir -p $G/jd && tar -xJf $G/jars.tar.xz -C $G/jd
for v in v2 v5; do python3 scripts/gpu/jar_delta.py apply $G/v1.jar $G/jd $v $G/$v.jar || exit 1; done
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
for v in main:$G/main/kernel_check_at v5:$G/kc5/kernel_check_at; do
  timeout $(left 40) ${v#*:} attn_trace > $W/attn-trace-${v%%:*}.txt 2>&1; prog "attn_trace ${v%%:*} rc=$?"
done
timeout $(left 60) $G/kc5/kernel_check attention_pipe > $W/kernel-check-attention-pipe.txt 2>&1; prog "kernel_check attention_pipe rc=$?"
timeout $(left 90) $G/kc5/kernel_check attention > $W/kernel-check-attention.txt 2>&1; prog "kernel_check attention rc=$?"
for i in 1 2 3; do $G/kc5/kernel_check attn_one 2>&1 | grep attn_one; done > $W/attn-one.txt
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 $G/kc5/kernel_check_nt attention_pipe > $W/san-memcheck-pipe.txt 2>&1
prog "memcheck attention_pipe rc=$?"
timeout $(left 90) $CS --tool racecheck --error-exitcode 99 $G/kc5/kernel_check_nt attention_pipe > $W/san-racecheck-pipe.txt 2>&1
prog "racecheck attention_pipe rc=$?"
timeout $(left 40) $CS --tool synccheck --error-exitcode 99 $G/kc5/kernel_check_nt attention_pipe > $W/san-synccheck-pipe.txt 2>&1
prog "synccheck attention_pipe rc=$?"
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v2.jar AB_JAR_A=$G/v5.jar AB_OUT=$W/res
ab_pairs ml 4 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs m48 2 --model ernie-4.5-0.3b --sizes 512 --batch 4x80 --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs mll 2 --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 100 | tee -a $W/progress.txt
ab_pairs ms 1 --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
AB_JAR=$G/v1.jar AB_JAR_A=$G/v5.jar AB_OUT=$W/res1
ab_pairs nl 3 --model ernie-4.5-0.3b --sizes 512 --prompts long --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs n48 2 --model ernie-4.5-0.3b --sizes 512 --batch 4x80 --warmup 50 --iterations 200 | tee -a $W/progress.txt
ab_pairs nll 2 --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 100 | tee -a $W/progress.txt
ab_pairs ns 2 --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
python3 $R/scripts/gpu/ab-table.py $W/res1 b > $W/table1.txt
JAR=$G/v5.jar TESTS=$G/v5-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "every GPU test rc=$?"; rm -rf $W/junit-gpu
rm -f $W/res*/*.hlog $W/*.hlog; gzip -9 $W/res*/*.txt $W/gpu-tests.log $W/kernel-check-attention.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s42c2)
grep -E "ALL PASSED|FAILURES|FAIL" $W/kernel-check-attention-pipe.txt | head -3
zcat $W/kernel-check-attention.txt.gz | grep -E "ALL PASSED|checks failed|FAILURES" | head -4; cat $W/attn-one.txt | tr '\n' ';'; echo
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
for v in main v5; do echo "== $v"; grep -A2 "^attn_trace 1x480" $W/attn-trace-$v.txt | cut -c1-330; done
cat $W/table.txt; cat $W/table1.txt
