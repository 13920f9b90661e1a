#!/bin/bash
# Prepared in the twelfth session on branch s12-csk (not run): the split-K reduced inside a thread-block cluster,
# gemm_bf16_stream_mXX_csum (kernels/src/gemm_stream.cu, PK_EPI_CSUM), a harness candidate — the engine does not
# select it yet. It writes one fp32 partial plane where the plain kernel writes `splits` (at 16 rows: o and down 1 MB
# -> 64 KB, qkv 655 -> 82 KB, gate_up 786 -> 393 KB), and its consumer reads it at splits = 1 with the same bits.
# Prediction, from s12 call 7's row links (a link writing 512 KB: +1.5 us): the norms, rope and SiLU after those GEMMs
# cost the chain ~1-1.5 us less each, the GEMMs ~0.3-0.5 us more (two cluster barriers and the DSMEM reads): the
# harness's PDL chain at 16 ~-50..-80 us of 611. Here first, on this branch: build kernel_check as run-check.sh does
# (sm_90a) and its sanitizer build (-DPREFILL_CHECK_NO_TIMING -DNO_CUBLAS), launch_cost (main's, with the pairs), and
# the op dump: java -jar cli/target/bench.jar plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16
# --dump-ops ops16.txt; xz kc, kc-san, launch_cost, ops16.txt into .gpu/s13/csk; carry .gpu/s13/csk.
cd "$(dirname "$0")/../../.."
set -u
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s13/csk; J=/tmp/csk; mkdir -p $J && for f in kc kc-san launch_cost ops16.txt; do xz -dkc $C/$f.xz > $J/$f; done; chmod +x $J/kc $J/kc-san $J/launch_cost
W=/tmp/cskout; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
$J/launch_cost 170 51 16 128 > $W/launch-cost-pairs.txt 2>&1; echo "launch_cost rc=$? $(el) s"
timeout 90 $J/kc csum > $W/kc-csum.log 2>&1; echo "csum rc=$? $(el) s"
for t in memcheck racecheck synccheck; do timeout 120 compute-sanitizer --tool $t $J/kc-san csum > $W/san-$t.log 2>&1; echo "$t rc=$? $(el) s"; done
for rep in 1 2; do for v in 0 1; do
  PK_OPS=$J/ops16.txt PK_CSUM=$v timeout 120 $J/kc pdl > $W/pdl-csum$v-$rep.log 2>&1; echo "pdl csum=$v #$rep rc=$?"; done; done
(cd /tmp && tar czf $OUT/csk.tgz cskout)
tail -8 $W/launch-cost-pairs.txt
grep -E "ALL PASSED|FAILURES" $W/kc-csum.log; grep -E " us  " $W/kc-csum.log | head -4
for t in memcheck racecheck synccheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/san-$t.log | tail -1)"; done
grep -hE "graph replay|FAIL" $W/pdl-*.log | head -10
