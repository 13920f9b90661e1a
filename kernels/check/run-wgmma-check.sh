#!/usr/bin/env bash
# Builds and runs the wgmma + TMA GEMM harness (kernels/check/gemm_wgmma_check.cu) on a GPU host (sm_90a: H100 / H200).
# Usage: kernels/check/run-wgmma-check.sh [only SHAPE M | one NAME|cublas n k m splits | quick [NAME]]
#   (EXTRA_NVCC_FLAGS=-DPK_WG_TRACE and "trace NAME n k m splits": where a block's time goes, phase by phase)
#   (no argument: every shape and configuration, checked and timed against cuBLAS; quick: checks only, for
#   compute-sanitizer; one: five launches of one configuration, for Nsight Compute)
#   NVCC=/path/to/nvcc  WGMMA_CHECK_BIN=/tmp/gemm_wgmma_check (where the binary goes)
# The session's builds were made without a GPU (nvcc -gencode=arch=compute_90a,code=sm_90a ... -lcublas, the cuBLAS
# headers and library of the nvidia-cublas wheel) and run on the GPU host: results/h200-ab-20261130/s8-wgmma/.
set -uo pipefail
cd "$(dirname "$0")/../.."
NVCC=${NVCC:-nvcc}
command -v "$NVCC" >/dev/null || NVCC=/usr/local/cuda/bin/nvcc
BIN=${WGMMA_CHECK_BIN:-/tmp/gemm_wgmma_check}
echo "== build"
"$NVCC" -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a -lineinfo ${EXTRA_NVCC_FLAGS:-} -I kernels/include \
  kernels/check/gemm_wgmma_check.cu -o "$BIN" -lcublas || exit 2
echo "== run"
"$BIN" "$@"
