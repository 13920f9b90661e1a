#!/usr/bin/env bash
# s37 call 5, jar v2 (main + v80 as an option: gemm_bf16_stream_m16_n32s9 / _silu, the 16-row half-width tile at nine stages,
# a k slice of up to 8 x 128 issued whole before the PDL wait; the six-stage kernels' grid, splits and bits).
# 1. kernel_check n32: the nine-stage kernels == the six-stage ones bit for bit (plain at every 16-row shape and split of
#    the test, SiLU on gate_up), PDL back-to-back times; memcheck and racecheck on kernel_check_nt n32.
# 2. NineStageTileGpuTest (ERNIE at 16 with gate_up and down on it == the bundled forward's logits bit for bit, eager and
#    graph; graph == eager) and the lowering's unit test in CI; memcheck of the engine on gs9.
# 3. A/B, graph GPU p50, pairs alternating (b = bundled, a = choices-gs9.json: ERNIE's gate_up at 1..16 on the nine-stage
#    SiLU tile). Prediction: post_norm's link (2.5 us) leaves DRAM idle ~0.7 us after the six-stage prologue's 7.7 MB; nine
#    stages issue all 12.6 MB: gate_up 3.9 -> ~3.4 us a layer, -9 us (-2.3 %) on short and 2x8; decode steps at 16 the same
#    or better. Rule (written before): bundle if short >= 1 % and 2x8 >= 0.5 % faster (median of pairs), no workload's
#    median > +0.3 %.
source scripts/gpu/call-setup.sh s37c5 585
R=$(pwd); G=$R/.gpu/s37
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
timeout $(left 60) $R/.gpu/kernel_check n32 > $W/kc-n32.txt 2>&1; prog "kernel_check n32 rc=$?"
for tool in memcheck racecheck; do
  timeout $(left 70) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt n32 > $W/san-$tool-n32.txt 2>&1
  prog "$tool kernel_check_nt n32 rc=$?"
done
JAR=$G/v2.jar TESTS=$G/tests2.jar OUT=$W timeout $(left 90) bash scripts/gpu-tests.sh $R/.gpu/junit.jar --select-class io.prefillbench.engine.NineStageTileGpuTest > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
cd $(mktemp -d)
timeout $(left 50) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v2.jar prefill --no-progress \
  --impl-choices $G/choices-gs9.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-gs9.json > $W/san-memcheck-engine-gs9.txt 2>&1
prog "memcheck engine gs9 rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v2.jar AB_OUT=$W/res
CH=choices-gs9.json ab_pairs gs9 4 --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs9.json ab_pairs gs928 3 --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs9.json ab_pairs gs9d 2 --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s37c5)
grep -E "n32s9" $W/kc-n32.txt | grep -v "^\s" | head -12 | cut -c1-200
tail -1 $W/kc-n32.txt
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
