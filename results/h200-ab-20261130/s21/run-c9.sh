#!/bin/bash
# s21 call 9, one jar: the second review's head (pk_rope_pos and sNK / sNV: kernel machine code unchanged, cubin .text compared;
# PrefillEngine.eager / graph take their plan from planFor; jar a463220). Carry .gpu (jre; t/: its tests jar + JUnit console) and cli/target/bench.jar.
# Every GPU test on this jar: eager and graph runs, decode graphs and plain ones, go through the changed engine code. Then
# kernel_check attention and attention_rope of the same sources (timed: bits and timings of t32, the rope-fused form and
# rope_kv_write) and compute-sanitizer memcheck of the untimed build's attention_rope checks: the rule's GPU tests,
# sanitizer and timing in one lease for sources whose machine code did not change.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s21c9out; rm -rf $W; mkdir -p $W
JAR=$(pwd)/cli/target/bench.jar TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 240 bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests.log 2>&1
echo "gpu-tests rc=$?"; rm -rf $W/junit-gpu
for b in kernel_check kernel_check_nt; do xz -dc .gpu/kc2/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
(cd /tmp && timeout 60 /tmp/kernel_check attention > $W/kernel-check-attention.txt 2>&1; echo "kernel_check attention rc=$?")
(cd /tmp && timeout 40 compute-sanitizer --tool memcheck /tmp/kernel_check_nt attention_rope > $W/memcheck-attention-rope.txt 2>&1; echo "memcheck rc=$?")
(cd /tmp && tar cJf $OUT/res.tar.xz s21c9out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
grep -E "ALL PASSED|checks failed|rope.*perf short" $W/kernel-check-attention.txt | cut -c1-150 | tail -4
grep -h "ERROR SUMMARY" $W/memcheck-attention-rope.txt
