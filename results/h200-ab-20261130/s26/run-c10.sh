#!/bin/bash
# s26 call 10, jar ab0b720: call 9's probe (tiny's attention at 1..16 on the t32 form: short -1.7 %, 2x8 -2.1 %,
# 1x8 + 8d@512 -1.7 %, but 16d@2048 +0.54 %, over the rule's +0.5 %) scoped as ERNIE's and Llama's t32 rows are: t32 in the
# plain graph, a "batch": "decode" row keeping attention_prefill_wg_early in a decode graph at 16 (choices-tt32p.json; the size
# then captures two graphs). Three alternating runs, graph GPU p50, against the bundled rows and tt32. Rule (written before
# the run): bundle tt32p if tiny short and 2x8 drop >= 1 % and no workload rises > 0.5 % against base.
# Prediction: prompts as tt32 (-1.7..-2.1 %), 16d@2048 back to base (+-0.3 %).
# Carry .gpu/jre.tar.xz, .gpu/s26/v69.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s26
J=$R/.gpu/s26/v69.jar
W=/tmp/s26c10out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 30 --iterations 300 --max-model-len 4096 --max-num-seqs 16"
T="--model tiny --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,16d@2048"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base tt32 tt32p; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $T $P $(ch $c) --json $W/res/tiny-$c-$rep.json > $W/tiny-$c-$rep.txt 2>&1 || echo "tiny $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base tt32 tt32p > $W/ab.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s26c10out)
cat $W/ab.txt; grep -h 'decode graph' $W/tiny-tt32p-1.txt | head -2; tail -1 $W/progress.txt
