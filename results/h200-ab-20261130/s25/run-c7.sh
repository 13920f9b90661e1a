#!/bin/bash
# s25 call 7: v65's validation (jar 191f147), so its kernels can join main as an option (call 6: no row set met its rule,
# so nothing is bundled): every GPU test on 191f147 (new: the half-width rope fusion == the same rows unfused, bit for bit,
# ERNIE / Llama-3.2-1B / tiny-bias at 16 and 64, eager and graph), kernel_check rope_fused under memcheck, synccheck and
# racecheck (sanitizer build), the engine under memcheck with call 6's row sets (lr2 on Llama at 16, er4w on ERNIE at
# 16 / 32 / 64) and under synccheck with er4.
# Carry .gpu/jre.tar.xz, .gpu/s25/v65.jar, .gpu/s25/kc65_nt, .gpu/s25/t.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s25
W=/tmp/s25c7out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
J=$R/.gpu/s25/v65.jar
cp .gpu/s25/kc65_nt /tmp/ && chmod +x /tmp/kc65_nt
JAR=$J TESTS=.gpu/s25/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 170) bash scripts/gpu-tests.sh .gpu/s25/t/junit.jar > $W/gpu-tests-v65.log 2>&1
prog "gpu-tests v65 rc=$?"; rm -rf $W/junit-gpu
for tool in memcheck synccheck racecheck; do
  (cd /tmp && timeout $(left 70) compute-sanitizer --tool $tool /tmp/kc65_nt rope_fused > $W/$tool-rope_fused.txt 2>&1; prog "$tool rope_fused rc=$?")
done
(cd $(mktemp -d) && timeout $(left 50) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 16d@2048 --impl-choices $S/choices-lr2.json --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-llama-lr2.txt 2>&1; prog "engine memcheck llama lr2 rc=$?")
(cd $(mktemp -d) && timeout $(left 50) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --max-num-seqs 16 --max-model-len 4096 --sizes 16,32,64 --prompts short --batch 2x8,4x8,4x16 --impl-choices $S/choices-er4w.json --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-ernie-er4w.txt 2>&1; prog "engine memcheck ernie er4w rc=$?")
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool synccheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --impl-choices $S/choices-er4.json --warmup 1 --iterations 2 --no-progress > $W/synccheck-engine-ernie-er4.txt 2>&1; prog "engine synccheck ernie er4 rc=$?")
(cd /tmp && tar cJf $OUT/res.tar.xz s25c7out)
grep -E 'tests (successful|failed|skipped)' $W/gpu-tests-v65.log | tr -s ' '
grep -B2 -A8 "halfWidthRope" $W/gpu-tests-v65.log | grep -E "✔|✘|halfWidth" | head -6
for f in $W/memcheck-*.txt $W/synccheck-*.txt $W/racecheck-*.txt; do echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY\|ALL PASSED\|checks failed' $f | tail -2 | tr '\n' ' ')"; done
tail -1 $W/progress.txt
