// attention_prefill as of c202c0e (before the split-KV path and the L2 prefetch), kept verbatim under other
// names for kernel_check only: a timing reference, and the proof that full tiles keep their bits.
// attention_prefill: varlen causal GQA flash attention (FA2 style) over the paged KV cache.
// Block = one tile of 64 (token, q head) rows of one sequence for one kv head; 4 warps x 16 rows.
// mma.sync m16n8k16 bf16 -> fp32, ldmatrix (K row-major for QK^T, V with .trans for PV), online
// softmax in base 2. K and V blocks of 64 keys (= one page) are double-buffered as K/V halves:
// K(j+1) loads during softmax/PV of block j, V(j+1) during QK^T of block j+1.
//
// Determinism: every row sees the same key blocks in the same order regardless of its tile.
// Blocks that are fully masked for a row (past its position; processed only because another row
// of the tile needs them) leave its state bit-identical: the running max is unchanged, the rescale
// factor is set to exactly 1 (no exp of -inf - -inf), p = exp2(-inf) = +0, and the PV product adds
// exact zeros. A warp whose 16 rows all precede a block skips it entirely (same result).
#include "../src/common.cuh"
// The v0 kernel's 4 warps (the engine's attention_prefill_kh has 8): launched with PK_ATTN_V0_THREADS.
#define PK_ATTN_V0_THREADS 128

#define PK_ATTN_MAXD 128
#define PK_ATTN_LDS(D) ((D) + 8)  // smem row stride in halves: 16B aligned, conflict-free ldmatrix

template <int D>
static __device__ __forceinline__ void pk_attn0_load_kv(uint16_t *dst, const uint16_t *cache, int page, int key0,
                                                       int kv_len, size_t kv_row, int col0) {
  constexpr int CPR = D / 8;  // 16-byte chunks per row
  constexpr int LDS = PK_ATTN_LDS(D);
#pragma unroll
  for (int c = threadIdx.x; c < 64 * CPR; c += PK_ATTN_V0_THREADS) {
    const int r = c / CPR, ch = c % CPR;
    const bool ok = key0 + r < kv_len;
    const uint16_t *src = ok ? cache + ((size_t)page * PREFILL_PAGE_SIZE + r) * kv_row + col0 + ch * 8 : cache;
    cp_async16(smem_u32(dst + r * LDS + ch * 8), src, ok);
  }
}

template <int D>
static __device__ __forceinline__ void pk_attn0_impl(const AttnParams &p, uint16_t *smem) {
  constexpr int LDS = PK_ATTN_LDS(D);
  constexpr int NKS = D / 16;  // k-steps of QK^T
  constexpr int NDT = D / 8;   // 8-wide column tiles of O
  uint16_t *sK = smem;
  uint16_t *sV = smem + 64 * LDS;

  const int seq = p.batch_ids[blockIdx.x], tile = p.tile_ids[blockIdx.x];
  if (seq < 0 || tile < 0) return;
  const int kvh = blockIdx.y;
  const int group = p.q_heads / p.kv_heads;
  const int qs = p.query_start[seq];
  const int q_len = p.query_start[seq + 1] - qs;
  const int kv_len = p.kv_lens[seq];
  const int past = kv_len - q_len;
  const int nrows = q_len * group;
  const int row0 = tile * PREFILL_ATTN_ROWS_PER_TILE;
  const int last_row = min(row0 + PREFILL_ATTN_ROWS_PER_TILE - 1, nrows - 1);
  if (last_row < row0 || kv_len <= 0) return;
  const int nblocks = (past + last_row / group) / PREFILL_PAGE_SIZE + 1;

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int g = lane >> 2, t4 = lane & 3;
  const size_t kv_row = (size_t)p.kv_heads * D;
  const int kcol0 = kvh * D;
  const int *btab = p.block_tables + (size_t)seq * p.max_pages_per_seq;

  // ---- Q tile -> smem (K buffer) -> registers.
  {
    constexpr int CPR = D / 8;
#pragma unroll
    for (int c = tid; c < 64 * CPR; c += PK_ATTN_V0_THREADS) {
      const int r = c / CPR, ch = c % CPR;
      const int gr = row0 + r;
      const bool ok = gr < nrows;
      const uint16_t *src = p.q;
      if (ok) {
        const int tok = gr / group, head = kvh * group + (gr - tok * group);
        src = p.q + (size_t)(qs + tok) * p.q_stride + (size_t)head * D + ch * 8;
      }
      cp_async16(smem_u32(sK + r * LDS + ch * 8), src, ok);
    }
    cp_async_commit();
  }
  // Positions of this thread's two rows (-1: row not valid -> everything masked, never stored).
  const int ra = row0 + warp * 16 + g, rb = ra + 8;
  const int tok_a = ra / group, tok_b = rb / group;
  const int pos_a = ra < nrows ? past + tok_a : -1;
  const int pos_b = rb < nrows ? past + tok_b : -1;
  const int wlast = min(row0 + warp * 16 + 15, nrows - 1);
  const int warp_last_pos = wlast >= row0 + warp * 16 ? past + wlast / group : -1;

  cp_async_wait<0>();
  __syncthreads();
  uint32_t qf[NKS][4];
#pragma unroll
  for (int ks = 0; ks < NKS; ks++)
    ldmatrix_x4(qf[ks][0], qf[ks][1], qf[ks][2], qf[ks][3],
                smem_u32(sK + (warp * 16 + (lane & 15)) * LDS + ks * 16 + (lane >> 4) * 8));
  __syncthreads();

  pk_attn0_load_kv<D>(sK, p.k_cache, btab[0], 0, kv_len, kv_row, kcol0);
  cp_async_commit();
  pk_attn0_load_kv<D>(sV, p.v_cache, btab[0], 0, kv_len, kv_row, kcol0);
  cp_async_commit();

  float o[NDT][4];
#pragma unroll
  for (int i = 0; i < NDT; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.f;
  float m_a = -INFINITY, m_b = -INFINITY, l_a = 0.f, l_b = 0.f;
  const float sl2 = p.scale_log2;

  for (int j = 0; j < nblocks; j++) {
    const int key0 = j * PREFILL_PAGE_SIZE;
    const bool active = key0 <= warp_last_pos;
    cp_async_wait<1>();  // K(j) landed
    __syncthreads();
    float s[8][4];
    if (active) {
#pragma unroll
      for (int i = 0; i < 8; i++) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.f;
#pragma unroll
      for (int ks = 0; ks < NKS; ks++) {
#pragma unroll
        for (int np = 0; np < 4; np++) {
          uint32_t b0, b1, b2, b3;
          ldmatrix_x4(b0, b1, b2, b3,
                      smem_u32(sK + (np * 16 + ((lane >> 4) & 1) * 8 + (lane & 7)) * LDS + ks * 16 +
                               ((lane >> 3) & 1) * 8));
          mma_bf16_16816(s[2 * np], qf[ks], b0, b1);
          mma_bf16_16816(s[2 * np + 1], qf[ks], b2, b3);
        }
      }
    }
    __syncthreads();  // everyone done with K(j)
    if (j + 1 < nblocks) pk_attn0_load_kv<D>(sK, p.k_cache, btab[j + 1], key0 + PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0);
    cp_async_commit();

    uint32_t pa[4][4];
    if (active) {
      // Mask: key <= row position (which is < kv_len for valid rows).
      float mx_a = -INFINITY, mx_b = -INFINITY;
#pragma unroll
      for (int nt = 0; nt < 8; nt++) {
#pragma unroll
        for (int c = 0; c < 2; c++) {
          const int key = key0 + nt * 8 + 2 * t4 + c;
          if (key > pos_a) s[nt][c] = -INFINITY;
          if (key > pos_b) s[nt][2 + c] = -INFINITY;
          mx_a = fmaxf(mx_a, s[nt][c]);
          mx_b = fmaxf(mx_b, s[nt][2 + c]);
        }
      }
      mx_a = fmaxf(mx_a, __shfl_xor_sync(0xffffffffu, mx_a, 1));
      mx_a = fmaxf(mx_a, __shfl_xor_sync(0xffffffffu, mx_a, 2));
      mx_b = fmaxf(mx_b, __shfl_xor_sync(0xffffffffu, mx_b, 1));
      mx_b = fmaxf(mx_b, __shfl_xor_sync(0xffffffffu, mx_b, 2));
      const float mn_a = fmaxf(m_a, mx_a), mn_b = fmaxf(m_b, mx_b);
      const float alpha_a = mn_a == m_a ? 1.f : exp2f((m_a - mn_a) * sl2);
      const float alpha_b = mn_b == m_b ? 1.f : exp2f((m_b - mn_b) * sl2);
      const float ms_a = mn_a == -INFINITY ? 0.f : mn_a * sl2;
      const float ms_b = mn_b == -INFINITY ? 0.f : mn_b * sl2;
      m_a = mn_a;
      m_b = mn_b;
      float sum_a = 0.f, sum_b = 0.f;
#pragma unroll
      for (int nt = 0; nt < 8; nt++) {
        s[nt][0] = exp2f(fmaf(s[nt][0], sl2, -ms_a));
        s[nt][1] = exp2f(fmaf(s[nt][1], sl2, -ms_a));
        s[nt][2] = exp2f(fmaf(s[nt][2], sl2, -ms_b));
        s[nt][3] = exp2f(fmaf(s[nt][3], sl2, -ms_b));
        sum_a += s[nt][0] + s[nt][1];
        sum_b += s[nt][2] + s[nt][3];
      }
      l_a = l_a * alpha_a + sum_a;
      l_b = l_b * alpha_b + sum_b;
#pragma unroll
      for (int i = 0; i < NDT; i++) {
        o[i][0] *= alpha_a; o[i][1] *= alpha_a;
        o[i][2] *= alpha_b; o[i][3] *= alpha_b;
      }
#pragma unroll
      for (int kk = 0; kk < 4; kk++) {
        pa[kk][0] = pack_bf2(s[2 * kk][0], s[2 * kk][1]);
        pa[kk][1] = pack_bf2(s[2 * kk][2], s[2 * kk][3]);
        pa[kk][2] = pack_bf2(s[2 * kk + 1][0], s[2 * kk + 1][1]);
        pa[kk][3] = pack_bf2(s[2 * kk + 1][2], s[2 * kk + 1][3]);
      }
    }
    cp_async_wait<1>();  // V(j) landed
    __syncthreads();
    if (active) {
#pragma unroll
      for (int kk = 0; kk < 4; kk++) {
#pragma unroll
        for (int dp = 0; dp < NDT / 2; dp++) {
          uint32_t b0, b1, b2, b3;
          ldmatrix_x4_trans(b0, b1, b2, b3,
                            smem_u32(sV + (kk * 16 + ((lane >> 3) & 1) * 8 + (lane & 7)) * LDS + dp * 16 +
                                     ((lane >> 4) & 1) * 8));
          mma_bf16_16816(o[2 * dp], pa[kk], b0, b1);
          mma_bf16_16816(o[2 * dp + 1], pa[kk], b2, b3);
        }
      }
    }
    __syncthreads();  // everyone done with V(j)
    if (j + 1 < nblocks) pk_attn0_load_kv<D>(sV, p.v_cache, btab[j + 1], key0 + PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0);
    cp_async_commit();
  }
  cp_async_wait<0>();
  pk_pdl_launch();

  l_a += __shfl_xor_sync(0xffffffffu, l_a, 1);
  l_a += __shfl_xor_sync(0xffffffffu, l_a, 2);
  l_b += __shfl_xor_sync(0xffffffffu, l_b, 1);
  l_b += __shfl_xor_sync(0xffffffffu, l_b, 2);
  const size_t out_row = (size_t)p.q_heads * D;
  if (pos_a >= 0) {
    const float inv = 1.f / l_a;
    uint16_t *dst = p.out + (size_t)(qs + tok_a) * out_row + (size_t)(kvh * group + (ra - tok_a * group)) * D + 2 * t4;
#pragma unroll
    for (int i = 0; i < NDT; i++)
      *reinterpret_cast<uint32_t *>(dst + i * 8) = pack_bf2(o[i][0] * inv, o[i][1] * inv);
  }
  if (pos_b >= 0) {
    const float inv = 1.f / l_b;
    uint16_t *dst = p.out + (size_t)(qs + tok_b) * out_row + (size_t)(kvh * group + (rb - tok_b * group)) * D + 2 * t4;
#pragma unroll
    for (int i = 0; i < NDT; i++)
      *reinterpret_cast<uint32_t *>(dst + i * 8) = pack_bf2(o[i][2] * inv, o[i][3] * inv);
  }
}

extern "C" __global__ void __launch_bounds__(PK_ATTN_V0_THREADS) attention_prefill_v0(AttnParams p) {
  __shared__ __align__(128) uint16_t smem[2 * 64 * PK_ATTN_LDS(PK_ATTN_MAXD)];
  pk_pdl_wait();  // num_blocks, the tile map, q and the cache come from earlier kernels
  if (blockIdx.x >= *p.num_blocks) return;
  if (p.head_dim == 128) pk_attn0_impl<128>(p, smem);
  else if (p.head_dim == 64) pk_attn0_impl<64>(p, smem);
}
