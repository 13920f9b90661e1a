#!/bin/bash
# s31 call 2, jar v89 (main 55b8395, as call 1): the results set's study under the default --first-tokens spin: the
# sweep 8:512:8 (each point primed for 300 ms and warmed for 1000 ms) and the serving study.
# Prediction (written before the run): graph GPU p50 within +-1 % of 055920 at every point (no kernel changed), graph host
# p50 0.3-2.3 % below 055920's (spin: s30 call 9), eager's speedups moving with the host as before (1.1-1.75x), the
# serving study's policies in 055920's order.
# Carry .gpu/jre.tar.xz, .gpu/s31/v89.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
R=$(pwd); J=$R/.gpu/s31/v89.jar
W=/tmp/s31c2out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J timeout 540 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; prog "study rc=$?"
(cd /tmp && tar cJf $OUT/res.tar.xz s31c2out)
grep -h WARNING $W/log-study.txt | cut -c1-300 | head -5
tail -8 $W/study.log
cat $W/progress.txt
