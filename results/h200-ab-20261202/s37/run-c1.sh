#!/usr/bin/env bash
# s37 call 1, jar v1 (main + v79 as an option: gemm_bf16_stream_m16_k256_attn, attention folded into o on the plain 16-row
# tile, four q heads of one kv head per block at k / 256 splits; reached by an attention_into_o row naming gemm_bf16_stream_m16).
# 1. Every GPU test on v1 (prediction: 101/101, s36's 100 + the Llama k256 case) -- with 2 and 3 also v77's owed triple
#    (argmax_rows_cluster: GPU tests, sanitizer and timing in one lease).
# 2. kernel_check argmax (bits against argmax_rows / v0, timing: ~3.7 us alone) and attn_o (the k256 form against float64 on
#    Llama's o and ERNIE's at 4 splits, same bits twice; timing at [10] PDL back to back against the plain o alone; ERNIE's
#    chain as before). Prediction: Llama's o alone ~2.6 us, the k256 fold ~+1.5 us.
# 3. memcheck and racecheck on kernel_check_nt argmax and attn_o (quick); memcheck on the engine with the k256 fold (Llama short).
# 4. A/B, graph GPU p50, pairs alternating (b = bundled, a = choices-ko.json: the fold row for Llama's o at 1..16, fresh).
#    Prediction from s35 call 3's timeline (attention 2.4 + o 2.4 us a layer): fused ~3.8, -1.0 us a layer x 16 = -16 us,
#    Llama short -1.9 %, 2x8 -1.5..-2 %. Rule written before the run: bundle if Llama short >= 1 % faster in the median of
#    pairs and 2x8 >= 0.5 %, neither > +0.3 % in any pair.
source scripts/gpu/call-setup.sh s37c1 585
R=$(pwd); G=$R/.gpu/s37
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
nvidia-smi > $W/smi.txt 2>&1
JAR=$G/v1.jar TESTS=$G/tests1.jar OUT=$W timeout $(left 190) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
timeout $(left 30) $R/.gpu/kernel_check argmax > $W/kc-argmax.txt 2>&1; prog "kernel_check argmax rc=$?"
PK_OPS=$G/ops-ernie.txt timeout $(left 60) $R/.gpu/kernel_check attn_o > $W/kc-attn_o.txt 2>&1; prog "kernel_check attn_o rc=$?"
for tool in memcheck racecheck; do
  timeout $(left 60) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt argmax > $W/san-$tool-argmax.txt 2>&1
  prog "$tool kernel_check_nt argmax rc=$?"
  PK_ATTN_O_QUICK=1 PK_OPS=$G/ops-ernie.txt timeout $(left 60) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt attn_o > $W/san-$tool-attn_o.txt 2>&1
  prog "$tool kernel_check_nt attn_o rc=$?"
done
cd $(mktemp -d)
timeout $(left 50) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress \
  --model llama-3.2-1b --impl-choices $G/choices-ko.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-llama.json > $W/san-memcheck-engine-llama.txt 2>&1
prog "memcheck engine llama rc=$?"
cd $R
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_OUT=$W/res
CH=choices-ko.json ab_pairs ko 3 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-ko.json ab_pairs ko28 2 --model llama-3.2-1b --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s37c1)
grep -E "argmax" $W/kc-argmax.txt | grep -v "^\s" | tail -5 | cut -c1-200
tail -1 $W/kc-argmax.txt
grep -E "attn_o" $W/kc-attn_o.txt | grep -v "^\s" | grep -E "\[10\]|FAIL|chain" | head -12 | cut -c1-200
tail -1 $W/kc-attn_o.txt
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -10
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
