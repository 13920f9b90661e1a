#!/bin/bash
# s26 call 13, jar c64e41e: how large the "graph for fresh prompts" lever is (call 12: ERNIE's t32 attention at 81..128 wins
# prompts, loses mixed steps over cached prefixes, which replay the same graph). choices-t32w.json puts ERNIE's attention at
# 65..512 on the t32 form; fresh prompts at 80 / 128 / 256 / 512 buckets (1x80, 8x16, 2x100, 4x80, long) and one mixed step.
# Three alternating runs, graph GPU p50, against the bundled rows. A measurement of the lever's size, no bundling rule.
# Prediction: 65..128 prompts -2..-4 % (call 12); at 512 (long, 4x80) a loss (long tiles walk more pages on the split path).
# Carry .gpu/jre.tar.xz, .gpu/s26/v70.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s26
J=$R/.gpu/s26/v70.jar
W=/tmp/s26c13out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 300 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
E="--sizes 80,128,256,512 --prompts long --prompt-lens 80 --batch 8x16,2x100,4x80 --mix 1x80+15d@2048"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base t32w; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $E $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base t32w > $W/ab.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s26c13out)
cat $W/ab.txt; tail -1 $W/progress.txt
