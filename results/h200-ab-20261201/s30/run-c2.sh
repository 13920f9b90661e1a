#!/bin/bash
# s30 call 2, jar v88 (main 88c5072, as call 1): the results set's study under the new defaults: the sweep 8:512:8 (each
# point primed for 300 ms and warmed for 1000 ms) and the serving study.
# Prediction (written before the run): graphs buy 1.06-1.25x over the sweep as in 022947, the graph GPU p50 at 96..128
# 2-3 % below 022947's (s29 call 7: the prime), the serving study's policies in 022947's order.
# Carry .gpu/jre.tar.xz, .gpu/s30/v88.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
R=$(pwd); J=$R/.gpu/s30/v88.jar
W=/tmp/s30c2out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J timeout 540 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; prog "study rc=$?"
(cd /tmp && tar cJf $OUT/res.tar.xz s30c2out)
grep -h WARNING $W/log-study.txt | cut -c1-300 | head -5
tail -8 $W/study.log
cat $W/progress.txt
