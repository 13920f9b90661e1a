#!/bin/bash
# Session 12, call 6: the study part of the results set on the bundled rope jar (794b9ed): sweep, serving study, report.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
D=.gpu/s12/f; J=/tmp/s12j6; mkdir -p $J/x && tar -xJf $D/jars5.tar.xz -C $J/x rope && python3 scripts/gpu/rejar.py $J/x/rope $J/rope.jar
W=/tmp/s12c6; mkdir -p $W; s=$(date +%s)
JAR=$J/rope.jar timeout 330 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(( $(date +%s)-s )) s"
(cd /tmp && tar czf $OUT/s12c6.tgz s12c6)
tail -3 $W/study.log
