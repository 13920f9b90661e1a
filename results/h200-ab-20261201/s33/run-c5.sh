#!/bin/bash
# s33 call 5, jar a77b9f0 (main: call 4's five GPU-test failures fixed — four tests and one lowering pass meeting the new
# fresh graph at 16; the default plans are call 4's). Every GPU test on it, then the results set's study: the sweep
# 8:512:8 and the serving study.
# Prediction (written before the run): 92/92; the sweep's graph GPU p50 within +-1 % of 074224 everywhere except at 8 and
# 16 tokens (the fresh plan at 16: -1.5..-2 %); the serving study's policies in 074224's order.
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s33/v3.jar
W=/tmp/s33c5out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J TESTS=$R/.gpu/s33/t3.jar OUT=$W timeout 170 bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
JAR=$J timeout $(left 540) bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; prog "study rc=$?"
(cd /tmp && tar cJf $OUT/res.tar.xz s33c5out)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -h WARNING $W/log-study.txt | cut -c1-300 | head -5
tail -8 $W/study.log
cat $W/progress.txt
