#!/bin/bash
# s9 call 5 (the same jar as call 4): the study (sweep 8:512:8, serving study, report)
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s9c5; mkdir -p $L/study; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jt/bench.jar
JAR=$jar timeout 400 bash scripts/gpu-results.sh $L/study study > $L/study.log 2> $L/log-study.txt; echo "study rc=$? $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c5.tgz s9c5 && rm -rf s9c5)
tail -25 /tmp/x/study.log
