#!/bin/bash
# s35 call 4, jar v3 (afa144c: v77, argmax over a cluster of 8 blocks per row for vocabularies >= 16384 on sm_90) against
# v2 (baca2bb, set 042418's jar: argmax_rows, one block per row).
# 1. Every GPU test on v3 (prediction: 98/98; the engine-vs-CPU-reference and graph == eager tests now run the cluster form
#    for ERNIE and Llama).
# 2. kernel_check argmax: argmax_rows == argmax_rows_v0 and argmax_rows_cluster (clusters of 2, 8, 16) == argmax_rows on the
#    edge rows (NaN, -inf, ties, the max last), rows past ns untouched; timed with PDL back to back (prediction at 16 rows of
#    ERNIE's vocab: the cluster form about half of argmax_rows). memcheck and racecheck on it; memcheck on the engine.
# 3. A/B, graph GPU p50, pairs alternating (b = v2, a = v3), rule written before the run: keep v77 if ERNIE short and 2x8 at
#    --sizes 16 are each >= 0.4 % faster (median), Llama short not > +0.3 % slower, and 1-2 pass; else revert it.
#    Prediction: the argmax link 5.2 -> ~2.5 us: ERNIE short / 2x8 -2..-3 us (-0.5..-0.8 %), Llama short -2..-3 us (-0.3 %).
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); G=$R/.gpu/s35
W=/tmp/s35c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 300 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
nvidia-smi > $W/smi.txt 2>&1
JAR=$G/v3.jar TESTS=$G/tests3.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
timeout $(left 30) $R/.gpu/kernel_check argmax > $W/kc-argmax.txt 2>&1; prog "kernel_check argmax rc=$?"
for tool in memcheck racecheck; do  # on the timing build: the no-timing one left out for the carry limit
  timeout $(left 40) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check argmax > $W/san-$tool-argmax.txt 2>&1
  prog "$tool kernel_check argmax (timing build) rc=$?"
done
cd $(mktemp -d)
timeout $(left 40) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v3.jar prefill --no-progress \
  --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 3 --json $W/san-engine.json > $W/san-memcheck-engine.txt 2>&1
prog "memcheck engine rc=$?"
source $R/scripts/gpu/ab-pairs.sh
AB_JAR=$G/v2.jar AB_JAR_A=$G/v3.jar AB_OUT=$W/res AB_START=$s AB_BUDGET=300
ab_pairs am 3 --sizes 16 --prompts short --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
ab_pairs lam 2 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s35c4out)
grep -E "argmax" $W/kc-argmax.txt | grep -v "^\s" | tail -8 | cut -c1-220
tail -1 $W/kc-argmax.txt
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -10
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
