#!/usr/bin/env bash
# Builds kernels/src/*.cu into one fatbin: SASS for sm_80 and sm_90a (H100 / H200: the wgmma + TMA GEMMs of gemm_wgmma.cu
# need the arch-specific target; every other kernel compiles as for sm_90), plus compute_90 PTX for newer GPUs (there the
# sm_90a-only kernels trap, and Java never selects them).
# Usage: build-fatbin.sh NVCC OUT.fatbin [main|foreign] [REQUIRED]   (Maven passes -Dnvcc, default "nvcc" on PATH)
#        foreign: the test kernels only, as sm_100 SASS without PTX: a fatbin an H100 (or older) must refuse
#        REQUIRED=true (-Dkernels.required=true, as CI sets it): a missing nvcc fails the build; otherwise the build
#        goes on without kernels (plan, report, gate work; GPU commands say how to get them)
set -euo pipefail
nvcc=${1:-nvcc}
out=${2:?usage: build-fatbin.sh NVCC OUT.fatbin}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v "$nvcc" >/dev/null 2>&1; then
  if [ "${4:-false}" = true ]; then
    echo "nvcc not found ('$nvcc'): install the CUDA 13 toolkit and put nvcc on PATH, or build with -Dnvcc=/path/to/nvcc" >&2
    exit 2
  fi
  # a stale fatbin from an earlier build must not pass for this one
  rm -f "$out"
  echo "build-fatbin: nvcc not found ('$nvcc'): building without kernels ($(basename "$out")); GPU commands will say so." \
    "Install the CUDA 13 toolkit (or pass -Dnvcc=/path/to/nvcc) and rebuild for them." >&2
  exit 0
fi
mkdir -p "$(dirname "$out")"
if [ "${3:-}" = foreign ]; then
  [ -f "$out" ] && [ "$out" -nt "$here/src/test_kernels.cu" ] && exit 0
  "$nvcc" -fatbin -std=c++17 -I "$here/include" -gencode=arch=compute_100,code=sm_100 -o "$out" "$here/src/test_kernels.cu"
  echo "build-fatbin: wrote $out (sm_100 only, for the no-code-for-this-GPU test)"
  exit 0
fi
# Skip the (slow) build when nothing changed since the last fatbin.
if [ -f "$out" ] && [ -z "$(find "$here/src" "$here/include" "$0" -newer "$out" -print -quit)" ]; then
  echo "build-fatbin: $out is up to date"; exit 0
fi
"$nvcc" -fatbin -std=c++17 -O3 -lineinfo \
  -I "$here/include" \
  -gencode=arch=compute_80,code=sm_80 \
  -gencode=arch=compute_90a,code=sm_90a \
  -gencode=arch=compute_90,code=compute_90 \
  -o "$out.tmp" "$here/src/prefill_kernels.cu"
mv "$out.tmp" "$out"
echo "build-fatbin: wrote $out ($(stat -c %s "$out") bytes)"
