// add_rmsnorm, final_norm_gather, rope_kv_write, silu_mul and argmax_rows as of c0fb398 (before the
// latency rework of kernels/NOTES-forward.md v5), kept verbatim under _v0 names for kernel_check only:
// the proof that the rework kept every bit, and the timing it is measured against.
// bf16(sum_{z < splits} part[z * plane + i]), summed in order z = 0, 1, ... (what splitk_reduce stores).
PK_DEV float pk_sum_partial_v0(const float *part, size_t plane, int splits, size_t i) {
  float s = part[i];
  for (int z = 1; z < splits; z++) s = __fadd_rn(s, part[(size_t)z * plane + i]);
  return bf2f(f2bf(s));
}
// Same for 8 consecutive values (i % 4 == 0, 16-byte aligned), packed as 4 x bf16x2.
PK_DEV uint4 pk_sum_partial8_v0(const float *part, size_t plane, int splits, size_t i) {
  const float4 *p0 = reinterpret_cast<const float4 *>(part + i);
  float4 a = p0[0], b = p0[1];
  for (int z = 1; z < splits; z++) {
    const float4 *pz = reinterpret_cast<const float4 *>(part + (size_t)z * plane + i);
    float4 c = pz[0], d = pz[1];
    a.x = __fadd_rn(a.x, c.x); a.y = __fadd_rn(a.y, c.y); a.z = __fadd_rn(a.z, c.z); a.w = __fadd_rn(a.w, c.w);
    b.x = __fadd_rn(b.x, d.x); b.y = __fadd_rn(b.y, d.y); b.z = __fadd_rn(b.z, d.z); b.w = __fadd_rn(b.w, d.w);
  }
  return make_uint4(pack_bf2(a.x, a.y), pack_bf2(a.z, a.w), pack_bf2(b.x, b.y), pack_bf2(b.z, b.w));
}

// add_rmsnorm and final_norm_gather. One block per row; blockDim.x a multiple of 32 (<= 1024).
// The residual sum is rounded to bf16 first; the sum of squares of those bf16 values is taken in
// fp32: each thread sums its elements in increasing index order (thread j takes 8-element chunks
// j, j+blockDim, ...), then a fixed warp/block tree. out = bf16((r * rsqrtf(sumsq/hidden + eps)) * w).

// One row. r = bf16(res + x) when x is present (written back to res_out when res_out != NULL), else res.
// Pass 2 recomputes r from the same inputs (bit-identical), so nothing is staged.
// The branch input x: bf16 row x, or (splits > 0) the bf16-rounded in-order sum of fp32 split-K
// partials part[z * plane + j] (part already offset to the row); none when both are absent.
struct PkXSrcV0 {
  const uint16_t *x;
  const float *part;
  size_t plane;
  int splits;
  __device__ bool present() const { return x != nullptr || splits > 0; }
  __device__ uint4 load8(int j) const {  // elements [8j, 8j + 8) as 4 x bf16x2
    return splits > 0 ? pk_sum_partial8_v0(part, plane, splits, (size_t)j * 8) : reinterpret_cast<const uint4 *>(x)[j];
  }
  __device__ float load1(int j) const { return splits > 0 ? pk_sum_partial_v0(part, plane, splits, j) : bf2f(x[j]); }
};

static __device__ __forceinline__ void pk_norm_row_v0(const uint16_t *res, PkXSrcV0 xs, uint16_t *res_out,
                                                   const uint16_t *w, uint16_t *out, int hidden, float eps,
                                                   float *red) {
  bool has_x = xs.present();
  float ss = 0.f;
  const bool vec = (hidden & 7) == 0;
  if (vec) {
    const int nv = hidden >> 3;
    for (int j = threadIdx.x; j < nv; j += blockDim.x) {
      uint4 v = reinterpret_cast<const uint4 *>(res)[j];
      uint32_t u[4] = {v.x, v.y, v.z, v.w};
      if (has_x) {
        uint4 xv = xs.load8(j);
        uint32_t ux[4] = {xv.x, xv.y, xv.z, xv.w};
#pragma unroll
        for (int e = 0; e < 4; e++)
          u[e] = pack_bf2(__fadd_rn(bf_lo(u[e]), bf_lo(ux[e])), __fadd_rn(bf_hi(u[e]), bf_hi(ux[e])));
        if (res_out != nullptr) reinterpret_cast<uint4 *>(res_out)[j] = make_uint4(u[0], u[1], u[2], u[3]);
      }
#pragma unroll
      for (int e = 0; e < 4; e++) {
        float a = bf_lo(u[e]), b = bf_hi(u[e]);
        ss = __fadd_rn(ss, __fmul_rn(a, a));
        ss = __fadd_rn(ss, __fmul_rn(b, b));
      }
    }
  } else {
    for (int j = threadIdx.x; j < hidden; j += blockDim.x) {
      float a = bf2f(res[j]);
      if (has_x) {
        uint16_t h = f2bf(__fadd_rn(a, xs.load1(j)));
        if (res_out != nullptr) res_out[j] = h;
        a = bf2f(h);
      }
      ss = __fadd_rn(ss, __fmul_rn(a, a));
    }
  }
  const float total = block_sum(ss, red);
  const float inv = rsqrtf(__fadd_rn(total / (float)hidden, eps));
  if (res_out != nullptr) { res = res_out; has_x = false; }  // re-read what this thread wrote
  if (vec) {
    const int nv = hidden >> 3;
    for (int j = threadIdx.x; j < nv; j += blockDim.x) {
      uint4 v = reinterpret_cast<const uint4 *>(res)[j], ww = __ldg(reinterpret_cast<const uint4 *>(w) + j);
      uint32_t u[4] = {v.x, v.y, v.z, v.w}, q[4] = {ww.x, ww.y, ww.z, ww.w}, o[4];
      if (has_x) {
        uint4 xv = xs.load8(j);
        uint32_t ux[4] = {xv.x, xv.y, xv.z, xv.w};
#pragma unroll
        for (int e = 0; e < 4; e++)
          u[e] = pack_bf2(__fadd_rn(bf_lo(u[e]), bf_lo(ux[e])), __fadd_rn(bf_hi(u[e]), bf_hi(ux[e])));
      }
#pragma unroll
      for (int e = 0; e < 4; e++)
        o[e] = pack_bf2(__fmul_rn(__fmul_rn(bf_lo(u[e]), inv), bf_lo(q[e])),
                        __fmul_rn(__fmul_rn(bf_hi(u[e]), inv), bf_hi(q[e])));
      reinterpret_cast<uint4 *>(out)[j] = make_uint4(o[0], o[1], o[2], o[3]);
    }
  } else {
    for (int j = threadIdx.x; j < hidden; j += blockDim.x) {
      float a = bf2f(res[j]);
      if (has_x) a = bf2f(f2bf(__fadd_rn(a, xs.load1(j))));
      out[j] = f2bf(__fmul_rn(__fmul_rn(a, inv), bf2f(w[j])));
    }
  }
}

extern "C" __global__ void add_rmsnorm_v0(AddRmsNormParams p) {
  __shared__ float red[32];
  const int row = blockIdx.x;
  pk_pdl_launch();  // at entry (common.cuh)
  const int nrows = *p.num_rows;  // host-written metadata
  pk_pdl_wait();
  if (row >= nrows) return;
  uint16_t *res = p.residual + (size_t)row * p.hidden;
  PkXSrcV0 xs{p.x != nullptr ? p.x + (size_t)row * p.hidden : nullptr,
            p.x_splits > 0 ? p.x_partial + (size_t)row * p.hidden : nullptr, (size_t)p.x_rows * p.hidden, p.x_splits};
  pk_norm_row_v0(res, xs, xs.present() ? res : nullptr, p.weight, p.out + (size_t)row * p.hidden, p.hidden, p.eps, red);
}

extern "C" __global__ void final_norm_gather_v0(FinalNormGatherParams p) {
  __shared__ float red[32];
  const int s = blockIdx.x;
  pk_pdl_launch();  // at entry (common.cuh)
  const int ns = *p.num_seqs;  // host-written metadata
  pk_pdl_wait();
  if (s >= ns) return;
  const int row = p.query_start[s + 1] - 1;
  PkXSrcV0 xs{p.x != nullptr ? p.x + (size_t)row * p.hidden : nullptr,
            p.x_splits > 0 ? p.x_partial + (size_t)row * p.hidden : nullptr, (size_t)p.x_rows * p.hidden, p.x_splits};
  pk_norm_row_v0(p.residual + (size_t)row * p.hidden, xs, nullptr, p.weight, p.out + (size_t)s * p.hidden, p.hidden,
              p.eps, red);
}
// rope_kv_write: bias add (rounded to bf16), NeoX rotation of q and k, in-place write-back into qkv
// (q, k rotated; v biased), and k/v write into the paged cache. One block per token, any blockDim.
// Rotation in fp32 without contraction: o1 = x1*c - x2*s, o2 = x2*c + x1*s, each product rounded.
// qkv_splits > 0: the input row is bf16(in-order sum of the fp32 split-K partials) instead of qkv,
// and all of q, k (rotated) and v (biased or not) are written into qkv.

extern "C" __global__ void rope_kv_write_v0(RopeKvParams p) {
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
  auto in = [&](int c) -> float { return fused ? pk_sum_partial_v0(prow, plane, p.qkv_splits, c) : bf2f(row[c]); };
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
// silu_mul and argmax_rows.

// Column of gate_up holding the gate input of output column j (the up input sits `group` columns later).
static __device__ __forceinline__ size_t pk_gate_col_v0(int64_t j, int group) {
  const int64_t b = j / group;
  return (size_t)(b * 2 * group + (j - b * group));
}

// silu_mul: grid-stride over (token, 8-column chunk) when ffn % 8 == 0 and group % 8 == 0, else over
// elements. Any grid. out = bf16((g / (1 + expf(-g))) * u) in fp32 (no intermediate bf16 rounding).
extern "C" __global__ void silu_mul_v0(SiluMulParams p) {
  pk_pdl_launch();                    // at entry (common.cuh)
  const int64_t nt = *p.num_tokens;  // host-written metadata
  pk_pdl_wait();
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  const int sp = p.gate_up_splits;  // > 0: gate_up = bf16(in-order sum of the fp32 split-K partials)
  const size_t plane = (size_t)p.gate_up_rows * 2 * p.ffn;
  const int group = p.group > 0 ? p.group : p.ffn;
  if ((p.ffn & 7) == 0 && (group & 7) == 0) {
    const int64_t cpr = p.ffn >> 3;  // chunks per row
    for (int64_t idx = start; idx < nt * cpr; idx += stride) {
      const int64_t t = idx / cpr, c = idx - t * cpr;
      uint4 gv, uv;
      const size_t base = (size_t)t * 2 * p.ffn + pk_gate_col_v0(c * 8, group);  // a chunk never straddles a group
      if (sp > 0) {
        gv = pk_sum_partial8_v0(p.gate_up_partial, plane, sp, base);
        uv = pk_sum_partial8_v0(p.gate_up_partial, plane, sp, base + group);
      } else {
        gv = *reinterpret_cast<const uint4 *>(p.gate_up + base);
        uv = *reinterpret_cast<const uint4 *>(p.gate_up + base + group);
      }
      uint32_t a[4] = {gv.x, gv.y, gv.z, gv.w}, b[4] = {uv.x, uv.y, uv.z, uv.w}, o[4];
#pragma unroll
      for (int e = 0; e < 4; e++)
        o[e] = pack_bf2(pk_silu_mul(bf_lo(a[e]), bf_lo(b[e])), pk_silu_mul(bf_hi(a[e]), bf_hi(b[e])));
      reinterpret_cast<uint4 *>(p.out + t * p.ffn)[c] = make_uint4(o[0], o[1], o[2], o[3]);
    }
  } else {
    for (int64_t idx = start; idx < nt * p.ffn; idx += stride) {
      const int64_t t = idx / p.ffn, c = idx - t * p.ffn;
      float g, u;
      const size_t base = (size_t)t * 2 * p.ffn + pk_gate_col_v0(c, group);
      if (sp > 0) {
        g = pk_sum_partial_v0(p.gate_up_partial, plane, sp, base);
        u = pk_sum_partial_v0(p.gate_up_partial, plane, sp, base + group);
      } else {
        g = bf2f(p.gate_up[base]); u = bf2f(p.gate_up[base + group]);
      }
      p.out[idx] = f2bf(pk_silu_mul(g, u));
    }
  }
}

// (v, i) beats (bv, bi) if v > bv, or equal and i < bi. NaN never wins. Order-independent.
static __device__ __forceinline__ void pk_amax_take_v0(float v, int i, float &bv, int &bi) {
  if (v > bv || (v == bv && i < bi)) { bv = v; bi = i; }
}

// argmax_rows: one block per row (blockDim.x a multiple of 32). All-NaN row -> 0.
extern "C" __global__ void argmax_rows_v0(ArgmaxParams p) {
  __shared__ float sv[32];
  __shared__ int si[32];
  const int s = blockIdx.x;
  pk_pdl_launch();  // at entry (common.cuh)
  const int ns = *p.num_seqs;  // host-written metadata
  pk_pdl_wait();
  if (s >= ns) return;
  const uint16_t *row = p.logits + (size_t)s * p.vocab;
  float bv = -INFINITY;
  int bi = 0x7fffffff;
  if ((p.vocab & 7) == 0) {
    const uint4 *rv = reinterpret_cast<const uint4 *>(row);
    for (int j = threadIdx.x; j < (p.vocab >> 3); j += blockDim.x) {
      uint4 v = rv[j];
      uint32_t u[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
      for (int e = 0; e < 4; e++) {
        pk_amax_take_v0(bf_lo(u[e]), j * 8 + 2 * e, bv, bi);
        pk_amax_take_v0(bf_hi(u[e]), j * 8 + 2 * e + 1, bv, bi);
      }
    }
  } else {
    for (int j = threadIdx.x; j < p.vocab; j += blockDim.x) pk_amax_take_v0(bf2f(row[j]), j, bv, bi);
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    float v = __shfl_xor_sync(0xffffffffu, bv, o);
    int i = __shfl_xor_sync(0xffffffffu, bi, o);
    pk_amax_take_v0(v, i, bv, bi);
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
  if (lane == 0) { sv[warp] = bv; si[warp] = bi; }
  __syncthreads();
  if (warp == 0) {
    bv = lane < nw ? sv[lane] : -INFINITY;
    bi = lane < nw ? si[lane] : 0x7fffffff;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
      float v = __shfl_xor_sync(0xffffffffu, bv, o);
      int i = __shfl_xor_sync(0xffffffffu, bi, o);
      pk_amax_take_v0(v, i, bv, bi);
    }
    if (lane == 0) p.out[s] = bi == 0x7fffffff ? 0 : bi;
  }
}
