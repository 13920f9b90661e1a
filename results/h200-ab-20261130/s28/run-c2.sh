#!/bin/bash
# s28 call 2, jar v76 (main b67d7ed, clean). Choices only, three alternating runs, graph GPU p50, against the bundled rows.
# (1) Call 1's Llama half again (its --mix had more sequences than --max-num-seqs and every Llama run stopped at once):
#     smemCarveout rows for Llama-3.2-1B at 17..64 (l17) and 65..512 (l65). Predictions as call 1's: l65 8x16 at 128
#     -1..-2 %, long / 4x80 +-0.5 %; l17 +-0.5 %.
# (2) o512c: ERNIE's o projection at 512 on our 64 x 64 TMA tile unsplit (128 blocks, one wave) instead of cuBLASLt, with
#     ERNIE's plans at 129..512 at 100 % of the shared memory split (c129, neutral in call 1). s11 measured the tile
#     without the split row: o 5.15 -> 4.3 us per layer, attention and the post norm +0.6 (long 0.996 vs 0.999). If that
#     +0.6 was the split change around a 132 KB kernel: long and 4x80 -0.8..-1.2 %, 200-token at 256 +-0.3 % (no row there).
# Rule (written before the run): bundle a row whose target workload gains >= 1 % with no workload > +0.5 %.
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s28; J=$R/.gpu/s28/v76.jar
W=/tmp/s28c2out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 450 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
EE="--sizes 128,256,512 --prompts long --prompt-lens 200 --batch 8x16,4x80"
LL="--model llama-3.2-1b --sizes 32,64,128,512 --prompts long --prompt-lens 24,100 --batch 4x8,4x16,8x16,4x80 --mix 16d@1024"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base o512c; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EE $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  for c in base l17 l65; do
    timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill $LL $P $(ch $c) --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || { echo "llama $c $rep failed"; tail -2 $W/llama-$c-$rep.txt; }
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base > $W/ab.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s28c2out)
cp $W/ab.txt $OUT/
cat $W/ab.txt; tail -1 $W/progress.txt
