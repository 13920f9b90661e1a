// init_uniform_bf16: deterministic hash-based uniform init (bit-identical to the Java WeightInit).
#include "common.cuh"

static __device__ __forceinline__ uint32_t pk_mix(uint32_t x) {
  x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16; return x;
}

extern "C" __global__ void init_uniform_bf16(InitUniformParams p) {
  __nv_bfloat16 *dst = reinterpret_cast<__nv_bfloat16 *>(p.dst);
  pk_pdl_wait();
  pk_pdl_launch();
  const uint32_t h0 = pk_mix(p.seed * 0x9E3779B9u + p.tensor_id);
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  const int g = p.interleave_group;
  for (int64_t d = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; d < p.n; d += stride) {
    int64_t i = d;  // the element whose value lands at d: its index in the natural layout
    if (g > 0) {
      const int64_t r = d / p.cols, col = d - r * p.cols, b = r / (2 * g), q = r - b * 2 * g;
      i = ((q < g ? b * g + q : p.interleave_half + b * g + (q - g))) * p.cols + col;
    }
    uint32_t h = pk_mix(h0 ^ (uint32_t)(i & 0xffffffff));
    h = pk_mix(h ^ (uint32_t)((uint64_t)i >> 32));
    float u = (float)(h >> 8) * (1.0f / 16777216.0f);
    float t = 2.0f * u - 1.0f;  // exact (u has 24 bits, power-of-two scaling)
    float v = __fadd_rn(p.offset, __fmul_rn(p.scale, t));
    dst[d] = __float2bfloat16_rn(v);
  }
}
