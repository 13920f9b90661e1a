#!/bin/bash
# s18 call 10, one jar: v33 = b64a928 (the review's commits: GraphEqualsEagerGpuTest's comparisons through eagerLogits,
# Lowering's lookups, kernel_check's probe helper). Carry .gpu/jre-s.tar.xz and .gpu/s18/c10 (jars.tar.xz = v33 and the
# JUnit console unpacked; the tests jar). The whole GraphEqualsEagerGpuTest class on the refactored tests.
cd "$(dirname "$0")/../../.."
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s18/c10; J=/tmp/s18c10; rm -rf $J /tmp/s18c10out; mkdir -p $J/x /tmp/s18c10out && tar -xJf $C/jars.tar.xz -C $J/x
for v in v33 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s18c10out
JAR=$J/v33.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 240 bash scripts/gpu-tests.sh $J/junit.jar \
  --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest > $W/gpu-tests-graph-eq-eager.log 2>&1
echo "gpu tests rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && tar cJf $OUT/res.tar.xz s18c10out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests-graph-eq-eager.log | head -6
