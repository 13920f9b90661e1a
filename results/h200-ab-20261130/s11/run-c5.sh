#!/bin/bash
# Session 11, call 5 (jar deadd0a = the bundled file of 8da1625): at bucket 16 the small kernels after the split-K GEMMs
# (rope after qkv's 8 splits, the norms after o's and down's 16, silu_mul after gate_up's 2) cost 2.7-3.7 us each in
# the chain; fewer splits make them cheaper and the GEMMs slower. Bundled against spa (qkv 4, o 8, down 8), spb
# (4, 4, 4), spc (gate_up unsplit), three runs each, alternating, graph GPU time; one CUPTI-traced run each. And the
# fixed wgmma harness's quick mode under memcheck.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s11c5; mkdir -p $W/res; s=$(date +%s); J=/tmp/s11j5; mkdir -p $J; root=$PWD
el() { echo $(( $(date +%s)-s )); }
for f in bench.jar wgc; do xz -dkc .gpu/s11/j5/$f.xz > $J/$f; done; chmod +x $J/wgc
mkdir -p /tmp/tr && cp .gpu/s11/tr/libpktrace.so /tmp/tr/ && xz -dkc .gpu/s11/tr/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
timeout 90 compute-sanitizer --tool memcheck $J/wgc quick > $W/wgc-memcheck.log 2>&1; echo "wgc memcheck rc=$? $(el) s"
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
WL="--sizes 16 --prompts short --batch 2x8"
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = bundled ] || echo "--impl-choices $root/.gpu/s11/$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled spa spb spc; do
  timeout 50 $BJ prefill $WL --warmup 20 --iterations 300 --no-progress $(ch $v) --json $W/res/prefill-s11c5-$v-$rep-h200-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(el) s"
(cd $(mktemp -d) && for v in bundled spa spb spc; do
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout 60 $BJ prefill $WL --warmup 10 --iterations 60 --no-progress $(ch $v) > $W/trace-run-$v.txt 2>&1 || echo "trace $v failed"
  $BJ plan --model ernie-4.5-0.3b --sizes 16 --dump-ops $W/ops-$v.txt $(ch $v) > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; gzip -9 $W/trace-$v.csv $W/nodes-$v.csv; done)
echo "traces $(el) s"
(cd /tmp && tar czf $OUT/s11c5.tgz s11c5)
echo "wgc memcheck: $(grep -E 'ERROR SUMMARY' $W/wgc-memcheck.log | tail -1) $(grep -cE ' OK ' $W/wgc-memcheck.log) OK rows, $(grep -E 'ALL OK|SOME' $W/wgc-memcheck.log)"
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s11c5/res/prefill-s11c5-*.json')):
    d = json.load(open(f)); v = f.split('s11c5-')[1].split('-h200')[0]
    print(v, '; '.join('%s %.3f' % (w['name'].replace('batch-', ''), w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in bundled spa spb spc; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
