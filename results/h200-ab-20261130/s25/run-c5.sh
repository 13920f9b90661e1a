#!/bin/bash
# s25 call 5 (measurement): what a thread-block cluster costs a TMA tile's launch in a PDL chain. The next candidate at 128
# rows (NOTES-forward, "After the twenty-fifth session") is gate_up as 128 x 128 tiles split 2 along k in cluster pairs
# reduced through distributed shared memory: ~-1.2 us per layer of intake, unless a cluster launch costs what v36 saw for
# the streaming kernels at 16 rows (+1.2-1.7 us per GEMM, PDL back to back, not separated from its barriers).
# gemm_wgmma_check cluster (harness of main's kernels + this mode, -DNO_CUBLAS): the same configuration back to back with
# PDL, weights rotated over copies larger than the L2, as plain blocks and as clusters of 1 / 2 / 4 along x (the kernel
# uses no cluster feature). Prediction: clusters of 2 cost <= 0.3 us per launch on these 1-block-per-SM tiles.
# Carry .gpu/s25/wgc_cl.
cd "$(dirname "$0")/../../.."
set -u
export PATH=$PATH:/usr/local/cuda/bin
W=$OUT
cp .gpu/s25/wgc_cl /tmp/ && chmod +x /tmp/wgc_cl
for a in "T128x64s8 6144 1024 128 1" "T64x64s8 1024 3072 128 4" "T64x64s8 1280 1024 128 2" "T64x64s8 1024 1024 128 4" \
         "T128x128s6 6144 1024 128 2" "T128x192s4 6144 1024 512 1"; do
  timeout 60 /tmp/wgc_cl cluster $a >> $W/cluster.txt 2>&1; echo "rc=$?" >> $W/cluster.txt
done
cat $W/cluster.txt
