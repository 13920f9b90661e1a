// gemm_bf16_large: same contract as gemm_bf16 (GemmParams, C = A * B^T, split-K partials), with a
// 128 x 128 block tile for large row buckets. 256 threads = 8 warps as 2 (m) x 4 (n), warp tile
// 64 x 32 (4 x 4 mma.sync m16n8k16 tiles), ldmatrix from XOR-swizzled smem, cp.async multistage
// pipeline in exactly PREFILL_GEMM_LARGE_SMEM bytes of dynamic shared memory: BK = 64 x 3 stages.
// k / splits must be a multiple of 32 (as for gemm_bf16); an odd last half tile is handled by
// skipping its missing k16 steps.
//
// Determinism: every output element accumulates the same mma k16 steps in the same k order as
// gemm_bf16 (k range of its split, ascending, one fp32 accumulator), so results are bit-identical
// to gemm_bf16 for the same (k, splits) and never depend on m, m_dev or the block position.
// n must be a multiple of 64 (columns past n are zero-filled, never stored; warps whose 32
// columns or 64 rows are all out of range skip the mma work).
#include "common.cuh"

#define PK_LG_BM PREFILL_GEMM_LARGE_BM
#define PK_LG_BN PREFILL_GEMM_LARGE_BN
// BK = 64: 128-byte smem rows, 16-byte chunk c of row r stored at chunk c ^ (r & 7); each weight
// row is fetched in full 128-byte lines.
template <int BK>
static __device__ __forceinline__ uint32_t pk_lg_swz(int row, int ch) {  // byte offset
  static_assert(BK == 64, "gemm_bf16_large is built for BK = 64 only");
  return (uint32_t)(row * 128 + ((ch ^ (row & 7)) << 4));
}

template <int BK, int S>
static __device__ __forceinline__ void pk_gemm_large_impl(const GemmParams &p, uint16_t *smem) {
  constexpr int CPR = BK / 8;                                  // 16-byte chunks per row
  constexpr int NLD = PK_LG_BM * CPR / PREFILL_GEMM_LARGE_THREADS;  // chunks per thread per operand
  constexpr int RSTEP = PREFILL_GEMM_LARGE_THREADS / CPR;       // rows between a thread's chunks
  constexpr int A_ST = PK_LG_BM * BK * 2, B_ST = PK_LG_BN * BK * 2;  // bytes per stage
  constexpr int KSTEPS = BK / 16;
  const int m_eff = min(p.m, *p.m_dev);  // host-written metadata
  const int bm = blockIdx.y * PK_LG_BM;
  const int bn = blockIdx.x * PK_LG_BN;
  if (bm >= m_eff || bn >= p.n) { pk_pdl_wait(); return; }
  const int kz = p.k / p.splits;
  const int kbeg = blockIdx.z * kz;
  const int ktiles = (kz + BK - 1) / BK;
  // k16 steps of the last tile (kz is a multiple of 32): steps past kz are skipped, not zero-added,
  // so every element sees exactly the k16 steps of gemm_bf16.
  const int last_steps = (kz - (ktiles - 1) * BK) / 16;

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int wm = warp >> 2, wn = warp & 3;
  const uint32_t sA = smem_u32(smem);
  const uint32_t sB = sA + S * A_ST;

  const int lrow = tid / CPR, lch = tid % CPR;
  const uint16_t *ga = p.a + (size_t)(bm + lrow) * p.lda + kbeg + lch * 8;
  const uint16_t *gb = p.b + (size_t)(bn + lrow) * p.ldb + kbeg + lch * 8;
  const uint32_t soff = pk_lg_swz<BK>(lrow, lch);  // + i * RSTEP rows keeps the swizzle phase
  uint32_t amask = 0, bmask = 0;
#pragma unroll
  for (int i = 0; i < NLD; i++) {
    amask |= (bm + lrow + i * RSTEP < m_eff) ? 1u << i : 0u;
    bmask |= (bn + lrow + i * RSTEP < p.n) ? 1u << i : 0u;
  }
  auto load_a = [&](int st, int kt) {
    const bool kok = kt * BK + lch * 8 < kz;
#pragma unroll
    for (int i = 0; i < NLD; i++) {
      const bool ok = kok && ((amask >> i) & 1);
      cp_async16(sA + st * A_ST + soff + i * RSTEP * BK * 2, ok ? ga + (size_t)i * RSTEP * p.lda + kt * BK : p.a, ok);
    }
  };
  auto load_b = [&](int st, int kt) {
    const bool kok = kt * BK + lch * 8 < kz;
#pragma unroll
    for (int i = 0; i < NLD; i++) {
      const bool ok = kok && ((bmask >> i) & 1);
      cp_async16(sB + st * B_ST + soff + i * RSTEP * BK * 2, ok ? gb + (size_t)i * RSTEP * p.ldb + kt * BK : p.b, ok);
    }
  };

  // ldmatrix byte offsets within a stage for k16 step kk; +16 rows keep the swizzle phase.
  uint32_t a_off[KSTEPS], b_off[KSTEPS];
#pragma unroll
  for (int kk = 0; kk < KSTEPS; kk++) {
    a_off[kk] = pk_lg_swz<BK>(wm * 64 + (lane & 15), kk * 2 + (lane >> 4));
    b_off[kk] = pk_lg_swz<BK>(wn * 32 + ((lane >> 4) & 1) * 8 + (lane & 7), kk * 2 + ((lane >> 3) & 1));
  }
  const bool warp_active = bm + wm * 64 < m_eff && bn + wn * 32 < p.n;

  float acc[4][4][4];
#pragma unroll
  for (int mi = 0; mi < 4; mi++)
#pragma unroll
    for (int ni = 0; ni < 4; ni++) acc[mi][ni][0] = acc[mi][ni][1] = acc[mi][ni][2] = acc[mi][ni][3] = 0.f;

  // Weights first (never written by kernels), then wait for the producer of A (PDL).
#pragma unroll
  for (int s = 0; s < S - 1; s++)
    if (s < ktiles) load_b(s, s);
  pk_pdl_wait();
#pragma unroll
  for (int s = 0; s < S - 1; s++) {
    if (s < ktiles) load_a(s, s);
    cp_async_commit();
  }
  int st = 0, ld_st = S - 1;
  for (int kt = 0; kt < ktiles; kt++) {
    cp_async_wait<S - 2>();
    __syncthreads();
    const int nk = kt + S - 1;
    if (nk < ktiles) { load_a(ld_st, nk); load_b(ld_st, nk); }
    cp_async_commit();
    ld_st = ld_st == S - 1 ? 0 : ld_st + 1;
    const int nsteps = kt == ktiles - 1 ? last_steps : KSTEPS;
    if (warp_active) {
      const uint32_t a_st = sA + st * A_ST, b_st = sB + st * B_ST;
#pragma unroll
      for (int kk = 0; kk < KSTEPS; kk++) {
        if (kk >= nsteps) break;
        uint32_t af[4][4], bf[4][2];
#pragma unroll
        for (int mi = 0; mi < 4; mi++)
          ldmatrix_x4(af[mi][0], af[mi][1], af[mi][2], af[mi][3], a_st + a_off[kk] + mi * 16 * BK * 2);
#pragma unroll
        for (int np = 0; np < 2; np++)
          ldmatrix_x4(bf[2 * np][0], bf[2 * np][1], bf[2 * np + 1][0], bf[2 * np + 1][1], b_st + b_off[kk] + np * 16 * BK * 2);
#pragma unroll
        for (int mi = 0; mi < 4; mi++)
#pragma unroll
          for (int ni = 0; ni < 4; ni++) mma_bf16_16816(acc[mi][ni], af[mi], bf[ni][0], bf[ni][1]);
      }
    }
    st = st == S - 1 ? 0 : st + 1;
  }
  cp_async_wait<0>();
  pk_pdl_launch();
  if (!warp_active) return;

  const int g = lane >> 2, t4 = lane & 3;
#pragma unroll
  for (int mi = 0; mi < 4; mi++) {
#pragma unroll
    for (int h = 0; h < 2; h++) {
      const int row = bm + wm * 64 + mi * 16 + g + h * 8;
      if (row >= m_eff) continue;
#pragma unroll
      for (int ni = 0; ni < 4; ni++) {
        const int col = bn + wn * 32 + ni * 8 + 2 * t4;
        if (col >= p.n) continue;
        if (p.splits == 1) {
          *reinterpret_cast<uint32_t *>(p.c + (size_t)row * p.ldc + col) = pack_bf2(acc[mi][ni][2 * h], acc[mi][ni][2 * h + 1]);
        } else {
          *reinterpret_cast<float2 *>(p.partial + ((size_t)blockIdx.z * p.m + row) * p.n + col) =
              make_float2(acc[mi][ni][2 * h], acc[mi][ni][2 * h + 1]);
        }
      }
    }
  }
}

#define PK_LG_BK 64
#define PK_LG_STAGES (PREFILL_GEMM_LARGE_SMEM / ((PK_LG_BM + PK_LG_BN) * PK_LG_BK * 2))

extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_LARGE_THREADS, 2) gemm_bf16_large(GemmParams p) {
  extern __shared__ __align__(128) uint16_t pk_lg_smem[];
  pk_gemm_large_impl<PK_LG_BK, PK_LG_STAGES>(p, pk_lg_smem);
}
