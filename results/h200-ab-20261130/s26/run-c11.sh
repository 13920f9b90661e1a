#!/bin/bash
# s26 call 11, jar c64e41e (main: tiny's t32 attention rows of call 10 bundled; every other plan and every kernel as the set
# 002206's): every GPU test on it (tiny's plans changed: t32 in its prompts' graph, a decode graph at 16 with the early wg
# form), then tiny's figure of the results set as scripts/gpu-results.sh core runs it, so the set's tiny file is the bundled
# forward's (ERNIE's and Llama's plans are unchanged: the rows name tiny's head layout only).
# Carry .gpu/jre.tar.xz, .gpu/s26/v70.jar, .gpu/s26/t3.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s26/v70.jar
W=/tmp/s26c11out; rm -rf $W; mkdir -p $W/core; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J TESTS=.gpu/s26/t3/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 200 bash scripts/gpu-tests.sh .gpu/s26/t3/junit.jar > $W/gpu-tests-c64e41e.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && java --enable-native-access=ALL-UNNAMED -jar $J devices > $W/core/devices-h200-$stamp.txt 2>&1; \
 java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 --no-progress \
  --json $W/core/prefill-tiny-h200-$stamp.json > $W/tiny.txt 2>&1; echo "tiny rc=$?")
prog "tiny"
(cd /tmp && tar cJf $OUT/res.tar.xz s26c11out)
grep -E 'tests (successful|failed)' $W/gpu-tests-c64e41e.log | tr -s ' '
grep -E '^\| short' $W/tiny.txt | head -2; cat $W/progress.txt
