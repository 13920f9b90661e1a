#!/usr/bin/env bash
# s37 call 7, jar v3 (0cc49c8, as call 6). 1. Every GPU test on v3 (prediction: 104/104: call 1's 101, RingDepthGpuTest's 2,
# the k256 Llama case already in the 101 -> 103 + ... as counted). 2. A/B of gs5p (choices-gs5p.json: gs5 for prompt batches
# only; the decode graph keeps six stages): call 6 had gs5 at Llama short -0.9 %, 2x8 -1.0 %, decodes +4.2 / +4.8 %.
# Prediction: short and 2x8 -0.9..-1.0 % again, decodes +-0.3 % (their graph unchanged). Rule (written before): bundle if
# Llama short >= 1 % and 2x8 >= 0.5 % faster in the median of this call's pairs, and each decode mix within +0.3 %.
source scripts/gpu/call-setup.sh s37c7 585
R=$(pwd); G=$R/.gpu/s37
JAR=$G/v3.jar TESTS=$G/tests3.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v3.jar AB_OUT=$W/res
CH=choices-gs5p.json ab_pairs gs5p 5 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs5p.json ab_pairs gs5p28 4 --model llama-3.2-1b --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs5p.json ab_pairs gs5pd 2 --model llama-3.2-1b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s37c7)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -8
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
