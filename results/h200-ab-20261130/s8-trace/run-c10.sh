#!/bin/bash
# s8 call 10 (branch s8-trace): where a TMA GEMM block's time goes (clock64 stamps per phase, -DPK_WG_TRACE harness build)
cd "$(dirname "$0")/../.."
set -u
L=$OUT/s8c10; mkdir -p $L
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
xz -dkc .gpu/s8/wgc_trace.xz > /tmp/wgct && chmod +x /tmp/wgct
for spec in "T128x192s4 6144 1024 512 1" "T128x192s4 6144 1024 256 1" "T64x64s8 1024 1024 512 1" "T64x64s8 1024 3072 512 1" "T64x64s8 1024 3072 128 4" "T64x64s8 6144 1024 128 1" "T128x128s6 2048 8192 512 2" "T128x256s4 16384 2048 512 1"; do
  timeout 30 /tmp/wgct trace $spec >> $L/trace.txt 2>&1; echo "rc=$?" >> $L/trace.txt
done
(cd $OUT && tar czf s8c10.tgz s8c10)
cat $L/trace.txt
