#!/bin/bash
# s7 call 6 (branch s7-llama d53ffdc): Llama-3.2-1B's layer GEMMs on cuBLASLt at 65..512. A/B in the same call against
# main b2f24e1 (`prefill --model llama-3.2-1b --sweep 64:512:64`, two runs each, alternating), then the Llama sweep 8:512:8
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s7c6; mkdir -p $L/res; s=$(date +%s); root=$PWD
stamp=$(date -u +%Y%m%d-%H%M%S)
cd $(mktemp -d)
for rep in 1 2; do for v in r l; do
  timeout 60 java --enable-native-access=ALL-UNNAMED -jar $root/.gpu/s7/j$v/bench.jar prefill --model llama-3.2-1b --sweep 64:512:64 --no-progress \
    --json $L/res/llama-coarse-$v-$rep-$stamp.json > $L/coarse-$v-$rep.log 2>&1; echo "coarse $v $rep rc=$? $(( $(date +%s)-s )) s"
done; done
timeout 300 java --enable-native-access=ALL-UNNAMED -jar $root/.gpu/s7/jl/bench.jar prefill --model llama-3.2-1b --sweep 8:512:8 --no-progress \
  --json $L/res/sweep-llama-3.2-1b-h200-$stamp.json > $L/sweep-llama.log 2>&1; echo "sweep rc=$? $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s7c6.tgz s7c6 && rm -rf s7c6)
python3 - <<'PY'
import json,glob
for f in sorted(glob.glob('/tmp/x/res/*.json')):
    d=json.load(open(f))
    pts=d.get('sweep') or []
    print(f.split('/')[-1], ' '.join('%d:%.3f/%.3f' % (p['tokens'], p['eager']['hostP50Ms'], p['graph']['hostP50Ms']) for p in pts if p['tokens'] % 64 == 0 or p['tokens'] in (8,16,72,136)))
PY
