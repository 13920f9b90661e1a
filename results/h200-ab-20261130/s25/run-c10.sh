#!/bin/bash
# s25 calls 10 and 11: the one GPU test that failed in call 9 (MixedStepGraphEqualsEagerGpuTest's decode-graph test compared both
# graphs against one engine; since Llama's decode graph runs other GEMM tiles than its plain graph, each graph is now
# compared with the one-graph engine that runs its plan) on the tests of 4ef723c (its main classes are abf9e01's; the jar was built with untracked result files present, so it says dirty), and the
# class's other tests with it.
# Carry .gpu/jre.tar.xz, .gpu/s25/v66c.jar, .gpu/s25/tc.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s25c10out; rm -rf $W; mkdir -p $W
JAR=$(pwd)/.gpu/s25/v66c.jar TESTS=.gpu/s25/tc/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 400 bash scripts/gpu-tests.sh .gpu/s25/tc/junit.jar --select-class io.prefillbench.engine.MixedStepGraphEqualsEagerGpuTest > $W/gpu-tests-mixed.log 2>&1
echo "rc=$?" >> $W/gpu-tests-mixed.log; rm -rf $W/junit-gpu
cp $W/gpu-tests-mixed.log $OUT/
grep -E "✔|✘|tests (successful|failed)" $W/gpu-tests-mixed.log | sed 's/\x1b\[[0-9;]*m//g' | tail -15
