#!/bin/bash
# s13 call 6: the study part of the results set (sweep 8:512:8, serving study, report) on the jar of calls 4-5 (b4e9fea).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s13/c4; J=/tmp/c6; rm -rf $J; mkdir -p $J/x && tar -xJf $C/jar.tar.xz -C $J/x && python3 scripts/gpu/rejar.py $J/x/n32 $J/bench.jar
W=/tmp/c6out; rm -rf $W; mkdir -p $W; s=$(date +%s)
JAR=$J/bench.jar timeout 400 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(( $(date +%s)-s )) s"
(cd /tmp && tar czf $OUT/c6.tgz c6out)
tail -3 $W/study.log
