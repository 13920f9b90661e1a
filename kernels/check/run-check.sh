#!/usr/bin/env bash
# Builds and runs the kernel check harness (run from anywhere; paths are relative to the repo root).
# Usage: kernels/check/run-check.sh [family]   family: init embed norm rope tilemap act attention fused small silu gemm probe table pdl layer prefetch
# PK_CHOICES=FILE: lower the dumped plan with that measurements file (plan --impl-choices), e.g. with cuBLASLt or prefetch rows on.
# layer (layer_persistent against the default chain at bucket 16) also needs PK_OPS_LAYER: written here from the default
# dump, one launch per layer; LAYER_ONE_LAUNCH=1: one launch for every layer (as the engine issues it since session 5);
# PK_LAYER_CLUSTER=2: launched in clusters of 2 as the engine does on sm_90 (checks that 64 pairs fit, and that the
# result equals the launch without clusters bit for bit); the default is no cluster.
set -uo pipefail
cd "$(dirname "$0")/../.."
NVCC=${NVCC:-nvcc}
command -v "$NVCC" >/dev/null || NVCC=/usr/local/cuda/bin/nvcc
echo "== resource usage (sm_90): gemm / attention / splitk / fused consumers"
"$NVCC" -cubin -O3 -std=c++17 -arch=sm_90 -lineinfo -I kernels/include --resource-usage \
  -o /tmp/prefill_kernels_sm90.cubin kernels/src/prefill_kernels.cu 2>&1 |
  grep -A2 -E "Function properties for (gemm_bf16|attention_prefill|splitk_reduce|add_rmsnorm|rope_kv_write|silu_mul|l2_prefetch)" | grep -v "^--"
echo "== build"
"$NVCC" -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a -lineinfo -I kernels/include kernels/check/kernel_check.cu -o /tmp/kernel_check -lcublas || exit 2
if [ -z "${PK_OPS:-}" ] && [ -f cli/target/bench.jar ]; then
  # the chain's ops come from the engine's own lowering (PK_SMS: the device's SM count)
  export PK_OPS=/tmp/prefill_ops.txt
  java -jar cli/target/bench.jar plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16 \
    --sm-count "${PK_SMS:-132}" ${PK_CHOICES:+--impl-choices "$PK_CHOICES"} --dump-ops "$PK_OPS" >/dev/null || exit 2
fi
if [ -z "${PK_OPS_LAYER:-}" ] && [ -n "${PK_OPS:-}" ]; then
  export PK_OPS_LAYER=/tmp/prefill_ops_layer.txt
  python3 kernels/check/synth-layer-dump.py ${LAYER_ONE_LAUNCH:+--one-launch} "$PK_OPS" "$PK_OPS_LAYER" || exit 2
fi
echo "== run"
/tmp/kernel_check "$@"
