#!/bin/bash
# Session 12, call 1: branch s11-silu-down rebased on main (jar 13db6c8, clean; kernel_check built from it): silu_mul folded
# into the streaming down GEMM's A loader (gemm_bf16_stream_mXX_silua; the lowering's input fusion silu_into_down at
# 16..64). Prediction (s11): silu_mul's 2.85 us per layer at 16 go, down gains ~0.5-1 us: the chain at 16 -27..-36 us,
# short -5 %. Also the sanitizers the eleventh session left on the bundled wg form: racecheck of the attention family,
# memcheck of the engine (here with the candidate file = bundled + the silu_into_down row, so it covers both).
# Carry .gpu/jre.tar.xz and .gpu/s12/b (bench.jar.xz, tests jar, junit.jar.xz, kc.xz, kc-san.xz, tracer, ops16.txt.xz,
# choices-silu-down.json.xz = results/h200-ab-20261130/s11/choices-silu-down.json on the branch).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=.gpu/s12/b; J=/tmp/sd; mkdir -p $J && for f in bench.jar junit.jar kc kc-san ops16.txt choices-silu-down.json; do xz -dkc $B/$f.xz > $J/$f; done; chmod +x $J/kc $J/kc-san
cp $B/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp $B/libpktrace.so /tmp/tr/ && xz -dkc $B/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s12c1; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
# (1) bits: fused == silu_mul + stream GEMM at every capacity
timeout 90 $J/kc silua > $W/kc-silua.log 2>&1; echo "silua rc=$? $(el) s"
for t in memcheck racecheck; do timeout 90 compute-sanitizer --tool $t $J/kc-san silua > $W/san-$t.log 2>&1; echo "$t rc=$? $(el) s"; done
# (2) every GPU test (new: GraphEqualsEagerGpuTest.siluIntoDownEqualsTheUnfusedForwardBitForBit)
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
(cd /tmp && tar czf $OUT/s12c1-a.tgz s12c1)
# (3) the engine: bundled vs the silu_into_down row at 16..64, three runs each, alternating, graph GPU time; decode steps
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
ch() { [ $1 = bundled ] || echo "--impl-choices $J/choices-silu-down.json"; }
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled sd; do
  timeout $(left 40) $BJ prefill --sizes 16,32,64 --prompts short --batch 2x8,4x8,4x16 --warmup 20 --iterations 300 --no-progress $(ch $v) --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 40) $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "a/b $(el) s"
# (4) in-graph timelines at 16 and 64
(cd $(mktemp -d) && for v in bundled sd; do
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout $(left 50) $BJ prefill --sizes 16,64 --prompts short --batch 4x16 --warmup 10 --iterations 60 --no-progress $(ch $v) > $W/trace-run-$v.txt 2>&1
  $BJ plan --model ernie-4.5-0.3b --sizes 16,64 --dump-ops $W/ops-$v.txt $(ch $v) > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; gzip -9 $W/trace-$v.csv $W/nodes-$v.csv; done)
echo "traces $(el) s"
(cd /tmp && tar czf $OUT/s12c1-b.tgz s12c1)
# (5) the harness chain of the op dump at 16, without and with the fusion; sanitizers left from s11
for v in 0 1; do PK_OPS=$J/ops16.txt PK_SILU_DOWN=$v timeout $(left 40) $J/kc pdl > $W/pdl-$v.log 2>&1; echo "pdl silu_down=$v rc=$?"; done
timeout $(left 90) compute-sanitizer --tool racecheck $J/kc-san attention > $W/kc-san-racecheck-attention.log 2>&1; echo "attention racecheck rc=$? $(el) s"
(cd $(mktemp -d) && timeout $(left 150) compute-sanitizer --tool memcheck --target-processes all $BJ prefill --sizes 16,64,128,512 --prompts short,long --batch 4x16,8x16 --warmup 1 --iterations 2 --no-progress --impl-choices $J/choices-silu-down.json > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$? $(el) s")
(cd /tmp && tar czf $OUT/s12c1.tgz s12c1 && rm -f $OUT/s12c1-a.tgz $OUT/s12c1-b.tgz)
grep -E "FAIL|ALL OK|SOME" $W/kc-silua.log | head -5; grep -E "silua" $W/kc-silua.log | tail -6
for t in memcheck racecheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/san-$t.log | tail -1)"; done
echo "attention racecheck: $(grep -E 'RACECHECK SUMMARY' $W/kc-san-racecheck-attention.log | tail -1); engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -5
grep -hE "graph replay|FAIL" $W/pdl-*.log | head -8
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s12c1/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in bundled sd; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
