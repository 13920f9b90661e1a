#!/bin/bash
# s24 call 7, jar d8f3b29 (the core set 215443's; call 5 ran every GPU test on it, 79/79): the study (scripts/gpu-results.sh
# study: the sweep of eager vs graph over token counts 8..512, the serving study). The forward moved ~4 % at 16 since the
# last study (121933). Carry .gpu/jre.tar.xz, .gpu/s24/v63.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s24/v63.jar
W=/tmp/s24c7out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J timeout 420 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(el) s" | tee $W/progress.txt
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s24c7out)
tail -5 $W/study.log
