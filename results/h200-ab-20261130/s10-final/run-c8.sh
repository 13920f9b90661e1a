#!/bin/bash
# Session 10, call 8: call 7's results set again (call 7 wrote 60+ files under $OUT untarred: only 8 came back; its GPU
# tests, 60/60, did). Same jar bee3826: gpu-results.sh core (SKIP_TABLE=1), then study; each part tarred as it ends.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
J7=/tmp/j7; mkdir -p $J7 && for f in bench.jar launch_cost; do xz -dkc .gpu/s10/j7/$f.xz > $J7/$f; done; chmod +x $J7/launch_cost
W=/tmp/c8; mkdir -p $W/res; s=$(date +%s)
JAR=$J7/bench.jar SKIP_TABLE=1 LAUNCH_COST_BIN=$J7/launch_cost timeout 260 bash scripts/gpu-results.sh $W/res core > $W/core.log 2> $W/log-core.txt; echo "core rc=$? $(( $(date +%s)-s )) s"
(cd /tmp && tar czf $OUT/c8-core.tgz c8)
JAR=$J7/bench.jar timeout 200 bash scripts/gpu-results.sh $W/res study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(( $(date +%s)-s )) s"
(cd /tmp && tar czf $OUT/c8-all.tgz c8 && rm -f $OUT/c8-core.tgz)
grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" $W/core.log | head -6
grep -E "gate B vs A exit|gate planted exit" $W/core.log
tail -3 $W/study.log
