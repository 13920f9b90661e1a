// rope_kv_write: bias add (rounded to bf16), NeoX rotation of q and k, in-place write-back into qkv
// (q, k rotated; v biased), and k/v write into the paged cache. One block per token, any blockDim.
// Rotation in fp32 without contraction: o1 = x1*c - x2*s, o2 = x2*c + x1*s, each product rounded.
// qkv_splits > 0: the input row is bf16(in-order sum of the fp32 split-K partials) instead of qkv,
// and all of q, k (rotated) and v (biased or not) are written into qkv.
#include "common.cuh"

extern "C" __global__ void rope_kv_write(RopeKvParams p) {
  const int t = blockIdx.x;
  pk_pdl_launch();                // at entry (common.cuh)
  const int nt = *p.num_tokens;  // host-written metadata
  pk_pdl_wait();
  if (t >= nt) return;
  const int D = p.head_dim, half = D >> 1;
  const int width = (p.q_heads + 2 * p.kv_heads) * D;
  uint16_t *row = p.qkv + (size_t)t * width;
  const bool fused = p.qkv_splits > 0;
  const float *prow = fused ? p.qkv_partial + (size_t)t * width : nullptr;
  const size_t plane = (size_t)p.qkv_rows * width;
  auto in = [&](int c) -> float { return fused ? pk_sum_partial(prow, plane, p.qkv_splits, c) : bf2f(row[c]); };
  int pos = p.positions[t];
  pos = pos < 0 ? 0 : (pos >= p.max_positions ? p.max_positions - 1 : pos);
  const float *cs = p.cos_sin + (size_t)pos * D;
  const int slot = p.slot_mapping[t];
  const size_t kv_row = (size_t)p.kv_heads * D;
  // Rotated pairs of q and k heads: pair j -> head j / half, element i = j % half.
  const int npairs = (p.q_heads + p.kv_heads) * half;
  for (int j = threadIdx.x; j < npairs; j += blockDim.x) {
    const int h = j / half, i = j - h * half;
    const int c1 = h * D + i, c2 = c1 + half;
    float x1 = in(c1), x2 = in(c2);
    if (p.bias != nullptr) {
      x1 = bf2f(f2bf(__fadd_rn(x1, bf2f(p.bias[c1]))));
      x2 = bf2f(f2bf(__fadd_rn(x2, bf2f(p.bias[c2]))));
    }
    const float c = cs[i], s = cs[half + i];
    const uint16_t o1 = f2bf(__fsub_rn(__fmul_rn(x1, c), __fmul_rn(x2, s)));
    const uint16_t o2 = f2bf(__fadd_rn(__fmul_rn(x2, c), __fmul_rn(x1, s)));
    row[c1] = o1;
    row[c2] = o2;
    if (h >= p.q_heads && slot >= 0) {
      uint16_t *kc = p.k_cache + (size_t)slot * kv_row + (size_t)(h - p.q_heads) * D;
      kc[i] = o1;
      kc[i + half] = o2;
    }
  }
  // v: bias, write back, cache.
  const int nv = p.kv_heads * D;
  const int v0 = (p.q_heads + p.kv_heads) * D;
  for (int j = threadIdx.x; j < nv; j += blockDim.x) {
    uint16_t v = fused ? f2bf(in(v0 + j)) : row[v0 + j];
    if (p.bias != nullptr) v = f2bf(__fadd_rn(bf2f(v), bf2f(p.bias[v0 + j])));
    if (fused || p.bias != nullptr) row[v0 + j] = v;
    if (slot >= 0) p.v_cache[(size_t)slot * kv_row + j] = v;
  }
}
