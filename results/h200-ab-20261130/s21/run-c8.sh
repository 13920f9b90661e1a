#!/bin/bash
# s21 call 8, one jar: the review's head (ropeRoles: the rope binders' shared fields in one helper; Java only, kernels as
# af64fba). Carry .gpu (jre; t/: its tests jar + JUnit console) and cli/target/bench.jar.
# Every GPU test on this jar: the binders of rope_kv_write, the rope-fused GEMMs (tiny's and Llama's qkv at 1..16) and the
# rope-taking attention (RopeIntoAttentionGpuTest) all go through the changed code.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s21c8out; rm -rf $W; mkdir -p $W
JAR=$(pwd)/cli/target/bench.jar TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 240 bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests.log 2>&1
echo "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && tar cJf $OUT/res.tar.xz s21c8out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
