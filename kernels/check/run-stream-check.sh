#!/usr/bin/env bash
# Builds and runs the weight-streaming GEMM harness (kernels/check/gemm_stream_check.cu) on a GPU host.
# Usage: kernels/check/run-stream-check.sh [quick|ncu|probe]   (no argument: full validation + timing sweep;
#   quick: validation only, for compute-sanitizer; ncu: a few launches for Nsight Compute; probe: per-SM streaming probes)
#   NVCC=/path/to/nvcc  STREAM_CHECK_BIN=/tmp/gemm_stream_check (where the binary goes)
set -uo pipefail
cd "$(dirname "$0")/../.."
NVCC=${NVCC:-nvcc}
command -v "$NVCC" >/dev/null || NVCC=/usr/local/cuda/bin/nvcc
BIN=${STREAM_CHECK_BIN:-/tmp/gemm_stream_check}
echo "== resource usage (sm_90): gemm_bf16_stream_*"
"$NVCC" -cubin -O3 -std=c++17 -gencode=arch=compute_90,code=sm_90 -I kernels/include --resource-usage \
  -o /tmp/prefill_kernels_stream_sm90.cubin kernels/src/prefill_kernels.cu 2>&1 |
  grep -A2 -E "Function properties for gemm_bf16_stream" | grep -v "^--"
echo "== build"
"$NVCC" -O3 -std=c++17 -gencode=arch=compute_90,code=sm_90 -lineinfo -I kernels/include \
  kernels/check/gemm_stream_check.cu -o "$BIN" -lcublas || exit 2
echo "== run"
"$BIN" "$@"
