#!/bin/bash
# s13 call 8 (branch s13-n16, the session's last ~4 device-minutes): quarter-width streaming tiles for o and down,
# gemm_bf16_stream_mXX_n16 (BN 16, BK 128, four k-warps) at a quarter of the plain splits (o 4, down 4 / 4 / 3): the
# same 256 blocks at 16 rows and 256 KB of partials where v37's n32 writes 512 KB.
# Prediction (written before the run): the pairs say less below 512 KB (64 KB 1.62 us, 256 KB 1.75, 1 MB 2.46 per
# pair); v37 gained more than the pairs said (norms -0.5, post norm -0.45 from halving). So: norms -0.2..-0.4 us each,
# the two GEMMs +0.1..+0.3 each (four k-warps' reduction, 4 KB weight stages): ~-0.3 us per layer at 16, short ~-1 %,
# 64 (o / down 2 MB -> 1 MB) ~-2 %. A candidate only: no GPU tests in this call, so nothing is bundled from it.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s13/n16; J=/tmp/n16; rm -rf $J; mkdir -p $J/x && tar -xJf $C/jar.tar.xz -C $J/x && python3 scripts/gpu/rejar.py $J/x/n16 $J/bench.jar
for f in kc kc-san; do xz -dkc $C/$f.xz > $J/$f; done; chmod +x $J/kc $J/kc-san
W=/tmp/n16out; rm -rf $W; mkdir -p $W/res; s=$(date +%s); root=$PWD; R=$root/results/h200-ab-20261130/s13
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 200 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
ch() { [ $1 = bundled ] || echo "--impl-choices $R/choices-$1.json"; }
timeout 40 $J/kc n16 > $W/kc-n16.log 2>&1; echo "n16 rc=$? $(el) s"
timeout 40 compute-sanitizer --tool memcheck $J/kc-san n16 > $W/san-memcheck.log 2>&1; echo "memcheck rc=$? $(el) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled n16; do
  timeout $(left 25) $BJ prefill --sizes 16,32,64 --prompts short --batch 2x8,4x8,4x16 --warmup 20 --iterations 300 --no-progress $(ch $v) --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 25) $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "a/b $(el) s"
(cd /tmp && tar czf $OUT/n16.tgz n16out)
grep -E "ALL PASSED|checks failed" $W/kc-n16.log | tail -1; grep -E " us  " $W/kc-n16.log | head -4
echo "memcheck: $(grep -E 'ERROR SUMMARY' $W/san-memcheck.log | tail -1)"
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/n16out/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
