#!/bin/bash
# s16 call 7, jar v20 = 39c6c74 (call 6 ran every GPU test on it, 66/66, its A/B against v19 and the results set's core): the study
# (scripts/gpu-results.sh study: the sweep of eager vs graph over token counts, the serving study). Carry as call 6.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s16/c6; J=/tmp/s16c7; rm -rf $J /tmp/s16c7out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x && python3 scripts/gpu/rejar.py $J/x/v20 $J/bench.jar > /dev/null
W=/tmp/s16c7out; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J/bench.jar timeout 250 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(el) s"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar czf $OUT/s16c7.tgz s16c7out)
tail -5 $W/study.log
