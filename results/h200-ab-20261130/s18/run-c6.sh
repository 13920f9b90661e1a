#!/bin/bash
# s18 call 6, one jar: v30 = 6f21de7 (v29's forward; kernel_check raises the _rope1 kernels' smem limit, the random-batch
# GPU test accepts tiny's unsplit rope form). Carry .gpu/jre-s.tar.xz and .gpu/s18/c6 (jars.tar.xz = v30 and the JUnit
# console unpacked; the tests jar; kernel_check and its no-timing build, sm_90a).
# Call 5 kept v49 by its rule (tiny short -4.6 %, 2x8 -4.1 %, Llama short -0.1 %; 70 of 71 GPU tests, engine memcheck
# clean) but its harness could not launch the _rope1 kernels (no smem opt-in: invalid argument) and one GPU test asserted
# a split or fixup GEMM at tiny's 16. Here: kernel_check rope_fused (the _rope1 form == stream + rope_kv_write at every
# capacity, m_dev and shape; timings against _rope at one split), memcheck / synccheck / racecheck of it, and the whole
# GraphEqualsEagerGpuTest class (the fixed test, the shape fusions == unfused with tiny's _rope1).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s18/c6; J=/tmp/s18c6; rm -rf $J /tmp/s18c6out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v30 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
for b in kernel_check kernel_check_san; do xz -dc $C/$b.xz > $J/$b && chmod +x $J/$b; done
W=/tmp/s18c6out; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 400 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
timeout $(left 60) $J/kernel_check rope_fused > $W/kernel-check-rope-fused.txt 2>&1; prog "rope_fused rc=$?"
for t in memcheck synccheck racecheck; do
  timeout $(left 100) compute-sanitizer --tool $t $J/kernel_check_san rope_fused > $W/$t-rope-fused.txt 2>&1; prog "$t rc=$?"
done
JAR=$J/v30.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $J/junit.jar \
  --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest > $W/gpu-tests-graph-eq-eager.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && tar cJf $OUT/res.tar.xz s18c6out)
grep -E "ALL PASSED|checks failed" $W/kernel-check-rope-fused.txt | tail -1
grep -E "m16_rope1? (4/2 D64 k256|32/8 D64 k2048|16/2 D64 k1024) s1 m_dev16 .*us" $W/kernel-check-rope-fused.txt | cut -c1-190
grep -c '_rope1 .* OK' $W/kernel-check-rope-fused.txt
grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $W/*-rope-fused.txt
grep -c '_rope1' $W/racecheck-rope-fused.txt
grep -E "tests (successful|failed)|✘" $W/gpu-tests-graph-eq-eager.log | head -6
tail -1 $W/progress.txt
