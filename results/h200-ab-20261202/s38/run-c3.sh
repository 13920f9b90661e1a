#!/usr/bin/env bash
# s38 call 3, jar v2 (main + gemm_bf16_stream_m16k128s4 / _silu: the plain 16-row tile with 128-deep k stages at four
# stages, 81920 bytes; rows only). Call 2's screen (harness kernels, PDL back to back, Llama at 16): gate_up SiLU 17.2 us
# against 20.6 at six stages, down s8 6.7 / 7.4, o s8 3.3 / 3.4; the same bits.
# 1. Checks: kernel_check ringk (the exported four-stage kernels == six stages bit for bit on Llama's shapes, timed),
#    memcheck and racecheck on kernel_check_nt ringk, RingDepthGpuTest (3 cases: + Llama with gate_up and down on the k128
#    tile == the bundled forward bit for bit, eager and graph), memcheck of the engine on kgd (Llama short + 2x8).
# 2. A/B, graph GPU p50, pairs alternating (b bundled; a = choices-kg / kgd / kgo.json, every graph at 1..16).
#    Prediction (written before): kg: gate_up's chain cost 18.2 -> ~15.5-16 us a layer (half to two thirds of the -3.4 us
#    alone; two k128 blocks of 80 KB leave room for one six-stage down block, as two six-stage gate_up blocks do), Llama
#    short -3..-5 %, 2x8 alike, the decode mixes (same GEMM shapes at 16 rows) -2..-4 %. kgd: down's k128 blocks (80 KB)
#    no longer fit beside two gate_up blocks, v80's loss of the pre-wait stream: kgd no better than kg, maybe worse. kgo:
#    o -0.1 us alone: = kgd.
#    Rule (written before): bundle the best of kg / kgd / kgo if Llama short >= 1 % and 2x8 >= 0.5 % faster in the median of
#    pairs and neither decode mix slower than the null A/B's level (+0.3 %) in the median; else scope to prompt batches
#    if only the decodes lose.
source scripts/gpu/call-setup.sh s38c3 585
R=$(pwd); G=$R/.gpu/s38
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
timeout $(left 30) $R/.gpu/kernel_check ringk > $W/kc-ringk.txt 2>&1; prog "kernel_check ringk rc=$?"
for tool in memcheck racecheck; do
  timeout $(left 90) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt ringk > $W/san-$tool-ringk.txt 2>&1
  prog "$tool kernel_check_nt ringk rc=$?"
done
JAR=$G/v2.jar TESTS=$G/tests2.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.RingDepthGpuTest > $W/gpu-tests.log 2>&1
prog "RingDepthGpuTest rc=$?"; rm -rf $W/junit-gpu
cd $(mktemp -d)
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v2.jar prefill --no-progress \
  --model llama-3.2-1b --impl-choices $G/choices-kgd.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-llama.json > $W/san-memcheck-engine-llama.txt 2>&1
prog "memcheck engine llama kgd rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v2.jar AB_OUT=$W/res
CH=choices-kg.json ab_pairs kg 4 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-kg.json ab_pairs kg28 3 --model llama-3.2-1b --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-kgd.json ab_pairs kgd 3 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-kgo.json ab_pairs kgo 3 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-kg.json ab_pairs kgdec 2 --model llama-3.2-1b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
CH=choices-kgd.json ab_pairs kgddec 2 --model llama-3.2-1b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s38c3)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -E "k128s4" $W/kc-ringk.txt | grep -v "^ " | tail -5; tail -1 $W/kc-ringk.txt
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
