// GEMM kernels: C[m, n] = A[m, k] * B[n, k]^T ("TN": both operands k-contiguous), bf16 in, fp32 accumulate.
// One mainloop (pk_gemm_tile) parameterised by a tile shape and an epilogue functor:
//
//   tile      block      BK  stages  warps (m x n)  warp tile  used by
//   PkTile64  64 x 64    32  6       2 x 2          32 x 32    gemm_bf16, gemm_bf16_silu (48 KB static smem)
//   PkTileM16 16 x 64    32  9       1 x 4          16 x 16    the same kernels when the block's row capacity <= 16
//   PkTile128 128 x 128  64  3       2 x 4          64 x 32    gemm_bf16_large, gemm_bf16_large_silu (96 KB dynamic)
//
//   epilogue        writes
//   PkStoreBf16     C as bf16 (splits == 1)
//   PkStorePartial  fp32 split-K partial[z, row, col] (splits > 1; summed in order by the consumer)
//   PkSiluMulBf16   out[row, j] = bf16(silu(g) * u), g and u the bf16-rounded GEMM outputs of gate column j
//                   and up column j; B's rows interleaved in groups of 8 (see below); never split
//
// mma.sync m16n8k16 with ldmatrix from XOR-swizzled shared memory, a cp.async multistage pipeline, weight
// tiles prefetched before the PDL wait.
//
// Determinism: each output element is one fixed sequence of mma k16 steps over its split's k range, in
// ascending k, into one fp32 accumulator (the last tile of a BK = 64 split may hold 2 of its 4 steps:
// the missing ones are skipped, not added as zeros). Its value therefore depends only on (k, splits) and
// its own A row and B row, never on m, m_dev, the tile shape or the block position: every tile and path
// gives the same bits (this merge kept the k-step order of the former gemm.cu / gemm_large.cu kernels
// exactly, so their outputs are unchanged; kernel_check "legacy" compares them). Rows >= m_eff are
// zero-filled (not read) and never stored. Which tile a block uses follows the row capacity p.m, never
// *p.m_dev, so an eager run and a graph of one bucket take the same path.
#include "common.cuh"

template <int BM_, int BN_, int BK_, int STAGES_, int WARPS_M_, int WARPS_N_>
struct PkTile {
  static constexpr int BM = BM_, BN = BN_, BK = BK_, STAGES = STAGES_, WARPS_M = WARPS_M_, WARPS_N = WARPS_N_;
  static constexpr int THREADS = 32 * WARPS_M * WARPS_N;
  static constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;  // warp tile
  static constexpr int MI = WM / 16, NI = WN / 8;               // mma tiles per warp
  static constexpr int CPR = BK / 8;                            // 16-byte chunks per smem row
  static constexpr int RSTEP = THREADS / CPR;                   // rows between one thread's chunks
  static constexpr int NLA = (BM * CPR + THREADS - 1) / THREADS, NLB = (BN * CPR + THREADS - 1) / THREADS;
  static constexpr int A_ST = BM * BK * 2, B_ST = BN * BK * 2;  // bytes per stage
  static constexpr int SMEM = STAGES * (A_ST + B_ST);
  static constexpr int KSTEPS = BK / 16;
  static_assert(BK == 32 || BK == 64, "smem rows of 64 or 128 bytes");
  static_assert(WM % 16 == 0 && WN % 16 == 0, "warp tile of whole m16 x n16 pairs");
  static_assert(THREADS % CPR == 0 && RSTEP % 16 == 0, "a thread's chunks keep the swizzle phase");
  // Byte offset of 16-byte chunk ch of smem row `row`. BK = 32 (64-byte rows): chunk ^ ((row >> 1) & 3);
  // BK = 64 (128-byte rows): chunk ^ (row & 7). Either way ldmatrix (8 rows, one chunk column) and the
  // cp.async stores hit 8 distinct 16-byte bank groups; + 16 rows keep the phase.
  static __device__ __forceinline__ uint32_t swz(int row, int ch) {
    return BK == 32 ? (uint32_t)(row * 64 + ((ch ^ ((row >> 1) & 3)) << 4)) : (uint32_t)(row * 128 + ((ch ^ (row & 7)) << 4));
  }
};

using PkTile64 = PkTile<PREFILL_GEMM_BM, PREFILL_GEMM_BN, PREFILL_GEMM_BK, 6, 2, 2>;
// Small-m path (at most 16 rows of capacity in the block, e.g. decode-like buckets): the same 48 KB hold
// 9 stages of (16 A rows + 64 B rows), so far more weight bytes are in flight per block (the regime is
// weight-bandwidth bound). Same k16 steps, same row slot (row % 16) and column slot (col % 8): same bits.
using PkTileM16 = PkTile<16, PREFILL_GEMM_BN, PREFILL_GEMM_BK, PkTile64::SMEM / ((16 + PREFILL_GEMM_BN) * PREFILL_GEMM_BK * 2), 1, 4>;
using PkTile128 = PkTile<PREFILL_GEMM_LARGE_BM, PREFILL_GEMM_LARGE_BN, 64, 3, 2, 4>;
static_assert(PkTile64::THREADS == PREFILL_GEMM_THREADS && PkTileM16::THREADS == PREFILL_GEMM_THREADS, "gemm_bf16 block");
static_assert(PkTileM16::SMEM <= PkTile64::SMEM, "small-m stages fit the 64 x 64 kernel's smem");
static_assert(PkTile128::THREADS == PREFILL_GEMM_LARGE_THREADS && PkTile128::SMEM == PREFILL_GEMM_LARGE_SMEM, "gemm_bf16_large block");

// ---------------------------------------------------------------- epilogues
// store<NI>(p, row, col0, acc, h): one thread's outputs of one row: acc[ni][2h], acc[ni][2h + 1] are
// columns col0 + 8 ni and col0 + 8 ni + 1 (col0 = the warp's first column + 2 (lane % 4)).
// kSplitK: whether blockIdx.z selects a k split (p.splits of them); otherwise the block sums all of k.

struct PkStoreBf16 {
  static constexpr bool kSplitK = true;  // used with splits == 1 only (one split = all of k)
  template <int NI>
  static __device__ __forceinline__ void store(const GemmParams &p, int row, int col0, const float (&acc)[NI][4], int h) {
#pragma unroll
    for (int ni = 0; ni < NI; ni++) {
      const int col = col0 + ni * 8;
      if (col >= p.n) continue;
      *reinterpret_cast<uint32_t *>(p.c + (size_t)row * p.ldc + col) = pack_bf2(acc[ni][2 * h], acc[ni][2 * h + 1]);
    }
  }
};

struct PkStorePartial {
  static constexpr bool kSplitK = true;
  template <int NI>
  static __device__ __forceinline__ void store(const GemmParams &p, int row, int col0, const float (&acc)[NI][4], int h) {
#pragma unroll
    for (int ni = 0; ni < NI; ni++) {
      const int col = col0 + ni * 8;
      if (col >= p.n) continue;
      *reinterpret_cast<float2 *>(p.partial + ((size_t)blockIdx.z * p.m + row) * p.n + col) =
          make_float2(acc[ni][2 * h], acc[ni][2 * h + 1]);
    }
  }
};

// SiLU * up. B (n = 2 ffn rows) is interleaved in groups of 8 rows: B row 16 b + i is gate row 8 b + i,
// B row 16 b + 8 + i is up row 8 b + i (i < 8), so a warp's column tiles ni (even) and ni + 1 hold the
// gate and up columns of the same 8 outputs in the same thread: no shuffle. g and u are rounded to bf16
// first, exactly what the unfused GEMM stores and silu_mul reads, so the result equals GEMM + silu_mul
// (same splits = 1) bit for bit. Output c is [m, ldc] with ldc >= n / 2. Non-linear: never split.
struct PkSiluMulBf16 {
  static constexpr bool kSplitK = false;
  template <int NI>
  static __device__ __forceinline__ void store(const GemmParams &p, int row, int col0, const float (&acc)[NI][4], int h) {
    static_assert(NI % 2 == 0, "gate and up column tiles in pairs");
#pragma unroll
    for (int ni = 0; ni < NI; ni += 2) {
      const int col = col0 + ni * 8;  // a gate column: (col & 15) < 8 since the warp's columns start at a multiple of 16
      if (col >= p.n) continue;
      const int j = ((col >> 4) << 3) + (col & 7);
      const float g0 = bf2f(f2bf(acc[ni][2 * h])), g1 = bf2f(f2bf(acc[ni][2 * h + 1]));
      const float u0 = bf2f(f2bf(acc[ni + 1][2 * h])), u1 = bf2f(f2bf(acc[ni + 1][2 * h + 1]));
      *reinterpret_cast<uint32_t *>(p.c + (size_t)row * p.ldc + j) = pack_bf2(pk_silu_mul(g0, u0), pk_silu_mul(g1, u1));
    }
  }
};

// ---------------------------------------------------------------- the mainloop
// One block tile at (bm, bn) over k in [kbeg, kbeg + kz) (kz a multiple of 32), then epilogue Epi.
template <class T, class Epi>
static __device__ __forceinline__ void pk_gemm_tile(const GemmParams &p, uint16_t *smem, int m_eff, int bm, int bn, int kbeg,
                                                    int kz) {
  const int ktiles = (kz + T::BK - 1) / T::BK;
  const int last_steps = (kz - (ktiles - 1) * T::BK) / 16;  // k16 steps of the last tile
  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int wm = warp / T::WARPS_N, wn = warp % T::WARPS_N;
  const uint32_t sA = smem_u32(smem);
  const uint32_t sB = sA + T::STAGES * T::A_ST;

  // Loaders: chunk c = tid + i * THREADS is row c / CPR, chunk tid % CPR (the same for every i).
  const int lrow = tid / T::CPR, lch = tid % T::CPR;
  const uint16_t *ga = p.a + (size_t)(bm + lrow) * p.lda + kbeg + lch * 8;
  const uint16_t *gb = p.b + (size_t)(bn + lrow) * p.ldb + kbeg + lch * 8;
  const uint32_t soff = T::swz(lrow, lch);
  uint32_t amask = 0, bmask = 0;
#pragma unroll
  for (int i = 0; i < T::NLA; i++)
    amask |= (tid + i * T::THREADS < T::BM * T::CPR && bm + lrow + i * T::RSTEP < m_eff) ? 1u << i : 0u;
#pragma unroll
  for (int i = 0; i < T::NLB; i++)
    bmask |= (tid + i * T::THREADS < T::BN * T::CPR && bn + lrow + i * T::RSTEP < p.n) ? 1u << i : 0u;
  const bool a_thr = tid < T::BM * T::CPR;  // threads with an A chunk (all unless BM * CPR < THREADS)
  auto load_a = [&](int st, int kt) {
    if (!a_thr) return;
    const bool kok = kt * T::BK + lch * 8 < kz;
#pragma unroll
    for (int i = 0; i < T::NLA; i++) {
      const bool ok = kok && ((amask >> i) & 1);
      cp_async16(sA + st * T::A_ST + soff + i * T::RSTEP * T::BK * 2, ok ? ga + (size_t)i * T::RSTEP * p.lda + kt * T::BK : p.a, ok);
    }
  };
  auto load_b = [&](int st, int kt) {
    const bool kok = kt * T::BK + lch * 8 < kz;
#pragma unroll
    for (int i = 0; i < T::NLB; i++) {
      const bool ok = kok && ((bmask >> i) & 1);
      cp_async16(sB + st * T::B_ST + soff + i * T::RSTEP * T::BK * 2, ok ? gb + (size_t)i * T::RSTEP * p.ldb + kt * T::BK : p.b, ok);
    }
  };

  // ldmatrix byte offsets within a stage for k16 step kk; + 16 rows (mi, np) keep the swizzle phase.
  uint32_t a_off[T::KSTEPS], b_off[T::KSTEPS];
#pragma unroll
  for (int kk = 0; kk < T::KSTEPS; kk++) {
    a_off[kk] = T::swz(wm * T::WM + (lane & 15), kk * 2 + (lane >> 4));
    b_off[kk] = T::swz(wn * T::WN + ((lane >> 4) & 1) * 8 + (lane & 7), kk * 2 + ((lane >> 3) & 1));
  }
  const bool warp_active = bm + wm * T::WM < m_eff && bn + wn * T::WN < p.n;

  float acc[T::MI][T::NI][4];
#pragma unroll
  for (int mi = 0; mi < T::MI; mi++)
#pragma unroll
    for (int ni = 0; ni < T::NI; ni++) acc[mi][ni][0] = acc[mi][ni][1] = acc[mi][ni][2] = acc[mi][ni][3] = 0.f;

  // Weights first (never written by kernels), then wait for the producer of A (PDL).
#pragma unroll
  for (int s = 0; s < T::STAGES - 1; s++)
    if (s < ktiles) load_b(s, s);
  pk_pdl_wait();
#pragma unroll
  for (int s = 0; s < T::STAGES - 1; s++) {
    if (s < ktiles) load_a(s, s);
    cp_async_commit();
  }
  int st = 0, ld_st = T::STAGES - 1;
  for (int kt = 0; kt < ktiles; kt++) {
    cp_async_wait<T::STAGES - 2>();
    __syncthreads();
    const int nk = kt + T::STAGES - 1;
    if (nk < ktiles) { load_a(ld_st, nk); load_b(ld_st, nk); }
    cp_async_commit();
    ld_st = ld_st == T::STAGES - 1 ? 0 : ld_st + 1;
    const int nsteps = kt == ktiles - 1 ? last_steps : T::KSTEPS;
    if (warp_active) {
      const uint32_t a_st = sA + st * T::A_ST, b_st = sB + st * T::B_ST;
#pragma unroll
      for (int kk = 0; kk < T::KSTEPS; kk++) {
        if (kk >= nsteps) break;
        uint32_t af[T::MI][4], bf[T::NI][2];
#pragma unroll
        for (int mi = 0; mi < T::MI; mi++)
          ldmatrix_x4(af[mi][0], af[mi][1], af[mi][2], af[mi][3], a_st + a_off[kk] + mi * 16 * T::BK * 2);
#pragma unroll
        for (int np = 0; np < T::NI / 2; np++)
          ldmatrix_x4(bf[2 * np][0], bf[2 * np][1], bf[2 * np + 1][0], bf[2 * np + 1][1], b_st + b_off[kk] + np * 16 * T::BK * 2);
#pragma unroll
        for (int mi = 0; mi < T::MI; mi++)
#pragma unroll
          for (int ni = 0; ni < T::NI; ni++) mma_bf16_16816(acc[mi][ni], af[mi], bf[ni][0], bf[ni][1]);
      }
    }
    st = st == T::STAGES - 1 ? 0 : st + 1;
  }
  cp_async_wait<0>();
  pk_pdl_launch();
  if (!warp_active) return;

  const int g = lane >> 2, t4 = lane & 3;
#pragma unroll
  for (int mi = 0; mi < T::MI; mi++) {
#pragma unroll
    for (int h = 0; h < 2; h++) {
      const int row = bm + wm * T::WM + mi * 16 + g + h * 8;
      if (row >= m_eff) continue;
      Epi::template store<T::NI>(p, row, bn + wn * T::WN + 2 * t4, acc[mi], h);
    }
  }
}

// One block of a GEMM launched with grid (ceil(n / T::BN), ceil(m / T::BM), splits). SMALL_M: blocks whose
// row capacity p.m - bm is at most 16 run the 16-row tile (same BN, same smem).
template <class T, class Epi, bool SMALL_M>
static __device__ __forceinline__ void pk_gemm_block(const GemmParams &p, uint16_t *smem) {
  const int m_eff = min(p.m, *p.m_dev);  // host-written metadata
  const int bm = blockIdx.y * T::BM;
  const int bn = blockIdx.x * T::BN;
  if (bm >= m_eff || bn >= p.n) { pk_pdl_wait(); return; }
  const int kz = Epi::kSplitK ? p.k / p.splits : p.k;
  const int kbeg = Epi::kSplitK ? blockIdx.z * kz : 0;
  if constexpr (SMALL_M) {
    if (p.m - bm <= 16) {  // capacity, not the real count
      pk_gemm_tile<PkTile<16, T::BN, T::BK, T::SMEM / ((16 + T::BN) * T::BK * 2), 1, T::BN / 16>, Epi>(p, smem, m_eff, bm, bn, kbeg, kz);
      return;
    }
  }
  pk_gemm_tile<T, Epi>(p, smem, m_eff, bm, bn, kbeg, kz);
}

// ---------------------------------------------------------------- kernels
// gemm_bf16 / gemm_bf16_large: GemmParams contract of prefill_kernels.h (bf16 C, or fp32 partials when
// splits > 1). gemm_bf16_large needs n % 64 == 0 (columns past n are zero-filled, never stored).
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_THREADS) gemm_bf16(GemmParams p) {
  __shared__ __align__(128) uint16_t smem[PkTile64::SMEM / 2];
  if (p.splits > 1) pk_gemm_block<PkTile64, PkStorePartial, true>(p, smem);
  else pk_gemm_block<PkTile64, PkStoreBf16, true>(p, smem);
}

extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_LARGE_THREADS, 2) gemm_bf16_large(GemmParams p) {
  extern __shared__ __align__(128) uint16_t pk_lg_smem[];
  if (p.splits > 1) pk_gemm_block<PkTile128, PkStorePartial, false>(p, pk_lg_smem);
  else pk_gemm_block<PkTile128, PkStoreBf16, false>(p, pk_lg_smem);
}

// gemm_bf16_silu / gemm_bf16_large_silu: gate/up GEMM with the SiLU * up epilogue (PkSiluMulBf16): b is
// [n = 2 ffn, k] interleaved in groups of 8 rows, c is [m, ldc] receiving ffn columns. p.splits and
// p.partial are ignored (all of k per block); n % 16 == 0 (large: n % 64 == 0).
extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_THREADS) gemm_bf16_silu(GemmParams p) {
  __shared__ __align__(128) uint16_t smem[PkTile64::SMEM / 2];
  pk_gemm_block<PkTile64, PkSiluMulBf16, true>(p, smem);
}

extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_LARGE_THREADS, 2) gemm_bf16_large_silu(GemmParams p) {
  extern __shared__ __align__(128) uint16_t pk_lg_smem[];
  pk_gemm_block<PkTile128, PkSiluMulBf16, false>(p, pk_lg_smem);
}

// splitk_reduce: one block per row (grid.x = row capacity), any blockDim; float4 when n % 4 == 0.
extern "C" __global__ void splitk_reduce(SplitKReduceParams p) {
  const int row = blockIdx.x;
  const int m_eff = min(p.m, *p.m_dev);  // host-written metadata
  pk_pdl_wait();
  if (row >= m_eff) return;
  pk_pdl_launch();
  const size_t plane = (size_t)p.m * p.n;
  const float *src = p.partial + (size_t)row * p.n;
  uint16_t *dst = p.c + (size_t)row * p.ldc;
  if ((p.n & 3) == 0 && (p.ldc & 3) == 0) {
    for (int c = threadIdx.x; c < (p.n >> 2); c += blockDim.x) {
      float4 s = reinterpret_cast<const float4 *>(src)[c];
      for (int z = 1; z < p.splits; z++) {
        float4 v = reinterpret_cast<const float4 *>(src + z * plane)[c];
        s.x = __fadd_rn(s.x, v.x); s.y = __fadd_rn(s.y, v.y); s.z = __fadd_rn(s.z, v.z); s.w = __fadd_rn(s.w, v.w);
      }
      uint2 o = make_uint2(pack_bf2(s.x, s.y), pack_bf2(s.z, s.w));
      *reinterpret_cast<uint2 *>(dst + 4 * c) = o;
    }
  } else {
    for (int c = threadIdx.x; c < p.n; c += blockDim.x) {
      float s = src[c];
      for (int z = 1; z < p.splits; z++) s = __fadd_rn(s, src[z * plane + c]);
      dst[c] = f2bf(s);
    }
  }
}
