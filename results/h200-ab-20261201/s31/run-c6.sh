#!/bin/bash
# s31 call 6, jar v90 (main 77a439a). Whether --max-model-len moves the timings a user reads, through where the
# buffers lie (call 4: ERNIE short at --sizes 16, GPU p50 416.9-418.3 us at 4096 and 408.2-408.7 at 1024 / 256 / 64 in
# one call; call 5: 414.3-414.6 at 4096; call 5's activations-first layout lost on the core command).
# 1. ERNIE short at --sizes 16: --max-model-len 4096 vs 1024, three pairs alternating.
# 2. The core command's workloads (--sizes 16,64,128,512): 4096 vs 1024, two pairs alternating.
# Prediction (written before the run): 1 at 1024 5-9 us (1.2-2.2 %) less GPU time than at 4096 in every pair; 2 within
# +-0.5 % on every workload (the core layout's short already reads ~410 us at 4096).
# Carry .gpu/jre.tar.xz, .gpu/s31/v90.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s31/v90.jar
W=/tmp/s31c6out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 280 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
cd $(mktemp -d)
one() {  # $1 out name, rest: prefill options
  local out=$W/res/$1.json; shift
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill --no-progress "$@" --json $out > ${out%.json}.txt 2>&1 || echo "$out failed"
}
for rep in 1 2 3; do
  lens="4096 1024"; [ $rep = 2 ] && lens="1024 4096"
  for len in $lens; do one short16-L$len-$rep --sizes 16 --prompts short --warmup 100 --iterations 300 --max-model-len $len; done
  prog "short16 pair $rep"
done
for rep in 1 2; do
  lens="1024 4096"; [ $rep = 2 ] && lens="4096 1024"
  for len in $lens; do one core-L$len-$rep --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300 --max-model-len $len; done
  prog "core pair $rep"
done
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, statistics as st, collections
d = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    what, L, rep = os.path.basename(f)[:-5].rsplit('-', 2)
    for w in json.load(open(f))['workloads']:
        d[(what, w['name'], L)].append((w['graph']['gpuNs']['p50'] / 1e3, w['graph']['hostNs']['p50'] / 1e3))
print('graph GPU p50 / host p50 (us), --max-model-len 4096 -> 1024, median of the runs (each run: 4096 / 1024 GPU)')
for (what, name, L) in sorted(d):
    if L != 'L4096': continue
    a, b = d[(what, name, 'L4096')], d[(what, name, 'L1024')]
    ga, gb = st.median(x[0] for x in a), st.median(x[0] for x in b)
    ha, hb = st.median(x[1] for x in a), st.median(x[1] for x in b)
    print('%-8s %-11s gpu %8.2f -> %8.2f (%+.2f %%)  host %8.2f -> %8.2f (%+.2f %%)  runs %s' % (what, name, ga, gb, 100 * (gb / ga - 1), ha, hb,
          100 * (hb / ha - 1), ' '.join('%.1f/%.1f' % (x[0], y[0]) for x, y in zip(a, b))))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s31c6out)
cat $W/table.txt
cat $W/progress.txt
