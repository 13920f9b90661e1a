#!/bin/bash
# Prepared in the twelfth session on branch s12-csk (not run): the split-K reduced inside a thread-block cluster,
# gemm_bf16_stream_mXX_csum (kernels/src/gemm_stream.cu, PK_EPI_CSUM; Impl.Attr.CLUSTER_SPLITK: the lowering hands the
# consumer one plane). It writes one fp32 partial plane where the plain kernel writes `splits` (at 16 rows: o and down
# 1 MB -> 64 KB, qkv 655 -> 82 KB, gate_up 786 -> 393 KB), read by its consumer at splits = 1 with the same bits.
# Prediction, from s12 call 7's row links (a link writing 512 KB: +1.5 us): the norms, rope and SiLU after those GEMMs
# cost the chain ~1-1.5 us less each, the GEMMs ~0.3-0.5 us more (two cluster barriers, the DSMEM reads): ~-3..-4 us
# per layer at 16, short ~-0.06 ms GPU; less at 32 / 64. A miss would say the writes' drain is not what the consumer pays.
# Here first, on this branch: mvn -B -ntp -o -q package -DskipTests -Dkernels.required=true; unpack cli/target/bench.jar
# into a folder `csk` and tar.xz it (jar.tar.xz); kernel_check as run-check.sh builds it (sm_90a) and its sanitizer build
# (-DPREFILL_CHECK_NO_TIMING -DNO_CUBLAS -diag-suppress 128); launch_cost (nvcc -O3 -std=c++17 -arch=sm_90 -I kernels/include
# kernels/check/launch_cost.cu); ops16.txt (plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16 --dump-ops);
# xz them all (kc, kc-san, launch_cost, ops16.txt, junit.jar) into .gpu/s13/csk with the tests jar, libpktrace.so and
# libcupti.so.13.xz; carry .gpu/jre.tar.xz and .gpu/s13/csk.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s13/csk; J=/tmp/csk; mkdir -p $J/x && tar -xJf $C/jar.tar.xz -C $J/x && python3 scripts/gpu/rejar.py $J/x/csk $J/bench.jar
for f in kc kc-san launch_cost ops16.txt junit.jar; do xz -dkc $C/$f.xz > $J/$f; done; chmod +x $J/kc $J/kc-san $J/launch_cost
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/cskout; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
# (1) the writer / reader pairs; (2) the kernel: bits, timing, sanitizers; (3) the harness chain without / with PK_CSUM
$J/launch_cost 170 51 16 128 > $W/launch-cost-pairs.txt 2>&1; echo "launch_cost rc=$? $(el) s"
timeout 60 $J/kc csum > $W/kc-csum.log 2>&1; echo "csum rc=$? $(el) s"
for t in memcheck racecheck synccheck; do timeout 90 compute-sanitizer --tool $t $J/kc-san csum > $W/san-$t.log 2>&1; echo "$t rc=$? $(el) s"; done
for v in 0 1; do PK_OPS=$J/ops16.txt PK_CSUM=$v timeout 90 $J/kc pdl > $W/pdl-csum$v.log 2>&1; echo "pdl csum=$v rc=$?"; done
# (4) every GPU test (new: GraphEqualsEagerGpuTest.clusterReducedSplitKEqualsThePlainForwardBitForBit)
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
# (4b, added in the thirteenth session) memcheck of the engine with choices-csk.json: the csum kernels in clusters, and
# every bundled kernel (rope_kv_write's spread included) in the same lease as the GPU tests and timings above and below
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
(cd $(mktemp -d) && timeout $(left 100) compute-sanitizer --tool memcheck --target-processes all $BJ prefill --sizes 16,64 --prompts short --batch 4x16 --warmup 1 --iterations 2 --no-progress --impl-choices $root/results/h200-ab-20261130/s12/choices-csk.json > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$? $(el) s")
nvidia-smi -q -d CLOCK,POWER,PERFORMANCE > $W/nvidia-smi.txt 2>&1
(cd /tmp && tar czf $OUT/csk-a.tgz cskout)
# (5) the engine: bundled vs choices-csk.json (every layer GEMM at 16 / 32 / 64 cluster-reduced), three runs each,
# alternating, graph GPU time; decode steps; in-graph timelines at 16 and 64
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
ch() { [ $1 = bundled ] || echo "--impl-choices $root/results/h200-ab-20261130/s12/choices-csk.json"; }
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled csk; do
  timeout $(left 40) $BJ prefill --sizes 16,32,64 --prompts short --batch 2x8,4x8,4x16 --warmup 20 --iterations 300 --no-progress $(ch $v) --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 40) $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "a/b $(el) s"
(cd $(mktemp -d) && for v in bundled csk; do
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout $(left 45) $BJ prefill --sizes 16,64 --prompts short --batch 4x16 --warmup 10 --iterations 60 --no-progress $(ch $v) > $W/trace-run-$v.txt 2>&1
  $BJ plan --model ernie-4.5-0.3b --sizes 16,64 --dump-ops $W/ops-$v.txt $(ch $v) > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; rm -f $W/trace-$v.csv; gzip -9 $W/nodes-$v.csv; done)
echo "traces $(el) s"
(cd /tmp && tar czf $OUT/csk.tgz cskout && rm -f $OUT/csk-a.tgz)
tail -4 $W/launch-cost-pairs.txt
grep -E "ALL PASSED|FAILURES" $W/kc-csum.log; grep -E " us  " $W/kc-csum.log | head -4
for t in memcheck racecheck synccheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/san-$t.log | tail -1)"; done
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
grep -hE "graph replay|FAIL" $W/pdl-*.log | head -6
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -5
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/cskout/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in bundled csk; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
