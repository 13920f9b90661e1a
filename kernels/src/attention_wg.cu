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
static_assert(PK_ATTN_SPLIT_ALL_HALVES(64) * 2 <= PREFILL_ATTN_WG_SMEM, "the split path's buffers and the early form's Q staging");
// The early form stages the Q tile in half 0's slot 2 K page, which no copy touches before step 0 of the loop, so Q and
// steps 0 and 1's K and V pages load together (the late form stages Q in slot 0 and copies K / V once Q has landed).
#define PK_ATTN_WG_Q_OFF (2 * 2 * PK_ATTN_WG_PAGE)
// A key half's 4 warps meet at their own named barrier (2 + z; the split path uses 1), so the halves run independently.
// Immediate ids (a register id makes ptxas reserve all 16).
template <int NH = 2>
PK_DEV void pk_attn_wg_bar(int z) {
  if constexpr (NH == 2) {
    if (z == 0) asm volatile("bar.sync 2, 128;" ::: "memory");
    else asm volatile("bar.sync 3, 128;" ::: "memory");
  } else {
    static_assert(NH == 4, "key parts: 2 or 4");
    if (z == 0) asm volatile("bar.sync 2, 128;" ::: "memory");
    else if (z == 1) asm volatile("bar.sync 3, 128;" ::: "memory");
    else if (z == 2) asm volatile("bar.sync 4, 128;" ::: "memory");
    else asm volatile("bar.sync 5, 128;" ::: "memory");
  }
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

// Page j's K into slot sl and its V into the slot's second page, one commit group each (empty past the tile's last
// page, so the group counts the waits rely on stay fixed). j comes first so the page index is still computed before
// its slot: the kernel's PTX is what it was with the two copies of these lines.
PK_DEV void pk_attn_wg_load_kv(int j, uint32_t sl, const AttnParams &p, const int *btab, int nblocks, int kv_len, size_t kv_row,
                               int kcol0, int ht) {
  if (j < nblocks) pk_attn_wg_load(sl, p.k_cache, btab[j], j * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht);
  cp_async_commit();
  if (j < nblocks) pk_attn_wg_load(sl + PK_ATTN_WG_PAGE, p.v_cache, btab[j], j * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht);
  cp_async_commit();
}

// v93 (the TMA form): page j's K into slot sl and its V into the slot's second page as two tensor copies issued by the
// calling thread (one per key half), completing the slot's K barrier bar and V barrier bar + 8; nothing past the tile's
// last page. The copies land in the layout pk_attn_wg_load writes (the 128-byte swizzle, 1024-byte aligned pages).
PK_DEV void pk_attn_wg_tma_kv(int j, uint32_t sl, uint32_t bar, const PkTensorMap *tk, const PkTensorMap *tv, const int *btab,
                              int nblocks, int kcol0) {
#if PK_STREAM_HAS_BULK  // sm_90+: mbarrier transaction counts (gemm_stream.cu)
  if (j >= nblocks) return;
  const int row = btab[j] * PREFILL_PAGE_SIZE;
  pk_mbar_expect_tx(bar, PK_ATTN_WG_PAGE);
  pk_tma_load_2d(sl, tk, kcol0, row, bar);
  pk_mbar_expect_tx(bar + 8, PK_ATTN_WG_PAGE);
  pk_tma_load_2d(sl + PK_ATTN_WG_PAGE, tv, kcol0, row, bar + 8);
#else
  (void)j; (void)sl; (void)bar; (void)tk; (void)tv; (void)btab; (void)nblocks; (void)kcol0;
  __trap();
#endif
}

// v93: a landed page's keys [nvalid, 64) zeroed by the half's 128 threads (whole 128-byte rows, so the swizzle does not
// matter), as cp.async's zero fill leaves them: a tensor copy brings whatever the cache holds there, and P = 0 times a NaN
// would be a NaN. The generic-proxy stores are made visible to wgmma (the async proxy) before the half's barrier.
PK_DEV void pk_attn_wg_zero_tail(uint32_t spage, int nvalid, int ht) {
  if (nvalid >= PREFILL_PAGE_SIZE) return;
  for (int c = ht; c < (PREFILL_PAGE_SIZE - nvalid) * 8; c += 128)
    asm volatile("st.shared.v4.u32 [%0], {%1, %1, %1, %1};\n" ::"r"(spage + nvalid * 128 + c * 16), "r"(0) : "memory");
  pk_fence_proxy_async();
}

// The 64 x 64 Q tile -> the swizzled page at sQ (row r's 16-byte chunk c at r * 128 + ((c ^ (r % 8)) << 4)), one commit group.
template <int NT = 256>
PK_DEV void pk_attn_wg_q_copy(const AttnParams &p, const PkAttnTile &t, uint32_t sQ, int tid) {
  static_assert(512 % NT == 0, "the tile's 512 16-byte chunks in whole rounds of the block's threads");
#pragma unroll
  for (int i = 0; i < 512 / NT; i++) {
    const int c = tid + i * NT, r = c >> 3, ch = c & 7;
    cp_async16(sQ + r * 128 + ((ch ^ (r & 7)) << 4), pk_attn_q_src<64>(p, t, t.row0 + r, ch), t.row0 + r < t.nrows);
  }
  cp_async_commit();
}

// Row group rg's 16 rows of the swizzled Q page at sQ -> the m16n8k16 A fragments.
PK_DEV void pk_attn_wg_q_frag(uint32_t (&qf)[4][4], uint32_t sQ, int rg, int lane) {
#pragma unroll
  for (int ks = 0; ks < 4; ks++) {
    const int r = rg * 16 + (lane & 15), ch = ks * 2 + (lane >> 4);
    ldmatrix_x4(qf[ks][0], qf[ks][1], qf[ks][2], qf[ks][3], sQ + r * 128 + ((ch ^ (r & 7)) << 4));
  }
}

// PK_ATTN_TRACE (harness builds only, kernel_check attn_trace): clock64 stamps of the full path's phases, per block and key
// half, taken by the half's first thread (pk_attn_trace[block][half][mark]): 0 entry, 1 tile found, 2 after the PDL wait,
// 3 Q in registers, 4..8 the loop's cycles summed over its steps (K wait + barrier, S, softmax, V wait + barrier, P V), 9 loop
// end, 10 combine done, 11 rows stored, 12 the tile's pages, 13 steps, 14 %globaltimer at entry, 15 at the end (ns).
// Without the macro the marks compile to nothing (the kernels' code unchanged).
#ifdef PK_ATTN_TRACE
__device__ unsigned long long pk_attn_trace[2048][2][16];
PK_DEV unsigned long long pk_attn_clk() {
  unsigned long long c;
  asm volatile("mov.u64 %0, %%clock64;" : "=l"(c));
  return c;
}
PK_DEV unsigned long long pk_attn_gt() {
  unsigned long long c;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(c));
  return c;
}
#define PK_AT_SLOT pk_attn_trace[(blockIdx.x + gridDim.x * blockIdx.y) & 2047][(threadIdx.x >> 7) & 1]
#define PK_AT(i) do { if ((threadIdx.x & 127) == 0) PK_AT_SLOT[i] = pk_attn_clk(); } while (0)
#define PK_AT_SET(i, v) do { if ((threadIdx.x & 127) == 0) PK_AT_SLOT[i] = (v); } while (0)
#define PK_AT_T0() unsigned long long pk_at_t = pk_attn_clk()
#define PK_AT_ADD(i) do { const unsigned long long pk_at_n = pk_attn_clk(); if ((threadIdx.x & 127) == 0) PK_AT_SLOT[i] += pk_at_n - pk_at_t; pk_at_t = pk_at_n; } while (0)
#else
#define PK_AT(i) ((void)0)
#define PK_AT_SET(i, v) ((void)0)
#define PK_AT_T0() ((void)0)
#define PK_AT_ADD(i) ((void)0)
#endif

// The hybrid form's limit (attention_prefill_wg_early_lp, v41): a split-path tile whose cached prefix spans more pages than
// this runs the late form. s14-s15 measured the early form at capacity 16 losing 8-10 % on 8 or 16 decodes over 2048
// cached tokens (32 pages) while 8 decodes over 512 (8 pages) gained 5 %.
#ifndef PK_ATTN_EARLY_PREFIX_PAGES
#define PK_ATTN_EARLY_PREFIX_PAGES 16
#endif

// EARLY (attention_prefill_wg_early, v39.6): called before the PDL wait, which it makes after the tile's lookup and the
// prefix prefetch (see PkAttnTile); otherwise called after it. LONG_LATE (the hybrid form, v41): as EARLY, except that a
// split-path tile over more than PK_ATTN_EARLY_PREFIX_PAGES pages of cached prefix makes the wait right after its lookup
// and then runs the late form from its own lookup on, so its loads and prefetches are issued exactly when the late form
// issues them. The split path's bits are the same in both forms, so the choice, made from the real kv length, changes
// when loads are issued and no value.
// ROWS: rows per tile; the t32 form's PK_ATTN_T32_ROWS send every tile down the split path.
// ROPE (the t32 form's rope-fused kernel, ROWS <= 32 only): the split path takes rope_kv_write's work over (see
// pk_attn_rope_prologue in attention.cu).
// NH: key parts, one warpgroup each (page j goes to part j % NH); 2 in every form but the q4 form's 4 (v69).
// TMA (v93, the early form only): the full path's K / V pages by tensor copies (tk, tv), one issuing thread per half, each
// slot's K and V completing their own mbarrier at bars (8 bytes each: half z's slot i K at bars + 8 (2 SLOTS z + 2 i), V + 8).
template <bool EARLY, bool LONG_LATE = false, int ROWS = PREFILL_ATTN_ROWS_PER_TILE, bool ROPE = false, int NH = 2, bool TMA = false>
static __device__ __forceinline__ void pk_attn_wg_impl(const AttnParams &p, uint8_t *smem_raw, const RopeKvParams *rope = nullptr,
                                                       const PkTensorMap *tk = nullptr, const PkTensorMap *tv = nullptr, uint32_t bars = 0) {
  static_assert(!ROPE || (EARLY && ROWS <= 32), "the rope-fused form runs every tile on the early split path");
  static_assert(!TMA || (EARLY && !LONG_LATE && NH == 2 && ROWS == PREFILL_ATTN_ROWS_PER_TILE), "the TMA walk is the early form's");
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  constexpr int D = 64, NDT = D / 8;
  PK_AT(0);
  PK_AT_SET(14, pk_attn_gt());
  PkAttnTile t;
  if (!pk_attn_tile<EARLY, ROWS>(p, t)) {  // the late form checked num_blocks after its wait
    if (EARLY) pk_attn_leave();
    return;
  }
  if constexpr (LONG_LATE) {
    if (t.last_row - t.row0 < 32 && (t.past + PREFILL_PAGE_SIZE - 1) / PREFILL_PAGE_SIZE > PK_ATTN_EARLY_PREFIX_PAGES) {
      pk_pdl_wait();
      pk_attn_wg_impl<false>(p, smem_raw);
      return;
    }
  }
  const int kvh = t.kvh, group = t.group, qs = t.qs, kv_len = t.kv_len, past = t.past, nrows = t.nrows, row0 = t.row0,
            last_row = t.last_row;
  const int *btab = t.btab;
  if (ROWS <= 32 || last_row - row0 < 32) {  // attention.cu's split path, its bits
    if (threadIdx.x >= PK_ATTN_SPLIT_THREADS) return;
    pk_attn_split<D, EARLY, ROPE, ROWS>(p, reinterpret_cast<uint16_t *>(smem_raw), t, rope);
    return;
  }
  const int nblocks = (past + last_row / group) / PREFILL_PAGE_SIZE + 1;  // pages the tile's last row sees
  PK_AT(1);
  PK_AT_SET(12, nblocks);
#pragma unroll
  for (int i = 4; i < 9; i++) PK_AT_SET(i, 0ull);

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
  if constexpr (!EARLY) {
    if (tid >= NH && tid < min(pf + NH, npf)) pk_attn_prefetch(p, btab[tid], page_bytes);
    pk_attn_wg_q_copy<NH * 128>(p, t, base, tid);  // ---- Q tile -> half 0's K page (swizzled) -> this warp's A fragments
  }
  const PkAttnRows rw = pk_attn_rows(row0, rg, g, nrows, past, group);
  const int ra = rw.ra, rb = rw.rb, pos_a = rw.pos_a, pos_b = rw.pos_b, warp_last_pos = rw.warp_last_pos;
  // the smallest position among the warp's rows (-1 when one of them is not valid): pages wholly at or before it
  // need no mask
  const int warp_min_pos = row0 + rg * 16 + 15 < nrows ? past + (row0 + rg * 16) / group : -1;
  uint32_t qf[4][4];
  const uint32_t barH = bars + 8 * (2 * PK_ATTN_WG_SLOTS * z);  // TMA: this half's slot barriers (slot i: K + 16 i, V + 16 i + 8)
  if constexpr (TMA) {
    if (ht == 0) {  // metadata work before the wait: the half's barriers and its tensor maps' descriptors
#pragma unroll
      for (int i = 0; i < 2 * PK_ATTN_WG_SLOTS; i++) pk_mbar_init(barH + 8 * i, 1);
      asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
      asm volatile("prefetch.tensormap [%0];\n" ::"l"(reinterpret_cast<uint64_t>(tk)) : "memory");
      asm volatile("prefetch.tensormap [%0];\n" ::"l"(reinterpret_cast<uint64_t>(tv)) : "memory");
    }
  }
  if constexpr (EARLY) {
    // pages NH.. (steps 0 and 1 load pages z, z + NH) before the wait, by kv head 0's block only: see pk_attn_split
    if (blockIdx.y == 0 && tid >= NH && tid < min(pf + NH, npf)) pk_attn_prefetch(p, btab[tid], page_bytes);
    pk_pdl_wait();  // Q, K and V are rope_kv_write's output; everything above is metadata
    PK_AT(2);
    // ---- Q tile -> half 0's slot 2 K page (swizzled), steps 0 and 1's K and V pages in flight behind it -> the m16n8k16
    // A fragments of this warp's 16 rows. One commit group per operand and step, empty where there is no page.
    const uint32_t sQ = base + PK_ATTN_WG_Q_OFF;
    pk_attn_wg_q_copy<NH * 128>(p, t, sQ, tid);
    if constexpr (TMA) {
      // the half's first thread issues steps 0 and 1's pages; the others only wait for their Q chunks
      if (ht == 0)
#pragma unroll
        for (int i = 0; i < 2; i++) pk_attn_wg_tma_kv(z + NH * i, sH + i * 2 * PK_ATTN_WG_PAGE, barH + 16 * i, tk, tv, btab, nblocks, kcol0);
      cp_async_wait<0>();  // Q landed
    } else {
#pragma unroll
      for (int i = 0; i < 2; i++) pk_attn_wg_load_kv(z + NH * i, sH + i * 2 * PK_ATTN_WG_PAGE, p, btab, nblocks, kv_len, kv_row, kcol0, ht);
      cp_async_wait<4>();  // Q landed (pending: K and V of steps 0 and 1)
    }
    __syncthreads();
    pk_attn_wg_q_frag(qf, sQ, rg, lane);
    if constexpr (TMA) pk_fence_proxy_async();  // Q's reads (generic proxy) before half 0's step 0 copies into slot 2
    __syncthreads();  // both halves are done with Q before half 0's step 0 loads its slot 2
    PK_AT(3);
  } else {
    cp_async_wait<0>();
    __syncthreads();
    pk_attn_wg_q_frag(qf, base, rg, lane);
    __syncthreads();
    // the half's steps i = 0, 1, ... compute page j = z + 2 i from slot i % 3; steps 0 and 1 load now, step i loads
    // step i + 2's page. One commit group per operand and step, empty where there is no page, so the counts are fixed.
#pragma unroll
    for (int i = 0; i < 2; i++) pk_attn_wg_load_kv(z + NH * i, sH + i * 2 * PK_ATTN_WG_PAGE, p, btab, nblocks, kv_len, kv_row, kcol0, ht);
  }

  float o[NDT][4];  // the m64n64 accumulator: gemm.cu's m16n8 C fragments, one per 8 dims
#pragma unroll
  for (int i = 0; i < NDT; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.f;
  float m_a = -INFINITY, m_b = -INFINITY, l_a = 0.f, l_b = 0.f;
  const float sl2 = p.scale_log2;
  PK_AT_T0();

  for (int j0 = 0, step = 0; j0 < nblocks; j0 += NH, step++) {
    const int j = j0 + z;
    const int key0 = j * PREFILL_PAGE_SIZE;
    const bool wg_active = j < nblocks;  // some row of the tile sees the page (uniform over the warpgroup)
    const bool active = wg_active && key0 <= warp_last_pos;
    const uint32_t sK = sH + (step % PK_ATTN_WG_SLOTS) * 2 * PK_ATTN_WG_PAGE, sV = sK + PK_ATTN_WG_PAGE;
    if ((!EARLY || blockIdx.y == 0) && tid < NH && j0 + NH + pf + tid < npf) pk_attn_prefetch(p, btab[j0 + NH + pf + tid], page_bytes);
    // TMA: the slot's barriers complete once per page they receive, so step's page is the slot's (step / SLOTS)-th use
    const uint32_t barS = barH + 16 * (step % PK_ATTN_WG_SLOTS), parS = (uint32_t)(step / PK_ATTN_WG_SLOTS) & 1u;
    if constexpr (TMA) {
      if (wg_active) {
        pk_mbar_wait(barS, parS);  // K(step) landed
        pk_attn_wg_zero_tail(sK, kv_len - key0, ht);
      }
    } else {
      cp_async_wait<3>();  // K(step) landed (pending: V(step), K and V of step + 1)
      pk_fence_proxy_async();
    }
    pk_attn_wg_bar<NH>(z);  // the half's K(step) is visible, and its 4 warps are done with step - 1's slot
    PK_AT_ADD(4);
    if constexpr (TMA) {
      if (ht == 0)
        pk_attn_wg_tma_kv(j + 2 * NH, sH + ((step + 2) % PK_ATTN_WG_SLOTS) * 2 * PK_ATTN_WG_PAGE, barH + 16 * ((step + 2) % PK_ATTN_WG_SLOTS),
                          tk, tv, btab, nblocks, kcol0);
    } else {
      pk_attn_wg_load_kv(j + 2 * NH, sH + ((step + 2) % PK_ATTN_WG_SLOTS) * 2 * PK_ATTN_WG_PAGE, p, btab, nblocks, kv_len, kv_row, kcol0, ht);
    }
    // V is MN-major: its 8-key groups 1024 bytes apart; the other offset (between 64-dim atoms) has nothing to step
    // over at 64 dims, so both carry 1024 and either reading of the two fields addresses the same bytes.
    const uint64_t dK = pk_wg_desc(sK), dV = pk_wg_desc(sV) | ((uint64_t)(1024 >> 4) << 16);
    float s[8][4];
    if (wg_active) {
      pk_wg_fence();
#pragma unroll
      for (int ks = 0; ks < 4; ks++) PkWgmmaRs<64, 0>::mma(&s[0][0], qf[ks], dK + (uint64_t)(ks * 2), ks > 0);
      pk_wg_commit();
      pk_wg_wait<0>();
      pk_wg_fence_regs<32>(&s[0][0]);
    }
    PK_AT_ADD(5);
    uint32_t pa[4][4];
    if (active) {
      // masks only where some key of the page lies past a row of the warp (elsewhere they change nothing). v92: two calls
      // with a constant flag, so a page before every row of the warp runs a softmax without the mask's ~100 compares,
      // predicate ands and selects a thread (ptxas had if-converted the one call with a run-time flag: every page paid them)
      if (key0 + PREFILL_PAGE_SIZE - 1 > warp_min_pos)
        pk_attn_page_softmax<8, NDT, true>(s, o, pa, m_a, m_b, l_a, l_b, key0, t4, pos_a, pos_b, sl2, true);
      else
        pk_attn_page_softmax<8, NDT, true>(s, o, pa, m_a, m_b, l_a, l_b, key0, t4, pos_a, pos_b, sl2, false);
    } else {
#pragma unroll
      for (int kk = 0; kk < 4; kk++) pa[kk][0] = pa[kk][1] = pa[kk][2] = pa[kk][3] = 0u;
    }
    PK_AT_ADD(6);
    if constexpr (TMA) {
      if (wg_active) {
        pk_mbar_wait(barS + 8, parS);  // V(step) landed
        pk_attn_wg_zero_tail(sV, kv_len - key0, ht);
      }
    } else {
      cp_async_wait<4>();  // V(step) landed (pending: K and V of steps + 1, + 2)
      pk_fence_proxy_async();
    }
    pk_attn_wg_bar<NH>(z);
    PK_AT_ADD(7);
    if (wg_active) {
      pk_wg_fence_regs<32>(&o[0][0]);
      pk_wg_fence();
#pragma unroll
      for (int kk = 0; kk < 4; kk++) PkWgmmaRs<64, 1>::mma(&o[0][0], pa[kk], dV + (uint64_t)((kk * 16 * 128) >> 4), 1);
      pk_wg_commit();
      pk_wg_wait<0>();
      pk_wg_fence_regs<32>(&o[0][0]);
    }
    PK_AT_ADD(8);
    PK_AT_SET(13, (unsigned long long)step + 1);
  }
  if constexpr (!TMA) cp_async_wait<0>();  // TMA: every page issued was waited for by the step computing it
  PK_AT(9);

  // ---- The kh form's combine, z = 0 then 1, through the free page buffers, and its store.
  __syncthreads();
  float *xch = reinterpret_cast<float *>(smem_raw + (base - smem_u32(smem_raw))) + rg * (4 + 4 * NDT) * 32;
  constexpr int XS = 4 * (4 + 4 * NDT) * 32;  // floats of one part's four row groups' states
  if (z != 0) pk_attn_put_state<NDT>(NH == 2 ? xch : xch + (z - 1) * XS, lane, m_a, m_b, l_a, l_b, o);  // NH 2: z is 1
  __syncthreads();
  if (z != 0) {
    PK_AT(10);
    return;
  }
#pragma unroll
  for (int w = 1; w < NH; w++) {
    const float *xw = xch + (w - 1) * XS;
    const float m1_a = xw[0 * 32 + lane], m1_b = xw[1 * 32 + lane];
    pk_attn_add_half<NDT>(xw, lane, m_a, m_b, l_a, l_b, o, sl2);
    // the sum is now relative to the larger max: the next part's factors need it (s27 call 1: without this the q4 form's
    // rows that saw pages in three or four parts failed the float64 reference, max_err 0.07, graph == eager all the same)
    if constexpr (NH > 2) { m_a = fmaxf(m_a, m1_a); m_b = fmaxf(m_b, m1_b); }
  }
  PK_AT(10);
  pk_attn_store_rows<D, NDT>(p, o, l_a, l_b, qs, ra, rb, pos_a, pos_b, kvh, group, t4);
  PK_AT(11);
  PK_AT_SET(15, pk_attn_gt());
#else
  (void)p; (void)smem_raw;
  __trap();  // sm_90a only: Java refuses the form on other devices
#endif
}

// One block per SM (168 registers), as the kh form it replaces where the bucket's blocks fit one wave: the 128-register
// budget of two blocks per SM made the split path's decode walks 10-23 % slower (31 x 2048 cold 24.3 vs 20.2 us, 32 x 4000
// 43.2 vs 35.2; s11 call 1), the cause of v31's decode regression; two blocks per SM gain only past one wave (8 x 512
// 43 vs 57 us), where the 4-warp form runs. A harness build may still ask for two (-DPK_ATTN_WG_MIN_BLOCKS=2).
#ifndef PK_ATTN_WG_MIN_BLOCKS
#define PK_ATTN_WG_MIN_BLOCKS 1
#endif
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_KH_THREADS, PK_ATTN_WG_MIN_BLOCKS) attention_prefill_wg(AttnParams p) {
  pk_pdl_launch();  // at entry, as the other forms
  pk_pdl_wait();
  if (blockIdx.x >= *p.num_blocks) return;
  if (p.head_dim != 64) __trap();  // Java selects this form for head dim 64 only
  pk_attn_wg_impl<false>(p, reinterpret_cast<uint8_t *>(pk_attn_smem));
}

// The early form (v39.6): the tile's lookup and the prefix prefetch before the PDL wait (see PkAttnTile for the order the
// plan must keep); the same bits as attention_prefill_wg.
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_KH_THREADS, PK_ATTN_WG_MIN_BLOCKS) attention_prefill_wg_early(AttnParams p) {
  pk_pdl_launch();  // at entry; the wait is inside, after the tile's lookup
  if (p.head_dim != 64) __trap();
  pk_attn_wg_impl<true>(p, reinterpret_cast<uint8_t *>(pk_attn_smem));
}

// The TMA form (v93): the early form with its full path's K / V pages brought in by tensor copies from one thread per key
// half (AttnTmaParams in prefill_kernels.h), so the half's 128 threads no longer issue 8 cp.async a step (s41's trace: ~0.25
// us a step of the walk) nor 16 before Q's wait; the same arithmetic on the same bytes, so attention_prefill_wg's bits.
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_KH_THREADS, PK_ATTN_WG_MIN_BLOCKS)
    attention_prefill_wg_early_tma(const __grid_constant__ AttnTmaParams p) {
  __shared__ alignas(8) unsigned long long bars[2 * 2 * PK_ATTN_WG_SLOTS];  // per half, per slot: K, V
  pk_pdl_launch();  // at entry; the wait is inside, after the tile's lookup
  if (p.attn.head_dim != 64) __trap();
  pk_attn_wg_impl<true, false, PREFILL_ATTN_ROWS_PER_TILE, false, 2, true>(p.attn, reinterpret_cast<uint8_t *>(pk_attn_smem), nullptr, &p.tmap_k,
                                                                             &p.tmap_v, smem_u32(bars));
}

// The t32 form (s20): the early form over tiles of half the rows (the tile map built with rows_per_tile =
// PK_ATTN_T32_ROWS, which Java derives the same way), so every tile of <= 32 rows runs the split path (mma.sync, warps
// over key chunks, no wgmma and no two-half combine). s20 call 4 put ERNIE-4.5-0.3B's graph at 16 ~1 us per layer
// dearer for a 7-8-token prompt (one 56-64-row full-path tile) than for a 4-token one (one 32-row split tile); call 5's
// probe with 32-row tiles everywhere: short -2.6 %, 2x8 -2.1 % at 16 (Llama-3.2-1B's kh prompts +1.1 %). Per tile the
// split path's bits; a row's bits differ from the 64-row forms' where those run it on the full path.
#define PK_ATTN_T32_ROWS (PREFILL_ATTN_ROWS_PER_TILE / 2)
static_assert(PK_ATTN_T32_ROWS == 32, "the split path takes tiles of up to 32 rows");
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_KH_THREADS, PK_ATTN_WG_MIN_BLOCKS) attention_prefill_wg_early_t32(AttnParams p) {
  pk_pdl_launch();  // at entry; the wait is inside, after the tile's lookup
  if (p.head_dim != 64) __trap();
  pk_attn_wg_impl<true, false, PK_ATTN_T32_ROWS>(p, reinterpret_cast<uint8_t *>(pk_attn_smem));
}

// The t32 form with rope_kv_write folded in (s21): the same tiles, and the same bits as rope_kv_write followed by
// attention_prefill_wg_early_t32 (AttnRopeParams in prefill_kernels.h). A block computes its tile's rotated Q rows and the
// K / V of the sequence's new tokens up to its tile's last one from rope's input, so the rope link between the qkv GEMM
// and attention goes (at 16 tokens rope_kv_write cost ERNIE-4.5-0.3B's chain 2.7 us per layer, results set 171033);
// the tile's loads of its own rope input replace its loads of rope's output.
static_assert(PK_ATTN_ROPE_SMEM_BYTES <= PREFILL_ATTN_WG_SMEM, "the rope-fused split path fits the wg forms' shared memory");
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_KH_THREADS, PK_ATTN_WG_MIN_BLOCKS) attention_prefill_wg_early_t32_rope(AttnRopeParams p) {
  pk_pdl_launch();  // at entry; the wait is inside, after the tile's lookup and its tokens' positions
  if (p.attn.head_dim != 64 || p.rope.head_dim != 64) __trap();
  pk_attn_wg_impl<true, false, PK_ATTN_T32_ROWS, true>(p.attn, reinterpret_cast<uint8_t *>(pk_attn_smem), &p.rope);
}

// The hybrid form (v41): the early form, except split-path tiles over a long cached prefix, which run the late form (see
// pk_attn_wg_impl); the same bits as attention_prefill_wg and the same plan order as the early form.
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_KH_THREADS, PK_ATTN_WG_MIN_BLOCKS) attention_prefill_wg_early_lp(AttnParams p) {
  pk_pdl_launch();  // at entry; the wait is inside, after the tile's lookup
  if (p.head_dim != 64) __trap();
  pk_attn_wg_impl<true, true>(p, reinterpret_cast<uint8_t *>(pk_attn_smem));
}

// The q4 form (v69): the early form with 4 key parts (warpgroups) instead of 2, so a tile that sees P pages walks
// ceil(P / 4) of them per part instead of ceil(P / 2): at 480 tokens with group 8 the last tiles see 8 pages, and the
// bucket's 120 blocks fill one wave at one block per SM whatever the part count. 512 threads cap the registers at 128.
// The parts' states are combined in the order z = 0, 1, 2, 3 (the same pairwise arithmetic), so the bits of a row that
// sees more than one page differ from the two-part forms'; split-path tiles (<= 32 rows) keep attention.cu's bits.
static_assert(4 * PK_ATTN_WG_SLOTS * 2 * PK_ATTN_WG_PAGE + 1024 == PREFILL_ATTN_Q4_SMEM, "four parts' rings of K and V pages");
static_assert(PREFILL_ATTN_Q4_THREADS == 4 * 128, "a warpgroup per key part");
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_Q4_THREADS, 1) attention_prefill_wg_early_q4(AttnParams p) {
  pk_pdl_launch();  // at entry; the wait is inside, after the tile's lookup
  if (p.head_dim != 64) __trap();
  pk_attn_wg_impl<true, false, PREFILL_ATTN_ROWS_PER_TILE, false, 4>(p, reinterpret_cast<uint8_t *>(pk_attn_smem));
}
