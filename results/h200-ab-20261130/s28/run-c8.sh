#!/bin/bash
# s28 call 8, jar v78 (main 87e757b). Why does --first-tokens spin slow Llama-3.2-1B's forwards (calls 6-7: +0.7..+1.2 %
# host, the synchronized event-timed forwards' GPU p50 +3..+5 us in the same runs)? A guess: with the host back sooner,
# the GPU idles less between forwards, so it runs hotter and clocks lower. Three alternating pairs of Llama short (graph
# only, as call 7), nvidia-smi sampling SM / memory clocks, power and temperature every 100 ms in the background; the table
# gives each run's clock and power medians beside its host / GPU p50. Prediction if the guess holds: spin runs' SM clock
# median lower (or their power higher) by a few percent; if the clocks match, the guess is wrong.
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s28/v78.jar
W=/tmp/s28c8out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
P="--no-profile --no-progress --max-model-len 4096 --max-num-seqs 16 --no-eager"
LL="--model llama-3.2-1b --sizes 16 --prompts short --warmup 30 --iterations 600"
(cd $(mktemp -d) && for rep in 1 2 3; do
  order="sync spin"; [ $((rep % 2)) = 0 ] && order="spin sync"
  for c in $order; do
    nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,clocks_throttle_reasons.active --format=csv,noheader,nounits -lms 100 > $W/smi-$c-$rep.csv 2>&1 &
    SMI=$!
    timeout 60 java --enable-native-access=ALL-UNNAMED -jar $J prefill $LL $P --first-tokens $c --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || echo "llama $c $rep failed"
    kill $SMI; wait $SMI 2>/dev/null
  done
  echo "pair $rep $(( $(date +%s)-s )) s"
done)
python3 - $W > $W/table.txt <<'PY'
import csv, glob, json, os, statistics, sys
W = sys.argv[1]
print('run        host p50  gpu p50   SM MHz (median of busy samples)  mem MHz  power W  temp C  throttle reasons seen')
for f in sorted(glob.glob(os.path.join(W, 'res', '*.json'))):
    m, v, r = os.path.basename(f)[:-5].split('-')
    g = json.load(open(f))['workloads'][0]['graph']
    rows = [x for x in csv.reader(open(os.path.join(W, 'smi-%s-%s.csv' % (v, r)))) if len(x) >= 6]
    busy = [x for x in rows if float(x[3]) > 150]  # samples while the forward loop ran
    med = lambda i: statistics.median(float(x[i]) for x in busy) if busy else float('nan')
    reasons = sorted({x[5].strip() for x in busy})
    print('%-5s %-2s  %8.1f  %8.1f  %8.0f  %8.0f  %7.0f  %5.0f  %s (%d samples)' % (v, r, g['hostNs']['p50'] / 1e3, g['gpuNs']['p50'] / 1e3,
          med(1), med(2), med(3), med(4), ' '.join(reasons), len(busy)))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s28c8out)
cp $W/table.txt $OUT/
cat $W/table.txt
