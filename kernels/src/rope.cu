// rope_kv_write: bias add (rounded to bf16), NeoX rotation of q and k, in-place write-back into qkv
// (q, k rotated; v biased), and k/v write into the paged cache. One block per token (times gridDim.y item groups on
// the 4-wide path), any blockDim.
// Rotation in fp32 without contraction: o1 = x1*c - x2*s, o2 = x2*c + x1*s, each product rounded.
// qkv_splits > 0: the input row is bf16(in-order sum of the fp32 split-K partials) instead of qkv,
// and all of q, k (rotated) and v (biased or not) are written into qkv.
// When head_dim % 8 == 0 a thread takes 4 consecutive pairs (8-byte bf16 and 16-byte fp32 accesses, one
// item per thread at blockDim 256 for the ERNIE/Llama shapes) with every load issued before the math:
// the per-element arithmetic and order are those of the scalar loop, so the bits are the same.
#include "common.cuh"

// Token t's RoPE position, clamped to the table ([0, max_positions)): rope_kv_write and every kernel that takes its work
// over read a token's position so (host-written metadata, read before their PDL wait).
PK_DEV int pk_rope_pos(const RopeKvParams &r, int t) {
  const int pos = r.positions[t];
  return pos < 0 ? 0 : (pos >= r.max_positions ? r.max_positions - 1 : pos);
}

// 4 consecutive bf16 (8-byte aligned) as floats, and back.
PK_DEV float4 pk_ld_bf4(const uint16_t *p) {
  const uint2 v = *reinterpret_cast<const uint2 *>(p);
  return make_float4(bf_lo(v.x), bf_hi(v.x), bf_lo(v.y), bf_hi(v.y));
}
PK_DEV void pk_st_bf4(uint16_t *p, const uint16_t (&h)[4]) {
  *reinterpret_cast<uint2 *>(p) = make_uint2((uint32_t)h[0] | ((uint32_t)h[1] << 16), (uint32_t)h[2] | ((uint32_t)h[3] << 16));
}

// A token's rotated k pairs (elements i..i+3 and half + i..) of kv head kvh into the K cache at its slot (>= 0: the
// callers skip slot < 0, not cached), and its 4 v elements (e..e+3) of kv head kvh into the V cache. rope_kv_write and
// every kernel that takes its work over store so (kv_row = kv_heads * D elements per slot).
PK_DEV void pk_rope_cache_k(const RopeKvParams &r, size_t kv_row, int D, int half, int slot, int kvh, int i, const uint16_t (&o1)[4],
                            const uint16_t (&o2)[4]) {
  uint16_t *kc = r.k_cache + (size_t)slot * kv_row + (size_t)kvh * D;
  pk_st_bf4(kc + i, o1);
  pk_st_bf4(kc + i + half, o2);
}
PK_DEV void pk_rope_cache_v(const RopeKvParams &r, size_t kv_row, int D, int slot, int kvh, int e, const uint16_t (&v)[4]) {
  pk_st_bf4(r.v_cache + (size_t)slot * kv_row + (size_t)kvh * D + e, v);
}

// The arithmetic of the 4-wide path, shared with the qkv GEMM's fused epilogue (gemm_stream.cu), which feeds
// it the same values from shared memory: one rounding per operation, no contraction.
// q/k: 4 pairs (x1 = elements i..i+3 of a head, x2 = the same + half), the bias of both (when has_bias), the
// position's cos c and sin s of pairs i..i+3; o1, o2: the rotated bf16 values.
static __device__ __forceinline__ void pk_rope_rot4(float (&x1)[4], float (&x2)[4], bool has_bias, float4 b1, float4 b2, float4 c,
                                                    float4 s, uint16_t (&o1)[4], uint16_t (&o2)[4]) {
  if (has_bias) {
    const float y1[4] = {b1.x, b1.y, b1.z, b1.w}, y2[4] = {b2.x, b2.y, b2.z, b2.w};
#pragma unroll
    for (int e = 0; e < 4; e++) {
      x1[e] = bf2f(f2bf(__fadd_rn(x1[e], y1[e])));
      x2[e] = bf2f(f2bf(__fadd_rn(x2[e], y2[e])));
    }
  }
  const float cc[4] = {c.x, c.y, c.z, c.w}, ss[4] = {s.x, s.y, s.z, s.w};
#pragma unroll
  for (int e = 0; e < 4; e++) {
    o1[e] = f2bf(__fsub_rn(__fmul_rn(x1[e], cc[e]), __fmul_rn(x2[e], ss[e])));
    o2[e] = f2bf(__fadd_rn(__fmul_rn(x2[e], cc[e]), __fmul_rn(x1[e], ss[e])));
  }
}
// v: 4 bf16 values, plus the bias (when has_bias), rounded to bf16.
static __device__ __forceinline__ void pk_rope_v4(uint16_t (&v)[4], bool has_bias, float4 b) {
  if (!has_bias) return;
  const float yb[4] = {b.x, b.y, b.z, b.w};
#pragma unroll
  for (int e = 0; e < 4; e++) v[e] = f2bf(__fadd_rn(bf2f(v[e]), yb[e]));
}

// The 4-wide path (head_dim % 8 == 0), one token: items [0, nq) rotate pairs 4i..4i+3 of one q/k head,
// items [nq, nq + nvq) bias and cache 4 v elements (nq = (q_heads + kv_heads) * head_dim / 8, nvq =
// kv_heads * head_dim / 4).
// h = j / qpr, the item's head (q/k items only; the caller finds it, before the PDL wait for its first item).
static __device__ __forceinline__ void pk_rope_quad_item(const RopeKvParams &p, int t, int j, int h, int pos, int slot) {
  const int D = p.head_dim, half = D >> 1, qpr = half >> 2;
  const int width = (p.q_heads + 2 * p.kv_heads) * D;
  uint16_t *row = p.qkv + (size_t)t * width;
  const bool fused = p.qkv_splits > 0;
  const float *prow = fused ? p.qkv_partial + (size_t)t * width : nullptr;
  const size_t plane = (size_t)p.qkv_rows * width;
  auto in4 = [&](int c) -> float4 { return fused ? pk_sum_partial4<4>(prow, plane, p.qkv_splits, c) : pk_ld_bf4(row + c); };
  const float *cs = p.cos_sin + (size_t)pos * D;
  const size_t kv_row = (size_t)p.kv_heads * D;
  const int nq = (p.q_heads + p.kv_heads) * qpr;
  const int v0 = (p.q_heads + p.kv_heads) * D;
  const bool hb = p.bias != nullptr;
  const float4 zero = make_float4(0.f, 0.f, 0.f, 0.f);
  if (j < nq) {
    const int i = (j - h * qpr) * 4;
    const int c1 = h * D + i, c2 = c1 + half;
    const float4 a = in4(c1), b = in4(c2);
    float x1[4] = {a.x, a.y, a.z, a.w}, x2[4] = {b.x, b.y, b.z, b.w};
    uint16_t o1[4], o2[4];
    pk_rope_rot4(x1, x2, hb, hb ? pk_ld_bf4(p.bias + c1) : zero, hb ? pk_ld_bf4(p.bias + c2) : zero,
                 *reinterpret_cast<const float4 *>(cs + i), *reinterpret_cast<const float4 *>(cs + half + i), o1, o2);
    pk_st_bf4(row + c1, o1);
    pk_st_bf4(row + c2, o2);
    if (h >= p.q_heads && slot >= 0) pk_rope_cache_k(p, kv_row, D, half, slot, h - p.q_heads, i, o1, o2);
  } else {
    const int e0 = (j - nq) * 4;
    uint16_t v[4];
    if (fused) {
      const float4 a = pk_sum_partial4<4>(prow, plane, p.qkv_splits, v0 + e0);
      v[0] = f2bf(a.x); v[1] = f2bf(a.y); v[2] = f2bf(a.z); v[3] = f2bf(a.w);  // exact: bf16 values
    } else {
      const uint2 raw = *reinterpret_cast<const uint2 *>(row + v0 + e0);  // the bits as stored
      v[0] = (uint16_t)raw.x; v[1] = (uint16_t)(raw.x >> 16); v[2] = (uint16_t)raw.y; v[3] = (uint16_t)(raw.y >> 16);
    }
    pk_rope_v4(v, hb, hb ? pk_ld_bf4(p.bias + v0 + e0) : zero);
    if (fused || hb) pk_st_bf4(row + v0 + e0, v);
    if (slot >= 0) pk_rope_cache_v(p, kv_row, D, slot, 0, e0, v);  // e0 counts every kv head's elements
  }
}

// Block y of gridDim.y takes the token's items [y * per, (y + 1) * per), per = ceil(items / gridDim.y): few tokens
// spread over more SMs (an item's arithmetic does not depend on which block runs it). A thread's range [j0, end) and its
// first item's head depend on the grid and the shapes only: rope_kv_write finds them before the PDL wait (v57; the
// divisions by gridDim.y and by the items per head were ~35 % of a warp's instructions after the wait at 16 tokens, s22
// call 6).
struct PkRopeRange {
  int j0, end, h0;
};
static __device__ __forceinline__ PkRopeRange pk_rope_quad_range(const RopeKvParams &p) {
  const int qpr = p.head_dim >> 3;
  const int n = (p.q_heads + p.kv_heads) * qpr + ((p.kv_heads * p.head_dim) >> 2);
  const int per = (n + (int)gridDim.y - 1) / (int)gridDim.y;
  PkRopeRange r;
  r.j0 = (int)blockIdx.y * per + threadIdx.x;
  r.end = min(n, ((int)blockIdx.y + 1) * per);
  r.h0 = r.j0 / qpr;
  return r;
}
static __device__ __forceinline__ void pk_rope_quad(const RopeKvParams &p, int t, int pos, int slot, const PkRopeRange &r) {
  const int qpr = p.head_dim >> 3;
  for (int j = r.j0, h = r.h0; j < r.end;) {
    pk_rope_quad_item(p, t, j, h, pos, slot);
    j += blockDim.x;
    if (j >= r.end) break;
    h = j / qpr;
  }
}

// grid (token capacity, item groups): gridDim.y > 1 only on the 4-wide path (the scalar path's blocks y > 0 exit).
extern "C" __global__ void __launch_bounds__(256, 4) rope_kv_write(RopeKvParams p) {
  const int t = blockIdx.x;
  pk_pdl_launch();                // at entry (common.cuh)
  const int nt = *p.num_tokens;  // host-written metadata, as are positions and slots (rows < capacity)
  const int pos = pk_rope_pos(p, t);
  const int slot = p.slot_mapping[t];
  const bool quad = (p.head_dim & 7) == 0;
  PkRopeRange r{0, 0, 0};
  if (quad) {
    r = pk_rope_quad_range(p);
    pk_keep(r.j0);
    pk_keep(r.end);
    pk_keep(r.h0);
  }
  pk_pdl_wait();
  if (t >= nt) return;
  if (quad) {
    pk_rope_quad(p, t, pos, slot, r);
    return;
  }
  if (blockIdx.y > 0) return;
  const int D = p.head_dim, half = D >> 1;
  const int width = (p.q_heads + 2 * p.kv_heads) * D;
  uint16_t *row = p.qkv + (size_t)t * width;
  const bool fused = p.qkv_splits > 0;
  const float *prow = fused ? p.qkv_partial + (size_t)t * width : nullptr;
  const size_t plane = (size_t)p.qkv_rows * width;
  auto in = [&](int c) -> float { return fused ? pk_sum_partial(prow, plane, p.qkv_splits, c) : bf2f(row[c]); };
  const float *cs = p.cos_sin + (size_t)pos * D;
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
