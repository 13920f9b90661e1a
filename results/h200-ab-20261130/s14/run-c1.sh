#!/bin/bash
# s14 call 1 (branch s14-attn, jar 74e7772 "new"; main 000dd4a "main"): v39, the attention kernels read their tile
# (the map, the sequence's lengths, its block table) before the PDL wait, build_tile_map first and embed_gather after it
# without PDL, Q and the first K/V pages loaded together.
# Prediction (kernels/NOTES-forward.md v39, written before this run): attention at 16 5.34 -> ~3.0 us per layer in the
# timeline, short graph GPU -0.04 ms (-8 %), every bucket's attention ~2 us per layer less (long ~-4 %); same bits
# (kernel_check attention against v0 and the float64 reference, the op-dump chain bit for bit the reference).
# Bundle rule (written before the run): merged if short, 2x8, 4x16, 8x16, long and 4x80 graph GPU time are lower in all
# three alternating runs with a median gain >= 1 % on short, and no workload (including the decode mixes) loses > 0.5 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s14/c1; J=/tmp/s14c1; rm -rf $J /tmp/s14c1out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in new main; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar; done
for f in kc kc-san; do xz -dkc $C/$f.xz > $J/$f; done; chmod +x $J/kc $J/kc-san
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s14c1out; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
# (1) the kernels: bits (v0, float64 reference, every form), timing; the op-dump chains of both jars
timeout 90 $J/kc attention > $W/kc-attention.log 2>&1; echo "kc attention rc=$? $(el) s"
for v in main new; do
  (cd $(mktemp -d) && java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16 --dump-ops $W/ops16-$v.txt > /dev/null 2>&1)
  PK_OPS=$W/ops16-$v.txt timeout 60 $J/kc pdl > $W/pdl-$v.log 2>&1; echo "pdl $v rc=$? $(el) s"; done
# (2) sanitizers on the attention kernels (the harness build without timing)
for t in memcheck racecheck synccheck; do timeout 70 compute-sanitizer --tool $t $J/kc-san attention > $W/san-attention-$t.log 2>&1; echo "$t rc=$? $(el) s"; done
# (3) the engine A/B: main vs new, three runs each, alternating, graph GPU time
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in main new; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  timeout $(left 70) $BJ prefill --sizes 16,64,128,512 --prompts short,long --batch 2x8,4x16,8x16,4x80 --warmup 20 --iterations 200 --no-profile --no-progress --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 40) $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-profile --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "a/b $(el) s"
# (4) in-graph timelines at 16 (CUPTI)
(cd $(mktemp -d) && for v in main new; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout $(left 40) $BJ prefill --sizes 16 --prompts short --warmup 10 --iterations 60 --no-profile --no-progress > $W/trace-run-$v.txt 2>&1
  $BJ plan --model ernie-4.5-0.3b --sizes 16 --dump-ops $W/ops-$v.txt > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; rm -f $W/trace-$v.csv; gzip -9 $W/nodes-$v.csv; done)
echo "traces $(el) s"
# (5) memcheck of the engine (new)
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/new.jar prefill --sizes 16,64 --prompts short --batch 4x16 --mix 1x20+15d@300 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$? $(el) s")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
gzip -9 $W/ops*.txt
(cd /tmp && tar czf $OUT/s14c1.tgz s14c1out)
grep -E "ALL PASSED|FAILURES|checks failed" $W/kc-attention.log | tail -1; grep -hE "graph replay|FAIL|skipped" $W/pdl-*.log | head -6
for t in memcheck racecheck synccheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/san-attention-$t.log | tail -1)"; done
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s14c1out/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in main new; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down|embed|tile_map) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
