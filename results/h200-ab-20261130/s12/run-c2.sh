#!/bin/bash
# Session 12, call 2 (jar 13db6c8 = branch s11-silu-down rebased on main; its bundled file is main's). Call 1 measured
# silu_into_down reading gate_up's two fp32 partials: down 1.89 -> 7.20 us of chain per layer at 16, 3.6 -> 30.7 at 64
# (short +12 %). (1) The SASS of the fused kernels (why: 16 B of partials per A element, the load order); (2) sd1: the
# fused kernel reading gate_up's bf16 rows (gate_up unsplit at 16 and 32, 4 B per A element), bundled vs sd1, fresh
# prompts and decode steps, three runs each alternating, and their in-graph timelines; (3) launch_cost: host table and
# the GPU-side graph-chain table (never run: an empty kernel's chain cost inside a graph, with and without PDL);
# (4) run-next.sh's Llama-3.2-1B A/B: the wg attention form at 17..512 vs its rule, fresh prompts and decode steps.
# Carry .gpu/jre.tar.xz, .gpu/s12/b, .gpu/s12/c.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=.gpu/s12/b; C=.gpu/s12/c; J=/tmp/sd2; mkdir -p $J && for f in bench.jar kc; do xz -dkc $B/$f.xz > $J/$f; done; xz -dkc $C/launch_cost.xz > $J/launch_cost; chmod +x $J/kc $J/launch_cost
mkdir -p /tmp/tr && cp $B/libpktrace.so /tmp/tr/ && xz -dkc $B/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s12c2; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
for k in m16_silua m64_silua m16; do cuobjdump -sass -fun gemm_bf16_stream_$k $J/kc > $W/sass-$k.txt 2>&1; done
timeout 60 $J/launch_cost 169 51 16 128 > $W/launch-cost.txt 2>&1; echo "launch_cost rc=$? $(el) s"
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
ch() { case $1 in bundled) ;; sd1) echo "--impl-choices $root/$C/choices-sd1.json";; wg) echo "--impl-choices $root/$C/choices-llama-wg-next.json";; esac; }
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled sd1; do
  timeout $(left 40) $BJ prefill --sizes 16,32 --prompts short --batch 2x8,4x8 --warmup 20 --iterations 300 --no-progress $(ch $v) --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 40) $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048,32d@1024 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "ernie a/b $(el) s"
(cd $(mktemp -d) && for v in bundled sd1; do
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout $(left 40) $BJ prefill --sizes 16 --prompts short --warmup 10 --iterations 60 --no-progress $(ch $v) > $W/trace-run-$v.txt 2>&1
  $BJ plan --model ernie-4.5-0.3b --sizes 16 --dump-ops $W/ops-$v.txt $(ch $v) > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; gzip -9 $W/trace-$v.csv $W/nodes-$v.csv; done)
echo "traces $(el) s"
(cd /tmp && tar czf $OUT/s12c2-a.tgz s12c2)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled wg; do
  timeout $(left 60) $BJ prefill --model llama-3.2-1b --sizes 16,32,64,128,512 --prompts short,long --batch 8x16 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/llama-$v-$rep-$stamp.json > $W/llama-$v-$rep.txt 2>&1 || echo "llama $v $rep failed"
  timeout $(left 60) $BJ prefill --model llama-3.2-1b --max-num-seqs 64 --max-model-len 4096 --mix 64d@1024,32d@4000,1x80+31d@2048,16d@2048 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/llmix-$v-$rep-$stamp.json > $W/llmix-$v-$rep.txt 2>&1 || echo "llmix $v $rep failed"; done; done)
echo "llama a/b $(el) s"
(cd /tmp && tar czf $OUT/s12c2.tgz s12c2 && rm -f $OUT/s12c2-a.tgz)
tail -12 $W/launch-cost.txt
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s12c2/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in bundled sd1; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
