#!/bin/bash
# s20 call 10, one jar: v38 = 8eb3391 (t32 for Llama-3.2-1B at 17..64 bundled too). Carry .gpu (jre.tar.xz;
# t/: its tests jar and the JUnit console) and cli/target/bench.jar.
# The GPU tests that reach the new rows: AttentionWgGpuTest (t32 at every size on tiny against the CPU reference, and
# tiny, ERNIE and Llama graph == eager over random batches), GraphEqualsEagerGpuTest and EngineVsCpuReferenceGpuTest
# (bundled rows: Llama at 17..64 on t32 where their sizes reach it).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s20c10out; rm -rf $W; mkdir -p $W
JAR=$(pwd)/cli/target/bench.jar TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 280 bash scripts/gpu-tests.sh .gpu/t/junit.jar \
  --select-class io.prefillbench.engine.AttentionWgGpuTest --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest \
  --select-class io.prefillbench.engine.EngineVsCpuReferenceGpuTest > $W/gpu-tests.log 2>&1
echo "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && tar cJf $OUT/res.tar.xz s20c10out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -12
