#!/bin/bash
# s26 call 15, jar a50dc40: call 14 had the mixed steps at 128 +0.7 % (medians; the runs' ranges overlap: 826.9-832.6 vs
# 825.7-830.6 us, 699.2-701.7 vs 696.6-699.9) while their plain plan is byte-identical with and without the fresh row. Five
# alternating runs of the two mixed steps and 8x16 at one size (128), graph GPU p50. Rule (written before the run): merge the
# fresh row if 8x16 still drops >= 1 % and both mixed steps' medians are within +0.5 %; otherwise merge the mechanism without
# the bundled row.
# Carry .gpu/jre.tar.xz, .gpu/s26/v71.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s26
J=$R/.gpu/s26/v71.jar
W=/tmp/s26c15out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 150 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
E="--sizes 128 --batch 8x16 --mix 1x80+15d@2048,4x20+12d@1024"
(cd $(mktemp -d) && for rep in 1 2 3 4 5; do
  for c in prev base; do
    timeout $(left 20) java --enable-native-access=ALL-UNNAMED -jar $J prefill $E $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res prev base > $W/ab.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s26c15out)
cat $W/ab.txt; tail -1 $W/progress.txt
