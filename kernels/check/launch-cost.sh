#!/usr/bin/env bash
# Host cost per kernel launch, C++ (kernels/check/launch_cost.cu) on this host; the Java counterpart is
# java -jar cli/target/bench.jar devices --launch-cost N (same kernel, count, grid, block).
# Usage: kernels/check/launch-cost.sh [launches=169] [repeats=51] [grid=16] [threads=128] [FATBIN]   (PK_ARCH: sm_90 default)
# FATBIN (prefill.fatbin from the jar): also launch through cudaLibraryGetKernel's handle, the one Java uses.
set -uo pipefail
cd "$(dirname "$0")/../.."
NVCC=${NVCC:-nvcc}
command -v "$NVCC" >/dev/null || NVCC=/usr/local/cuda/bin/nvcc
"$NVCC" -O3 -std=c++17 -arch="${PK_ARCH:-sm_90}" -I kernels/include kernels/check/launch_cost.cu -o /tmp/launch_cost || exit 2
/tmp/launch_cost "$@"
