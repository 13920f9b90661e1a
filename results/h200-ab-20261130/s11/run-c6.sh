#!/bin/bash
# Session 11, call 6 (jar deadd0a): (1) Llama-3.2-1B (32 q / 8 kv heads of 64) with attention_prefill_wg at every size
# (llwg.json) against its rule (kh at 16, the 4-warp form beyond), three runs each, alternating; (2) ERNIE's mixed
# decode steps at buckets 16 and 32 under the new bundled file against the ninth session's (old.json: kh attention),
# two runs each.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s11c6; mkdir -p $W/res; s=$(date +%s); J=/tmp/s11j5; mkdir -p $J; root=$PWD
el() { echo $(( $(date +%s)-s )); }
xz -dkc .gpu/s11/j5/bench.jar.xz > $J/bench.jar
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = bundled ] || echo "--impl-choices $root/.gpu/s11/$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled llwg; do
  timeout 60 $BJ prefill --model llama-3.2-1b --sizes 16,128,512 --prompts short,long --batch 8x16 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/llama-s11c6-$v-$rep-h200-$stamp.json > $W/llama-$v-$rep.txt 2>&1 || echo "llama $v $rep failed"; done; done)
echo "llama $(el) s"
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled old; do
  timeout 50 $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048,1x10+6d@1024,32d@1024 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/mix-s11c6-$v-$rep-h200-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "mix $(el) s"
(cd /tmp && tar czf $OUT/s11c6.tgz s11c6)
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s11c6/res/*.json')):
    d = json.load(open(f)); v = f.split('s11c6-')[1].split('-h200')[0]
    print(f.split('/')[-1][:5], v, '; '.join('%s@%d %.3f' % (w['name'].replace('batch-', ''), w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
