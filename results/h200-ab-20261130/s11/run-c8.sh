#!/bin/bash
# Session 11, call 8 (jar 7a2b133 = the results set's kernels and bundled file, plus the fixed TmaGemmGpuTest): every GPU test.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=/tmp/s11j8; mkdir -p $J && for f in bench.jar junit.jar; do xz -dkc .gpu/s11/j8/$f.xz > $J/$f; done
cp .gpu/s11/j8/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s11c8; mkdir -p $W; s=$(date +%s)
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $W/junit-gpu; (cd /tmp && tar czf $OUT/s11c8.tgz s11c8)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log
