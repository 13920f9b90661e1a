#!/bin/bash
# s26 call 12, jar c64e41e: an old loser re-measured (tiny's t32 rows won in call 10 where s20's probe had them at +-1 %):
# ERNIE-4.5-0.3B's attention at 81..128 on the t32 form (choices-t128.json; s20 call 6: 8x16 -1.5 %, a 100-token prompt
# +0.6 %, over that rule's +0.5 %, before v56 cut the split path's instructions). Three alternating runs, graph GPU p50,
# against the bundled rows. Rule (written before the run): bundle if 8x16 drops >= 1 % and no workload rises > 0.5 %.
# Prediction: 8x16 -1.5..-2.5 %, the 100-token prompt ~0 (v56 made the split path cheaper).
# Carry .gpu/jre.tar.xz, .gpu/s26/v70.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s26
J=$R/.gpu/s26/v70.jar
W=/tmp/s26c12out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 400 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
E="--sizes 128 --prompt-lens 100,120 --batch 8x16,4x24 --mix 1x80+15d@2048,4x20+12d@1024"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base t128; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $E $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base t128 > $W/ab.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s26c12out)
cat $W/ab.txt; tail -1 $W/progress.txt
