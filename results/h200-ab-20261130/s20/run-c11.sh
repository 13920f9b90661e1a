#!/bin/bash
# s20 call 11, one jar: v39 = c666135 (the review refactor of AttentionWgGpuTest: its CPU-reference trials in one helper). Carry .gpu (jre.tar.xz;
# t/: its tests jar and the JUnit console) and cli/target/bench.jar.
# The refactored test class again (AttentionWgGpuTest: wg and t32 against the CPU reference and graph == eager), with
# the timeout the remaining device time allows.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s20c11out; rm -rf $W; mkdir -p $W
JAR=$(pwd)/cli/target/bench.jar TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh .gpu/t/junit.jar \
  --select-class io.prefillbench.engine.AttentionWgGpuTest \
   > $W/gpu-tests.log 2>&1
echo "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && tar cJf $OUT/res.tar.xz s20c11out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -12
