#!/bin/bash
# Session 10, call 7 (jar bee3826: v31 bundled at ERNIE's buckets <= 64): every GPU test, then the results set
# (scripts/gpu-results.sh core with SKIP_TABLE=1 — the GEMM kernels are unchanged —, then study). Jars carried xz'd
# (the 64 MiB carry limit). The in-graph timeline of this code is call 5 / 6's (same kernels and rows per bucket).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
J7=/tmp/j7; mkdir -p $J7 && for f in bench.jar junit.jar launch_cost; do xz -dkc .gpu/s10/j7/$f.xz > $J7/$f; done; chmod +x $J7/launch_cost
cp .gpu/s10/j7/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J7/
L=$OUT/c7; mkdir -p $L/res; s=$(date +%s)
JAR=$J7/bench.jar TESTS=$J7/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 110 bash scripts/gpu-tests.sh $J7/junit.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $L/junit-gpu
JAR=$J7/bench.jar SKIP_TABLE=1 LAUNCH_COST_BIN=$J7/launch_cost timeout 270 bash scripts/gpu-results.sh $L/res core > $L/core.log 2> $L/log-core.txt; echo "core rc=$? $(( $(date +%s)-s )) s"
JAR=$J7/bench.jar timeout 200 bash scripts/gpu-results.sh $L/res study > $L/study.log 2> $L/log-study.txt; echo "study rc=$? $(( $(date +%s)-s )) s"
grep -E "tests (successful|failed|aborted)|✘" $L/gpu-tests.log | head -8
grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" $L/core.log | head -12
grep -E "gate .* exit|verdict|PASS|FAIL" $L/core.log | head -6
tail -5 $L/study.log
ls $L/res | head -50
