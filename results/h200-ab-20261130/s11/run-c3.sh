#!/bin/bash
# Session 11, call 3 (call 2's jar): the bundle candidate nb.json (gate_up + SiLU on the 128 x 64 TMA tile at 65..128,
# attention_prefill_wg at every size of ERNIE's attention shape) against the bundled file and two additions —
# nbo.json (+ o on the 64 x 64 TMA tile at 512), nbq.json (+ qkv on 128 x 64 split 4 at 81..128) — on the main job's
# workloads and 4x16 (three runs each, alternating, graph GPU time); sweeps 136..256 step 8 of nb against nbg.json
# (+ gate_up + SiLU on 128 x 96 at 129..256: 128 blocks at 129..256 rows); a CUPTI-traced run of nb and nbq.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s11c3; mkdir -p $W/res; s=$(date +%s); J=/tmp/s11j2; mkdir -p $J; root=$PWD
el() { echo $(( $(date +%s)-s )); }
xz -dkc .gpu/s11/j2/bench.jar.xz > $J/bench.jar
mkdir -p /tmp/tr && cp .gpu/s11/tr/libpktrace.so /tmp/tr/ && xz -dkc .gpu/s11/tr/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
WL="--sizes 16,64,128,512 --prompts short,long --batch 4x16,4x80,8x16"
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = bundled ] || echo "--impl-choices $root/.gpu/s11/$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled nb nbo nbq; do
  timeout 50 $BJ prefill $WL --warmup 20 --iterations 300 --no-progress $(ch $v) --json $W/res/prefill-s11c3-$v-$rep-h200-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(el) s"
(cd $(mktemp -d) && for v in nb nbg; do
  timeout 120 $BJ prefill --model ernie-4.5-0.3b --sweep 136:256:8 --warmup 10 --iterations 100 --no-progress $(ch $v) --json $W/res/sweep-s11c3-$v-h200-$stamp.json > $W/sweep-$v.txt 2>&1 || echo "sweep $v failed"; echo "sweep $v $(el) s"; done)
(cd $(mktemp -d) && for v in nb nbq; do
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout 60 $BJ prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 10 --iterations 60 --no-progress $(ch $v) > $W/trace-run-$v.txt 2>&1 || echo "trace $v failed"
  $BJ plan --model ernie-4.5-0.3b --sizes 16,128,512 --dump-ops $W/ops-$v.txt $(ch $v) > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; gzip -9 $W/trace-$v.csv $W/nodes-$v.csv; done)
echo "traces $(el) s"
(cd /tmp && tar czf $OUT/s11c3.tgz s11c3)
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s11c3/res/prefill-s11c3-*.json')):
    d = json.load(open(f)); v = f.split('s11c3-')[1].split('-h200')[0]
    print(v, '; '.join('%s %.3f' % (w['name'].replace('batch-', ''), w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
sw = {}
for f in sorted(glob.glob('/tmp/s11c3/res/sweep-s11c3-*.json')):
    d = json.load(open(f)); v = f.split('s11c3-')[1].split('-h200')[0]
    sw[v] = {p['tokens']: p['graph']['gpuP50Ms'] for p in d['sweep']}
if sw:
    sizes = sorted(set().union(*[set(x) for x in sw.values()]))
    print('sweep gpu p50 ms:', ' '.join(sw.keys()))
    for t in sizes: print(t, ' '.join('%.3f' % sw[v][t] if t in sw[v] else '-' for v in sw))
PY
for v in nb nbq; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
