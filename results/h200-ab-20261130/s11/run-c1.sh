#!/bin/bash
# Session 11, call 1 (jar s11-helpers = main + the attention helpers of branch s10-attn-helpers): the tenth session's
# prepared check of that branch (kernel_check attention, the wg form at 168 registers, every GPU test, sanitizers)
# and, on the same jar, an A/B of the bundled file against combo.json (three existing options, each at one bucket of
# the main job: rope_into_qkv at 16, gate_up + SiLU on the 128 x 64 tile at 81..128, qkv / o / down on TMA tiles at
# 512), three runs each alternating, graph GPU time; then one CUPTI-traced run of each (per-op chain costs).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s11c1; mkdir -p $W/res; s=$(date +%s); J=/tmp/s11j; mkdir -p $J; root=$PWD
el() { echo $(( $(date +%s)-s )); }
for f in bench.jar junit.jar kc kc-san kc-minb1; do xz -dkc .gpu/s11/j/$f.xz > $J/$f; done; chmod +x $J/kc $J/kc-san $J/kc-minb1
cp .gpu/s11/j/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp .gpu/s11/tr/libpktrace.so /tmp/tr/ && xz -dkc .gpu/s11/tr/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
timeout 120 $J/kc attention > $W/kc-attention.log 2>&1; echo "kc attention rc=$? $(el) s"
timeout 90 $J/kc-minb1 attention > $W/kc-minb1-attention.log 2>&1; echo "kc-minb1 attention rc=$? $(el) s"
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
WL="--sizes 16,128,512 --prompts short,long --batch 4x80,8x16"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled combo; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s11/$v.json"
  [ $(el) -gt 420 ] && break 2
  timeout 50 $BJ prefill $WL --warmup 20 --iterations 300 --no-progress $extra --json $W/res/prefill-s11c1-$v-$rep-h200-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(el) s"
(cd $(mktemp -d) && for v in bundled combo; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s11/$v.json"
  [ $(el) -gt 500 ] && break
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout 60 $BJ prefill $WL --warmup 10 --iterations 60 --no-progress $extra > $W/trace-run-$v.txt 2>&1 || echo "trace $v failed"
  $BJ plan --model ernie-4.5-0.3b --sizes 16,128,512 --dump-ops $W/ops-$v.txt $extra > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; gzip -9 $W/trace-$v.csv $W/nodes-$v.csv; done)
echo "traces $(el) s"
for t in memcheck racecheck; do left=$(( 580 - $(el) )); [ $left -lt 40 ] && { echo "$t skipped"; continue; }
  timeout $left compute-sanitizer --tool $t $J/kc-san attention > $W/kc-san-$t.log 2>&1; echo "$t rc=$? $(el) s"; done
(cd /tmp && tar czf $OUT/s11c1.tgz s11c1)
grep -E "FAIL|ALL OK|SOME" $W/kc-attention.log $W/kc-minb1-attention.log | head -10
grep -E "perf .* cold" $W/kc-attention.log | head -30; grep -E "wg perf .* cold" $W/kc-minb1-attention.log
for t in memcheck racecheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/kc-san-$t.log 2>/dev/null | tail -1)"; done
grep -E "tests (successful|failed|aborted)" $W/gpu-tests.log
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s11c1/res/prefill-s11c1-*.json')):
    d = json.load(open(f)); v = f.split('s11c1-')[1].split('-h200')[0]
    print(v, '; '.join('%s %.3f' % (w['name'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in bundled combo; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
