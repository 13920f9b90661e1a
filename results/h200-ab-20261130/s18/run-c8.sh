#!/bin/bash
# s18 call 8, one jar: v32 = 453b6c6 (the session's final code: v49 bundled, the v48 / v48.1 prefetch and v50 tile-map
# embed options, bindTileMap's parameters from a helper both tile-map kernels share). Carry .gpu/jre-s.tar.xz and
# .gpu/s18/c8 (jars.tar.xz = v32 and the JUnit console unpacked; the tests jar).
# Every GPU test on the final code (the last full run was call 5's, on fdaf2f9).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s18/c8; J=/tmp/s18c8; rm -rf $J /tmp/s18c8out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v32 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s18c8out; mkdir -p $W; s=$(date +%s)
JAR=$J/v32.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 300 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1
echo "gpu-tests rc=$? $(( $(date +%s)-s )) s" | tee $W/progress.txt; rm -rf $W/junit-gpu
(cd /tmp && tar cJf $OUT/res.tar.xz s18c8out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
