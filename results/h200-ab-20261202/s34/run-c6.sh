#!/bin/bash
# s34 call 6, jar v6 (main at the session's end: the bundled v75 rows, the tests as refactored since call 3). Every GPU test
# (prediction: 99/99 — call 3's 97 plus AttentionIntoOGpuTest's Llama case, counted in call 5, all passing), then kernel_check
# rope_fused over every form (the harness's new launch dispatch for the _n32 and plain forms: 288 + 12 checks pass).
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); G=$R/.gpu/s34
W=/tmp/s34c6out; rm -rf $W; mkdir -p $W; s=$(date +%s)
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
JAR=$G/v6.jar TESTS=$G/tests6.jar OUT=$W timeout 170 bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
timeout 60 $R/.gpu/kernel_check rope_fused > $W/kc-rope-all.txt 2>&1; prog "kernel_check rc=$?"
(cd /tmp && tar cJf $OUT/res.tar.xz s34c6out)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
tail -2 $W/kc-rope-all.txt; grep -c " OK " $W/kc-rope-all.txt; grep -c "FAIL" $W/kc-rope-all.txt
cat $W/progress.txt
