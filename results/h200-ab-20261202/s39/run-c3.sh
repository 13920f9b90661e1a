#!/usr/bin/env bash
# s39 call 3, jar v2 (main + the solo_norms switch: Lowering.soloNorms, add_rmsnorm[_256]_solo; rows only, never a default).
# Call 2's harness (ERNIE's plain plan at 16, graph replay, PDL, three runs each): the chain's norms with 160000 bytes of unused
# shared memory 397.7-398.1 us against 401.9-402.7 (-1.1 %, every run): the next GEMM's early blocks, queued on the norms'
# own SMs, do cost the norm links.
# 1. Checks: SoloNormsGpuTest (ERNIE and Llama at 16 with the row == the bundled bits, eager and graph), memcheck of the
#    engine on ERNIE with the row (short + 2x8).
# 2. A/B, graph GPU p50, pairs alternating (b bundled, a choices-sn.json). Prediction (written before): ERNIE short -1.1 %
#    (its 36 norms, as the harness), 2x8 alike, the decode mixes -0.5..-1 % (their graph's norms run solo too); Llama: only its
#    input norms (the post norms' gate_up needs every SM), -0.3..-0.6 %; tiny +-0.5 %.
#    Rule (written before): bundle if ERNIE short and 2x8 are each >= 0.5 % faster in the median of their pairs, every short
#    pair faster, and no decode mix, Llama or tiny workload above the null's +0.3 %.
source scripts/gpu/call-setup.sh s39c3 585
R=$(pwd); G=$R/.gpu/s39
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
JAR=$G/v2.jar TESTS=$G/tests2.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.SoloNormsGpuTest > $W/gpu-tests.log 2>&1
prog "SoloNormsGpuTest rc=$?"; rm -rf $W/junit-gpu
cd $(mktemp -d)
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v2.jar prefill --no-progress \
  --impl-choices $G/choices-sn.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-ernie.json > $W/san-memcheck-engine-ernie.txt 2>&1
prog "memcheck engine ernie sn rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v2.jar AB_OUT=$W/res
E="--model ernie-4.5-0.3b --sizes 16 --warmup 100 --iterations 300"; L="--model llama-3.2-1b --sizes 16 --warmup 100 --iterations 300"
CH=choices-sn.json ab_pairs sn 5 $E --prompts short | tee -a $W/progress.txt
CH=choices-sn.json ab_pairs snx 4 $E --batch 2x8 | tee -a $W/progress.txt
CH=choices-sn.json ab_pairs sndec 3 --model ernie-4.5-0.3b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
CH=choices-sn.json ab_pairs snl 3 $L --prompts short | tee -a $W/progress.txt
CH=choices-sn.json ab_pairs snlx 2 $L --batch 2x8 | tee -a $W/progress.txt
CH=choices-sn.json ab_pairs snt 3 --model tiny --sizes 16 --prompts short --warmup 200 --iterations 600 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s39c3)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h -E "ERROR SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
