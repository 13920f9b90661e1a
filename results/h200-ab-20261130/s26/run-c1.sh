#!/usr/bin/env bash
# s26 call 1: v67's kernels alone (no engine): kernel_check norm_fused (bits against the unfused chain, timings of the fused
# pair against producer + add_rmsnorm + consumer, PDL back to back) and the sanitizers on the no-timing build.
set -u
W=$OUT
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > $W/gpu.txt 2>&1
./.gpu/s26/kc_nf norm_fused > $W/kc-norm-fused.txt 2>&1; echo "kc rc=$?" >> $W/summary.txt
for tool in memcheck racecheck synccheck; do
  timeout 150 compute-sanitizer --tool $tool --error-exitcode 9 ./.gpu/s26/kc_nf_nt norm_fused > $W/san-$tool.txt 2>&1
  echo "$tool rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/san-$tool.txt | tail -1)" >> $W/summary.txt
done
grep -E 'FAIL|PASSED|FAILURES' $W/kc-norm-fused.txt | tail -3 >> $W/summary.txt
grep -E 'PDL back' $W/kc-norm-fused.txt >> $W/summary.txt
cat $W/summary.txt
