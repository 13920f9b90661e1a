#!/bin/bash
# Session 10, call 9 (jar bee3826): the study's decode-heavy mixed steps were slower than the ninth session's (32
# decodes on 4000 tokens 1.19 -> 1.53 ms at bucket 32): the bundled file (wg attention at <= 64) against the same
# file without attention rows (kh), same call, alternating, two runs each.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
J7=/tmp/j7; mkdir -p $J7 && xz -dkc .gpu/s10/j9/bench.jar.xz > $J7/bench.jar
W=/tmp/c9; mkdir -p $W/res; root=$PWD
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled kh; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s10/j9/choices-$v.json"
  timeout 50 java --enable-native-access=ALL-UNNAMED -jar $J7/bench.jar prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 64d@1024,32d@4000,1x80+31d@2048 --warmup 20 --iterations 200 --no-progress $extra --json $W/res/mix-$v-$rep.json > $W/mix-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
(cd /tmp && tar czf $OUT/c9.tgz c9)
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/c9/res/*.json')):
    d = json.load(open(f))
    print(f.split('/')[-1], '; '.join('%s@%d graph %.3f gpu %.3f eager %.3f' % (w['name'], w['paddedSize'], w['graph']['hostNs']['p50'] / 1e6, w['graph']['gpuNs']['p50'] / 1e6, w['eager']['hostNs']['p50'] / 1e6) for w in d['workloads']))
PY
