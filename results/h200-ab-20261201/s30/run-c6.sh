#!/bin/bash
# s30 call 6: the review's refactor of gemm_wgmma_check (commit after 3ffa770: tma_params_per_copy, run_cluster through
# launch_ex), run again: csk (every check, both timings), `cluster` on gate_up's forward tile at 128 (s25 call 5: 7.92 us
# plain, 7.88 in pairs), memcheck of csk quick, racecheck of a cluster-of-4 form.
# Prediction (written before the run): csk's checks pass and its times within ~3 % of call 4's; cluster within ~3 % of
# s25's; sanitizers clean.
cd "$(dirname "$0")/../../.."
set -u
W=/tmp/s30c6out; rm -rf $W; mkdir -p $W; s=$(date +%s)
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
B=.gpu/s30
timeout 120 $B/wgc_csk2 csk > $W/csk.txt 2>&1; prog "csk rc=$?"
timeout 60 $B/wgc_csk2 cluster T128x64s8 6144 1024 128 1 > $W/cluster.txt 2>&1; prog "cluster rc=$?"
timeout 60 compute-sanitizer --tool memcheck $B/wgc_csk2_nt csk quick > $W/csk-memcheck.txt 2>&1; prog "memcheck rc=$?"
timeout 200 compute-sanitizer --tool racecheck $B/wgc_csk2_nt csk quick C128x128c4s5 > $W/csk-racecheck-c4.txt 2>&1; prog "racecheck rc=$?"
cp -r $W $OUT/
for f in csk-memcheck csk-racecheck-c4; do echo "$f: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/$f.txt | tail -1)"; done
cat $W/cluster.txt
grep -E "^\||ALL OK|FAIL" $W/csk.txt | cut -c1-200
cat $W/progress.txt
