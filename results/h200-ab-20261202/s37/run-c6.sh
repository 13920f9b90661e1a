#!/usr/bin/env bash
# s37 call 6, jar v3 (main + v81 as an option: gemm_bf16_stream_m16s5 / _silu, the plain 16-row tile at five stages, 51200
# bytes of shared memory; the six-stage kernels' grid, splits and bits).
# v80 (call 5) lost because two 108 KB gate_up blocks left no room for the next kernel's blocks. Llama-3.2-1B's gate_up at 16
# (256 blocks of 61440 bytes: 124 SMs hold two) leaves room for one of down's six-stage blocks there, so only ~140 of down's
# 256 blocks are resident at gate_up's entry to prefetch their weights; at five stages two gate_up blocks leave room for two.
# 1. kernel_check n32 (now also the five-stage kernels == the six-stage ones bit for bit on Llama's gate_up SiLU, down, o;
#    timed), memcheck and racecheck on kernel_check_nt n32; RingDepthGpuTest (ERNIE nine-stage, Llama five-stage rows ==
#    the bundled forward bit for bit); memcheck of the engine on gs5.
# 2. A/B, graph GPU p50, pairs alternating (a = choices-gs5.json). Prediction: down 9.4 -> ~8.6 us a layer, gate_up the
#    same (per-block rate does not depend on depth, NOTES-gemm-stream call 2): Llama short -0.6..-2 %, 2x8 alike, decodes
#    at 16 the same or better. Rule (written before): bundle if Llama short >= 1 % and 2x8 >= 0.5 % faster (median of
#    pairs), no workload's median > +0.3 %.
source scripts/gpu/call-setup.sh s37c6 585
R=$(pwd); G=$R/.gpu/s37
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
timeout $(left 60) $R/.gpu/kernel_check n32 > $W/kc-n32.txt 2>&1; prog "kernel_check n32 rc=$?"
for tool in memcheck racecheck; do
  timeout $(left 80) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt n32 > $W/san-$tool-n32.txt 2>&1
  prog "$tool kernel_check_nt n32 rc=$?"
done
JAR=$G/v3.jar TESTS=$G/tests3.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh $R/.gpu/junit.jar --select-class io.prefillbench.engine.RingDepthGpuTest > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
cd $(mktemp -d)
timeout $(left 50) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v3.jar prefill --no-progress \
  --model llama-3.2-1b --impl-choices $G/choices-gs5.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-gs5.json > $W/san-memcheck-engine-gs5.txt 2>&1
prog "memcheck engine gs5 rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v3.jar AB_OUT=$W/res
CH=choices-gs5.json ab_pairs gs5 4 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs5.json ab_pairs gs528 3 --model llama-3.2-1b --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-gs5.json ab_pairs gs5d 2 --model llama-3.2-1b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s37c6)
grep -E "m16s5|n32s9" $W/kc-n32.txt | grep -v "^\s" | tail -5 | cut -c1-200
tail -1 $W/kc-n32.txt
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
