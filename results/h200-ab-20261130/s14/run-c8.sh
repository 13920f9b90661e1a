#!/bin/bash
# s14 call 8: the jar to merge (7f1171a, "v8") against main (000dd4a), at the buckets call 7 found worse. v8 = v7 (call 7:
# 64/64 GPU tests, bits, sanitizers) with the program's order back to main's (embed, tile_map) where no op reads the
# tile map before its wait; the lowering moves tile_map first only in plans with attention_prefill_wg_early. Checked
# here before the run: v8's op dumps equal main's (pdl field aside) for ERNIE at 1..16 and for Llama-3.2-1B and tiny at
# every size, and v7's for ERNIE at 17..512 (max-num-seqs 16 and 64); v8's fatbin is v7's byte for byte.
# Merge rule (written before this run): merged if short, 2x8 and 16d@2048 are within +0.5 % of main (median of three
# alternating runs, graph GPU time) and 4x16 / 32d / 64d keep call 7's gains.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s14/c8; J=/tmp/s14c8; rm -rf $J /tmp/s14c8out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
V="main v8"
for v in $V; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
W=/tmp/s14c8out; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 100 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
MIX="--model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in $V; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  timeout $(left 20) $BJ prefill --sizes 16,64 --prompts short --batch 2x8,4x16 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 20) $BJ prefill $MIX --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
(cd /tmp && tar czf $OUT/s14c8.tgz s14c8out)
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s14c8out/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
