#!/bin/bash
# Session 11, call 4 (jar 8c9dae4: the 128 x 48 and 64 x 96 TMA tiles): the wgmma harness on ERNIE's gate_up at 72 and
# 128 rows (every configuration checked against float64 and timed against cuBLAS; quick checks under memcheck and
# racecheck); then the bundled file (gate_up + SiLU on 128 x 64 at 65..128) against g48s8 / g48s10 (128 x 48, one row
# tile of 128 blocks) and g96s10 (64 x 96, two row tiles of 64 blocks) at 72 and 128 (three runs each, alternating,
# graph GPU time); one CUPTI-traced run of each.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s11c4; mkdir -p $W/res; s=$(date +%s); J=/tmp/s11j4; mkdir -p $J; root=$PWD
el() { echo $(( $(date +%s)-s )); }
for f in bench.jar wgc; do xz -dkc .gpu/s11/j4/$f.xz > $J/$f; done; chmod +x $J/wgc
mkdir -p /tmp/tr && cp .gpu/s11/tr/libpktrace.so /tmp/tr/ && xz -dkc .gpu/s11/tr/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
for m in 72 128; do timeout 90 $J/wgc only e.gateup $m > $W/wgc-gateup-$m.log 2>&1; echo "wgc $m rc=$? $(el) s"; done
timeout 60 compute-sanitizer --tool memcheck $J/wgc quick > $W/wgc-memcheck.log 2>&1; echo "memcheck rc=$? $(el) s"
timeout 90 compute-sanitizer --tool racecheck $J/wgc quick > $W/wgc-racecheck.log 2>&1; echo "racecheck rc=$? $(el) s"
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
WL="--sizes 16,72,128 --prompts short --batch 1x70,8x16"
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = bundled ] || echo "--impl-choices $root/.gpu/s11/$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled g48s8 g48s10 g96s10; do
  timeout 50 $BJ prefill $WL --warmup 20 --iterations 300 --no-progress $(ch $v) --json $W/res/prefill-s11c4-$v-$rep-h200-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(el) s"
(cd $(mktemp -d) && for v in bundled g48s10 g96s10; do
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout 60 $BJ prefill $WL --warmup 10 --iterations 60 --no-progress $(ch $v) > $W/trace-run-$v.txt 2>&1 || echo "trace $v failed"
  $BJ plan --model ernie-4.5-0.3b --sizes 16,72,128 --dump-ops $W/ops-$v.txt $(ch $v) > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; gzip -9 $W/trace-$v.csv $W/nodes-$v.csv; done)
echo "traces $(el) s"
(cd /tmp && tar czf $OUT/s11c4.tgz s11c4)
grep -hE "ALL OK|SOME|FAIL" $W/wgc-gateup-*.log | head -6
for m in 72 128; do echo "== gateup $m"; grep -E "T128x(48|64)|T64x(64|96)|cublas" $W/wgc-gateup-$m.log | grep -viE "check|ok " | head -14; done
echo "memcheck: $(grep -E 'ERROR SUMMARY' $W/wgc-memcheck.log | tail -1) racecheck: $(grep -E 'RACECHECK SUMMARY' $W/wgc-racecheck.log | tail -1)"
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s11c4/res/prefill-s11c4-*.json')):
    d = json.load(open(f)); v = f.split('s11c4-')[1].split('-h200')[0]
    print(v, '; '.join('%s %.3f' % (w['name'].replace('batch-', ''), w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in bundled g48s10 g96s10; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
