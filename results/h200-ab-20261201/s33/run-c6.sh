#!/bin/bash
# s33 call 6, jar 07d09b7 (c3d5dd8's reporting fixes: eager launches counted from the plan the batch runs, a sweep point's
# node count from the graph its prompts replay). OpProfileGpuTest; prefill --sizes 16 short with --profile (launches per
# eager forward); a sweep 8:16:8 (graph nodes).
# Prediction (written before the run): the test passes; short's eager launches 113 (the fresh plan), the sweep's nodes 113
# at 8 and 16.
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s33/v4.jar
W=/tmp/s33c6out; rm -rf $W; mkdir -p $W; s=$(date +%s)
JAR=$J TESTS=$R/.gpu/s33/t4.jar OUT=$W timeout 40 bash scripts/gpu-tests.sh $R/.gpu/junit.jar --select-class io.prefillbench.engine.OpProfileGpuTest > $W/gpu-tests.log 2>&1
echo "gpu tests rc=$? $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; rm -rf $W/junit-gpu
cd $(mktemp -d)
timeout 30 java --enable-native-access=ALL-UNNAMED -jar $J prefill --no-progress --sizes 16 --prompts short --warmup 20 --iterations 100 --prime-ms 0 --warmup-ms 0 --profile --json $W/short16.json > $W/short16.txt 2>&1
echo "short16 rc=$? $(( $(date +%s)-s )) s" | tee -a $W/progress.txt
timeout 30 java --enable-native-access=ALL-UNNAMED -jar $J prefill --no-progress --sweep 8:16:8 --warmup 20 --iterations 100 --prime-ms 0 --warmup-ms 0 --json $W/sweep.json > $W/sweep.txt 2>&1
echo "sweep rc=$? $(( $(date +%s)-s )) s" | tee -a $W/progress.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s33c6out)
grep -E "tests (successful|failed)" $W/gpu-tests.log
grep -iE "launch" $W/short16.txt | head -5
python3 -c "
import json; d=json.load(open('$W/sweep.json')); print([(p['tokens'], p['graphNodes']) for p in d['sweep']])
w=json.load(open('$W/short16.json'))['workloads'][0]; print({k: w[k] for k in w if 'aunch' in k})"
