#!/bin/bash
# s26 call 7, jar 74860ef (call 6's set 002206: --host-timing separate, the default since 74860ef; the forward is main's of
# 213514a): the study (scripts/gpu-results.sh study: the sweep of eager vs graph over token counts 8..512 and the serving
# study), so the report's "when graphs pay" is timed as the set is (host samples from forwards without GPU-timing events).
# Prediction: graph host p50 -8..-25 us at every point (call 6: short -8 us, long -21, Llama short -29), eager about the
# same; so graphs buy a little more than study 233726's 1.07-1.22x at every size.
# Carry .gpu/jre.tar.xz, .gpu/s26/v68.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s26/v68.jar
W=/tmp/s26c7out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J timeout 520 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(el) s" | tee $W/progress.txt
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s26c7out)
tail -5 $W/study.log
