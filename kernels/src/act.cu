// silu_mul, argmax_rows, argmax_rows_cluster and argmax_keys.
#include "common.cuh"

// Column of gate_up holding the gate input of output column j (the up input sits `group` columns later).
static __device__ __forceinline__ size_t pk_gate_col(int64_t j, int group) {
  const int64_t b = j / group;
  return (size_t)(b * 2 * group + (j - b * group));
}

// silu_mul: grid-stride over (token, 8-column chunk) when ffn % 8 == 0 and group % 8 == 0, else over
// elements. Any grid. out = bf16((g / (1 + expf(-g))) * u) in fp32 (no intermediate bf16 rounding).
// The chunk path finds its first chunk's token, column and gate_up offset before the PDL wait (v57): they depend on the
// grid and shapes only, and the two 64-bit divisions were ~40 % of a warp's instructions after the wait at 16 tokens
// (s22 call 6); a thread's later chunks (none at the engine's grids below ~2000 tokens) find theirs after it.
extern "C" __global__ void __launch_bounds__(256, 4) silu_mul(SiluMulParams p) {
  pk_pdl_launch();                    // at entry (common.cuh)
  const int64_t nt = *p.num_tokens;  // host-written metadata
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  const int sp = p.gate_up_splits;  // > 0: gate_up = bf16(in-order sum of the fp32 split-K partials)
  const size_t plane = (size_t)p.gate_up_rows * 2 * p.ffn;
  const int group = p.group > 0 ? p.group : p.ffn;
  if ((p.ffn & 7) == 0 && (group & 7) == 0) {
    const int64_t cpr = p.ffn >> 3;  // chunks per row
    int64_t t, c;
    size_t base;
    auto locate = [&](int64_t idx) {  // chunk idx: its token, column chunk and gate_up offset
      t = idx / cpr;
      c = idx - t * cpr;
      base = (size_t)t * 2 * p.ffn + pk_gate_col(c * 8, group);  // a chunk never straddles a group
    };
    locate(start);
    pk_keep(t);
    pk_keep(c);
    pk_keep(base);
    pk_pdl_wait();
    const int64_t lim = nt * cpr;
    for (int64_t idx = start; idx < lim;) {
      uint4 gv, uv;
      if (sp > 0) {
        gv = pk_sum_partial8(p.gate_up_partial, plane, sp, base);
        uv = pk_sum_partial8(p.gate_up_partial, plane, sp, base + group);
      } else {
        gv = *reinterpret_cast<const uint4 *>(p.gate_up + base);
        uv = *reinterpret_cast<const uint4 *>(p.gate_up + base + group);
      }
      reinterpret_cast<uint4 *>(p.out + t * p.ffn)[c] = pk_silu_mul8(gv, uv);
      idx += stride;
      if (idx >= lim) break;
      locate(idx);
    }
  } else {
    pk_pdl_wait();
    for (int64_t idx = start; idx < nt * p.ffn; idx += stride) {
      const int64_t t = idx / p.ffn, c = idx - t * p.ffn;
      float g, u;
      const size_t base = (size_t)t * 2 * p.ffn + pk_gate_col(c, group);
      if (sp > 0) {
        g = pk_sum_partial(p.gate_up_partial, plane, sp, base);
        u = pk_sum_partial(p.gate_up_partial, plane, sp, base + group);
      } else {
        g = bf2f(p.gate_up[base]); u = bf2f(p.gate_up[base + group]);
      }
      p.out[idx] = f2bf(pk_silu_mul(g, u));
    }
  }
}

static __device__ __forceinline__ __nv_bfloat162 pk_as_bf2(uint32_t u) {
  __nv_bfloat162 r;
  memcpy(&r, &u, sizeof r);
  return r;
}
// Max of 8 bf16 values (one 16-byte chunk) as fp32, NaNs ignored (max.bf16x2 and fmaxf return the other operand of a NaN);
// NaN only if all 8 are NaN.
static __device__ __forceinline__ float pk_bf16x8_max(uint4 v) {
  const __nv_bfloat162 m = __hmax2(__hmax2(pk_as_bf2(v.x), pk_as_bf2(v.y)), __hmax2(pk_as_bf2(v.z), pk_as_bf2(v.w)));
  return fmaxf(__low2float(m), __high2float(m));
}
// (v, i) beats (bv, bi) if v > bv, or equal and i < bi. NaN never wins. Order-independent.
static __device__ __forceinline__ void pk_amax_take(float v, int i, float &bv, int &bi) {
  if (v > bv || (v == bv && i < bi)) { bv = v; bi = i; }
}

// A thread's best (value, index) over the 8-logit chunks [lo, hi) of a row, chunk lo + threadIdx.x first, B chunks in
// flight at once (vocab % 8 == 0). Per chunk only its max (packed bf16 max: NaN never wins, as in pk_amax_take) is compared
// with the thread's best, the chunk kept when strictly greater (or, before anything is kept, equal: an all -inf row); the
// lowest element equal to the best is found once, in the kept chunk, at the end. Warp-uniform work, ~1.5 instructions per
// logit where an element-by-element take was ~9 (v61; s23 call 4: ~900 per warp after the wait). Same result as the take:
// a thread's chunks come in ascending order, so the first chunk reaching its max holds the lowest index.
template <int B>
static __device__ __forceinline__ void pk_amax_chunks(const uint16_t *row, int lo, int hi, float &bv, int &bi) {
  const uint4 *rv = reinterpret_cast<const uint4 *>(row);
  float best = -INFINITY;
  int bj = -1;
  uint4 bw = make_uint4(0u, 0u, 0u, 0u);
  for (int j0 = lo + threadIdx.x; j0 < hi; j0 += B * blockDim.x) {
    uint4 v[B];
#pragma unroll
    for (int b = 0; b < B; b++)
      if (j0 + b * (int)blockDim.x < hi) v[b] = rv[j0 + b * blockDim.x];
#pragma unroll
    for (int b = 0; b < B; b++) {
      const int j = j0 + b * blockDim.x;
      if (j >= hi) continue;
      const float c = pk_bf16x8_max(v[b]);
      if (c > best || (bj < 0 && c == best)) { best = c; bj = j; bw = v[b]; }
    }
  }
  if (bj >= 0) {
    const uint32_t u[4] = {bw.x, bw.y, bw.z, bw.w};
    int e = 7;
#pragma unroll
    for (int q = 7; q >= 0; q--) {
      const float x = (q & 1) ? bf_hi(u[q >> 1]) : bf_lo(u[q >> 1]);
      if (x == best) e = q;
    }
    bv = best;
    bi = bj * 8 + e;
  }
}

// The block's best (value, index) from every thread's (blockDim.x a multiple of 32), handed to done(v, i) in thread 0.
template <class Done>
static __device__ __forceinline__ void pk_amax_block(float bv, int bi, float (&sv)[32], int (&si)[32], Done &&done) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    float v = __shfl_xor_sync(0xffffffffu, bv, o);
    int i = __shfl_xor_sync(0xffffffffu, bi, o);
    pk_amax_take(v, i, bv, bi);
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
      pk_amax_take(v, i, bv, bi);
    }
    if (lane == 0) done(bv, bi);
  }
}

// argmax_rows: one block per row (blockDim.x a multiple of 32). All-NaN row -> 0.
extern "C" __global__ void argmax_rows(ArgmaxParams p) {
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
    // one block reads a whole vocab row (207 KB for ERNIE), 32 warps on one SM, 4 chunks per thread in flight
    pk_amax_chunks<4>(row, 0, p.vocab >> 3, bv, bi);
  } else {
    for (int j = threadIdx.x; j < p.vocab; j += blockDim.x) pk_amax_take(bf2f(row[j]), j, bv, bi);
  }
  pk_amax_block(bv, bi, sv, si, [&](float, int i) { p.out[s] = i == 0x7fffffff ? 0 : i; });
}

// argmax_rows_cluster (v77): a row over one thread-block cluster along x (launched with cluster dims (n, 1, 1), n <= 32,
// grid.x = seq capacity * n; vocab % 8 == 0; sm_90). Rank r scans the r-th of n equal runs of 8-logit chunks as argmax_rows
// scans the row, then rank 0 takes the ranks' bests from distributed shared memory by the same order-independent rule:
// argmax_rows's index for every row, from 1/n of the row's bytes per SM (ERNIE-4.5-0.3B: 207 KB on one SM at 16 rows).
extern "C" __global__ void argmax_rows_cluster(ArgmaxParams p) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  __shared__ float sv[32];
  __shared__ int si[32];
  __shared__ __align__(16) float4 best;  // (value, index as bits, -, -): what rank 0 reads
  uint32_t n, r;
  asm volatile("mov.u32 %0, %%cluster_nctarank;" : "=r"(n));
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
  const int s = blockIdx.x / n;
  pk_pdl_launch();  // at entry (common.cuh)
  const int ns = *p.num_seqs;  // host-written metadata
  pk_pdl_wait();
  if (s >= ns) return;  // the whole cluster: its ranks share s
  const int nv = p.vocab >> 3, per = (nv + (int)n - 1) / (int)n;
  float bv = -INFINITY;
  int bi = 0x7fffffff;
  pk_amax_chunks<8>(p.logits + (size_t)s * p.vocab, (int)r * per, min(nv, ((int)r + 1) * per), bv, bi);
  pk_amax_block(bv, bi, sv, si, [&](float v, int i) { best = make_float4(v, __int_as_float(i), 0.f, 0.f); });
  pk_cluster_sync();  // every rank's best written
  if (r == 0 && threadIdx.x < 32) {
    bv = -INFINITY;
    bi = 0x7fffffff;
    if (threadIdx.x < n) {
      const float4 b = pk_ld_dsmem4(smem_u32(&best), threadIdx.x);
      bv = b.x;
      bi = __float_as_int(b.y);
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
      float v = __shfl_xor_sync(0xffffffffu, bv, o);
      int i = __shfl_xor_sync(0xffffffffu, bi, o);
      pk_amax_take(v, i, bv, bi);
    }
    if (threadIdx.x == 0) p.out[s] = bi == 0x7fffffff ? 0 : bi;
  }
  pk_cluster_sync();  // no rank leaves while rank 0 still reads its best
#else
  __trap();  // sm_80: no clusters
#endif
}

// argmax_keys (v87): the tokens gemm_bf16_stream_mXX_amax's keys encode (the column under the inverted low half; key 0, an
// all-NaN row: 0, as argmax_rows), then every key back to zero for the next launch. One block: a key per thread.
extern "C" __global__ void argmax_keys(ArgmaxKeysParams p) {
  pk_pdl_launch();  // at entry (common.cuh)
  const int ns = *p.num_seqs;  // host-written metadata
  pk_pdl_wait();
  for (int s = threadIdx.x; s < p.rows; s += blockDim.x) {
    const unsigned long long key = p.keys[s];
    if (s < ns) p.out[s] = key == 0ull ? 0 : (int32_t)(0xffffffffu - (uint32_t)key);
    p.keys[s] = 0ull;
  }
}
