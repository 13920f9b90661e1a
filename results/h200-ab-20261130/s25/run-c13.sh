#!/bin/bash
# s25 call 13, jar aed5791 (main after the review; its forward is the set 231741's, abf9e01: the commits since change tests,
# the harness and a refactor of the rows' batch predicate, same plans): the study (scripts/gpu-results.sh study: the sweep
# of eager vs graph over token counts 8..512, the serving study), so the report's study matches the set's forward.
# Carry .gpu/jre.tar.xz, .gpu/s25/v67.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s25/v67.jar
W=/tmp/s25c13out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J timeout 240 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(el) s" | tee $W/progress.txt
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s25c13out)
tail -5 $W/study.log
