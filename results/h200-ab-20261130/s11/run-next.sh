#!/bin/bash
# Prepared in the eleventh session for the next one's first call (not run). Here first: build the jars at HEAD
# (mvn -B -ntp -o -q package -DskipTests -Dkernels.required=true), xz bench.jar and junit into .gpu/s12/j (with the tests
# jar), carry .gpu/jre.tar.xz and .gpu/s12 (the tracked tree is ~34 MB: keep the carry under ~28 MB).
# Also into .gpu/s12/j: kc-san.xz (kernels/check kernel_check.cu with -DPREFILL_CHECK_NO_TIMING -DNO_CUBLAS, sm_90a) and
# launch_cost.xz (kernels/check/launch-cost.sh's build of HEAD: its new GPU-side graph-chain table has never run).
# (1) Every GPU test on HEAD (appliedTo's producer rule changed no ERNIE row; CPU-tested only); the sanitizers the
#     eleventh session did not run on the bundled wg form at one block per SM: racecheck of the attention family and
#     memcheck of the engine with the bundled file at 16 / 128 / 512; launch_cost (host and GPU-side tables).
# (2) Llama-3.2-1B with attention_prefill_wg at 17..512 (choices-llama-wg-next.json) against its rule, fresh prompts and
#     decode-heavy mixed steps, three runs each, alternating, graph GPU time: s11 call 6 saw -1.4 % at 128 and +-0 at
#     512 on fresh prompts; bundle the row only if the decode steps do not lose (v31's lesson).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=/tmp/s12j; mkdir -p $J && for f in bench.jar junit.jar; do xz -dkc .gpu/s12/j/$f.xz > $J/$f; done
cp .gpu/s12/j/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s12c1; mkdir -p $W/res; s=$(date +%s); root=$PWD
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $W/junit-gpu
for f in kc-san launch_cost; do xz -dkc .gpu/s12/j/$f.xz > $J/$f; chmod +x $J/$f; done
timeout 150 compute-sanitizer --tool racecheck $J/kc-san attention > $W/kc-san-racecheck.log 2>&1; echo "racecheck rc=$?"
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
(cd $(mktemp -d) && timeout 120 compute-sanitizer --tool memcheck --target-processes all $BJ prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$?")
$J/launch_cost 169 51 16 128 > $W/launch-cost-cpp.txt 2>&1; echo "launch_cost rc=$?"
ch() { [ $1 = bundled ] || echo "--impl-choices $root/results/h200-ab-20261130/s11/choices-llama-wg-next.json"; }
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled wg; do
  timeout 60 $BJ prefill --model llama-3.2-1b --sizes 16,32,64,128,512 --prompts short,long --batch 8x16 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/llama-$v-$rep-$stamp.json > $W/llama-$v-$rep.txt 2>&1 || echo "llama $v $rep failed"
  timeout 60 $BJ prefill --model llama-3.2-1b --max-num-seqs 64 --max-model-len 4096 --mix 64d@1024,32d@4000,1x80+31d@2048,16d@2048 --warmup 20 --iterations 200 --no-progress $(ch $v) --json $W/res/llmix-$v-$rep-$stamp.json > $W/llmix-$v-$rep.txt 2>&1 || echo "llmix $v $rep failed"; done; done)
echo "a/b $(( $(date +%s)-s )) s"
(cd /tmp && tar czf $OUT/s12c1.tgz s12c1)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -5
echo "racecheck: $(grep -E 'RACECHECK SUMMARY' $W/kc-san-racecheck.log | tail -1); engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
tail -7 $W/launch-cost-cpp.txt
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s12c1/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
