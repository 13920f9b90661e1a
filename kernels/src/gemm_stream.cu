// gemm_bf16_stream_m16 / _m32 / _m64: weight-streaming GEMM for small row buckets (capacity <= 64).
// Same contract as gemm_bf16 (GemmParams; C[m, n] = A[m, k] * B[n, k]^T, bf16 in, fp32 accumulate;
// splits == 1 writes bf16 C, splits > 1 writes fp32 partial[z, row, col] that the consumer sums in
// order z = 0, 1, ...). At these sizes a GEMM is its weight bytes plus a fixed cost, so a block
// covers ALL capacity rows (MCAP = 16/32/64) and BN weight rows, and streams its k slice through a
// STAGES-deep ring of 16-byte cp.async copies; every weight byte is read once per GEMM. Measured on an
// H200 (kernels/NOTES-gemm-stream.md): ~1.5 us (PDL, back to back) + bytes at ~4.1 TB/s; the fixed
// part, not DRAM, dominates the 4-13 MB layer GEMMs. Other weight paths (WLOAD 1-3) and A by plain
// loads (ALOAD 1) are kept for the harness's sweep; none beat the plain cp.async ring.
//
// Grid = (n / BN, 1, splits), C::THREADS threads, C::SMEM bytes of dynamic shared memory (the host
// raises the kernel's limit once). Requirements: p.m <= MCAP (traps otherwise), n % 8 == 0,
// (k / splits) % BK == 0, lda / ldb % 8 == 0, 16-byte aligned base pointers.
//
// PDL: weights are never written by kernels, so a block issues its first STAGES-1 weight stages
// before griddepcontrol.wait; only A (activations) waits for the producer. TRIG says when the next
// kernel may launch: PK_TRIG_ENTRY (at entry: its blocks then prefetch their own weights while this
// one runs; what the exported kernels do), PK_TRIG_AFTER_A, PK_TRIG_END (after the main loop).
//
// Determinism: an output element is one fp32 accumulator fed by the mma k16 steps of its split's k
// range in ascending order (WK == 1), with row slot row % 16 and column slot col % 8, exactly as in
// gemm_bf16, so for WK == 1 the bits equal gemm_bf16's for the same splits. WK > 1 warps each sum a
// fixed sub-range of every stage and are added in warp order (bits then depend on the config, never
// on m_dev). Rows >= min(m, *m_dev) are zero-filled (never read), their m16 tiles skipped when the
// whole tile is past the real rows, and never stored.
#include "common.cuh"

// Tile configuration: MCAP rows x BN weight rows per block, BK k per stage, STAGES stages, warps
// arranged WM (rows) x WN (columns) x WK (k steps within a stage). KORD: the k block the k-warps divide among
// themselves (BK unless a deeper stage keeps a shallower tile's k order: k-warp w takes the w-th part of every
// KORD-deep block, so a stage of two 128-deep blocks sums each output in the 128-deep tile's order and bits).
template <int MCAP_, int BN_, int BK_, int STAGES_, int WM_, int WN_, int WK_, int WLOAD_, int ALOAD_ = 0, int KORD_ = BK_>
struct PkStreamCfg {
  static constexpr int MCAP = MCAP_, BN = BN_, BK = BK_, STAGES = STAGES_, WM = WM_, WN = WN_, WK = WK_, KORD = KORD_;
  // A (activations) of the first STAGES-1 stages, loaded right after griddepcontrol.wait by
  // 0: cp.async; 1: plain 16-byte loads to registers, then shared stores (not queued behind the
  // weight cp.asyncs of this and the next kernel, which the SM serves at a capped rate).
  static constexpr int ALOAD = ALOAD_;
  // 0: cp.async 16 B; 1: cp.async 16 B with an L2 256-byte prefetch hint; 2: cp.async.bulk per row;
  // 3: as 0, after one cp.async.bulk.prefetch.L2 per weight row of the block's whole k slice at entry.
  static constexpr int WLOAD = WLOAD_;
  static constexpr int THREADS = WM * WN * WK * 32;
  static constexpr int TM = MCAP / WM, TN = BN / WN;       // warp tile
  static constexpr int MT = TM / 16, NT = TN / 8;           // m16 / n8 mma tiles per warp
  static constexpr int KW = BK / 16 / WK;                   // k16 steps per warp per stage
  static constexpr int KS0 = KORD / 16 / WK;                // ... per warp per KORD-deep block
  static constexpr int CPR = BK / 8;                        // 16-byte chunks per smem row
  static constexpr int AROW = BK * 2;                       // bytes per A row in smem (swizzled)
  static constexpr int WROW = WLOAD == 2 ? BK * 2 + 16 : BK * 2;  // bulk rows are padded, not swizzled
  static constexpr int A_ST = MCAP * AROW, W_ST = BN * WROW;
  static constexpr int BAR_OFF = STAGES * (A_ST + W_ST);
  static constexpr int SMEM = BAR_OFF + (WLOAD == 2 ? STAGES * 8 : 0);
  static_assert(MCAP % (16 * WM) == 0 && BN % (16 * WN) == 0 && (BK / 16) % WK == 0, "tile split");
  static_assert(BK >= 64 && (BK & (BK - 1)) == 0, "BK: 64, 128 or 256 (swizzle needs >= 8 chunks per row)");
  static_assert((BN * CPR) % THREADS == 0 && THREADS % CPR == 0, "load mapping");
  static_assert(WLOAD != 2 || BN % 32 == 0, "bulk: one warp issues BN rows");
  static_assert((WK - 1) * MCAP * BN * 4 <= BAR_OFF, "k-warp reduction fits in the pipeline smem");
  static_assert(BK % KORD == 0 && (KORD / 16) % WK == 0, "a stage holds whole KORD-deep blocks, split evenly over the k-warps");
};

// Byte offset of 16-byte chunk ch of row r in a swizzled tile with rowb bytes per row.
static __device__ __forceinline__ uint32_t pk_st_swz(int r, int ch, int rowb) {
  return (uint32_t)(r * rowb + ((ch ^ (r & 7)) << 4));
}

// 16-byte load that bypasses L1 (A was written by the previous kernel) and 16-byte shared store: explicit
// state spaces, so the compiler sees they cannot alias and keeps every load in flight before the stores.
PK_DEV uint4 pk_ld_cg16(const void *src) {
  uint4 v;
  asm volatile("ld.global.cg.v4.u32 {%0,%1,%2,%3}, [%4];\n" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(src));
  return v;
}
PK_DEV void pk_st_shared16(uint32_t dst, uint4 v) {
  asm volatile("st.shared.v4.u32 [%0], {%1,%2,%3,%4};\n" ::"r"(dst), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w));
}
PK_DEV void cp_async16_pf256(uint32_t dst, const void *src, bool valid) {
  int n = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global.L2::256B [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(n));
}

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define PK_STREAM_HAS_BULK 1
PK_DEV void pk_mbar_init(uint32_t bar, int count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count));
}
PK_DEV void pk_mbar_expect_tx(uint32_t bar, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
}
PK_DEV void pk_mbar_wait(uint32_t bar, uint32_t parity) {
  asm volatile(
      "{\n .reg .pred P;\n PK_MBAR_WAIT_%=:\n"
      " mbarrier.try_wait.parity.shared::cta.b64 P, [%0], %1;\n"
      " @!P bra PK_MBAR_WAIT_%=;\n}\n" ::"r"(bar), "r"(parity) : "memory");
}
PK_DEV void pk_bulk_prefetch_l2(const void *src, uint32_t bytes) {
  asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;\n" ::"l"(src), "r"(bytes) : "memory");
}
PK_DEV void pk_bulk_g2s(uint32_t dst, const void *src, uint32_t bytes, uint32_t bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n"
               ::"r"(dst), "l"(src), "r"(bytes), "r"(bar) : "memory");
}
#else
#define PK_STREAM_HAS_BULK 0
#endif

// When the kernel lets the next one launch (griddepcontrol.launch_dependents): at entry, once its
// A loads are issued (after griddepcontrol.wait), or after the main loop.
enum { PK_TRIG_ENTRY = 0, PK_TRIG_AFTER_A = 1, PK_TRIG_END = 2 };

// fp32 partial[z, row, col] of this block's accumulators (rows < m_eff, columns < n).
template <class C>
static __device__ __forceinline__ void pk_stream_store_partial(const GemmParams &p, const float (&acc)[C::MT][C::NT][4], int bn,
                                                               int m_eff, int wm, int wn, int g, int t4) {
#pragma unroll
  for (int mt = 0; mt < C::MT; mt++)
#pragma unroll
    for (int h = 0; h < 2; h++) {
      const int row = wm * C::TM + mt * 16 + g + h * 8;
      if (row >= m_eff) continue;
#pragma unroll
      for (int nt = 0; nt < C::NT; nt++) {
        const int col = bn + wn * C::TN + nt * 8 + 2 * t4;
        if (col >= p.n) continue;
        *reinterpret_cast<float2 *>(p.partial + ((size_t)blockIdx.z * p.m + row) * p.n + col) =
            make_float2(acc[mt][nt][2 * h], acc[mt][nt][2 * h + 1]);
      }
    }
}

// The rope epilogue's preloaded inputs (shared memory; allocated only by the _rope kernels): per capacity row
// the cos | sin row of its clamped position and its cache slot, per tile column the bias (0 without one).
template <int MCAP, int BN>
struct PkRopePre {
  float cs[MCAP][BN];  // [row][0, D): cos | sin (D <= BN)
  int slot[MCAP];
  float bias[BN];
};
template <int MCAP, int BN>
static __device__ __forceinline__ PkRopePre<MCAP, BN> &pk_rope_pre() {
  __shared__ __align__(16) PkRopePre<MCAP, BN> pre;  // one per kernel that calls this (the _rope ones)
  return pre;
}
// Both rope epilogues' per-row inputs: the cos | sin row of each row's clamped position (cs: [MCAP][W], W >= D) and its
// cache slot.
template <int MCAP, int W, int THREADS>
static __device__ __forceinline__ void pk_rope_rows_preload(float (&cs)[MCAP][W], int (&slot)[MCAP], const RopeKvParams &r, int m_eff) {
  const int D = r.head_dim, q4 = D >> 2;
  for (int i = threadIdx.x; i < m_eff * q4; i += THREADS) {
    const int t = i / q4, c = (i - t * q4) * 4;
    *reinterpret_cast<float4 *>(&cs[t][c]) = *reinterpret_cast<const float4 *>(r.cos_sin + (size_t)pk_rope_pos(r, t) * D + c);
  }
  for (int t = threadIdx.x; t < m_eff; t += THREADS) slot[t] = r.slot_mapping[t];
}
template <int MCAP, int BN, int THREADS>
static __device__ __forceinline__ void pk_rope_preload(PkRopePre<MCAP, BN> &pre, const RopeKvParams &r, int bn, int m_eff) {
  pk_rope_rows_preload<MCAP, BN, THREADS>(pre.cs, pre.slot, r, m_eff);
  for (int c = threadIdx.x; c < BN; c += THREADS) pre.bias[c] = r.bias != nullptr ? bf2f(r.bias[bn + c]) : 0.f;
}

template <class C>
static __device__ __forceinline__ void pk_rope_items(const GemmParams &p, const RopeKvParams &r, const PkRopePre<C::MCAP, C::BN> &pre,
                                                     const float *x, int bn, int m_eff);

// The rope fixup (last block of a column tile, after pk_fixup_last): (1) the tile's inputs x = bf16(sum of the
// splits' partials in order z = 0, 1, ...), all of a thread's loads in flight at once, into the idle pipeline
// shared memory; (2) rope_kv_write's arithmetic (pk_rope_rot4 / pk_rope_v4) on them for every head of the tile,
// q, k, v into qkv and k, v into the caches. The values and operations are rope_kv_write's, so are the bits.
// RBN: the columns one fixup covers — the tile's, or for the half-width tiles (v65) a head group of 64 columns, two
// tiles whose blocks count on one counter; bn is then the group's first column.
template <class C, int RBN = C::BN>
static __device__ __forceinline__ void pk_rope_fixup(const GemmParams &p, const RopeKvParams &r, const PkRopePre<C::MCAP, RBN> &pre,
                                                     unsigned char *smem, int bn, int m_eff, size_t plane) {
  constexpr int BN = RBN, THREADS = C::THREADS, Q = BN / 4;  // float4 chunks per tile row
  constexpr int CPT = (C::MCAP * Q + THREADS - 1) / THREADS;   // chunks per thread at capacity
  constexpr int PB = 8;                                        // splits in flight per round
  float *x = reinterpret_cast<float *>(smem);                  // [MCAP][BN], the pipeline smem is idle now
  const int tid = threadIdx.x, cols = min(BN, p.n - bn);
#pragma unroll
  for (int c0 = 0; c0 < CPT; c0 += 2) {  // two chunks at a time: 2 x PB float4 loads in flight
    int ch[2];
    bool on[2];
    float4 a[2];
#pragma unroll
    for (int u = 0; u < 2; u++) {
      ch[u] = tid + (c0 + u) * THREADS;
      on[u] = c0 + u < CPT && ch[u] < m_eff * Q && (ch[u] % Q) * 4 < cols;
      a[u] = make_float4(0.f, 0.f, 0.f, 0.f);
    }
    const float *src[2];
#pragma unroll
    for (int u = 0; u < 2; u++) src[u] = p.partial + (size_t)(on[u] ? ch[u] / Q : 0) * p.n + bn + (on[u] ? ch[u] % Q : 0) * 4;
#pragma unroll
    for (int u = 0; u < 2; u++)
      if (on[u]) a[u] = __ldcg(reinterpret_cast<const float4 *>(src[u]));
    for (int z = 1; z < p.splits; z += PB) {
      float4 v[2][PB];
#pragma unroll
      for (int u = 0; u < 2; u++)
#pragma unroll
        for (int b = 0; b < PB; b++)
          if (on[u] && z + b < p.splits) v[u][b] = __ldcg(reinterpret_cast<const float4 *>(src[u] + (size_t)(z + b) * plane));
#pragma unroll
      for (int u = 0; u < 2; u++)
#pragma unroll
        for (int b = 0; b < PB; b++)
          if (on[u] && z + b < p.splits) {
            a[u].x = __fadd_rn(a[u].x, v[u][b].x); a[u].y = __fadd_rn(a[u].y, v[u][b].y);
            a[u].z = __fadd_rn(a[u].z, v[u][b].z); a[u].w = __fadd_rn(a[u].w, v[u][b].w);
          }
    }
#pragma unroll
    for (int u = 0; u < 2; u++)
      if (on[u])
        *reinterpret_cast<float4 *>(x + (ch[u] / Q) * BN + (ch[u] % Q) * 4) =
            make_float4(bf2f(f2bf(a[u].x)), bf2f(f2bf(a[u].y)), bf2f(f2bf(a[u].z)), bf2f(f2bf(a[u].w)));
  }
  __syncthreads();
  const int D = r.head_dim, half = D >> 1, qpr = half >> 2, vpr = D >> 2, hq = r.q_heads + r.kv_heads;
  const int h0 = bn / D, nh = cols / D;
  const size_t kv_row = (size_t)r.kv_heads * D;
  int per = 0;  // items per token in this tile: qpr per q/k head, vpr per v head
  for (int h = h0; h < h0 + nh; h++) per += h < hq ? qpr : vpr;
  for (int it = tid; it < m_eff * per; it += THREADS) {
    const int t = it / per;
    int li = it - t * per, h = h0;
    for (; li >= (h < hq ? qpr : vpr); h++) li -= h < hq ? qpr : vpr;
    const int lc = (h - h0) * D;  // the head's first column within the tile
    const float *xr = x + t * BN + lc;
    uint16_t *row = p.c + (size_t)t * p.n + h * D;
    const int slot = pre.slot[t];
    if (h < hq) {
      const int i = li * 4;
      const float4 a = *reinterpret_cast<const float4 *>(xr + i), b = *reinterpret_cast<const float4 *>(xr + half + i);
      float x1[4] = {a.x, a.y, a.z, a.w}, x2[4] = {b.x, b.y, b.z, b.w};
      uint16_t o1[4], o2[4];
      pk_rope_rot4(x1, x2, r.bias != nullptr, *reinterpret_cast<const float4 *>(&pre.bias[lc + i]),
                   *reinterpret_cast<const float4 *>(&pre.bias[lc + half + i]), *reinterpret_cast<const float4 *>(&pre.cs[t][i]),
                   *reinterpret_cast<const float4 *>(&pre.cs[t][half + i]), o1, o2);
      pk_st_bf4(row + i, o1);
      pk_st_bf4(row + half + i, o2);
      if (h >= r.q_heads && slot >= 0) {  // pk_rope_cache_k's stores; its kc + i + half order changed these kernels' code
        uint16_t *kc = r.k_cache + (size_t)slot * kv_row + (size_t)(h - r.q_heads) * D;
        pk_st_bf4(kc + i, o1);
        pk_st_bf4(kc + half + i, o2);
      }
    } else {
      const int e0 = li * 4;
      const float4 a = *reinterpret_cast<const float4 *>(xr + e0);
      uint16_t v[4] = {f2bf(a.x), f2bf(a.y), f2bf(a.z), f2bf(a.w)};  // exact: bf16 values
      pk_rope_v4(v, r.bias != nullptr, *reinterpret_cast<const float4 *>(&pre.bias[lc + e0]));
      pk_st_bf4(row + e0, v);
      if (slot >= 0) pk_rope_cache_v(r, kv_row, D, slot, h - hq, e0, v);
    }
  }
}

// An unsplit tile's rope epilogue (v49): the block's own accumulators, rounded to bf16 as the partial path rounds their
// one-split sum, straight into the idle pipeline shared memory, then pk_rope_items. No partial is stored, no arrival
// counted, nothing re-read: the same x, so the same bits as the fixup at splits = 1.
template <class C>
static __device__ __forceinline__ void pk_rope_direct(const GemmParams &p, const RopeKvParams &r, const PkRopePre<C::MCAP, C::BN> &pre,
                                                      const float (&acc)[C::MT][C::NT][4], unsigned char *smem, int bn, int m_eff,
                                                      int wm, int wn, int g, int t4) {
  float *x = reinterpret_cast<float *>(smem);  // [MCAP][BN]
  __syncthreads();                             // every warp is past its last read of the pipeline stages
#pragma unroll
  for (int mt = 0; mt < C::MT; mt++)
#pragma unroll
    for (int h = 0; h < 2; h++) {
      const int row = wm * C::TM + mt * 16 + g + h * 8;
      if (row >= m_eff) continue;
#pragma unroll
      for (int nt = 0; nt < C::NT; nt++) {
        const int lc = wn * C::TN + nt * 8 + 2 * t4;
        if (bn + lc >= p.n) continue;
        *reinterpret_cast<float2 *>(x + row * C::BN + lc) =
            make_float2(bf2f(f2bf(acc[mt][nt][2 * h])), bf2f(f2bf(acc[mt][nt][2 * h + 1])));
      }
    }
  __syncthreads();
  pk_rope_items<C>(p, r, pre, x, bn, m_eff);
}

// rope_kv_write's arithmetic (pk_rope_rot4 / pk_rope_v4) on a tile's inputs x ([MCAP][BN] floats in shared memory, rows
// < m_eff) for every head of the tile: q, k, v into qkv and k, v into the caches. The values and operations are
// rope_kv_write's, so are the bits. pk_rope_fixup keeps its own copy of this loop on purpose: calling this function from
// it changed the split _rope kernels' code (123 -> 128 registers, Llama-3.2-1B short +0.7 %, s18 call 4).
template <class C>
static __device__ __forceinline__ void pk_rope_items(const GemmParams &p, const RopeKvParams &r, const PkRopePre<C::MCAP, C::BN> &pre,
                                                     const float *x, int bn, int m_eff) {
  constexpr int BN = C::BN, THREADS = C::THREADS;
  const int tid = threadIdx.x, cols = min(BN, p.n - bn);
  const int D = r.head_dim, half = D >> 1, qpr = half >> 2, vpr = D >> 2, hq = r.q_heads + r.kv_heads;
  const int h0 = bn / D, nh = cols / D;
  const size_t kv_row = (size_t)r.kv_heads * D;
  int per = 0;  // items per token in this tile: qpr per q/k head, vpr per v head
  for (int h = h0; h < h0 + nh; h++) per += h < hq ? qpr : vpr;
  for (int it = tid; it < m_eff * per; it += THREADS) {
    const int t = it / per;
    int li = it - t * per, h = h0;
    for (; li >= (h < hq ? qpr : vpr); h++) li -= h < hq ? qpr : vpr;
    const int lc = (h - h0) * D;  // the head's first column within the tile
    const float *xr = x + t * BN + lc;
    uint16_t *row = p.c + (size_t)t * p.n + h * D;
    const int slot = pre.slot[t];
    if (h < hq) {
      const int i = li * 4;
      const float4 a = *reinterpret_cast<const float4 *>(xr + i), b = *reinterpret_cast<const float4 *>(xr + half + i);
      float x1[4] = {a.x, a.y, a.z, a.w}, x2[4] = {b.x, b.y, b.z, b.w};
      uint16_t o1[4], o2[4];
      pk_rope_rot4(x1, x2, r.bias != nullptr, *reinterpret_cast<const float4 *>(&pre.bias[lc + i]),
                   *reinterpret_cast<const float4 *>(&pre.bias[lc + half + i]), *reinterpret_cast<const float4 *>(&pre.cs[t][i]),
                   *reinterpret_cast<const float4 *>(&pre.cs[t][half + i]), o1, o2);
      pk_st_bf4(row + i, o1);
      pk_st_bf4(row + half + i, o2);
      if (h >= r.q_heads && slot >= 0) {  // pk_rope_cache_k's stores; its kc + i + half order changed these kernels' code
        uint16_t *kc = r.k_cache + (size_t)slot * kv_row + (size_t)(h - r.q_heads) * D;
        pk_st_bf4(kc + i, o1);
        pk_st_bf4(kc + half + i, o2);
      }
    } else {
      const int e0 = li * 4;
      const float4 a = *reinterpret_cast<const float4 *>(xr + e0);
      uint16_t v[4] = {f2bf(a.x), f2bf(a.y), f2bf(a.z), f2bf(a.w)};  // exact: bf16 values
      pk_rope_v4(v, r.bias != nullptr, *reinterpret_cast<const float4 *>(&pre.bias[lc + e0]));
      pk_st_bf4(row + e0, v);
      if (slot >= 0) pk_rope_cache_v(r, kv_row, D, slot, h - hq, e0, v);
    }
  }
}

// The epilogue. PK_EPI_NONE: bf16 C (splits == 1) or fp32 partials for a later consumer.
// PK_EPI_SILU: the SiLU * up epilogue of gemm_bf16_silu (PkSiluMulBf16 in gemm.cu): b interleaved in groups
// of PREFILL_GATE_UP_GROUP (8) rows. Unsplit, a warp's column tiles nt (even) and nt + 1 hold the gate and up
// columns of the same 8 outputs in the same thread (TN is a multiple of 16 and every warp's first column is
// too); g and u are rounded to bf16 first, as the unfused GEMM stores them, then silu_mul's arithmetic: the
// same bits as this kernel with splits = 1 followed by silu_mul (group 8). Split (splits > 1): the split-K
// fixup below, then silu_mul's chunk arithmetic on the tile's summed partials.
// PK_EPI_ROPE: always the fixup, then rope_kv_write's items for the tile's heads (rope.cu).
// PK_EPI_ROPE1: unsplit only, the same items on the block's own accumulators (pk_rope_direct, v49): no partial, no
// counter, nothing re-read. Its own kernels, so the split forms' code stays as it was (one kernel with both paths
// took 128 registers instead of 123 and Llama-3.2-1B's split qkv +0.7 %, s18 call 4).
// The fixup keeps the split-K parallelism a non-linear epilogue would otherwise forbid, without a second
// kernel: every block stores its partial, the last block of the tile to arrive (pk_fixup_last) sums them in
// order z = 0, 1, ... exactly as the unfused consumer does, so the bits are the unfused chain's.
// PK_EPI_ROPEP (v75): unsplit only, on 16-column tiles whose weight rows are 8 rope pairs of one head (pk_pair_row):
// every pair a rope item needs is in the block, so the items run on the block's own sums (pk_rope_pair) with no
// partial, counter or re-read, at the block count of the split half-width form (no fixup tail in the chain).
// PK_EPI_AMAX (v87): unsplit only, bf16 C as PK_EPI_NONE, and each stored row's largest value folded into keys[row]
// (pk_amax_key; per block one 64-bit atomicMax per row, only where it beats the key there), so argmax_keys replaces argmax's
// read of the logits.
enum { PK_EPI_NONE = 0, PK_EPI_SILU = 1, PK_EPI_ROPE = 2, PK_EPI_CSUM = 3, PK_EPI_ROPE1 = 4, PK_EPI_ROPEP = 5, PK_EPI_AMAX = 6 };

// The argmax key of a stored bf16 value at column col (GemmAmaxParams): the order-preserving map of its float bits (-0 as
// +0) above the inverted column, so a larger key is a larger value or, on a tie, a lower column; 0 for NaN (never taken).
static __device__ __forceinline__ unsigned long long pk_amax_key(float v, int col) {
  if (v != v) return 0ull;
  const uint32_t u = v == 0.f ? 0u : __float_as_uint(v);
  const uint32_t ord = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return ((unsigned long long)ord << 32) | (unsigned long long)(0xffffffffu - (uint32_t)col);
}

// PK_EPI_CSUM (an option, v36: measured and not bundled): the split-K reduced inside a thread-block cluster. The splits blocks of a
// column tile are one cluster along z (cluster dims (1, 1, splits): rank = blockIdx.z); each leaves its fp32 partial
// tile in its (idle) pipeline smem, and block r sums chunk r of the tile over every rank in order z = 0, 1, ... through
// distributed shared memory — the order the consumers sum split-K partials in — and stores plane 0 of p.partial only.
// A consumer reading that one plane (splits = 1) gets the bits it gets from the splits planes: one plane written
// instead of splits (at 16 rows, o and down at 16 splits write 1 MB of partials; s12 call 7: a PDL link that writes
// 512 KB costs 2.5 us against 1.0 for 32 KB).

template <class C>
static __device__ __forceinline__ void pk_stream_cluster_sum(const GemmParams &p, const float (&acc)[C::MT][C::NT][4], unsigned char *smem,
                                                             int bn, int m_eff, int wm, int wn, int g, int t4) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  constexpr int BN = C::BN, MAXS = 16;
  static_assert(C::MCAP * BN * 4 <= C::BAR_OFF, "the partial tile fits the pipeline smem");
  uint32_t ncta;
  asm volatile("mov.u32 %0, %%cluster_nctarank;" : "=r"(ncta));
  if ((int)ncta != p.splits || p.splits > MAXS || (BN & 3) != 0) __trap();
  float *tile = reinterpret_cast<float *>(smem);  // [MCAP][BN]
  __syncthreads();                                // every warp past its last read of the pipeline smem
#pragma unroll
  for (int mt = 0; mt < C::MT; mt++)
#pragma unroll
    for (int h = 0; h < 2; h++) {
      const int row = wm * C::TM + mt * 16 + g + h * 8;
#pragma unroll
      for (int nt = 0; nt < C::NT; nt++) {
        const int col = wn * C::TN + nt * 8 + 2 * t4;
        *reinterpret_cast<float2 *>(tile + row * BN + col) = make_float2(acc[mt][nt][2 * h], acc[mt][nt][2 * h + 1]);
      }
    }
  pk_cluster_sync();  // every rank's tile written
  const int nv = m_eff * BN / 4, per = (nv + p.splits - 1) / p.splits, r = blockIdx.z;
  for (int v = r * per + (int)threadIdx.x; v < min(nv, (r + 1) * per); v += C::THREADS) {
    const uint32_t local = smem_u32(tile + v * 4);
    float4 c[MAXS];
#pragma unroll
    for (int z = 0; z < MAXS; z++)
      if (z < p.splits) c[z] = pk_ld_dsmem4(local, z);
    float4 a = c[0];
#pragma unroll
    for (int z = 1; z < MAXS; z++)
      if (z < p.splits) {
        a.x = __fadd_rn(a.x, c[z].x); a.y = __fadd_rn(a.y, c[z].y); a.z = __fadd_rn(a.z, c[z].z); a.w = __fadd_rn(a.w, c[z].w);
      }
    const int row = v * 4 / BN, col = bn + v * 4 % BN;
    if (col < p.n) *reinterpret_cast<float4 *>(p.partial + (size_t)row * p.n + col) = a;
  }
  pk_cluster_sync();  // no rank leaves while a peer still reads its tile
#else
  __trap();  // sm_80: no clusters
#endif
}

// The attention prologue (v74, gemm_bf16_stream_m16_n32_attn; GemmAttnParams in prefill_kernels.h): in a batch of
// fresh prompts at <= 16 rows every key is one of the batch's own rows, so an o block can compute the attention output
// of its k range (HB = BK / 64 q heads of one kv head) from the qkv rows itself and put it into its A stage: the
// attention kernel's link and o's A round trip leave the chain for one L2 round trip (Q, K, V rows) and ~0.2 us of
// tensor-core work per block, repeated over o's column tiles (v74.1; v74's fp32 form was a ~2 us latency chain).
// Each row's sequence start (from query_start and num_seqs, host-written metadata: read before the PDL wait).
template <int MCAP>
static __device__ __forceinline__ int *pk_attn_pro_rows() {
  __shared__ int qstart[MCAP];  // one per kernel that calls this (the _attn ones)
  return qstart;
}
template <int MCAP, int THREADS>
static __device__ __forceinline__ void pk_attn_pro_rows_load(const AttnParams &a, const int32_t *num_seqs, int m_eff, int *qstart) {
  const int ns = *num_seqs;
  for (int s = threadIdx.x; s < ns; s += THREADS) {
    const int b = a.query_start[s], e = a.query_start[s + 1];
    if (e > b && a.kv_lens[s] != e - b) __trap();  // a cached prefix: this form serves fresh prompts only (a plan error)
    for (int t = b; t < min(e, m_eff); t++) qstart[t] = b;
  }
}
// After the PDL wait: the block's Q (HB heads from column kbeg), K and V (their kv head) rows into shared memory (one
// round trip, every load in flight), then one warp per head on the tensor cores (below): base-2 softmax over the row's
// keys (its sequence's rows up to itself), O / sum as bf16 into A stage 0 (swizzled as load_a leaves it; rows >= m_eff
// zero).
template <class C>
static __device__ __forceinline__ void pk_attn_prologue(const AttnParams &a, const int *qstart, int m_eff, int kbeg, unsigned char *stage,
                                                        uint32_t sA) {
  constexpr int MCAP = C::MCAP, THREADS = C::THREADS, D = 64, HB = C::BK / D;
  constexpr int QLD = HB * D + 8, KLD = D + 8;  // staging row strides in halves (16-byte aligned rows)
  constexpr int CPRW = HB * D / 8 + 2 * D / 8;  // 16-byte chunks per row: Q, then K, then V
  constexpr int N = MCAP * CPRW / THREADS;
  static_assert(MCAP == 16 && HB <= THREADS / 32, "one m16 tile of rows, one warp per head");
  static_assert((MCAP * CPRW) % THREADS == 0, "load mapping");
  uint16_t *qs = reinterpret_cast<uint16_t *>(stage), *ks = qs + MCAP * QLD, *vs = ks + MCAP * KLD;
  const int group = a.q_heads / a.kv_heads, h0 = kbeg / D, kh = h0 / group;
  const int tid = threadIdx.x;
  {
    uint4 v[N];
#pragma unroll
    for (int i = 0; i < N; i++) {
      const int c = tid + i * THREADS, t = c / CPRW, j = c % CPRW;
      const int col = j < HB * D / 8 ? h0 * D + j * 8 : j < HB * D / 8 + D / 8 ? (a.q_heads + kh) * D + (j - HB * D / 8) * 8
                                                                               : (a.q_heads + a.kv_heads + kh) * D + (j - HB * D / 8 - D / 8) * 8;
      v[i] = t < m_eff ? pk_ld_cg16(a.q + (size_t)t * a.q_stride + col) : make_uint4(0u, 0u, 0u, 0u);
    }
#pragma unroll
    for (int i = 0; i < N; i++) {
      const int c = tid + i * THREADS, t = c / CPRW, j = c % CPRW;
      uint16_t *dst = j < HB * D / 8 ? qs + t * QLD + j * 8 : j < HB * D / 8 + D / 8 ? ks + t * KLD + (j - HB * D / 8) * 8
                                                                                     : vs + t * KLD + (j - HB * D / 8 - D / 8) * 8;
      *reinterpret_cast<uint4 *>(dst) = v[i];
    }
  }
  __syncthreads();
  // v74.1: per head one warp on the tensor cores (v74's 4 threads per (row, head) in fp32 were latency-bound: ~4 us).
  // S = Q K^T (m16 x n16 x k64: 8 mma), masked to the row's sequence up to itself, base-2 softmax on the accumulator
  // fragments (a row's 16 keys in its quad: 2 shuffles for the max, 2 for the sum), P as bf16 A fragments (the S
  // accumulator layout is the A layout), O = P V (m16 x n64 x k16: 8 mma, V through ldmatrix.trans), O / sum into A.
  const int warp = tid >> 5, lane = tid & 31;
  if (warp >= HB) return;
  const int hh = warp, g = lane >> 2, c2 = (lane & 3) * 2;
  const uint32_t sq = smem_u32(qs), sk = smem_u32(ks), sv = smem_u32(vs);
  float sacc[2][4];
#pragma unroll
  for (int nt = 0; nt < 2; nt++) sacc[nt][0] = sacc[nt][1] = sacc[nt][2] = sacc[nt][3] = 0.f;
#pragma unroll
  for (int kk = 0; kk < D / 16; kk++) {
    uint32_t af[4], b0, b1, b2, b3;
    // A: rows lane & 15, chunk 2 kk + (lane >> 4) of this head; B (K rows = keys): keys ((lane >> 4) & 1) * 8 + (lane & 7),
    // chunk 2 kk + ((lane >> 3) & 1)
    ldmatrix_x4(af[0], af[1], af[2], af[3], sq + (uint32_t)((lane & 15) * QLD + hh * D + (2 * kk + (lane >> 4)) * 8) * 2);
    ldmatrix_x4(b0, b1, b2, b3, sk + (uint32_t)((((lane >> 4) & 1) * 8 + (lane & 7)) * KLD + (2 * kk + ((lane >> 3) & 1)) * 8) * 2);
    mma_bf16_16816(sacc[0], af, b0, b1);
    mma_bf16_16816(sacc[1], af, b2, b3);
  }
  float mx[2], l[2];
#pragma unroll
  for (int h = 0; h < 2; h++) {  // h: rows g (accumulators 0, 1) and g + 8 (2, 3)
    const int t = g + 8 * h;
    const int lo = t < m_eff ? min(max(qstart[t], 0), t) : t + 1;  // rows past m_eff: no keys
    float m = -INFINITY;
#pragma unroll
    for (int nt = 0; nt < 2; nt++)
#pragma unroll
      for (int e = 0; e < 2; e++) {
        const int j = nt * 8 + c2 + e;
        float &v = sacc[nt][2 * h + e];
        v = j >= lo && j <= t ? v * a.scale_log2 : -INFINITY;
        m = fmaxf(m, v);
      }
    m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
    m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
    mx[h] = m == -INFINITY ? 0.f : m;
    float sum = 0.f;
#pragma unroll
    for (int nt = 0; nt < 2; nt++)
#pragma unroll
      for (int e = 0; e < 2; e++) {
        float &v = sacc[nt][2 * h + e];
        v = exp2f(v - mx[h]);
        sum += v;
      }
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    sum += __shfl_xor_sync(0xffffffffu, sum, 2);
    l[h] = sum > 0.f ? 1.f / sum : 0.f;
  }
  const uint32_t pf[4] = {pack_bf2(sacc[0][0], sacc[0][1]), pack_bf2(sacc[0][2], sacc[0][3]), pack_bf2(sacc[1][0], sacc[1][1]),
                          pack_bf2(sacc[1][2], sacc[1][3])};
#pragma unroll
  for (int dp = 0; dp < D / 16; dp++) {  // two n8 tiles of dims per ldmatrix.x4.trans: keys (m & 1) * 8 + (lane & 7), chunk 2 dp + (m >> 1)
    const int mi = lane >> 3;
    uint32_t b0, b1, b2, b3;
    ldmatrix_x4_trans(b0, b1, b2, b3, sv + (uint32_t)(((mi & 1) * 8 + (lane & 7)) * KLD + (2 * dp + (mi >> 1)) * 8) * 2);
    float o0[4] = {0.f, 0.f, 0.f, 0.f}, o1[4] = {0.f, 0.f, 0.f, 0.f};
    mma_bf16_16816(o0, pf, b0, b1);
    mma_bf16_16816(o1, pf, b2, b3);
#pragma unroll
    for (int h = 0; h < 2; h++) {
      const int t = g + 8 * h;
      const uint32_t x0 = pack_bf2(o0[2 * h] * l[h], o0[2 * h + 1] * l[h]), x1 = pack_bf2(o1[2 * h] * l[h], o1[2 * h + 1] * l[h]);
      const int ch = hh * (D / 8) + 2 * dp;  // the A tile's 16-byte chunk of dims 16 dp .. 16 dp + 7
      asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(sA + pk_st_swz(t, ch, C::AROW) + c2 * 2), "r"(x0) : "memory");
      asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(sA + pk_st_swz(t, ch + 1, C::AROW) + c2 * 2), "r"(x1) : "memory");
    }
  }
}

// The pair tile (PK_EPI_ROPEP): weight row r of the 16-column tile starting at column bn. A head of D columns holds
// D / 16 such tiles; tile j of a head takes columns 8j..8j+7 (rows 0..7, the x1 of rope pairs 8j..8j+7) and
// D/2 + 8j.. (rows 8..15, their x2). A v head is laid out the same way (any permutation serves it).
static __device__ __forceinline__ int pk_pair_j8(int bn, int D) { return ((bn % D) >> 4) << 3; }  // the tile's first pair in its head
static __device__ __forceinline__ int pk_pair_row(int bn, int r, int D) {
  const int h0 = bn - bn % D, j8 = pk_pair_j8(bn, D);
  return h0 + (r < 8 ? j8 + r : (D >> 1) + j8 + r - 8);
}

// The pair tile's preloaded rope inputs: per capacity row the cos | sin row of its position (D <= 128) and its slot,
// per tile row (pk_pair_row order) the bias (0 without one).
template <int MCAP>
struct PkRopePairPre {
  float cs[MCAP][128];
  int slot[MCAP];
  float bias[16];
};
template <int MCAP>
static __device__ __forceinline__ PkRopePairPre<MCAP> &pk_rope_pair_pre() {
  __shared__ __align__(16) PkRopePairPre<MCAP> pre;  // the _rope1 pair kernels only
  return pre;
}
template <int MCAP, int THREADS>
static __device__ __forceinline__ void pk_rope_pair_preload(PkRopePairPre<MCAP> &pre, const RopeKvParams &r, int bn, int m_eff) {
  pk_rope_rows_preload<MCAP, 128, THREADS>(pre.cs, pre.slot, r, m_eff);
  for (int c = threadIdx.x; c < 16; c += THREADS) pre.bias[c] = r.bias != nullptr ? bf2f(r.bias[pk_pair_row(bn, c, r.head_dim)]) : 0.f;
}

// The pair tile's epilogue: k-warp 0's sums (every warp of the block still here) rounded to bf16 as rope_kv_write reads
// them, into shared memory past the k-warp reduction's area, then rope_kv_write's items for the tile's 8 pairs: 2 per
// token of a q / k head (4 pairs each), 4 per token of a v head (4 elements each). Same values, same operations, so the
// bits of the unsplit _n16 kernel followed by rope_kv_write.
template <class C>
static __device__ __forceinline__ void pk_rope_pair(const GemmParams &p, const RopeKvParams &r, const PkRopePairPre<C::MCAP> &pre,
                                                    const float (&acc)[C::MT][C::NT][4], unsigned char *smem, int bn, int m_eff,
                                                    int wk, int g, int t4) {
  static_assert(C::BN == 16 && C::MT == 1 && C::NT == 2 && C::WM == 1 && C::WN == 1, "one warp holds the 16 x 16 tile");
  float *x = reinterpret_cast<float *>(smem + 4096);  // [16][16]; the k-warp reduction used the first 3 KB
  static_assert((C::WK - 1) * C::MCAP * C::BN * 4 <= 4096 && 4096 + C::MCAP * 16 * 4 <= C::BAR_OFF, "pair tile staging");
  if (wk == 0) {
#pragma unroll
    for (int h = 0; h < 2; h++) {
      const int row = g + h * 8;
      if (row >= m_eff) continue;
#pragma unroll
      for (int nt = 0; nt < 2; nt++)
        *reinterpret_cast<float2 *>(x + row * 16 + nt * 8 + 2 * t4) =
            make_float2(bf2f(f2bf(acc[0][nt][2 * h])), bf2f(f2bf(acc[0][nt][2 * h + 1])));
    }
  }
  __syncthreads();
  const int D = r.head_dim, half = D >> 1, hq = r.q_heads + r.kv_heads;
  const int h = bn / D, j8 = pk_pair_j8(bn, D);
  const size_t kv_row = (size_t)r.kv_heads * D;
  const bool rot = h < hq, hb = r.bias != nullptr;
  const int per = rot ? 2 : 4;
  for (int it = threadIdx.x; it < m_eff * per; it += C::THREADS) {
    const int t = it / per, u = it - t * per;
    uint16_t *row = p.c + (size_t)t * p.n + (size_t)h * D;
    const int slot = pre.slot[t];
    if (rot) {
      const int i = j8 + 4 * u;  // pairs i..i+3 of the head
      const float4 a = *reinterpret_cast<const float4 *>(x + t * 16 + 4 * u), b = *reinterpret_cast<const float4 *>(x + t * 16 + 8 + 4 * u);
      float x1[4] = {a.x, a.y, a.z, a.w}, x2[4] = {b.x, b.y, b.z, b.w};
      uint16_t o1[4], o2[4];
      pk_rope_rot4(x1, x2, hb, *reinterpret_cast<const float4 *>(&pre.bias[4 * u]), *reinterpret_cast<const float4 *>(&pre.bias[8 + 4 * u]),
                   *reinterpret_cast<const float4 *>(&pre.cs[t][i]), *reinterpret_cast<const float4 *>(&pre.cs[t][half + i]), o1, o2);
      pk_st_bf4(row + i, o1);
      pk_st_bf4(row + half + i, o2);
      if (h >= r.q_heads && slot >= 0) pk_rope_cache_k(r, kv_row, D, half, slot, h - r.q_heads, i, o1, o2);
    } else {
      const int lc = u < 2 ? 4 * u : 8 + 4 * (u - 2), e0 = u < 2 ? j8 + 4 * u : half + j8 + 4 * (u - 2);
      const float4 a = *reinterpret_cast<const float4 *>(x + t * 16 + lc);
      uint16_t v[4] = {f2bf(a.x), f2bf(a.y), f2bf(a.z), f2bf(a.w)};  // exact: bf16 values
      pk_rope_v4(v, hb, *reinterpret_cast<const float4 *>(&pre.bias[lc]));
      pk_st_bf4(row + e0, v);
      if (slot >= 0) pk_rope_cache_v(r, kv_row, D, slot, h - hq, e0, v);
    }
  }
}

template <class C, int TRIG, int EPI = PK_EPI_NONE, bool ATTN = false>
static __device__ __forceinline__ void pk_gemm_stream_impl(const GemmParams &p, unsigned char *smem,
                                                           const RopeKvParams *rope = nullptr, const GemmAttnParams *attn = nullptr,
                                                           unsigned long long *amax_keys = nullptr) {
  constexpr bool SILU = EPI == PK_EPI_SILU, ROPE = EPI == PK_EPI_ROPE || EPI == PK_EPI_ROPE1, PAIR = EPI == PK_EPI_ROPEP;
  constexpr int MCAP = C::MCAP, BN = C::BN, BK = C::BK, S = C::STAGES, WM = C::WM, WN = C::WN, WK = C::WK;
  constexpr int THREADS = C::THREADS, CPR = C::CPR, TM = C::TM, TN = C::TN, MT = C::MT, NT = C::NT, KW = C::KW;
  constexpr int AROW = C::AROW, WROW = C::WROW, A_ST = C::A_ST, W_ST = C::W_ST;
  constexpr bool BULK = C::WLOAD == 2 && PK_STREAM_HAS_BULK;
  constexpr int RSTEP = THREADS / CPR;                      // rows between one thread's chunks
  constexpr int W_PER = BN / RSTEP, A_PER = (MCAP + RSTEP - 1) / RSTEP;
  // the rope fixup's column group: whole heads of up to 64 columns; on the half-width tiles two tiles' blocks meet
  // on one counter (v65), the last of their 2 x splits arrivals runs rope over both tiles' columns
  constexpr int RBN = BN < 64 ? 64 : BN, GT = RBN / BN;
  static_assert(RBN % BN == 0, "a rope group is whole tiles");

  if (p.m > MCAP || p.k % (p.splits * BK) != 0) __trap();  // host error (see the requirements above)
  // the fixup: partials, counters; the rope epilogue: whole heads per column tile, the 4-wide rope path
  const bool fixup = EPI == PK_EPI_ROPE || (EPI == PK_EPI_SILU && p.splits > 1);
  if (fixup && (p.partial == nullptr || p.tile_counters == nullptr)) __trap();
  if (ROPE && (RBN % rope->head_dim != 0 || (rope->head_dim & 7) != 0)) __trap();
  if (ROPE && GT > 1 && p.n % RBN != 0) __trap();  // host error: a head group would straddle the end
  if (EPI == PK_EPI_ROPE1 && p.splits != 1) __trap();  // host error: the direct rope form is never split
  if (EPI == PK_EPI_AMAX && (p.splits != 1 || amax_keys == nullptr)) __trap();  // host error: the argmax form is never split
  static_assert(EPI != PK_EPI_AMAX || WK == 1, "the argmax epilogue: one warp per output element");
  // host errors: the pair tile is never split and holds 8 pairs of one head (D a multiple of 16, <= 128, whole heads)
  if (PAIR && (p.splits != 1 || (rope->head_dim & 15) != 0 || rope->head_dim > 128 || p.n % rope->head_dim != 0)) __trap();
  static_assert(!PAIR || (C::BN == 16 && C::WLOAD != 2), "the pair tile: 16 cp.async-loaded weight rows");
  if constexpr (ATTN) {  // host errors: one k tile of whole heads of 64 in one kv head, 16-row capacity
    // the staging rows pk_attn_prologue lays out from weight stage 1 on: Q (BK + 8 halves), K and V (64 + 8 each) per row
    static_assert(EPI == PK_EPI_NONE && C::BK % 64 == 0 && MCAP == 16 &&
                      C::W_ST + MCAP * ((C::BK + 8) + 2 * (64 + 8)) * 2 <= C::STAGES * C::W_ST,
                  "the attention prologue: plain epilogue, staging in the idle weight stages 1..");
    const AttnParams &a = attn->attn;
    if (p.k != p.splits * BK || a.head_dim != 64 || a.kv_heads <= 0 || a.q_heads % a.kv_heads != 0 ||
        (a.q_heads / a.kv_heads) % (BK / 64) != 0 || p.k != a.q_heads * 64)
      __trap();
  }
  static_assert(!SILU || (C::TN % 16 == 0 && C::NT % 2 == 0), "gate/up column tiles in pairs per warp");
  // the fixup epilogues run in every warp (no k-warp early exit); the unsplit SiLU epilogue is per warp, so the
  // half-width tiles' k-warp 0 runs it alone after the k-warp sum (v40)
  static_assert(EPI == PK_EPI_NONE || WK == 1 || SILU || EPI == PK_EPI_ROPE || PAIR,
                "the fused epilogues run in every warp (the rope fixup keeps its k-warps through the fixup)");
  static_assert(EPI != PK_EPI_ROPE1 || GT == 1, "the direct rope form holds whole heads per tile");
  if (SILU && WK > 1 && p.splits > 1) __trap();  // host error: the half-width SiLU forms are never split
  const int m_eff = min(p.m, *p.m_dev);  // host-written metadata
  const int bn = blockIdx.x * BN;
  if (TRIG == PK_TRIG_ENTRY) pk_pdl_launch();
  if (m_eff <= 0 || bn >= p.n) { pk_pdl_wait(); return; }
  const int kz = p.k / p.splits, kbeg = blockIdx.z * kz, ktiles = kz / BK;

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int wn = warp % WN, wm = (warp / WN) % WM, wk = warp / (WN * WM);
  const uint32_t sW = smem_u32(smem), sA = sW + S * W_ST, sBar = sW + C::BAR_OFF;

  // Load mapping: thread copies chunk (tid % CPR) of rows tid / CPR + i * RSTEP. Each chunk's source at k = kbeg (wsrc,
  // asrc) and byte count (16, or 0: zero-filled, nothing read; the source then points into the slice's first row) are
  // found once, before the PDL wait, so a stage's copy is its chunk's source plus kt * BK: at 16 rows the copies' 64-bit
  // address arithmetic (a multiply-add and a mask test per chunk and stage) was about half of the warps' instructions
  // after the wait (s23 call 1, v59).
  const int lrow = tid / CPR, lch = tid % CPR;
  const uint16_t *wsrc[W_PER], *asrc[A_PER];
  uint32_t w_soff[W_PER], a_soff[A_PER];
  int wsz[W_PER], asz[A_PER];
#pragma unroll
  for (int i = 0; i < W_PER; i++) {
    const int r = lrow + i * RSTEP;
    const bool ok = bn + r < p.n;
    const int gr = PAIR ? pk_pair_row(bn, r, rope->head_dim) : bn + r;  // the pair tile's rows (n % D == 0: all in range)
    w_soff[i] = pk_st_swz(r, lch, WROW);
    wsz[i] = ok ? 16 : 0;
    wsrc[i] = p.b + (size_t)(ok ? gr : 0) * p.ldb + kbeg + lch * 8;
  }
#pragma unroll
  for (int i = 0; i < A_PER; i++) {
    const int r = lrow + i * RSTEP;
    const bool ok = r < m_eff && r < MCAP;
    a_soff[i] = pk_st_swz(r, lch, AROW);
    asz[i] = ok ? 16 : 0;
    asrc[i] = p.a + (size_t)(ok ? r : 0) * p.lda + kbeg + lch * 8;
    pk_keep(asrc[i]);  // used after the wait only: keep its arithmetic here
    pk_keep(asz[i]);
  }

  auto load_w = [&](int st, int kt) {
    if constexpr (BULK) {
#if PK_STREAM_HAS_BULK
      if (warp == 0) {
        const int rows = min(BN, p.n - bn);
        const uint32_t bar = sBar + st * 8;
        if (lane == 0) pk_mbar_expect_tx(bar, (uint32_t)rows * BK * 2);
        __syncwarp();
        for (int r = lane; r < rows; r += 32)
          pk_bulk_g2s(sW + st * W_ST + r * WROW, p.b + (size_t)(bn + r) * p.ldb + kbeg + kt * BK, BK * 2, bar);
      }
#endif
    } else {
      const uint32_t dst = sW + st * W_ST;
#pragma unroll
      for (int i = 0; i < W_PER; i++) {
        if (C::WLOAD == 1) cp_async16_pf256(dst + w_soff[i], wsrc[i] + kt * BK, wsz[i] != 0);
        else cp_async16n(dst + w_soff[i], wsrc[i] + kt * BK, wsz[i]);
      }
    }
  };
  auto load_a = [&](int st, int kt) {
    const uint32_t dst = sA + st * A_ST;
#pragma unroll
    for (int i = 0; i < A_PER; i++) {
      if (MCAP % RSTEP != 0 && lrow + i * RSTEP >= MCAP) continue;
      cp_async16n(dst + a_soff[i], asrc[i] + kt * BK, asz[i]);
    }
  };

#if PK_STREAM_HAS_BULK
  if constexpr (BULK) {
    if (tid == 0) {
      for (int s = 0; s < S; s++) pk_mbar_init(sBar + s * 8, 1);
      asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
    __syncthreads();
  }
#endif

#if PK_STREAM_HAS_BULK
  if constexpr (C::WLOAD == 3) {  // the whole weight slice towards L2 through the copy engine, at once
    if (warp == 0)
      for (int r = lane; r < BN && bn + r < p.n; r += 32) pk_bulk_prefetch_l2(p.b + (size_t)(bn + r) * p.ldb + kbeg, (uint32_t)kz * 2);
  }
#endif
  // Weights first (never written by kernels), then wait for the producer of A (PDL).
#pragma unroll
  for (int s = 0; s < S - 1; s++)
    if (s < ktiles) load_w(s, s);
  // The rope epilogue's inputs that no kernel writes (host-written positions and slots, the RoPE table, the
  // bias): loaded now, so the fixup's tail holds only the partial sums' round trip.
  const int rbn = (blockIdx.x / GT) * RBN;  // the rope group's first column (rope forms only)
  if constexpr (ROPE) pk_rope_preload<MCAP, RBN, THREADS>(pk_rope_pre<MCAP, RBN>(), *rope, rbn, m_eff);
  if constexpr (PAIR) pk_rope_pair_preload<MCAP, THREADS>(pk_rope_pair_pre<MCAP>(), *rope, bn, m_eff);
  if constexpr (ATTN) pk_attn_pro_rows_load<MCAP, THREADS>(attn->attn, attn->num_seqs, m_eff, pk_attn_pro_rows<MCAP>());
  pk_pdl_wait();
  if constexpr (ATTN) {  // A from the attention prologue (one k tile: every A stage of the block is stage 0)
    pk_attn_prologue<C>(attn->attn, pk_attn_pro_rows<MCAP>(), m_eff, kbeg, smem + W_ST, sA);
#pragma unroll
    for (int s = 0; s < S - 1; s++) cp_async_commit();  // the cp.async path's group count (group 0: the weights)
  } else if constexpr (C::ALOAD == 1) {
    uint4 av[S - 1][A_PER];  // every prologue A chunk in flight at once
#pragma unroll
    for (int s = 0; s < S - 1; s++)
#pragma unroll
      for (int i = 0; i < A_PER; i++) {
        av[s][i] = make_uint4(0u, 0u, 0u, 0u);
        if (s < ktiles && asz[i] != 0) av[s][i] = pk_ld_cg16(asrc[i] + s * BK);
      }
    if (TRIG == PK_TRIG_AFTER_A) pk_pdl_launch();
#pragma unroll
    for (int s = 0; s < S - 1; s++) {
#pragma unroll
      for (int i = 0; i < A_PER; i++)
        if (MCAP % RSTEP == 0 || lrow + i * RSTEP < MCAP)
          pk_st_shared16(sA + s * A_ST + a_soff[i], av[s][i]);  // zeros past m_eff
      cp_async_commit();  // keeps the group count of the cp.async path (group 0 holds the weight prologue)
    }
  } else {
#pragma unroll
    for (int s = 0; s < S - 1; s++) {
      if (s < ktiles) load_a(s, s);
      cp_async_commit();
    }
    if (TRIG == PK_TRIG_AFTER_A) pk_pdl_launch();
  }

  // ldmatrix lane geometry (see gemm.cu): A x4 = rows lane & 15, chunk +(lane >> 4);
  // W x4 = rows ((lane >> 4) & 1) * 8 + (lane & 7), chunk +((lane >> 3) & 1).
  const int a_r = wm * TM + (lane & 15), a_c = lane >> 4;
  const int w_r = wn * TN + ((lane >> 4) & 1) * 8 + (lane & 7), w_c = (lane >> 3) & 1;
  bool mt_on[MT];
#pragma unroll
  for (int mt = 0; mt < MT; mt++) mt_on[mt] = wm * TM + mt * 16 < m_eff;

  float acc[MT][NT][4];
#pragma unroll
  for (int mt = 0; mt < MT; mt++)
#pragma unroll
    for (int nt = 0; nt < NT; nt++) acc[mt][nt][0] = acc[mt][nt][1] = acc[mt][nt][2] = acc[mt][nt][3] = 0.f;

  int st = 0;
  for (int kt = 0; kt < ktiles; kt++) {
    cp_async_wait<S - 2>();
    __syncthreads();  // stage kt landed for every thread; stage kt - 1 is free
    {
      const int nk = kt + S - 1;
      const int ld = st == 0 ? S - 1 : st - 1;  // == nk % S
      if (nk < ktiles) { load_w(ld, nk); load_a(ld, nk); }
      cp_async_commit();
    }
#if PK_STREAM_HAS_BULK
    if constexpr (BULK) pk_mbar_wait(sBar + st * 8, (uint32_t)(kt / S) & 1u);
#endif
    const uint32_t a_st = sA + st * A_ST, w_st = sW + st * W_ST;
#pragma unroll
    for (int kk = 0; kk < KW; kk++) {
      constexpr int KS0 = C::KS0;
      const int ks = (kk / KS0) * (KS0 * WK) + wk * KS0 + kk % KS0;  // k16 step within the stage (wk * KW + kk where KORD == BK)
      uint32_t af[MT][4], bf[NT][2];
#pragma unroll
      for (int mt = 0; mt < MT; mt++)
        if (mt_on[mt])
          ldmatrix_x4(af[mt][0], af[mt][1], af[mt][2], af[mt][3], a_st + pk_st_swz(a_r + mt * 16, ks * 2 + a_c, AROW));
#pragma unroll
      for (int np = 0; np < NT / 2; np++) {
        const int r = w_r + np * 16, ch = ks * 2 + w_c;
        const uint32_t off = BULK ? (uint32_t)(r * WROW + ch * 16) : pk_st_swz(r, ch, WROW);
        ldmatrix_x4(bf[2 * np][0], bf[2 * np][1], bf[2 * np + 1][0], bf[2 * np + 1][1], w_st + off);
      }
#pragma unroll
      for (int mt = 0; mt < MT; mt++)
        if (mt_on[mt])
#pragma unroll
          for (int nt = 0; nt < NT; nt++) mma_bf16_16816(acc[mt][nt], af[mt], bf[nt][0], bf[nt][1]);
    }
    st = st == S - 1 ? 0 : st + 1;
  }
  cp_async_wait<0>();
  if (TRIG == PK_TRIG_END) pk_pdl_launch();

  if constexpr (WK > 1) {  // add the k-warps' sums in warp order through (now idle) smem
    float *red = reinterpret_cast<float *>(smem);
    constexpr int PER = MT * NT * 4;
    const int plane = wm * WN + wn;
    __syncthreads();
    if (wk > 0) {
#pragma unroll
      for (int mt = 0; mt < MT; mt++)
#pragma unroll
        for (int nt = 0; nt < NT; nt++)
#pragma unroll
          for (int e = 0; e < 4; e++)
            red[(((wk - 1) * WM * WN + plane) * PER + (mt * NT + nt) * 4 + e) * 32 + lane] = acc[mt][nt][e];
    }
    __syncthreads();
    // the rope fixup needs every thread (its barriers, its loops): there the k-warps > 0 stay and skip the sum and the
    // partial store; elsewhere they leave here
    if (EPI != PK_EPI_ROPE && !PAIR && wk > 0) return;
#pragma unroll
    for (int j = 1; j < WK; j++)
#pragma unroll
      for (int mt = 0; mt < MT; mt++)
#pragma unroll
        for (int nt = 0; nt < NT; nt++)
#pragma unroll
          for (int e = 0; e < 4; e++)
            if ((EPI != PK_EPI_ROPE && !PAIR) || wk == 0)
              acc[mt][nt][e] = __fadd_rn(acc[mt][nt][e], red[(((j - 1) * WM * WN + plane) * PER + (mt * NT + nt) * 4 + e) * 32 + lane]);
  }

  const int g = lane >> 2, t4 = lane & 3;
  if constexpr (EPI == PK_EPI_ROPE1) {
    pk_rope_direct<C>(p, *rope, pk_rope_pre<MCAP, BN>(), acc, smem, bn, m_eff, wm, wn, g, t4);
    return;
  }
  if constexpr (PAIR) {
    pk_rope_pair<C>(p, *rope, pk_rope_pair_pre<MCAP>(), acc, smem, bn, m_eff, wk, g, t4);
    return;
  }
  if (EPI != PK_EPI_NONE && fixup) {
    constexpr int grp = EPI == PK_EPI_ROPE ? GT : 1;  // blocks of tiles that meet on one counter
    if (EPI != PK_EPI_ROPE || WK == 1 || wk == 0) pk_stream_store_partial<C>(p, acc, bn, m_eff, wm, wn, g, t4);
    if (!pk_fixup_last(p.tile_counters + blockIdx.x / grp, p.splits * grp)) return;
    const size_t plane = (size_t)p.m * p.n;
    if constexpr (EPI == PK_EPI_SILU) {
      // silu_mul's chunks: 8 outputs from one group of 8 gate and 8 up columns (col % 16 == 0)
      constexpr int GPT = BN / 16;
      for (int it = tid; it < m_eff * GPT; it += THREADS) {
        const int row = it / GPT, col = bn + (it - row * GPT) * 16;
        if (col >= p.n) continue;
        const size_t base = (size_t)row * p.n + col;
        const uint4 gv = pk_sum_partial8<4, true>(p.partial, plane, p.splits, base);
        const uint4 uv = pk_sum_partial8<4, true>(p.partial, plane, p.splits, base + PREFILL_GATE_UP_GROUP);
        *reinterpret_cast<uint4 *>(p.c + (size_t)row * p.ldc + (col >> 1)) = pk_silu_mul8(gv, uv);
      }
    } else {
      pk_rope_fixup<C, RBN>(p, *rope, pk_rope_pre<MCAP, RBN>(), smem, rbn, m_eff, plane);
    }
    return;
  }
  if constexpr (SILU) {
#pragma unroll
    for (int mt = 0; mt < MT; mt++) {
#pragma unroll
      for (int h = 0; h < 2; h++) {
        const int row = wm * TM + mt * 16 + g + h * 8;
        if (row >= m_eff) continue;
#pragma unroll
        for (int nt = 0; nt < NT; nt += 2) {
          const int col = bn + wn * TN + nt * 8 + 2 * t4;  // a gate column: (col & 15) < 8
          if (col >= p.n) continue;
          const int j = ((col >> 4) << 3) + (col & 7);
          const float g0 = bf2f(f2bf(acc[mt][nt][2 * h])), g1 = bf2f(f2bf(acc[mt][nt][2 * h + 1]));
          const float u0 = bf2f(f2bf(acc[mt][nt + 1][2 * h])), u1 = bf2f(f2bf(acc[mt][nt + 1][2 * h + 1]));
          *reinterpret_cast<uint32_t *>(p.c + (size_t)row * p.ldc + j) = pack_bf2(pk_silu_mul(g0, u0), pk_silu_mul(g1, u1));
        }
      }
    }
  } else if (p.splits > 1) {
    if constexpr (EPI == PK_EPI_CSUM) pk_stream_cluster_sum<C>(p, acc, smem, bn, m_eff, wm, wn, g, t4);
    else pk_stream_store_partial<C>(p, acc, bn, m_eff, wm, wn, g, t4);
  } else {
#pragma unroll
    for (int mt = 0; mt < MT; mt++) {
#pragma unroll
      for (int h = 0; h < 2; h++) {
        const int row = wm * TM + mt * 16 + g + h * 8;
        if (row >= m_eff) continue;
#pragma unroll
        for (int nt = 0; nt < NT; nt++) {
          const int col = bn + wn * TN + nt * 8 + 2 * t4;
          if (col >= p.n) continue;
          *reinterpret_cast<uint32_t *>(p.c + (size_t)row * p.ldc + col) = pack_bf2(acc[mt][nt][2 * h], acc[mt][nt][2 * h + 1]);
        }
      }
    }
    if constexpr (EPI == PK_EPI_AMAX) {
      // each row's best key over the block's columns: the thread's stored values, the row's 4 threads (t4), then the WN
      // column warps through shared memory; one thread per row then joins keys[row] only if its key beats the one there
      // (v87.1: ERNIE's 1616 blocks x 4 warps x 16 atomics on one 128-byte line serialized in one L2 slice, 62.2 against
      // 50.9 us for the GEMM alone; a stale read only lets a needless atomic through, never drops a winner)
      __shared__ unsigned long long amax_sm[WN][MCAP];
#pragma unroll
      for (int mt = 0; mt < MT; mt++) {
#pragma unroll
        for (int h = 0; h < 2; h++) {
          const int row = wm * TM + mt * 16 + g + h * 8;
          unsigned long long best = 0ull;
#pragma unroll
          for (int nt = 0; nt < NT; nt++) {
            const int col = bn + wn * TN + nt * 8 + 2 * t4;
            if (col >= p.n) continue;
            const uint32_t v = pack_bf2(acc[mt][nt][2 * h], acc[mt][nt][2 * h + 1]);  // the stored bf16 pair
            best = max(best, max(pk_amax_key(bf_lo(v), col), pk_amax_key(bf_hi(v), col + 1)));
          }
          best = max(best, __shfl_xor_sync(0xffffffffu, best, 1));
          best = max(best, __shfl_xor_sync(0xffffffffu, best, 2));
          if (t4 == 0) amax_sm[wn][row] = best;
        }
      }
      __syncthreads();
      for (int row = tid; row < m_eff; row += THREADS) {
        unsigned long long best = 0ull;
#pragma unroll
        for (int w = 0; w < WN; w++) best = max(best, amax_sm[w][row]);
        if (best > __ldcg(amax_keys + row)) atomicMax(amax_keys + row, best);
      }
    }
  }
}

extern __shared__ __align__(128) unsigned char pk_stream_smem[];  // C::SMEM bytes (dynamic)

// Any configuration as a kernel (the check harness sweeps these; the named kernels below are the
// ones the engine loads).
template <class C, int TRIG>
__global__ void __launch_bounds__(C::THREADS) gemm_bf16_stream_t(GemmParams p) {
  pk_gemm_stream_impl<C, TRIG>(p, pk_stream_smem);
}

// The exported configurations. Launch: grid (n / 64, 1, splits), 128 threads, dynamic shared memory
// PREFILL_GEMM_STREAM_SMEM_Mxx bytes (the host raises the kernel's limit once), p.m <= xx,
// (k / splits) % 64 == 0. Chosen on an H200 (kernels/NOTES-gemm-stream.md, call 3): per bucket the
// configuration with the lowest sum over the four ERNIE-4.5-0.3B layer GEMMs at their best splits.
typedef PkStreamCfg<16, 64, 64, 6, 1, 4, 1, 0> PkStreamM16;
typedef PkStreamCfg<32, 64, 64, 6, 1, 4, 1, 0> PkStreamM32;
typedef PkStreamCfg<64, 64, 64, 6, 2, 2, 1, 0> PkStreamM64;
// The PREFILL_GEMM_STREAM_* launch constants live in prefill_kernels.h (Java reads them from the bindings); each exported
// configuration must match its smem, block size and tile there.
template <class C>
__host__ __device__ constexpr bool pk_stream_exported(int smem, int bn, int bk) {
  return C::SMEM == smem && C::THREADS == PREFILL_GEMM_STREAM_THREADS && C::BN == bn && C::BK == bk;
}
static_assert(pk_stream_exported<PkStreamM16>(PREFILL_GEMM_STREAM_SMEM_M16, PREFILL_GEMM_STREAM_BN, PREFILL_GEMM_STREAM_BK) &&
                  pk_stream_exported<PkStreamM32>(PREFILL_GEMM_STREAM_SMEM_M32, PREFILL_GEMM_STREAM_BN, PREFILL_GEMM_STREAM_BK) &&
                  pk_stream_exported<PkStreamM64>(PREFILL_GEMM_STREAM_SMEM_M64, PREFILL_GEMM_STREAM_BN, PREFILL_GEMM_STREAM_BK),
              "exported streaming configurations");

// The LM head's argmax folded into its epilogue (v87, GemmAmaxParams): the plain tiles at one split, C's bits unchanged.
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_amax(GemmAmaxParams p) {
  pk_gemm_stream_impl<PkStreamM16, PK_TRIG_ENTRY, PK_EPI_AMAX>(p.gemm, pk_stream_smem, nullptr, nullptr, reinterpret_cast<unsigned long long *>(p.keys));
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32_amax(GemmAmaxParams p) {
  pk_gemm_stream_impl<PkStreamM32, PK_TRIG_ENTRY, PK_EPI_AMAX>(p.gemm, pk_stream_smem, nullptr, nullptr, reinterpret_cast<unsigned long long *>(p.keys));
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64_amax(GemmAmaxParams p) {
  pk_gemm_stream_impl<PkStreamM64, PK_TRIG_ENTRY, PK_EPI_AMAX>(p.gemm, pk_stream_smem, nullptr, nullptr, reinterpret_cast<unsigned long long *>(p.keys));
}

// Half-width column tiles (BN 32, BK 128, two warps per column pair split over each stage's k): at half the splits a
// GEMM keeps the plain kernel's block count, so the weights stream at the same rate, and writes half the fp32
// partial planes — whose drain its consumer pays (s12 call 7 and s13 call 1: ~0.8 us per MB written before a link).
// The shapes the sixth session swept (n32k128s6 wk2 / n32k128s5 wk2; kernels/results-stream/call3-check.txt).
typedef PkStreamCfg<16, 32, 128, 6, 1, 2, 2, 0> PkStreamM16N32;
typedef PkStreamCfg<32, 32, 128, 5, 1, 2, 2, 0> PkStreamM32N32;
typedef PkStreamCfg<64, 32, 128, 4, 1, 2, 2, 0> PkStreamM64N32;
static_assert(pk_stream_exported<PkStreamM16N32>(PREFILL_GEMM_STREAM_N32_SMEM_M16, PREFILL_GEMM_STREAM_N32_BN, PREFILL_GEMM_STREAM_N32_BK) &&
                  pk_stream_exported<PkStreamM32N32>(PREFILL_GEMM_STREAM_N32_SMEM_M32, PREFILL_GEMM_STREAM_N32_BN, PREFILL_GEMM_STREAM_N32_BK) &&
                  pk_stream_exported<PkStreamM64N32>(PREFILL_GEMM_STREAM_N32_SMEM_M64, PREFILL_GEMM_STREAM_N32_BN, PREFILL_GEMM_STREAM_N32_BK),
              "exported half-width streaming configurations");

extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N32, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
// The half-width 16-row form with the attention that feeds o as its prologue (v74; GemmAttnParams in prefill_kernels.h):
// fresh prompts at <= 16 rows, k / splits == 128 (two q heads of 64 per block).
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32_attn(GemmAttnParams p) {
  pk_gemm_stream_impl<PkStreamM16N32, PK_TRIG_ENTRY, PK_EPI_NONE, true>(p.gemm, pk_stream_smem, nullptr, &p);
}
// The attention-into-o form on the plain 16-row tile's 64 columns with one k step of 256 per block (v79): the four q heads of
// one kv head where the group is 4 (Llama-3.2-1B: 32 q / 8 kv heads), k / 256 splits — the plain kernel's own block count for
// its o at 16 (32 column tiles x 8 splits), where the half-width fold needs 16 splits x 64 tiles (v75.1: 1024 blocks each
// recomputing two heads lost 11.6 %). Two stages: the block's whole weight slice (32 KB) is issued before the PDL wait and
// the idle second stage stages Q, K and V. Warps as the plain M16 (1 x 4 x 1): the same k order, so the same GEMM bits.
// Measured (s37): Llama short +0.1 %, ERNIE's o at 4 splits -0.1..-0.7 % — an option, not bundled (NOTES-forward v79).
typedef PkStreamCfg<16, 64, 256, 2, 1, 4, 1, 0> PkStreamM16K256;
static_assert(pk_stream_exported<PkStreamM16K256>(PREFILL_GEMM_STREAM_K256_SMEM_M16, PREFILL_GEMM_STREAM_BN, PREFILL_GEMM_STREAM_K256_BK),
              "exported k256 attention-into-o configuration");
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_k256_attn(GemmAttnParams p) {
  pk_gemm_stream_impl<PkStreamM16K256, PK_TRIG_ENTRY, PK_EPI_NONE, true>(p.gemm, pk_stream_smem, nullptr, &p);
}
// 16-column tiles at 16 rows (v75): BK 128, four warps per stage's k (added in warp order), nine stages, so a k of 1024 has
// its whole slice issued before the PDL wait. The plain form is the pair form's unfused reference and a measurements row's
// choice; the _rope1 form runs a qkv GEMM unsplit with rope_kv_write on the block's own sums (PK_EPI_ROPEP).
typedef PkStreamCfg<16, 16, 128, 9, 1, 1, 4, 0> PkStreamM16N16;
static_assert(pk_stream_exported<PkStreamM16N16>(PREFILL_GEMM_STREAM_N16_SMEM_M16, PREFILL_GEMM_STREAM_N16_BN, PREFILL_GEMM_STREAM_N32_BK),
              "exported 16-column streaming configuration");
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n16(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N16, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n16_rope1(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM16N16, PK_TRIG_ENTRY, PK_EPI_ROPEP>(p.gemm, pk_stream_smem, &p.rope);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32_n32(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM32N32, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64_n32(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM64N32, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM32, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM64, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
// PK_STREAM_SILU_TRIG: when the SiLU forms let the next kernel launch (the harness builds a probe with
// PK_TRIG_END to test whether the down GEMM's early launch is what the fused chain pays for; the fatbin keeps
// PK_TRIG_ENTRY).
#ifndef PK_STREAM_SILU_TRIG
#define PK_STREAM_SILU_TRIG PK_TRIG_ENTRY
#endif
// The same three with the SiLU * up epilogue (fusion silu_into_gate_up at buckets <= 64): grid (n / 64, 1, splits),
// b interleaved in groups of 8 rows, c = [m, ldc >= n / 2] receives silu(gate) * up (see PK_EPI_SILU above);
// split: p.partial and p.tile_counters as in prefill_kernels.h.
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16, PK_STREAM_SILU_TRIG, PK_EPI_SILU>(p, pk_stream_smem);
}
// The plain 16-row tile at five stages (v81): 51200 bytes of shared memory, so two of its blocks leave room for two of the
// next kernel's six-stage blocks (61440 each) on an SM where two six-stage blocks leave room for one: Llama-3.2-1B's down
// (256 blocks) then finds a slot for every block at gate_up's entry and prefetches its weights during gate_up's stream. The
// six-stage kernels' warps and k order: the same bits. Measured (s37): Llama's prompts -0.7..-1.2 %, its decode graph
// +4..+5 % — an option, not bundled (NOTES-forward v81).
typedef PkStreamCfg<16, 64, 64, 5, 1, 4, 1, 0> PkStreamM16S5;
static_assert(pk_stream_exported<PkStreamM16S5>(PREFILL_GEMM_STREAM_S5_SMEM_M16, PREFILL_GEMM_STREAM_BN, PREFILL_GEMM_STREAM_BK),
              "exported five-stage 16-row configuration");
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16s5(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16S5, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16s5_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16S5, PK_STREAM_SILU_TRIG, PK_EPI_SILU>(p, pk_stream_smem);
}
// The plain 16-row tile with 128-deep k stages at four stages (s38): 16 KB of weights per stage instead of 8 KB, so a block
// waits and synchronizes once per 16 KB (NOTES-gemm-stream call 2's probes: a block's copy rate rises with its stage size),
// 81920 bytes of shared memory (two blocks per SM). Four warps over the columns, none over k: the k16 steps in the six-stage
// kernel's order, so its bits. kernel_check ringk (s38 call 2), PDL back to back on Llama-3.2-1B's shapes at 16: gate_up
// SiLU 17.2 us against 20.6, down s8 6.7 against 7.4, qkv s4 4.0 against 4.3, o s8 3.3 against 3.4.
typedef PkStreamCfg<16, 64, 128, 4, 1, 4, 1, 0> PkStreamM16K128S4;
static_assert(pk_stream_exported<PkStreamM16K128S4>(PREFILL_GEMM_STREAM_K128S4_SMEM_M16, PREFILL_GEMM_STREAM_BN, PREFILL_GEMM_STREAM_N32_BK),
              "exported 128-deep four-stage 16-row configuration");
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16k128s4(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16K128S4, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16k128s4_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16K128S4, PK_STREAM_SILU_TRIG, PK_EPI_SILU>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM32, PK_STREAM_SILU_TRIG, PK_EPI_SILU>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM64, PK_STREAM_SILU_TRIG, PK_EPI_SILU>(p, pk_stream_smem);
}
// The half-width forms with the SiLU * up epilogue (v40; fusion silu_into_gate_up at buckets <= 64 where gate_up runs the
// _n32 kernel, never split): grid (n / 32, 1, 1), b interleaved in groups of 8 rows (a warp's 16 columns are one gate and
// one up group), c = [m, ldc >= n / 2]; bit for bit the unsplit _n32 kernel followed by silu_mul (group 8). At 16 rows the
// _n32 gate_up already streams unsplit with 192 blocks, so the fusion keeps its block count (v9's fused 64-column tile
// halved it) and drops silu_mul's link.
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N32, PK_TRIG_ENTRY, PK_EPI_SILU>(p, pk_stream_smem);
}
// The half-width 16-row tile at nine stages (v80): a k of 1024 (8 steps of 128) is issued whole before the PDL wait, as
// the 16-column tile's (v75), so a GEMM after a link that streams nothing (ERNIE's gate_up after post_norm) has its whole
// weight slice in flight while that link runs, where six stages leave 3 of 8 steps for after the wait. 108 KB of shared
// memory: two blocks per SM. The arithmetic is the six-stage kernel's (same warps, same k order): the same bits.
// Measured (s37): ERNIE short +5.5 % (the next kernel's blocks no longer fit beside two of these) — an option (NOTES-forward v80).
typedef PkStreamCfg<16, 32, 128, 9, 1, 2, 2, 0> PkStreamM16N32S9;
static_assert(pk_stream_exported<PkStreamM16N32S9>(PREFILL_GEMM_STREAM_N32S9_SMEM_M16, PREFILL_GEMM_STREAM_N32_BN, PREFILL_GEMM_STREAM_N32_BK),
              "exported nine-stage half-width configuration");
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32s9(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N32S9, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32s9_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N32S9, PK_TRIG_ENTRY, PK_EPI_SILU>(p, pk_stream_smem);
}
// The 16-row half-width tile with 256-deep stages (s39): 16 KB of weights per stage, the per-block copy rate v83 bought the
// plain tile, at the half-width tile's block count; each stage two 128-deep k blocks divided over the k-warps as
// PkStreamM16N32's stages are (KORD 128), so the same bits. Three stages keep the six-stage kernel's 72 KB; four take 96 KB.
typedef PkStreamCfg<16, 32, 256, 3, 1, 2, 2, 0, 0, 128> PkStreamM16N32K256S3;
typedef PkStreamCfg<16, 32, 256, 4, 1, 2, 2, 0, 0, 128> PkStreamM16N32K256S4;
static_assert(pk_stream_exported<PkStreamM16N32K256S3>(PREFILL_GEMM_STREAM_N32K256S3_SMEM_M16, PREFILL_GEMM_STREAM_N32_BN, PREFILL_GEMM_STREAM_K256_BK) &&
                  pk_stream_exported<PkStreamM16N32K256S4>(PREFILL_GEMM_STREAM_N32K256S4_SMEM_M16, PREFILL_GEMM_STREAM_N32_BN, PREFILL_GEMM_STREAM_K256_BK),
              "exported 256-deep half-width configurations");
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32k256s3(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N32K256S3, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32k256s3_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N32K256S3, PK_TRIG_ENTRY, PK_EPI_SILU>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32k256s4(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N32K256S4, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32k256s4_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16N32K256S4, PK_TRIG_ENTRY, PK_EPI_SILU>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32_n32_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM32N32, PK_TRIG_ENTRY, PK_EPI_SILU>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64_n32_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM64N32, PK_TRIG_ENTRY, PK_EPI_SILU>(p, pk_stream_smem);
}
// The same three with the split-K reduced in a cluster (PK_EPI_CSUM above; launched with cluster dims (1, 1, splits);
// splits = 1 behaves as the plain kernel): selectable by a measurements row (lost end to end: NOTES-forward v36).
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_csum(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM16, PK_TRIG_ENTRY, PK_EPI_CSUM>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32_csum(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM32, PK_TRIG_ENTRY, PK_EPI_CSUM>(p, pk_stream_smem);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64_csum(GemmParams p) {
  pk_gemm_stream_impl<PkStreamM64, PK_TRIG_ENTRY, PK_EPI_CSUM>(p, pk_stream_smem);
}
// The same three with rope_kv_write as the epilogue (fusion rope_into_qkv at buckets <= 64): grid (n / 64, 1, splits),
// always through the split-K fixup (see PK_EPI_ROPE above and GemmRopeParams in prefill_kernels.h); the _rope1 forms,
// unsplit only, on the block's own accumulators (PK_EPI_ROPE1).
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_rope(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM16, PK_TRIG_ENTRY, PK_EPI_ROPE>(p.gemm, pk_stream_smem, &p.rope);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32_rope(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM32, PK_TRIG_ENTRY, PK_EPI_ROPE>(p.gemm, pk_stream_smem, &p.rope);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64_rope(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM64, PK_TRIG_ENTRY, PK_EPI_ROPE>(p.gemm, pk_stream_smem, &p.rope);
}
// The half-width forms with rope_kv_write through the fixup (v65; fusion rope_into_qkv where qkv runs the _n32 kernel):
// grid (n / 32, 1, splits), n % 64 == 0; the two tiles of a 64-column head group share counter blockIdx.x / 2 and the
// last of their 2 x splits blocks runs rope over both, reading the planes of both tiles. Bits: the _n32 kernel at the same
// splits + rope_kv_write reading its partials (kernel_check rope_fused).
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_n32_rope(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM16N32, PK_TRIG_ENTRY, PK_EPI_ROPE>(p.gemm, pk_stream_smem, &p.rope);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32_n32_rope(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM32N32, PK_TRIG_ENTRY, PK_EPI_ROPE>(p.gemm, pk_stream_smem, &p.rope);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64_n32_rope(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM64N32, PK_TRIG_ENTRY, PK_EPI_ROPE>(p.gemm, pk_stream_smem, &p.rope);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m16_rope1(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM16, PK_TRIG_ENTRY, PK_EPI_ROPE1>(p.gemm, pk_stream_smem, &p.rope);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m32_rope1(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM32, PK_TRIG_ENTRY, PK_EPI_ROPE1>(p.gemm, pk_stream_smem, &p.rope);
}
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) gemm_bf16_stream_m64_rope1(GemmRopeParams p) {
  pk_gemm_stream_impl<PkStreamM64, PK_TRIG_ENTRY, PK_EPI_ROPE1>(p.gemm, pk_stream_smem, &p.rope);
}
