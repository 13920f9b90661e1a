#!/bin/bash
# s29 call 7, jar v84 (main 83ecd38: LoweredForward's plans in one map by batch kind, the review item; --sweep takes
# --prime-ms, before each point). First every GPU test on the refactor (the plans are the same: bench.jar plan's output
# was byte-identical over 7 presets x 3 size sets here). Then a narrow sweep, unprimed against --prime-ms 300, both with
# --warmup-ms 1000 (the JIT), two pairs in alternating order: 64:192:32 (points 64, 96, 128, 160, 192, each its own graph).
# Prediction: every GPU test passes (89 with LoweredForwardTest's 0 GPU tests: 88); the primed sweep's 96 and 128 points
# -2..-4 % GPU p50 (the 128-row plans, slow state when unprimed), 64 / 160 / 192 within +-1 %.
# Carry .gpu/jre.tar.xz, .gpu/s29/v84.jar, .gpu/s29/t84.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s29/v84.jar
W=/tmp/s29c7out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 280 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
JAR=$J TESTS=.gpu/s29/t84/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 170 bash scripts/gpu-tests.sh .gpu/s29/t84/junit.jar > $W/gpu-tests-83ecd38.log 2>&1
echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"; rm -rf $W/junit-gpu
cd $(mktemp -d)
for rep in 1 2; do
  order="0 300"; [ $rep = 2 ] && order="300 0"
  for p in $order; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --sweep 64:192:32 --warmup-ms 1000 --prime-ms $p \
      --max-num-seqs 16 --no-progress --json $W/res/sweep-p$p-$rep.json > $W/sweep-p$p-$rep.txt 2>&1 || echo "sweep p$p $rep failed"
  done
done
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, statistics as st, collections
d = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    _, p, rep = os.path.basename(f)[:-5].split('-')
    j = json.load(open(f))
    for pt in j['sweep']:
        d[(pt['tokens'], p)].append((pt['graph']['gpuP50Ms'] * 1e3, pt['eager']['gpuP50Ms'] * 1e3, pt['graph']['hostP50Ms'] * 1e3))
print('sweep 64:192:32, --warmup-ms 1000: GPU p50 graph / eager and graph host p50 (us), medians of two runs, unprimed -> --prime-ms 300')
for t in sorted({t for t, _ in d}):
    a, b = d[(t, 'p0')], d[(t, 'p300')]
    m = lambda v, i: st.median(x[i] for x in v)
    print('%4d  graph GPU %7.1f -> %7.1f (%+.1f %%)  eager GPU %7.1f -> %7.1f (%+.1f %%)  graph host %7.1f -> %7.1f' % (t, m(a, 0), m(b, 0), 100 * (m(b, 0) / m(a, 0) - 1), m(a, 1), m(b, 1), 100 * (m(b, 1) / m(a, 1) - 1), m(a, 2), m(b, 2)))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s29c7out)
cp $W/table.txt $OUT/
grep -E 'tests (successful|failed)' $W/gpu-tests-83ecd38.log | tr -s ' '
echo "total $(( $(date +%s)-s )) s"
cat $W/table.txt
