#!/bin/bash
# Prepared in the ninth session for the next (branch s9-wg2, v30: column-split TMA tiles, not run on a GPU yet).
# Here first: build the jars of this branch into .gpu/s10/jt (bench.jar + the tests jar), python3 mk-choices.py (from the
# repo root), and the harness twice into .gpu/s10 (xz -9 each):
#   cd kernels/check && nvcc -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a -lineinfo -I ../include \
#     -I /opt/cublas-wheel/nvidia/cu13/include gemm_wgmma_check.cu -o wgc -L/opt/cublas-wheel/nvidia/cu13/lib -l:libcublas.so.13
#   ... the same with -DPREFILL_CHECK_NO_TIMING -DNO_CUBLAS -diag-suppress 128 -o wgc-san (no cuBLAS)
# Carry .gpu/jre.tar.xz, .gpu/junit-platform-console-standalone-1.14.1.jar and .gpu/s10 (watch the 64 MiB limit).
# On the GPU: the harness checks of the c2 tiles (quick c2s), racecheck / synccheck / memcheck of them, their timing on
# gate_up at 256 and 320 rows against cuBLAS and the 128 x 192 tile, every GPU test (TmaGemmGpuTest runs c2 at 200), and
# sweeps 144..400 of bundled against gate_up on c2 over 129..415.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
L=$OUT/s10; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s10/jt/bench.jar
xz -dkc .gpu/s10/wgc.xz > /tmp/wgc && xz -dkc .gpu/s10/wgc-san.xz > /tmp/wgc-san && chmod +x /tmp/wgc /tmp/wgc-san
timeout 120 /tmp/wgc quick c2s > $L/wgc-quick.log 2>&1; echo "wgc quick rc=$? $(( $(date +%s)-s )) s"
for t in racecheck synccheck memcheck; do timeout 120 compute-sanitizer --tool $t /tmp/wgc-san quick c2s > $L/wgc-$t.log 2>&1; echo "$t rc=$?"; done
for m in 256 320; do timeout 60 /tmp/wgc only e.gateup $m > $L/wgc-only-gateup-$m.log 2>&1; done
# (session 10: the GPU tests left for the bundling call: the carry limit holds one jar set with the harness)
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled c192 c256; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s10/choices-$v.json"
  timeout 60 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sweep 144:400:32 --warmup 10 --iterations 150 --no-progress $extra \
    --json $L/res/sweep-s10-$v-$rep-h200-$stamp.json > $L/sweep-$v-$rep.txt 2>&1 || echo "sweep $v $rep failed"; done; done)
echo "sweeps $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s10.tgz s10 && rm -rf s10)
grep -E "^TABLE|ALL OK|SOME|FAIL" /tmp/x/wgc-quick.log | cut -c1-160 | head -20
for t in racecheck synccheck memcheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/x/wgc-$t.log | tail -1)"; done
python3 - <<'PY'
import json, glob, collections
t = collections.defaultdict(dict)
for f in sorted(glob.glob('/tmp/x/res/sweep-*.json')):
    v = f.split('sweep-s10-')[1].split('-h200')[0]
    for p in json.load(open(f))['sweep']: t[p['tokens']][v] = p['graph']['hostP50Ms']
vs = sorted({v for r in t.values() for v in r})
print('size ' + ' '.join(vs))
for s in sorted(t): print(s, ' '.join('%.3f' % t[s][v] if v in t[s] else '-' for v in vs))
PY
