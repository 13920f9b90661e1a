#!/bin/bash
# s31 call 7, jar v93 (main 66ce325: the planted kernel first in the graph, PlantedSlowdownGpuTest now also comparing the
# planted graph's first tokens with eager's; report's ours / PyTorch table). Every GPU test on it: the engine's only
# change since the GPU tests last ran on main's engine (s29 call 7, 88/88) is where the planted kernel is issued, which
# runs only with --slowdown-cycles.
# Prediction (written before the run): 89/89 (88 + PlantedSlowdownGpuTest), as v91's 89/89 in call 5.
# Carry .gpu/jre.tar.xz, .gpu/s31/v93.jar, .gpu/s31/t93.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); T=$R/.gpu/s31/t93
W=/tmp/s31c7out; rm -rf $W; mkdir -p $W; s=$(date +%s)
JAR=$R/.gpu/s31/v93.jar TESTS=$T/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 240 bash scripts/gpu-tests.sh $T/junit.jar > $W/gpu-tests-v93.log 2>&1
echo "gpu tests v93 rc=$? $(( $(date +%s)-s )) s" | tee $W/progress.txt; rm -rf $W/junit-gpu
(cd /tmp && tar cJf $OUT/res.tar.xz s31c7out)
grep -E "tests (successful|failed|skipped)" $W/gpu-tests-v93.log
grep -E "✘|PlantedSlowdown" $W/gpu-tests-v93.log | head -5
