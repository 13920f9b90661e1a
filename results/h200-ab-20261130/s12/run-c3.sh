#!/bin/bash
# Session 12, call 3: v35 (branch s12-spread, 07f8327): few rows over more SMs. Call 2's launch_cost GPU table put a
# kernel boundary inside a PDL graph at 0.44 us (0.50 with one dependent round trip), yet norm, rope and silu cost the
# chain 2.8-3.7 us each at 16: one block per row (16 blocks) reads a whole row of split-K partials (64 KB for a norm).
# v35: add_rmsnorm_cl (a row over a cluster of 8 blocks, same bits), rope_kv_write over ceil(132 / capacity) <= 8
# blocks per token (metadata before the wait), silu_mul likewise. Prediction: norm 2.75 / 3.26 -> ~1.3 us, rope 3.65 ->
# ~1.5, silu 2.85 -> ~1.5 per layer at 16: ~-7 us per layer, short 0.557 -> ~0.43-0.47 ms GPU; smaller at 32 / 64.
# Jars: old = 13db6c8 (main's forward + the unused silua kernels), new = 07f8327, carried unpacked in one tar.xz and
# zipped here (scripts/gpu/rejar.py). Carry .gpu/jre.tar.xz and .gpu/s12/d.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
D=.gpu/s12/d; J=/tmp/s12j3; mkdir -p $J/x && tar -xJf $D/jars2.tar.xz -C $J/x
for v in old new; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar; done
for f in junit.jar kc kc-san; do xz -dkc $D/$f.xz > $J/$f; done; chmod +x $J/kc $J/kc-san
cp $D/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp $D/libpktrace.so /tmp/tr/ && xz -dkc $D/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s12c3; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
# (1) bits: add_rmsnorm_cl == add_rmsnorm, rope_kv_write y > 1 == y 1; timed; sanitizers on the cluster kernel
timeout 60 $J/kc spread > $W/kc-spread.log 2>&1; echo "spread rc=$? $(el) s"
for t in memcheck racecheck synccheck; do timeout 60 compute-sanitizer --tool $t $J/kc-san spread > $W/san-$t.log 2>&1; echo "$t rc=$? $(el) s"; done
# (2) every GPU test on the new jar (graph == eager, CPU reference, at 16 / 64 / 128: the new kernels run there)
JAR=$J/new.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
(cd /tmp && tar czf $OUT/s12c3-a.tgz s12c3)
# (3) the engine, old vs new, three runs each alternating: fresh prompts at 16 / 32 / 64 / 128, decode steps
stamp=$(date -u +%Y%m%d-%H%M%S)
bj() { java --enable-native-access=ALL-UNNAMED -jar $J/$1.jar "${@:2}"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for v in old new; do
  timeout $(left 45) bj $v prefill --sizes 16,32,64,128 --prompts short --batch 2x8,4x8,4x16,8x16 --warmup 20 --iterations 300 --no-progress --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 40) bj $v prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "ernie a/b $(el) s"
# (4) in-graph timelines at 16 and 64
(cd $(mktemp -d) && for v in old new; do
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout $(left 45) bj $v prefill --sizes 16,64 --prompts short --batch 4x16 --warmup 10 --iterations 60 --no-progress > $W/trace-run-$v.txt 2>&1
  bj $v plan --model ernie-4.5-0.3b --sizes 16,64 --dump-ops $W/ops-$v.txt > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; gzip -9 $W/trace-$v.csv $W/nodes-$v.csv; done)
echo "traces $(el) s"
(cd /tmp && tar czf $OUT/s12c3-b.tgz s12c3)
# (5) memcheck of the engine with the new forms; (6) Llama-3.2-1B old vs new (hidden 2048: two chunks per norm thread)
(cd $(mktemp -d) && timeout $(left 100) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/new.jar prefill --sizes 16,64,128 --prompts short --batch 4x16,8x16 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$? $(el) s")
(cd $(mktemp -d) && for rep in 1 2; do for v in old new; do
  timeout $(left 40) bj $v prefill --model llama-3.2-1b --sizes 16,128 --prompts short --batch 8x16 --warmup 20 --iterations 200 --no-progress --json $W/res/llama-$v-$rep-$stamp.json > $W/llama-$v-$rep.txt 2>&1 || echo "llama $v $rep failed"; done; done)
echo "llama $(el) s"
(cd /tmp && tar czf $OUT/s12c3.tgz s12c3 && rm -f $OUT/s12c3-a.tgz $OUT/s12c3-b.tgz)
grep -E "ALL PASSED|FAILURES|FAIL " $W/kc-spread.log | tail -3; grep -E "us .*PDL" $W/kc-spread.log | head -4
for t in memcheck racecheck synccheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/san-$t.log | tail -1)"; done
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s12c3/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in old new; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
