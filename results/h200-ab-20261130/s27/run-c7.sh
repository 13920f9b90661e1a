#!/bin/bash
# s27 call 7, jar v75 (main 36aad2b: the carveout row at 17..128 bundled). The open question of call 6's sweep: single
# prompts of 24-48 tokens read +0.4..+1.3 % against the study before v70 (another lease). Same call, three alternating runs,
# graph GPU p50: the bundled rows (17..128) against the row narrowed to 65..128 (cvn) and removed (cv0), on prompts of 24,
# 32, 48 and 60 tokens (sizes 32 / 64), 2x16 at 32, 4x16 at 64 and 8x16 at 128.
# Prediction (call 5: 4x16 at 64 -1.5 %, 8x16 -2.7 % with the row): cv0 8x16 +2..+3 %, 4x16 +1..+1.5 %, the single prompts
# -0.5..+0.5 %; cvn as cv0 at 32 / 64 and as the bundled at 128. Rule (written before the run): narrow the bundled row to
# 65..128 if cvn is >= 0.5 % faster than the bundled rows on at least two of the four single prompts and no workload at
# 32 / 64 is > 0.5 % slower; otherwise keep it.
# Carry .gpu/jre.tar.xz, .gpu/s27/v75.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s27; J=$R/.gpu/s27/v75.jar
W=/tmp/s27c7out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 200 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
EE="--sizes 32,64,128 --prompt-lens 24,32,48,60 --batch 2x16,4x16,8x16"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base cvn cv0; do
    timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EE $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base cvn cv0 > $W/ab.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s27c7out)
cp $W/ab.txt $OUT/
cat $W/ab.txt; tail -1 $W/progress.txt
