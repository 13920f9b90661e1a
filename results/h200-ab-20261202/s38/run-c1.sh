#!/usr/bin/env bash
# s38 call 1, jar v1 (32a90c5: main + prefill --layout-with). What s37 owed and what its last explanation rested on.
# 1. Every GPU test on v1 (prediction: 104/104 = s37 call 7's 103 + LayoutWithGpuTest: the five-stage Llama forward laid out
#    over the bundled plans too == its own layout's bits, eager and graph). The review mends after s37 call 8 (registry split
#    rules, fusionRowOn, kernel_check's record_ring_pair) reach the GPU here for the first time.
# 2. kernel_check n32 (ring depths == six stages bit for bit, through record_ring_pair) and attn_o (the folds against float64).
# 3. The v81.1 explanation checked: s37 wrote that gs5p's decode mixes (+0.4 / +0.7 %, two pairs) moved because the row shrank
#    the split-K workspace and moved the buffers; but at --sizes 16 the buffer layout is the union over the plain and decode
#    plans, and the decode graph keeps splitk.gate_up: the layouts are identical slice for slice (jshell, this session). So the
#    decode graph AND its addresses were unchanged. Null A/B first (a = the bundled rows copied into choices-null.json: same
#    plans, same layout) on the decode mixes and short: prediction |median| <= 0.3 %, the spread of single pairs up to ~0.7 %.
#    Then gs5p again with more pairs. Rule (s37's, unchanged): bundle gs5p if Llama short >= 1 % and 2x8 >= 0.5 % faster in
#    the median of pairs and each decode mix within +0.3 %; prediction: short -0.7..-1.0 %, 2x8 -1.0 %, decodes +-0.3 % (so
#    short decides).
source scripts/gpu/call-setup.sh s38c1 585
R=$(pwd); G=$R/.gpu/s38
nvidia-smi > $W/smi.txt 2>&1
JAR=$G/v1.jar TESTS=$G/tests1.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
timeout $(left 60) $R/.gpu/kernel_check n32 > $W/kc-n32.txt 2>&1; prog "kernel_check n32 rc=$?"
PK_OPS=$G/ops-ernie.txt timeout $(left 60) $R/.gpu/kernel_check attn_o > $W/kc-attn_o.txt 2>&1; prog "kernel_check attn_o rc=$?"
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_OUT=$W/res
CH=choices-null.json ab_pairs nulld 3 --model llama-3.2-1b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
CH=choices-null.json ab_pairs null 3 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs5p.json ab_pairs gs5pd 3 --model llama-3.2-1b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs5p.json ab_pairs gs5p 5 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs5p.json ab_pairs gs5p28 3 --model llama-3.2-1b --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s38c1)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -8
grep -E "mismatch|FAIL|differ|== six|pass|ok" $W/kc-n32.txt | tail -6; tail -4 $W/kc-attn_o.txt
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
