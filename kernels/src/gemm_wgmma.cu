// Hopper GEMMs: C[m, n] = A[m, k] * B[n, k]^T (TN, bf16 in, fp32 accumulate) on wgmma.mma_async, for the row
// capacities where the forward is a tensor-core problem (buckets > 64). sm_90a only: on other targets the kernels trap,
// and Java (TmaTile) refuses them on any device but compute capability 9.0.
//
// Two mainloops over the same tiles and epilogues:
//   pk_wg_gemm_block  operands by cp.async from every thread (STAGES, LAG template parameters; no tensor maps). The
//                     first form (kernels/NOTES-forward.md v24), kept as the harness's baseline, exported by no kernel.
//   pk_wg_tma_block   operands by TMA from one producer warpgroup, mbarrier full/empty per stage, the stage count a
//                     launch parameter: the gemm_bf16_tma_<BM>x<BN>[_silu] kernels the forward runs (v25).
//   block       BM x BN, BM / 64 consumer warpgroups of 128 threads, each owning 64 rows x BN columns of fp32
//               accumulators; k in steps of BK = 64 (one 128-byte smem row per operand row: the wgmma 128-byte
//               swizzle atom is 8 such rows, which is also the layout TMA's 128-byte swizzle writes)
//   epilogues   those of gemm.cu: the accumulator layout of m64nNk16 is, per thread, N / 8 fragments of the mma.sync
//               m16n8 C layout (column 8 j + 2 (lane % 4), row lane / 4 and + 8 in warp w's 16 rows), so PkStoreBf16,
//               PkStorePartial and PkSiluMulBf16 take the accumulators as float[N / 8][4]
//
// Determinism: an output element's value is the fixed sequence of the block's k16 wgmma steps over its split, in
// ascending k; tile, stages and splits are chosen in Java from the capture size and the weight shape (a measurements
// row), never from the real row count, so eager and graph of one bucket give the same bits. Rows >= m_eff are never
// stored (the cp.async form zero-fills them; TMA reads whatever the capacity rows hold: rows are independent). The
// bits differ from gemm.cu's mma.sync kernels (the tensor core's order within a k16 step differs), as cuBLASLt's do.
#include "wgmma_ops.cuh"

#ifndef PK_WG_LAG
#define PK_WG_LAG 1
#endif
template <int BM_, int BN_, int STAGES_, int LAG_ = PK_WG_LAG>
struct PkWgTile {
  static constexpr int BM = BM_, BN = BN_, BK = 64, STAGES = STAGES_, LAG = LAG_, AHEAD = STAGES - 1 - LAG;
  static constexpr int WGS = BM / 64, THREADS = 128 * WGS;
  static constexpr int A_ST = BM * BK * 2, B_ST = BN * BK * 2;  // bytes per stage
  static constexpr int SMEM = STAGES * (A_ST + B_ST) + 1024;    // + 1024: the base aligned to the swizzle atom
  static constexpr int NLA = BM * 8 / THREADS;                  // 16-byte chunks per thread and stage
  static constexpr int NLB = (BN * 8 + THREADS - 1) / THREADS;
  static constexpr int RSTEP = THREADS / 8;                     // rows between one thread's chunks
  static_assert(BM == 64 || BM == 128, "one or two consumer warpgroups");
  static_assert(BN % 16 == 0 && BN >= 64 && BN <= 256, "wgmma n in 16s (the SiLU epilogue pairs 8-column groups)");
  static_assert((LAG == 0 || LAG == 1) && AHEAD >= 1, "at least one tile ahead");
  static_assert(SMEM <= 227 * 1024, "fits the opt-in shared memory");
};

// Shared-memory matrix descriptor of a K-major operand tile in the 128-byte swizzle layout (row r's 16-byte chunk c
// at r * 128 + ((c ^ (r % 8)) << 4), 1024-byte aligned atoms of 8 rows): start address, stride between 8-row atoms
// (1024 bytes), layout type 1 = 128-byte swizzle; the leading offset is unused for swizzled K-major layouts.
PK_DEV uint64_t pk_wg_desc(uint32_t saddr) {
  return (uint64_t)((saddr & 0x3FFFF) >> 4) | ((uint64_t)(1024 >> 4) << 32) | ((uint64_t)1 << 62);
}
PK_DEV void pk_wg_fence() {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#endif
}
PK_DEV void pk_wg_commit() {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
#endif
}
template <int N> PK_DEV void pk_wg_wait() {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
#endif
}
// cp.async writes through the generic proxy, wgmma reads through the async proxy: each thread fences its own
// landed copies before the barrier that publishes the stage.
PK_DEV void pk_fence_proxy_async() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
#endif
}
// Keeps the compiler from moving accumulator accesses across an async wgmma (CUTLASS's fence_operand idea).
template <int R> PK_DEV void pk_wg_fence_regs(float *d) {
#pragma unroll
  for (int i = 0; i < R; i++) asm volatile("" : "+f"(d[i])::"memory");
}

// One stage's k tile (4 k16 steps) of wgmma into acc, committed as one group: the step both mainloops issue. Descriptor
// addresses advance 32 bytes (2 in units of 16) per k16 step.
template <class T>
PK_DEV void pk_wg_mma_stage(float *acc, uint64_t da0, uint64_t db0, int st) {
  pk_wg_fence_regs<T::BN / 2>(acc);
  pk_wg_fence();
#pragma unroll
  for (int kk = 0; kk < 4; kk++)
    PkWgmma<T::BN>::mma(acc, da0 + (uint64_t)((st * T::A_ST + kk * 32) >> 4), db0 + (uint64_t)((st * T::B_ST + kk * 32) >> 4), 1);
  pk_wg_commit();
  pk_wg_fence_regs<T::BN / 2>(acc);
}

// The epilogue of both mainloops: warpgroup wg's accumulators (64 rows x BN) as gemm.cu's float[BN / 8][4] fragments,
// stored by Epi row by row, rows >= m_eff skipped.
template <class T, class Epi>
PK_DEV void pk_wg_store(const GemmParams &p, const float *acc, int wg, int warp, int lane, int bm, int bn, int m_eff) {
  const int g = lane >> 2, t4 = lane & 3;
  const float(&frag)[T::BN / 8][4] = *reinterpret_cast<const float(*)[T::BN / 8][4]>(acc);
#pragma unroll
  for (int h = 0; h < 2; h++) {
    const int row = bm + wg * 64 + warp * 16 + g + h * 8;
    if (row < m_eff) Epi::template store<T::BN / 8>(p, row, bn + 2 * t4, frag, h);
  }
}

template <class T, class Epi>
static __device__ __forceinline__ void pk_wg_gemm_block(const GemmParams &p, uint8_t *smem_raw) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  const int m_eff = min(p.m, *p.m_dev);  // host-written metadata
  const int bm = blockIdx.y * T::BM, bn = blockIdx.x * T::BN;
  if (bm >= m_eff || bn >= p.n) { pk_pdl_wait(); return; }
  const int kz = Epi::kSplitK ? p.k / p.splits : p.k;
  const int kbeg = Epi::kSplitK ? blockIdx.z * kz : 0;
  const int ktiles = kz / T::BK;  // Java guarantees (k / splits) % 64 == 0
  const int tid = threadIdx.x, wg = tid >> 7, lane = tid & 31, warp = (tid >> 5) & 3;

  const uint32_t base = (smem_u32(smem_raw) + 1023u) & ~1023u;
  const uint32_t sA = base, sB = base + T::STAGES * T::A_ST;
  const int lrow = tid >> 3, lch = tid & 7;
  const uint32_t soff = (uint32_t)(lrow * 128 + ((lch ^ (lrow & 7)) << 4));  // + RSTEP rows keep the phase
  const uint16_t *ga = p.a + (size_t)(bm + lrow) * p.lda + kbeg + lch * 8;
  const uint16_t *gb = p.b + (size_t)(bn + lrow) * p.ldb + kbeg + lch * 8;
  uint32_t amask = 0, bmask = 0;
#pragma unroll
  for (int i = 0; i < T::NLA; i++) amask |= (bm + lrow + i * T::RSTEP < m_eff) ? 1u << i : 0u;
#pragma unroll
  for (int i = 0; i < T::NLB; i++)
    bmask |= (lrow + i * T::RSTEP < T::BN && bn + lrow + i * T::RSTEP < p.n) ? 1u << i : 0u;
  auto load_a = [&](int st, int kt) {
#pragma unroll
    for (int i = 0; i < T::NLA; i++) {
      const bool ok = (amask >> i) & 1;
      cp_async16(sA + st * T::A_ST + soff + i * T::RSTEP * 128, ok ? ga + (size_t)i * T::RSTEP * p.lda + kt * T::BK : p.a, ok);
    }
  };
  auto load_b = [&](int st, int kt) {
#pragma unroll
    for (int i = 0; i < T::NLB; i++) {
      if (lrow + i * T::RSTEP >= T::BN) break;
      const bool ok = (bmask >> i) & 1;
      cp_async16(sB + st * T::B_ST + soff + i * T::RSTEP * 128, ok ? gb + (size_t)i * T::RSTEP * p.ldb + kt * T::BK : p.b, ok);
    }
  };

  float acc[T::BN / 2];
#pragma unroll
  for (int i = 0; i < T::BN / 2; i++) acc[i] = 0.f;

  // Weights first (never written by kernels), then wait for the producer of A (PDL).
#pragma unroll
  for (int s = 0; s < T::AHEAD; s++)
    if (s < ktiles) load_b(s, s);
  pk_pdl_wait();
#pragma unroll
  for (int s = 0; s < T::AHEAD; s++) {
    if (s < ktiles) load_a(s, s);
    cp_async_commit();
  }
  const uint64_t da0 = pk_wg_desc(sA + wg * 64 * 128), db0 = pk_wg_desc(sB);
  int st = 0, ld_st = T::AHEAD;
  for (int kt = 0; kt < ktiles; kt++) {
    cp_async_wait<T::AHEAD - 1>();
    pk_fence_proxy_async();
    __syncthreads();  // stage st landed for every thread; every warpgroup's wgmma of tile kt - 1 - LAG has completed
    const int nk = kt + T::AHEAD;
    if (nk < ktiles) { load_a(ld_st, nk); load_b(ld_st, nk); }
    cp_async_commit();
    ld_st = ld_st == T::STAGES - 1 ? 0 : ld_st + 1;
    pk_wg_mma_stage<T>(acc, da0, db0, st);
    pk_wg_wait<T::LAG>();
    st = st == T::STAGES - 1 ? 0 : st + 1;
  }
  pk_wg_wait<0>();
  pk_wg_fence_regs<T::BN / 2>(acc);
  cp_async_wait<0>();
  pk_pdl_launch();

  pk_wg_store<T, Epi>(p, acc, wg, warp, lane, bm, bn, m_eff);
#else
  (void)p; (void)smem_raw;
  __trap();  // built without sm_90a: Java never picks these kernels there
#endif
}

template <class T, class Epi>
static __device__ __forceinline__ void pk_wg_kernel_body(const GemmParams &p) {
  extern __shared__ __align__(1024) uint8_t pk_wg_smem[];
  pk_wg_gemm_block<T, Epi>(p, pk_wg_smem);
}

// ================================================================ TMA, warp-specialized
// The same tiles and epilogues with the operands brought in by the tensor memory accelerator: one producer
// warpgroup (one thread issues a 2-D bulk tensor copy per operand and stage, completion counted in bytes on the
// stage's full barrier), BM / 64 consumer warpgroups (wgmma on the stage, then an arrival on its empty barrier once
// the wgmma that read it has completed). No __syncthreads in the loop, every stage's tile in flight, the copies need no
// issue slots of the consumers. Weights' copies for the first stages' tiles are issued before the PDL wait.
// mbarrier init / expect_tx / wait: gemm_stream.cu's helpers.
PK_DEV void pk_mbar_arrive(uint32_t bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
// Box {64 k, rows} at (k0, row0) of the tensor map into smem, completing `bar`'s transaction bytes.
PK_DEV void pk_tma_load_2d(uint32_t dst, const PkTensorMap *map, int k0, int row0, uint32_t bar) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];\n"
               ::"r"(dst), "l"(reinterpret_cast<uint64_t>(map)), "r"(k0), "r"(row0), "r"(bar) : "memory");
#endif
}

// Staged epilogue (v28) for the bf16 outputs (PkStoreBf16 at one split, PkSiluMulBf16): the tile goes through shared
// memory (the pipeline's stages, free once every consumer's last wgmma completed) and leaves in 16-byte stores of whole
// row segments, instead of each thread's 4-byte pairs (half a 32-byte sector each, 48 per thread for a 128 x 192 tile:
// 4.5 of that block's 13.3 us, s8 call 10). Same values: the same bf16 rounding (and SiLU arithmetic) as the direct
// stores, only where they are written from. PkStorePartial (split-K) keeps the direct stores.
// PkRopeBf16 (v29, the _rope kernels): qkv with rope_kv_write as its epilogue: the staged tile holds whole heads of
// bf16(acc), exactly what the unfused GEMM stores and rope_kv_write reads, then rope_kv_write's arithmetic
// (pk_rope_rot4 / pk_rope_v4, rope.cu) on them: q, k, v into qkv, k and v into the paged caches. Never split.
struct PkRopeBf16 {
  static constexpr bool kSplitK = false;
};
template <class Epi> struct PkStaged { static constexpr bool value = false, kSilu = false, kRope = false; };
template <> struct PkStaged<PkStoreBf16> { static constexpr bool value = true, kSilu = false, kRope = false; };
template <> struct PkStaged<PkSiluMulBf16> { static constexpr bool value = true, kSilu = true, kRope = false; };
template <> struct PkStaged<PkRopeBf16> { static constexpr bool value = true, kSilu = false, kRope = true; };
// An epilogue that takes the accumulators itself (Epi::finish): only kernels/check/gemm_wgmma_check.cu's cluster split-K
// forms (s30) define one; every kernel of the forward leaves this false, so their code does not change.
template <class Epi> struct PkFinishEpi { static constexpr bool value = false; };

// The rope epilogue's per-row inputs that no kernel writes (v51): each tile row's clamped position and cache slot,
// staged into static shared memory by the consumers before their PDL wait (the metadata is build_tile_map's copy,
// complete before any later kernel starts: the kernel after it launches without PDL). v29 read them after the
// mainloop, item by item, each a dependent chain position -> cos / sin behind the previous item's stores.
template <int BM>
struct PkWgRopeRows {
  int pos[BM];
  int slot[BM];
};
template <int BM>
static __device__ __forceinline__ PkWgRopeRows<BM> &pk_wg_rope_rows() {
  __shared__ __align__(16) PkWgRopeRows<BM> rows;  // only the _rope kernels call this
  return rows;
}
template <class T>
PK_DEV void pk_wg_rope_stage_rows(const RopeKvParams &r, int ctid, int bm, int m_eff) {
  PkWgRopeRows<T::BM> &sr = pk_wg_rope_rows<T::BM>();
  for (int i = ctid; i < T::BM; i += T::THREADS) {
    const int t = bm + i;
    int pos = 0, slot = -1;
    if (t < m_eff) {
      pos = pk_rope_pos(r, t);
      slot = r.slot_mapping[t];
    }
    sr.pos[i] = pos;
    sr.slot[i] = slot;
  }
}

// The rope items of a staged qkv tile (whole heads: BN % head_dim == 0): per valid row, qpr items of 4 rotation
// pairs per q / k head and vpr items of 4 elements per v head, as rope_kv_write's 4-wide path (pk_rope_quad_item).
// A thread takes its items PK_WG_ROPE_CHUNK at a time: every global load of the chunk (cos / sin, bias) is issued
// before the first store, so a chunk costs one L2 round trip, not one per item.
#define PK_WG_ROPE_CHUNK 4
template <class T>
PK_DEV void pk_wg_rope_staged(const GemmParams &p, const RopeKvParams &r, const uint8_t *stage, int srow, int ctid, int bm, int bn,
                              int m_eff) {
  const int D = r.head_dim, half = D >> 1, qpr = half >> 2, vpr = D >> 2, hq = r.q_heads + r.kv_heads;
  const int h0 = bn / D, nh = T::BN / D, rows = min(T::BM, m_eff - bm);
  const size_t kv_row = (size_t)r.kv_heads * D;
  const bool hb = r.bias != nullptr;
  const float4 zero = make_float4(0.f, 0.f, 0.f, 0.f);
  const PkWgRopeRows<T::BM> &sr = pk_wg_rope_rows<T::BM>();
  int per = 0;  // items per row of this tile
  for (int h = h0; h < h0 + nh; h++) per += h < hq ? qpr : vpr;
  const int total = rows * per;
  for (int it0 = ctid; it0 < total; it0 += PK_WG_ROPE_CHUNK * T::THREADS) {
    int tl[PK_WG_ROPE_CHUNK], hh[PK_WG_ROPE_CHUNK], ii[PK_WG_ROPE_CHUNK];
    float4 c[PK_WG_ROPE_CHUNK], s[PK_WG_ROPE_CHUNK], b1[PK_WG_ROPE_CHUNK], b2[PK_WG_ROPE_CHUNK];
#pragma unroll
    for (int j = 0; j < PK_WG_ROPE_CHUNK; j++) {  // loads
      const int it = it0 + j * T::THREADS;
      tl[j] = -1;
      if (it >= total) continue;
      tl[j] = it / per;
      int li = it - tl[j] * per, h = h0;
      for (; li >= (h < hq ? qpr : vpr); h++) li -= h < hq ? qpr : vpr;
      hh[j] = h;
      if (h < hq) {
        const int i = li * 4;
        ii[j] = i;
        const float *cs = r.cos_sin + (size_t)sr.pos[tl[j]] * D;
        c[j] = *reinterpret_cast<const float4 *>(cs + i);
        s[j] = *reinterpret_cast<const float4 *>(cs + half + i);
        b1[j] = hb ? pk_ld_bf4(r.bias + h * D + i) : zero;
        b2[j] = hb ? pk_ld_bf4(r.bias + h * D + half + i) : zero;
      } else {
        ii[j] = li * 4;
        b1[j] = hb ? pk_ld_bf4(r.bias + h * D + li * 4) : zero;
      }
    }
#pragma unroll
    for (int j = 0; j < PK_WG_ROPE_CHUNK; j++) {  // arithmetic and stores
      if (tl[j] < 0) continue;
      const int t = bm + tl[j], h = hh[j], i = ii[j];
      const uint16_t *xr = reinterpret_cast<const uint16_t *>(stage + tl[j] * srow) + (h - h0) * D;
      uint16_t *row = p.c + (size_t)t * p.ldc + h * D;
      const int slot = sr.slot[tl[j]];
      if (h < hq) {
        const float4 a = pk_ld_bf4(xr + i), b = pk_ld_bf4(xr + half + i);
        float x1[4] = {a.x, a.y, a.z, a.w}, x2[4] = {b.x, b.y, b.z, b.w};
        uint16_t o1[4], o2[4];
        pk_rope_rot4(x1, x2, hb, b1[j], b2[j], c[j], s[j], o1, o2);
        pk_st_bf4(row + i, o1);
        pk_st_bf4(row + half + i, o2);
        if (h >= r.q_heads && slot >= 0) pk_rope_cache_k(r, kv_row, D, half, slot, h - r.q_heads, i, o1, o2);
      } else {
        const uint2 raw = *reinterpret_cast<const uint2 *>(xr + i);  // the bf16 bits the unfused GEMM would store
        uint16_t v[4] = {(uint16_t)raw.x, (uint16_t)(raw.x >> 16), (uint16_t)raw.y, (uint16_t)(raw.y >> 16)};
        pk_rope_v4(v, hb, b1[j]);
        pk_st_bf4(row + i, v);
        if (slot >= 0) pk_rope_cache_v(r, kv_row, D, slot, h - hq, i, v);
      }
    }
  }
}

template <class T, class Epi>
PK_DEV void pk_wg_epilogue_staged(const GemmParams &p, const float *acc, uint8_t *stage, int ctid, int bm, int bn, int m_eff,
                                  const RopeKvParams *rope) {
  constexpr bool kSilu = PkStaged<Epi>::kSilu;
  constexpr int OUTC = kSilu ? T::BN / 2 : T::BN;  // output columns of the tile
  constexpr int SROW = OUTC * 2 + 16;               // staged row bytes (+16: rows 4 banks apart for the 4-byte writes)
  const int wg = ctid >> 7, lane = ctid & 31, warp = (ctid >> 5) & 3, g = lane >> 2, t4 = lane & 3;
  asm volatile("bar.sync 1, %0;\n" ::"n"(T::THREADS) : "memory");  // every consumer's wgmma is done with the stages
#pragma unroll
  for (int h = 0; h < 2; h++) {
    const int r = wg * 64 + warp * 16 + g + h * 8;
    uint8_t *row = stage + r * SROW;
    if constexpr (kSilu) {
#pragma unroll
      for (int j = 0; j < T::BN / 8; j += 2) {  // fragment j: gate columns, j + 1: the same outputs' up columns
        const float g0 = bf2f(f2bf(acc[j * 4 + 2 * h])), g1 = bf2f(f2bf(acc[j * 4 + 2 * h + 1]));
        const float u0 = bf2f(f2bf(acc[(j + 1) * 4 + 2 * h])), u1 = bf2f(f2bf(acc[(j + 1) * 4 + 2 * h + 1]));
        *reinterpret_cast<uint32_t *>(row + ((j >> 1) * 8 + 2 * t4) * 2) = pack_bf2(pk_silu_mul(g0, u0), pk_silu_mul(g1, u1));
      }
    } else {
#pragma unroll
      for (int j = 0; j < T::BN / 8; j++)
        *reinterpret_cast<uint32_t *>(row + (j * 8 + 2 * t4) * 2) = pack_bf2(acc[j * 4 + 2 * h], acc[j * 4 + 2 * h + 1]);
    }
  }
  asm volatile("bar.sync 1, %0;\n" ::"n"(T::THREADS) : "memory");
  if constexpr (PkStaged<Epi>::kRope) {
    pk_wg_rope_staged<T>(p, *rope, stage, SROW, ctid, bm, bn, m_eff);
    return;
  }
  constexpr int CPR = OUTC / 8;  // 16-byte chunks per row
  const int col0 = kSilu ? bn / 2 : bn;
  for (int c = ctid; c < T::BM * CPR; c += T::THREADS) {
    const int r = c / CPR, ch = c % CPR;
    if (bm + r < m_eff)
      *reinterpret_cast<uint4 *>(p.c + (size_t)(bm + r) * p.ldc + col0 + ch * 8) = *reinterpret_cast<const uint4 *>(stage + r * SROW + ch * 16);
  }
}

// The stage count is a launch parameter (GemmTmaParams.stages, 2..PK_TMA_MAX_STAGES): the smem a tile's stages take
// decides how many fit, and which depth is fastest depends on the shape (Java's TmaTile names it per implementation).
#define PK_TMA_MAX_STAGES 16
template <class T>
PK_DEV uint32_t pk_wg_tma_smem_bytes(int stages) { return (uint32_t)(stages * (T::A_ST + T::B_ST) + 1024 + 16 * stages); }

// PK_WG_TRACE (harness builds only): per block, clock64 stamps of the phases of the first consumer thread and of the
// producer, in pk_wg_trace[block][8] (kernels/check/gemm_wgmma_check.cu "trace").
#ifdef PK_WG_TRACE
__device__ unsigned long long pk_wg_trace[4096][8];
#define PK_WG_T(i, v) pk_wg_trace[blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z)][i] = (v)
#else
#define PK_WG_T(i, v) ((void)0)
#endif
PK_DEV unsigned long long pk_clock() {
  unsigned long long c;
  asm volatile("mov.u64 %0, %%clock64;" : "=l"(c));
  return c;
}

template <class T, class Epi>
static __device__ __forceinline__ void pk_wg_tma_block(const GemmTmaParams &tp, uint8_t *smem_raw, const RopeKvParams *rope) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
#ifdef PK_WG_TRACE
  const unsigned long long t_entry = pk_clock();
#endif
  const GemmParams &p = tp.gemm;
  const int S = tp.stages;
  uint32_t smem_bytes;
  asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(smem_bytes));
  // the launch's smem must hold the stages it asks for (Java's TmaTile computes both): a mismatch traps, never corrupts
  if (S < 2 || S > PK_TMA_MAX_STAGES || smem_bytes < pk_wg_tma_smem_bytes<T>(S)) __trap();
  // the rope epilogue takes whole heads per tile and the 4-wide path; one split (Java's fusion rule checks both)
  if constexpr (PkStaged<Epi>::kRope) {
    if (rope->head_dim <= 0 || T::BN % rope->head_dim != 0 || (rope->head_dim & 7) != 0 || tp.gemm.splits != 1) __trap();
  }
  const int m_eff = min(p.m, *p.m_dev);  // host-written metadata
  const int bm = blockIdx.y * T::BM, bn = blockIdx.x * T::BN;
  if (bm >= m_eff || bn >= p.n) { pk_pdl_wait(); return; }
  const int kz = Epi::kSplitK ? p.k / p.splits : p.k;
  const int kbeg = Epi::kSplitK ? blockIdx.z * kz : 0;
  const int ktiles = kz / T::BK;
  const int tid = threadIdx.x;
  const uint32_t base = (smem_u32(smem_raw) + 1023u) & ~1023u;
  const uint32_t sA = base, sB = base + S * T::A_ST;
  const uint32_t full = sB + S * T::B_ST, empty = full + 8 * S;  // mbarriers, 8 bytes each
  if (tid == 0) {
    for (int s = 0; s < S; s++) { pk_mbar_init(full + 8 * s, 1); pk_mbar_init(empty + 8 * s, T::THREADS); }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
  }
  __syncthreads();

  if (tid < 128) {  // producer warpgroup: one thread issues every copy
    if (tid == 0) {
      const int pre = min(S, ktiles);
      for (int kt = 0; kt < pre; kt++) {
        pk_mbar_expect_tx(full + 8 * kt, T::A_ST + T::B_ST);
        pk_tma_load_2d(sB + kt * T::B_ST, &tp.tmap_b, kbeg + kt * T::BK, bn, full + 8 * kt);
      }
      pk_pdl_wait();
      for (int kt = 0; kt < pre; kt++) pk_tma_load_2d(sA + kt * T::A_ST, &tp.tmap_a, kbeg + kt * T::BK, bm, full + 8 * kt);
      int s = pre % S, ph = pre / S;  // stage and its use count (phase) of tile kt, without a division per tile
#ifdef PK_WG_TRACE
      unsigned long long t_empty = 0;
#endif
      for (int kt = pre; kt < ktiles; kt++) {
#ifdef PK_WG_TRACE
        const unsigned long long t0 = pk_clock();
        pk_mbar_wait(empty + 8 * s, (ph - 1) & 1);
        t_empty += pk_clock() - t0;
#else
        pk_mbar_wait(empty + 8 * s, (ph - 1) & 1);
#endif
        pk_mbar_expect_tx(full + 8 * s, T::A_ST + T::B_ST);
        pk_tma_load_2d(sB + s * T::B_ST, &tp.tmap_b, kbeg + kt * T::BK, bn, full + 8 * s);
        pk_tma_load_2d(sA + s * T::A_ST, &tp.tmap_a, kbeg + kt * T::BK, bm, full + 8 * s);
        if (++s == S) { s = 0; ph++; }
      }
#ifdef PK_WG_TRACE
      PK_WG_T(6, t_empty);
      PK_WG_T(7, pk_clock() - t_entry);
#endif
    } else {
      pk_pdl_wait();
    }
    return;
  }
  // consumers
  const int ctid = tid - 128, wg = ctid >> 7, lane = ctid & 31, warp = (ctid >> 5) & 3;
  if constexpr (PkStaged<Epi>::kRope) pk_wg_rope_stage_rows<T>(*rope, ctid, bm, m_eff);  // metadata: before the wait
  pk_pdl_wait();  // before any global write (the chain's contract); the producer already waited for A
  float acc[T::BN / 2];
#pragma unroll
  for (int i = 0; i < T::BN / 2; i++) acc[i] = 0.f;
  const uint64_t da0 = pk_wg_desc(sA + wg * 64 * 128), db0 = pk_wg_desc(sB);
  int s = 0, ph = 0, prev = -1;
#ifdef PK_WG_TRACE
  unsigned long long t_full = 0, t_first = 0, t_mma = 0;
  const unsigned long long t_loop = pk_clock();
#endif
  for (int kt = 0; kt < ktiles; kt++) {
#ifdef PK_WG_TRACE
    const unsigned long long t0 = pk_clock();
    pk_mbar_wait(full + 8 * s, ph & 1);
    const unsigned long long t1 = pk_clock();
    t_full += t1 - t0;
    if (kt == 0) t_first = t1 - t_entry;
#else
    pk_mbar_wait(full + 8 * s, ph & 1);
#endif
    pk_wg_mma_stage<T>(acc, da0, db0, s);
#ifdef PK_WG_TRACE
    const unsigned long long t2 = pk_clock();
    pk_wg_wait<1>();  // the wgmma of tile kt - 1 has completed: its stage may be refilled
    t_mma += pk_clock() - t2;
#else
    pk_wg_wait<1>();  // the wgmma of tile kt - 1 has completed: its stage may be refilled
#endif
    if (prev >= 0) pk_mbar_arrive(empty + 8 * prev);
    prev = s;
    if (++s == S) { s = 0; ph++; }
  }
  pk_wg_wait<0>();
  pk_wg_fence_regs<T::BN / 2>(acc);
  pk_pdl_launch();
#ifdef PK_WG_TRACE
  const unsigned long long t_end_loop = pk_clock();
#endif

  if constexpr (PkFinishEpi<Epi>::value) {
    // the stages (free: every tile landed, every wgmma done once the consumers meet) and the bytes after the barriers
    Epi::template finish<T>(p, acc, smem_raw + (base - smem_u32(smem_raw)), empty + 8 * S, smem_u32(smem_raw) + smem_bytes, ctid, bm, bn, m_eff);
  } else if constexpr (PkStaged<Epi>::value) {
    pk_wg_epilogue_staged<T, Epi>(p, acc, smem_raw + (base - smem_u32(smem_raw)), ctid, bm, bn, m_eff, rope);
  } else {
    pk_wg_store<T, Epi>(p, acc, wg, warp, lane, bm, bn, m_eff);
  }
#ifdef PK_WG_TRACE
  if (ctid == 0) {
    PK_WG_T(0, t_first);                    // entry -> first tile landed
    PK_WG_T(1, t_full);                     // waiting for tiles, all k tiles
    PK_WG_T(2, t_mma);                      // waiting for the previous wgmma group, all k tiles
    PK_WG_T(3, t_end_loop - t_loop);        // the k loop
    PK_WG_T(4, pk_clock() - t_end_loop);    // epilogue
    PK_WG_T(5, pk_clock() - t_entry);       // the block
  }
#endif
#else
  (void)tp; (void)smem_raw; (void)rope;
  __trap();
#endif
}

template <class T, class Epi>
static __device__ __forceinline__ void pk_wg_tma_body(const GemmTmaParams &p, const RopeKvParams *rope = nullptr) {
  extern __shared__ __align__(1024) uint8_t pk_wg_tma_smem_raw[];
  pk_wg_tma_block<T, Epi>(p, pk_wg_tma_smem_raw, rope);
}

// Kernels: gemm_bf16_tma_<BM>x<BN> (bf16 C, or fp32 partials when splits > 1) and gemm_bf16_tma_<BM>x<BN>_silu (gate/up
// with the SiLU * up epilogue, b interleaved in groups of 8 rows, never split), GemmTmaParams. Grid (n / BN,
// ceil(m / BM), splits), 128 + 2 BM threads, stages (BM + BN) 128 + 1024 + 16 stages bytes of dynamic shared memory
// (io.prefillbench.forward.TmaTile computes the same; a launch with less smem traps). n % BN == 0,
// (k / splits) % 64 == 0; the tensor maps' boxes are {64, BM} and {64, BN}.
#define PK_TMA_KERNELS(BM, BN)                                                                                        \
  extern "C" __global__ void __launch_bounds__(2 * BM + 128, 1) gemm_bf16_tma_##BM##x##BN(const __grid_constant__ GemmTmaParams p) { \
    if (p.gemm.splits > 1) pk_wg_tma_body<PkWgTile<BM, BN, 3, 1>, PkStorePartial>(p);                                 \
    else pk_wg_tma_body<PkWgTile<BM, BN, 3, 1>, PkStoreBf16>(p);                                                       \
  }                                                                                                                   \
  extern "C" __global__ void __launch_bounds__(2 * BM + 128, 1)                                                       \
      gemm_bf16_tma_##BM##x##BN##_silu(const __grid_constant__ GemmTmaParams p) {                                     \
    pk_wg_tma_body<PkWgTile<BM, BN, 3, 1>, PkSiluMulBf16>(p);                                                         \
  }

// gemm_bf16_tma_<BM>x<BN>_rope (GemmTmaRopeParams): the qkv GEMM with rope_kv_write as its staged epilogue, never split;
// for the tiles whose columns hold whole heads of head_dim 64 (rope_into_qkv at buckets with a TMA qkv row).
#define PK_TMA_ROPE_KERNEL(BM, BN)                                                                                    \
  extern "C" __global__ void __launch_bounds__(2 * BM + 128, 1)                                                       \
      gemm_bf16_tma_##BM##x##BN##_rope(const __grid_constant__ GemmTmaRopeParams p) {                                 \
    pk_wg_tma_body<PkWgTile<BM, BN, 3, 1>, PkRopeBf16>(p.tma, &p.rope);                                               \
  }

#ifndef PK_WG_NO_DEFAULT_KERNELS
// The tiles the harness (kernels/check/gemm_wgmma_check.cu, s8 call 2) found fastest for some layer GEMM of
// ERNIE-4.5-0.3B or Llama-3.2-1B at 128..512 rows.
PK_TMA_KERNELS(64, 64)
PK_TMA_KERNELS(64, 80)
PK_TMA_KERNELS(64, 128)
PK_TMA_KERNELS(64, 256)
PK_TMA_KERNELS(128, 64)
PK_TMA_KERNELS(128, 96)
PK_TMA_KERNELS(128, 128)
PK_TMA_KERNELS(128, 192)
PK_TMA_KERNELS(128, 256)
PK_TMA_ROPE_KERNEL(64, 64)
PK_TMA_ROPE_KERNEL(128, 64)
PK_TMA_ROPE_KERNEL(64, 128)
#endif
