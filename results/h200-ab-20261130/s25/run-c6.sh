#!/bin/bash
# s25 call 6: v65 (jar 191f147, branch s25-n32rope: gemm_bf16_stream_mXX_n32_rope, the half-width streaming qkv GEMM with
# rope_kv_write through the split-K fixup — two 32-column tiles per 64-column head group on one counter) reached by choices
# rows (make-choices.py lr2 / lr4 / er4 / er2 / er4w) against the bundled rows of the same jar (whose kernels are main's:
# the 73 existing sm_90a kernels' code is unchanged, compared section by section); kernel_check rope_fused (the fused
# forms == the _n32 kernel + rope_kv_write, bit for bit) in the same call; timelines at 16.
# Prediction (NOTES-forward, "After the twenty-fifth session"): s24's lqn2 (Llama's qkv on these tiles at split 2, rope
# its own link) tied the bundled split-4 fused form on short; fusing saves the rope link (~2.5 us) for the fixup's tail
# (~1 us): Llama lr2 qkv + rope 6.98 -> ~5.5 us per layer, short -2.5 %, 2x8 -2.5 %, 16d@2048 +1 % (lqn2 +3.3 % there);
# lr4 -1 %; ERNIE er4 (its bundled split 4, rope fused): qkv 1.66 + rope 2.50 -> ~3.0: short -2..-4 % (er16, rope fused on
# the plain kernel at split 8, lost +2.6 %: its 8 planes); er2 +-1 %; er4w as er4 plus 4x8@32 / 4x16@64 -1..-3 %.
# Rule: a row set bundled if its model's short drops >= 1 % and nothing rises > 0.5 % (16d@2048 included), after call 7's
# validation.
# Carry .gpu/jre.tar.xz, .gpu/s25/v65.jar, .gpu/s25/kc65, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s25
W=/tmp/s25c6out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
J=$R/.gpu/s25/v65.jar
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
cp .gpu/s25/kc65 /tmp/ && chmod +x /tmp/kc65
(cd /tmp && timeout 90 /tmp/kc65 rope_fused > $W/kernel-check-rope_fused.txt 2>&1; prog "kernel_check rope_fused rc=$?")
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
LL="--model llama-3.2-1b --sizes 16 --prompts short --batch 2x8 --mix 16d@2048"
EE="--sizes 16,32,64 --prompts short --batch 2x8,4x8,4x16 --mix 1x8+8d@512,16d@2048"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base lr2 lr4; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $LL $P $(ch $c) --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || echo "llama $c $rep failed"
  done
  for c in base er4 er2 er4w; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EE $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base lr2 lr4 er4 er2 er4w > $W/ab.txt
cat $W/ab.txt
export LD_LIBRARY_PATH=$R/.gpu/trace:/usr/local/cuda/extras/CUPTI/lib64:$LD_LIBRARY_PATH
for mc in llama.base llama.lr2 ernie.base ernie.er4; do
  m=${mc%.*}; c=${mc#*.}; M=$([ $m = llama ] && echo "--model llama-3.2-1b" || echo "")
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$mc.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill $M --sizes 16 --prompts short --max-num-seqs 16 --max-model-len 4096 $(ch $c) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$mc.txt 2>&1
   java -jar $J plan $M --sizes 16 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --dump-ops /tmp/pkops-$mc.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$mc.csv --ops /tmp/pkops-$mc.txt > $W/timeline-$mc.txt 2>&1)
  prog "timeline $mc"
done
(cd /tmp && tar cJf $OUT/res.tar.xz s25c6out)
cp $W/ab.txt $OUT/ab.txt
for mc in llama.base llama.lr2 ernie.base ernie.er4; do echo "== timeline $mc $(grep -m1 'median span' $W/timeline-$mc.txt | grep -o 'span.*')"; grep -A10 'op of a layer' $W/timeline-$mc.txt | tail -8 | cut -d'|' -f2,3,5 | tr '\n' ';'; echo; done
grep -c "OK  " $W/kernel-check-rope_fused.txt; grep -c "FAIL" $W/kernel-check-rope_fused.txt; grep "n32_rope.*s[24] m_dev16 .*PDL\|n32_rope.*s[24] m_dev64 .*PDL" $W/kernel-check-rope_fused.txt | cut -c1-150 | head -8; tail -2 $W/kernel-check-rope_fused.txt
echo; cat $W/ab.txt; tail -1 $W/progress.txt
