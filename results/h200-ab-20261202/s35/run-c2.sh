#!/bin/bash
# s35 call 2, jar v2 (baca2bb: v76 bundled — tiny's attention folded into its o in the fresh-prompt graph at 1..16). Every GPU
# test on it, then the results set's core (SKIP_TABLE=1: no plain GEMM changed since the table of 164337 / the kernel checks
# of s34; the pair kernel's reschedule was timed in call 1) with the in-graph timeline, PyTorch twice, run A gated against B.
# Prediction (written before the run): 98/98; graph GPU p50 against 021911: tiny -3.4 % (~37.5 us GPU, ~39.5 host: the
# 40 us target met), ERNIE short / long / 4x80 / 8x16 and Llama within +-1 % (nothing of theirs changed; the pair kernel
# 3.39 us alone as before); gates pass, planted exits 1.
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s35/v2.jar
W=/tmp/s35c2out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J TESTS=$R/.gpu/s35/tests2.jar OUT=$W timeout 170 bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/launch_cost PK_TRACE_LIB=$R/.gpu/libpktrace.so timeout $(left 570) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s35c2out)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -14; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate A vs B exit|gate planted exit"
grep -h WARNING $W/log-core.txt | head -10
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
