#!/bin/bash
# s17 call 6, one jar: v24 = 3c0a762 (call 5's Llama-3.2-1B attention row at 17..512 bundled). Carry .gpu/jre-s.tar.xz and
# .gpu/s17/c6 (jars.tar.xz = v24 and the JUnit console unpacked; the tests jar of 3c0a762; launch_cost.xz of c0c3762).
# 1. Every GPU test on v24 (Llama at 32 runs the early form in the shape-scoped fusion test's graph == eager check).
# 2. If they pass: the core set's Llama-3.2-1B file and its PyTorch baseline again, same commands as scripts/gpu-results.sh
#    core (its long prompt now runs the early form at 512), and launch cost in three alternating Java / C++ rounds.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s17/c6; J=/tmp/s17c6; rm -rf $J /tmp/s17c6out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v24 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/; xz -dkc $C/launch_cost.xz > $J/launch_cost; chmod +x $J/launch_cost
W=/tmp/s17c6out; mkdir -p $W/core; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nproc; ps -eo pcpu,comm --sort=-pcpu | head -8; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J/v24.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
stamp=$(date -u +%Y%m%d-%H%M%S); dev=h200; O=$W/core; R=$(pwd)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v24.jar"
if grep -q ' 0 tests failed' $W/gpu-tests.log; then
  (cd $(mktemp -d) && timeout $(left 120) $B prefill --model llama-3.2-1b --sizes 16,512 --prompts short,long --warmup 30 --iterations 300 --no-progress \
    --json $O/prefill-llama-3.2-1b-$dev-$stamp.json > $W/llama.txt 2>&1; prog "llama rc=$?")
  sha=$(python3 -c 'import sys,zipfile; print(zipfile.ZipFile(sys.argv[1]).read("io/prefillbench/build-info.properties").decode().split("git.sha=")[1].split()[0])' $J/v24.jar)
  (cd $(mktemp -d) && PYTHONUNBUFFERED=1 timeout $(left 150) python3 $R/bench/python/torch_prefill.py --model llama-3.2-1b --prompt-lens 10,480 --batches "" \
    --modes compile-cudagraphs --git-sha "$sha" --json $O/torch-llama-3.2-1b-$dev-$stamp.json > $W/torch-llama.txt 2>&1; prog "torch llama rc=$?")
  python3 -c 'import sys,zipfile; open(sys.argv[2],"wb").write(zipfile.ZipFile(sys.argv[1]).read("io/prefillbench/kernels/prefill.fatbin"))' $J/v24.jar /tmp/lc.fatbin
  : > $O/launch-cost-java-$dev-$stamp.txt; : > $O/launch-cost-cpp-$dev-$stamp.txt
  (cd $(mktemp -d) && for round in 1 2 3; do
    echo "## round $round of 3 (Java and C++ alternate)" >> $O/launch-cost-java-$dev-$stamp.txt
    timeout $(left 30) $B devices --launch-cost 169 >> $O/launch-cost-java-$dev-$stamp.txt 2>&1
    echo "## round $round of 3 (Java and C++ alternate)" >> $O/launch-cost-cpp-$dev-$stamp.txt
    timeout $(left 30) $J/launch_cost 169 51 16 128 /tmp/lc.fatbin >> $O/launch-cost-cpp-$dev-$stamp.txt 2>&1
  done; prog "launch cost")
else prog "skipped (tests)"; fi
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s17c6out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
grep -E '^\| (short|long) ' $W/llama.txt 2>/dev/null | head -2; tail -4 $W/torch-llama.txt 2>/dev/null
grep -hE '^\| (Java|C\+\+ stub|C\+\+ cudaKernel_t) \| ' $O/launch-cost-java-*.txt $O/launch-cost-cpp-*.txt 2>/dev/null
tail -3 $W/progress.txt
