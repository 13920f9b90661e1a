#!/bin/bash
# s30 call 3: the cluster split-K harness (kernels/check/gemm_wgmma_check.cu `csk`, commit 0dd0d0e, built here with
# -DNO_CUBLAS: .gpu/s30/wgc_csk and the no-timing build wgc_csk_nt for the sanitizers). No engine change.
# Question (s25): at 128 rows a TMA GEMM's k loop is its blocks' intake at ~80-90 GB/s per SM; a tile split along k in a
# cluster, its partial sums exchanged through distributed shared memory, takes in less per SM without fp32 partials in
# global memory. Does the exchange cost less than the intake it saves?
# Prediction (written before the run): every csk form passes its checks and memcheck / racecheck clean;
#  gate_up at 128: C128x128c2s6 ~0.5-1 us faster than T128x64s8's silu form alone (k loop 384 -> 256 KB per SM, ~1.5 us,
#  less ~0.5-1 us of exchange and cluster barrier), C128x192c4s3 (160 KB per block) faster still if the barrier is cheap;
#  down / o at 128 (C64x64c4 vs T64x64s8 split 4, the same intake): within +-0.3 us (no partial planes to store: the
#  forward's next kernel would also read one plane instead of four, not measured here);
#  at 512, o and down as C128x128c4s5 (128 blocks): 5.5-6.5 / 8.5-9.5 us alone (cuBLAS 5.7 / 9.1 in s8's table).
# Rule: a form earns engine work (next session) if it is >= 0.5 us faster alone and in the PDL chain than the forward's tile.
cd "$(dirname "$0")/../../.."
set -u
W=/tmp/s30c3out; rm -rf $W; mkdir -p $W; s=$(date +%s)
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
B=.gpu/s30
timeout 300 $B/wgc_csk csk > $W/csk.txt 2>&1; prog "csk rc=$?"
timeout 120 compute-sanitizer --tool memcheck $B/wgc_csk_nt csk quick > $W/csk-memcheck.txt 2>&1; prog "memcheck rc=$?"
timeout 150 compute-sanitizer --tool racecheck $B/wgc_csk_nt csk quick > $W/csk-racecheck.txt 2>&1; prog "racecheck rc=$?"
timeout 100 compute-sanitizer --tool synccheck $B/wgc_csk_nt csk quick > $W/csk-synccheck.txt 2>&1; prog "synccheck rc=$?"
cp -r $W $OUT/
tail -3 $W/csk-memcheck.txt $W/csk-racecheck.txt $W/csk-synccheck.txt
cat $W/csk.txt | cut -c1-220
cat $W/progress.txt
