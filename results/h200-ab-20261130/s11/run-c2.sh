#!/bin/bash
# Session 11, call 2 (jar 'main' after the helpers merge, attention_prefill_wg at one block per SM): every GPU test;
# memcheck of the attention family (the wg kernel's new register budget); then an A/B of the bundled file against
#   va.json: gate_up + SiLU on the 128 x 64 tile at 81..128, o on the 64 x 64 TMA tile at 512, rope_into_qkv at 16
#   vb.json: va + attention_prefill_wg at every size (ERNIE's attention shape)
# on the main job's workloads (three runs each, alternating, graph GPU time), the decode-heavy mixed steps (bundled vs
# vb, two runs each), one CUPTI-traced run of each variant; then sweeps 72..408 step 16 of bundled against vg.json
# (gate_up + SiLU on 128 x 64 at 65..415 as well).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s11c2; mkdir -p $W/res; s=$(date +%s); J=/tmp/s11j2; mkdir -p $J; root=$PWD
el() { echo $(( $(date +%s)-s )); }
for f in bench.jar junit.jar kc-san; do xz -dkc .gpu/s11/j2/$f.xz > $J/$f; done; chmod +x $J/kc-san
cp .gpu/s11/j2/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp .gpu/s11/tr/libpktrace.so /tmp/tr/ && xz -dkc .gpu/s11/tr/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
timeout 60 compute-sanitizer --tool memcheck $J/kc-san attention > $W/kc-san-memcheck.log 2>&1; echo "memcheck rc=$? $(el) s"
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
WL="--sizes 16,128,512 --prompts short,long --batch 4x80,8x16"
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = bundled ] || echo "--impl-choices $root/.gpu/s11/$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled va vb; do
  timeout 50 $BJ prefill $WL --warmup 20 --iterations 300 --no-progress $(ch $v) --json $W/res/prefill-s11c2-$v-$rep-h200-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(el) s"
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled vb; do
  timeout 50 $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 64d@1024,32d@4000,1x80+31d@2048 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/mix-s11c2-$v-$rep-h200-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "mix $(el) s"
(cd $(mktemp -d) && for v in bundled va vb; do
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout 60 $BJ prefill $WL --warmup 10 --iterations 60 --no-progress $(ch $v) > $W/trace-run-$v.txt 2>&1 || echo "trace $v failed"
  $BJ plan --model ernie-4.5-0.3b --sizes 16,128,512 --dump-ops $W/ops-$v.txt $(ch $v) > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; gzip -9 $W/trace-$v.csv $W/nodes-$v.csv; done)
echo "traces $(el) s"
(cd $(mktemp -d) && for v in bundled vg; do left=$(( 570 - $(el) )); [ $left -lt 60 ] && { echo "sweep $v skipped"; continue; }
  timeout $(( left / 2 + 20 )) $BJ prefill --model ernie-4.5-0.3b --sweep 72:408:16 --warmup 10 --iterations 100 --no-progress $(ch $v) --json $W/res/sweep-s11c2-$v-h200-$stamp.json > $W/sweep-$v.txt 2>&1 || echo "sweep $v failed"; echo "sweep $v $(el) s"; done)
(cd /tmp && tar czf $OUT/s11c2.tgz s11c2)
echo "memcheck: $(grep -E 'ERROR SUMMARY' $W/kc-san-memcheck.log | tail -1)"
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s11c2/res/prefill-s11c2-*.json')) + sorted(glob.glob('/tmp/s11c2/res/mix-s11c2-*.json')):
    d = json.load(open(f)); v = f.split('s11c2-')[1].split('-h200')[0]
    print(f.split('/')[-1][:4], v, '; '.join('%s %.3f' % (w['name'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
sw = {}
for f in sorted(glob.glob('/tmp/s11c2/res/sweep-s11c2-*.json')):
    d = json.load(open(f)); v = f.split('s11c2-')[1].split('-h200')[0]
    sw[v] = {p['tokens']: p['graph']['gpuP50Ms'] for p in d['sweep']}
if sw:
    sizes = sorted(set().union(*[set(x) for x in sw.values()]))
    print('sweep gpu p50 ms:', ' '.join(sw.keys()))
    for t in sizes: print(t, ' '.join('%.3f' % sw[v][t] if t in sw[v] else '-' for v in sw))
PY
for v in bundled va vb; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
