// attention_prefill_wg (sm_90a, head dim 64): attention_prefill_kh's tiles, key halves and combine, with the two
// products of each key page on wgmma instead of mma.sync (kernels/NOTES-forward.md v31).
//
// v11, v17 and v20 found a long tile's page walk issue-bound: per 64-key page each warp issued ~1.4 k instructions,
// 96 of them ldmatrix + mma.sync and ~40 % address arithmetic of its K / V copies. Here each key half is one
// warpgroup (4 warps = the tile's 4 row groups, as in the kh form): S = Q K^T is 4 wgmma m64n64k16 with Q's
// fragments in registers (the mma.sync A fragment, loaded once) and K from shared memory (K-major: a key's 64 dims
// are one 128-byte row), O += P V is 4 more with P in registers (S's accumulator layout is the A fragment's) and V
// from shared memory MN-major (a key's row again; the transpose is wgmma's). K and V pages land in the 128-byte
// swizzle layout by cp.async (the layout TMA would write). The softmax arithmetic, masks, the online rescale and
// the z = 0, 1 combine are the kh form's, so a row's result depends on the same things; the products' accumulation
// order inside the tensor core differs from mma.sync, so the bits are not the kh form's (within tolerance of it and
// of the float64 reference; kernel_check). Tiles of <= 32 rows take attention.cu's split path, bits unchanged.
//
// Determinism: as attention.cu. Whether a warpgroup computes a page depends on its tile's last row; a warp whose 16
// rows all precede the page adds P = 0 (exact zeros, its state unchanged, as a skipped page). Masks are applied
// only where some key of the page lies past a row of the warp (elsewhere they change nothing).

// Dynamic shared memory: per key half a ring of PK_ATTN_WG_SLOTS pages of K and V (8 KB each, the 1024-byte swizzle atom
// aligned): a half loads the page two steps ahead of the one it computes, so a page's copy has two steps to land from L2
// (v31.1; with one slot per operand the copy of page j + 2 started only after page j's products). The split path
// reuses the same bytes.
#define PK_ATTN_WG_PAGE 8192
#define PK_ATTN_WG_SLOTS 3
static_assert(2 * PK_ATTN_WG_SLOTS * 2 * PK_ATTN_WG_PAGE + 1024 == PREFILL_ATTN_WG_SMEM, "two halves' rings of K and V pages");
static_assert(PK_ATTN_SPLIT_HALVES(64) * 2 <= PREFILL_ATTN_WG_SMEM, "the split path's buffers");
// A key half's 4 warps meet at their own named barrier (2 + z; the split path uses 1), so the halves run independently.
// Immediate ids (a register id makes ptxas reserve all 16).
PK_DEV void pk_attn_wg_bar(int z) {
  if (z == 0) asm volatile("bar.sync 2, 128;" ::: "memory");
  else asm volatile("bar.sync 3, 128;" ::: "memory");
}

// One 64-key page of K or V (64 dims of one kv head) into the swizzled page at sdst by the half's 128 threads: row r's
// 16-byte chunk c at r * 128 + ((c ^ (r % 8)) << 4); keys past kv_len are zero-filled (never NaN under P = 0).
PK_DEV void pk_attn_wg_load(uint32_t sdst, const uint16_t *cache, int page, int key0, int kv_len, size_t kv_row, int col0,
                            int ht) {
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const int c = ht + i * 128, r = c >> 3, ch = c & 7;
    const bool ok = key0 + r < kv_len;
    const uint16_t *src = ok ? cache + ((size_t)page * PREFILL_PAGE_SIZE + r) * kv_row + col0 + ch * 8 : cache;
    cp_async16(sdst + r * 128 + ((ch ^ (r & 7)) << 4), src, ok);
  }
}

static __device__ __forceinline__ void pk_attn_wg_impl(const AttnParams &p, uint8_t *smem_raw) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  constexpr int D = 64, NH = 2, NDT = D / 8;
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
  const int *btab = p.block_tables + (size_t)seq * p.max_pages_per_seq;
  if (last_row - row0 < 32) {  // attention.cu's split path, its bits
    if (threadIdx.x >= PK_ATTN_SPLIT_THREADS) return;
    pk_attn_split<D>(p, reinterpret_cast<uint16_t *>(smem_raw), row0, last_row - row0 + 1, nrows, group, qs, past, kv_len, btab);
    return;
  }
  const int nblocks = (past + last_row / group) / PREFILL_PAGE_SIZE + 1;  // pages the tile's last row sees

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int g = lane >> 2, t4 = lane & 3;
  const int rg = warp & 3, z = warp >> 2, ht = tid & 127;
  const uint32_t base = (smem_u32(smem_raw) + 1023u) & ~1023u;
  const uint32_t sH = base + z * PK_ATTN_WG_SLOTS * 2 * PK_ATTN_WG_PAGE;  // this half's ring: slot i = K page, V page
  const size_t kv_row = (size_t)p.kv_heads * D;
  const int kcol0 = kvh * D;
  const uint32_t page_bytes = (uint32_t)(PREFILL_PAGE_SIZE * kv_row * 2);
  const int pf = pk_attn_prefetch_pages(page_bytes);
  const int npf = min(nblocks, (past + PREFILL_PAGE_SIZE - 1) / PREFILL_PAGE_SIZE);
  if (tid >= NH && tid < min(pf + NH, npf)) pk_attn_prefetch(p, btab[tid], page_bytes);

  // ---- Q tile -> half 0's K page (swizzled) -> the m16n8k16 A fragments of this warp's 16 rows.
#pragma unroll
  for (int i = 0; i < 2; i++) {
    const int c = tid + i * 256, r = c >> 3, ch = c & 7;
    const int gr = row0 + r;
    const bool ok = gr < nrows;
    const uint16_t *src = p.q;
    if (ok) {
      const int tok = gr / group, head = kvh * group + (gr - tok * group);
      src = p.q + (size_t)(qs + tok) * p.q_stride + (size_t)head * D + ch * 8;
    }
    cp_async16(base + r * 128 + ((ch ^ (r & 7)) << 4), src, ok);
  }
  cp_async_commit();
  const int ra = row0 + rg * 16 + g, rb = ra + 8;
  const int tok_a = ra / group, tok_b = rb / group;
  const int pos_a = ra < nrows ? past + tok_a : -1;
  const int pos_b = rb < nrows ? past + tok_b : -1;
  const int wlast = min(row0 + rg * 16 + 15, nrows - 1);
  const int warp_last_pos = wlast >= row0 + rg * 16 ? past + wlast / group : -1;
  // the smallest position among the warp's rows (-1 when one of them is not valid): pages wholly at or before it
  // need no mask
  const int warp_min_pos = row0 + rg * 16 + 15 < nrows ? past + (row0 + rg * 16) / group : -1;

  cp_async_wait<0>();
  __syncthreads();
  uint32_t qf[4][4];
#pragma unroll
  for (int ks = 0; ks < 4; ks++) {
    const int r = rg * 16 + (lane & 15), ch = ks * 2 + (lane >> 4);
    ldmatrix_x4(qf[ks][0], qf[ks][1], qf[ks][2], qf[ks][3], base + r * 128 + ((ch ^ (r & 7)) << 4));
  }
  __syncthreads();

  // the half's steps i = 0, 1, ... compute page j = z + 2 i from slot i % 3; steps 0 and 1 load now, step i loads
  // step i + 2's page. One commit group per operand and step, empty where there is no page, so the counts are fixed.
#pragma unroll
  for (int i = 0; i < 2; i++) {
    const int j = z + NH * i;
    const uint32_t sl = sH + i * 2 * PK_ATTN_WG_PAGE;
    if (j < nblocks) pk_attn_wg_load(sl, p.k_cache, btab[j], j * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht);
    cp_async_commit();
    if (j < nblocks) pk_attn_wg_load(sl + PK_ATTN_WG_PAGE, p.v_cache, btab[j], j * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht);
    cp_async_commit();
  }

  float o[32];
#pragma unroll
  for (int i = 0; i < 32; i++) o[i] = 0.f;
  float m_a = -INFINITY, m_b = -INFINITY, l_a = 0.f, l_b = 0.f;
  const float sl2 = p.scale_log2;

  for (int j0 = 0, step = 0; j0 < nblocks; j0 += NH, step++) {
    const int j = j0 + z;
    const int key0 = j * PREFILL_PAGE_SIZE;
    const bool wg_active = j < nblocks;  // some row of the tile sees the page (uniform over the warpgroup)
    const bool active = wg_active && key0 <= warp_last_pos;
    const uint32_t sK = sH + (step % PK_ATTN_WG_SLOTS) * 2 * PK_ATTN_WG_PAGE, sV = sK + PK_ATTN_WG_PAGE;
    if (tid < NH && j0 + NH + pf + tid < npf) pk_attn_prefetch(p, btab[j0 + NH + pf + tid], page_bytes);
    cp_async_wait<3>();  // K(step) landed (pending: V(step), K and V of step + 1)
    pk_fence_proxy_async();
    pk_attn_wg_bar(z);  // the half's K(step) is visible, and its 4 warps are done with step - 1's slot
    {
      const int jn = j + 2 * NH;
      const uint32_t sl = sH + ((step + 2) % PK_ATTN_WG_SLOTS) * 2 * PK_ATTN_WG_PAGE;
      if (jn < nblocks) pk_attn_wg_load(sl, p.k_cache, btab[jn], jn * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht);
      cp_async_commit();
      if (jn < nblocks) pk_attn_wg_load(sl + PK_ATTN_WG_PAGE, p.v_cache, btab[jn], jn * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht);
      cp_async_commit();
    }
    // V is MN-major: its 8-key groups 1024 bytes apart; the other offset (between 64-dim atoms) has nothing to step
    // over at 64 dims, so both carry 1024 and either reading of the two fields addresses the same bytes.
    const uint64_t dK = pk_wg_desc(sK), dV = pk_wg_desc(sV) | ((uint64_t)(1024 >> 4) << 16);
    float s[32];
    if (wg_active) {
      pk_wg_fence();
#pragma unroll
      for (int ks = 0; ks < 4; ks++) PkWgmmaRs<64, 0>::mma(s, qf[ks], dK + (uint64_t)(ks * 2), ks > 0);
      pk_wg_commit();
      pk_wg_wait<0>();
      pk_wg_fence_regs<32>(s);
    }
    uint32_t pa[4][4];
    if (active) {
      float(&sf)[8][4] = *reinterpret_cast<float(*)[8][4]>(s);
      float mx_a = -INFINITY, mx_b = -INFINITY;
      if (key0 + PREFILL_PAGE_SIZE - 1 > warp_min_pos) {  // key <= row position (< kv_len for valid rows)
#pragma unroll
        for (int nt = 0; nt < 8; nt++)
#pragma unroll
          for (int c = 0; c < 2; c++) {
            const int key = key0 + nt * 8 + 2 * t4 + c;
            if (key > pos_a) sf[nt][c] = -INFINITY;
            if (key > pos_b) sf[nt][2 + c] = -INFINITY;
          }
      }
#pragma unroll
      for (int nt = 0; nt < 8; nt++) {
        mx_a = fmaxf(mx_a, fmaxf(sf[nt][0], sf[nt][1]));
        mx_b = fmaxf(mx_b, fmaxf(sf[nt][2], sf[nt][3]));
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
        sf[nt][0] = exp2f(fmaf(sf[nt][0], sl2, -ms_a));
        sf[nt][1] = exp2f(fmaf(sf[nt][1], sl2, -ms_a));
        sf[nt][2] = exp2f(fmaf(sf[nt][2], sl2, -ms_b));
        sf[nt][3] = exp2f(fmaf(sf[nt][3], sl2, -ms_b));
        sum_a += sf[nt][0] + sf[nt][1];
        sum_b += sf[nt][2] + sf[nt][3];
      }
      l_a = l_a * alpha_a + sum_a;
      l_b = l_b * alpha_b + sum_b;
#pragma unroll
      for (int i = 0; i < NDT; i++) {
        o[4 * i + 0] *= alpha_a; o[4 * i + 1] *= alpha_a;
        o[4 * i + 2] *= alpha_b; o[4 * i + 3] *= alpha_b;
      }
#pragma unroll
      for (int kk = 0; kk < 4; kk++) {
        pa[kk][0] = pack_bf2(sf[2 * kk][0], sf[2 * kk][1]);
        pa[kk][1] = pack_bf2(sf[2 * kk][2], sf[2 * kk][3]);
        pa[kk][2] = pack_bf2(sf[2 * kk + 1][0], sf[2 * kk + 1][1]);
        pa[kk][3] = pack_bf2(sf[2 * kk + 1][2], sf[2 * kk + 1][3]);
      }
    } else {
#pragma unroll
      for (int kk = 0; kk < 4; kk++) pa[kk][0] = pa[kk][1] = pa[kk][2] = pa[kk][3] = 0u;
    }
    cp_async_wait<4>();  // V(step) landed (pending: K and V of steps + 1, + 2)
    pk_fence_proxy_async();
    pk_attn_wg_bar(z);
    if (wg_active) {
      pk_wg_fence_regs<32>(o);
      pk_wg_fence();
#pragma unroll
      for (int kk = 0; kk < 4; kk++) PkWgmmaRs<64, 1>::mma(o, pa[kk], dV + (uint64_t)((kk * 16 * 128) >> 4), 1);
      pk_wg_commit();
      pk_wg_wait<0>();
      pk_wg_fence_regs<32>(o);
    }
  }
  cp_async_wait<0>();

  // ---- The kh form's combine, z = 0 then 1, through the free page buffers.
  float(&of)[NDT][4] = *reinterpret_cast<float(*)[NDT][4]>(o);
  __syncthreads();
  float *xch = reinterpret_cast<float *>(smem_raw + (base - smem_u32(smem_raw))) + rg * (4 + 4 * NDT) * 32;
  if (z != 0) pk_attn_put_state<NDT>(xch, lane, m_a, m_b, l_a, l_b, of);
  __syncthreads();
  if (z != 0) return;
  {
    const float m1_a = xch[0 * 32 + lane], m1_b = xch[1 * 32 + lane];
    const float mm_a = fmaxf(m_a, m1_a), mm_b = fmaxf(m_b, m1_b);
    const float f0_a = m_a == -INFINITY ? 0.f : exp2f((m_a - mm_a) * sl2);
    const float f0_b = m_b == -INFINITY ? 0.f : exp2f((m_b - mm_b) * sl2);
    const float f1_a = m1_a == -INFINITY ? 0.f : exp2f((m1_a - mm_a) * sl2);
    const float f1_b = m1_b == -INFINITY ? 0.f : exp2f((m1_b - mm_b) * sl2);
    l_a = fmaf(xch[2 * 32 + lane], f1_a, l_a * f0_a);
    l_b = fmaf(xch[3 * 32 + lane], f1_b, l_b * f0_b);
#pragma unroll
    for (int i = 0; i < NDT; i++) {
      of[i][0] = fmaf(xch[(4 + 4 * i + 0) * 32 + lane], f1_a, of[i][0] * f0_a);
      of[i][1] = fmaf(xch[(4 + 4 * i + 1) * 32 + lane], f1_a, of[i][1] * f0_a);
      of[i][2] = fmaf(xch[(4 + 4 * i + 2) * 32 + lane], f1_b, of[i][2] * f0_b);
      of[i][3] = fmaf(xch[(4 + 4 * i + 3) * 32 + lane], f1_b, of[i][3] * f0_b);
    }
  }
  l_a += __shfl_xor_sync(0xffffffffu, l_a, 1);
  l_a += __shfl_xor_sync(0xffffffffu, l_a, 2);
  l_b += __shfl_xor_sync(0xffffffffu, l_b, 1);
  l_b += __shfl_xor_sync(0xffffffffu, l_b, 2);
  const size_t out_row = (size_t)p.q_heads * D;
  if (pos_a >= 0) {
    const float inv = 1.f / l_a;
    uint16_t *dst = p.out + (size_t)(qs + tok_a) * out_row + (size_t)(kvh * group + (ra - tok_a * group)) * D + 2 * t4;
#pragma unroll
    for (int i = 0; i < NDT; i++) *reinterpret_cast<uint32_t *>(dst + i * 8) = pack_bf2(of[i][0] * inv, of[i][1] * inv);
  }
  if (pos_b >= 0) {
    const float inv = 1.f / l_b;
    uint16_t *dst = p.out + (size_t)(qs + tok_b) * out_row + (size_t)(kvh * group + (rb - tok_b * group)) * D + 2 * t4;
#pragma unroll
    for (int i = 0; i < NDT; i++) *reinterpret_cast<uint32_t *>(dst + i * 8) = pack_bf2(of[i][2] * inv, of[i][3] * inv);
  }
#else
  (void)p; (void)smem_raw;
  __trap();  // sm_90a only: Java refuses the form on other devices
#endif
}

// Two blocks per SM (128 registers) where 8 x 512 and long prefix walks gain from the second block (s10 calls 2-3); a
// harness build may ask for one (-DPK_ATTN_WG_MIN_BLOCKS=1: the register budget of the split path's decode walks, the
// first suspect of v31's decode regression).
#ifndef PK_ATTN_WG_MIN_BLOCKS
#define PK_ATTN_WG_MIN_BLOCKS 2
#endif
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_KH_THREADS, PK_ATTN_WG_MIN_BLOCKS) attention_prefill_wg(AttnParams p) {
  pk_pdl_launch();  // at entry, as the other forms
  pk_pdl_wait();
  if (blockIdx.x >= *p.num_blocks) return;
  if (p.head_dim != 64) __trap();  // Java selects this form for head dim 64 only
  pk_attn_wg_impl(p, reinterpret_cast<uint8_t *>(pk_attn_smem));
}
