#!/bin/bash
# s28 call 3, jar v76 (main b67d7ed, clean). Choices only, three alternating runs, graph GPU p50, against the bundled rows:
# the qkv GEMM at 1..16 in the plain graphs unsplit, rope_kv_write on the block's own accumulators
# (gemm_bf16_stream_m16_rope1, v49's form, bundled only for tiny) instead of through the split-K fixup (v65: the split blocks'
# partial stores, a fence, an arrival, the last block's reload before rope: ~3 dependent L2 round trips after the k loop).
# Why: Llama's in-chain qkv + rope link is 6.03 us per layer (s25) for 12.6 MB whose blocks load their whole slices before the
# PDL wait, so its cost is the tail, not the stream; s24 measured more splits (8) and rope separate, never one split with rope1.
# lq1: Llama on the plain m16 kernel (48 blocks of 64 columns, 256 KB each); eq1: ERNIE on the plain m16 kernel (20 blocks,
# 128 KB each); eq1h: ERNIE on the half-width kernel at one split (40 blocks, 64 KB each, the pair of a head's tiles still
# meets through one counter). Decode graphs keep their rows.
# Predictions: lq1 qkv + rope ~6.0 -> ~4.5 us per layer (the unsplit blocks stream ~190 KB after the wait at ~65-85 GB/s
# each): Llama short -2..-3 %, 2x8 -1..-2 %; eq1 3.9 -> ~2.5-3: ERNIE short -1..-3 % (20 SMs stream the weights: may lose);
# eq1h -1..-2 %; 16d@2048 (decode graphs) +-0.3 %.
# Rule (written before the run): bundle the best candidate per model if short >= 1 % faster and no workload > +0.5 %
# (then every GPU test in the next call).
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s28; J=$R/.gpu/s28/v76.jar
W=/tmp/s28c3out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 450 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 30 --iterations 200 --max-model-len 4096 --max-num-seqs 16"
EE="--sizes 16 --prompts short --prompt-lens 12,16 --batch 2x8 --mix 1x8+8d@512,16d@2048"
LL="--model llama-3.2-1b $EE"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base eq1 eq1h; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EE $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || { echo "ernie $c $rep failed"; tail -2 $W/ernie-$c-$rep.txt; }
  done
  for c in base lq1; do
    timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill $LL $P $(ch $c) --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || { echo "llama $c $rep failed"; tail -2 $W/llama-$c-$rep.txt; }
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base > $W/ab.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s28c3out)
cp $W/ab.txt $OUT/
cat $W/ab.txt; tail -1 $W/progress.txt
