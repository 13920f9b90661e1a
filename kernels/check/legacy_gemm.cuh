// The GEMM kernels as they were before the one-template merge (commit c202c0e: gemm.cu + gemm_large.cu),
// symbols renamed legacy_*: kernel_check "legacy" compares the merged kernels with them bit for bit.
// Delete this file and test_legacy once that check has passed on a GPU.
// gemm_bf16: C[m, n] = A[m, k] * B[n, k]^T ("TN": both operands k-contiguous), bf16 in, fp32 accum.
// 64x64x32 block tile, 128 threads = 4 warps (2 x 2), 32x32 warp tile, mma.sync m16n8k16 with
// ldmatrix, LEGACY_PK_GEMM_STAGES-deep cp.async pipeline (6 stages, 48 KB of static shared memory). Shared tiles are 64 rows x 32 halves (64 B); the
// four 16-byte chunks of row r are XOR-swizzled with (r >> 1) & 3 so that ldmatrix (8 rows, one
// chunk column) and the cp.async stores hit 8 distinct 16-byte bank groups.
//
// Determinism: each output element is one fixed sequence of mma k-steps over its split's k range,
// so its value depends only on (k, splits) and its own A row / B row, never on m, m_dev or the
// block's position. Rows >= m_eff are zero-filled (not read) and never stored. Which path a block
// takes (the small-m one below or the 64-row one) follows the row capacity p.m, never *p.m_dev, so
// an eager run and a graph of one bucket take the same path (both paths give the same bits anyway).

#define LEGACY_PK_GEMM_STAGES 6

#define LEGACY_BM PREFILL_GEMM_BM
#define LEGACY_BN PREFILL_GEMM_BN
#define LEGACY_BK PREFILL_GEMM_BK

static __device__ __forceinline__ int legacy_pk_swz(int row, int ch) { return row * LEGACY_BK + ((ch ^ ((row >> 1) & 3)) << 3); }

// Small-m path (at most 16 valid rows in this block, e.g. decode-like m <= 16): the block's smem
// holds SST stages of (16 A rows + 64 B rows) x BK, so far more weight bytes are in flight per
// block (the regime is weight-bandwidth bound). Warp w computes columns [16w, 16w+16) of the single
// m16 tile. Every output element still accumulates the same mma k16 steps in the same k order,
// with the same row slot (row % 16) and column slot (col % 8) as the main path: bit-identical.
template <int SST>
static __device__ __forceinline__ void legacy_pk_gemm_small(const GemmParams &p, uint16_t *smem, int m_eff, int bm, int bn,
                                                     int kbeg, int ktiles) {
  constexpr int A_ST = 16 * LEGACY_BK * 2, B_ST = LEGACY_BN * LEGACY_BK * 2;  // bytes per stage
  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const uint32_t sA = smem_u32(smem);
  const uint32_t sB = sA + SST * A_ST;
  // A: 64 chunks (threads 0..63), B: 256 chunks (2 per thread).
  const int arow = tid >> 2, ach = tid & 3;
  const bool a_thr = tid < 64;
  const bool oka = a_thr && bm + arow < m_eff;
  const uint16_t *ga = oka ? p.a + (size_t)(bm + arow) * p.lda + kbeg + ach * 8 : p.a;
  const uint32_t aoff = legacy_pk_swz(arow & 15, ach) * 2;
  const uint16_t *gb[2];
  bool okb[2];
  uint32_t boff[2];
#pragma unroll
  for (int i = 0; i < 2; i++) {
    const int c = tid + i * PREFILL_GEMM_THREADS, row = c >> 2, ch = c & 3;
    okb[i] = bn + row < p.n;
    gb[i] = okb[i] ? p.b + (size_t)(bn + row) * p.ldb + kbeg + ch * 8 : p.b;
    boff[i] = legacy_pk_swz(row, ch) * 2;
  }
  auto load_a = [&](int st, int kt) {
    if (a_thr) cp_async16(sA + st * A_ST + aoff, oka ? ga + kt * LEGACY_BK : ga, oka);
  };
  auto load_b = [&](int st, int kt) {
#pragma unroll
    for (int i = 0; i < 2; i++) cp_async16(sB + st * B_ST + boff[i], okb[i] ? gb[i] + kt * LEGACY_BK : gb[i], okb[i]);
  };
  uint32_t a_off[2], b_off[2];
#pragma unroll
  for (int kk = 0; kk < 2; kk++) {
    a_off[kk] = legacy_pk_swz(lane & 15, kk * 2 + (lane >> 4)) * 2;
    const int row = warp * 16 + ((lane >> 4) & 1) * 8 + (lane & 7);
    b_off[kk] = legacy_pk_swz(row, kk * 2 + ((lane >> 3) & 1)) * 2;
  }
  float acc[2][4];
#pragma unroll
  for (int ni = 0; ni < 2; ni++) acc[ni][0] = acc[ni][1] = acc[ni][2] = acc[ni][3] = 0.f;
  // Weights first (never written by kernels), then wait for the producer of A (PDL).
#pragma unroll
  for (int s = 0; s < SST - 1; s++)
    if (s < ktiles) load_b(s, s);
  pk_pdl_wait();
#pragma unroll
  for (int s = 0; s < SST - 1; s++) {
    if (s < ktiles) load_a(s, s);
    cp_async_commit();
  }
  for (int kt = 0; kt < ktiles; kt++) {
    cp_async_wait<SST - 2>();
    __syncthreads();
    const int nk = kt + SST - 1;
    if (nk < ktiles) { load_a(nk % SST, nk); load_b(nk % SST, nk); }
    cp_async_commit();
    const int st = kt % SST;
#pragma unroll
    for (int kk = 0; kk < 2; kk++) {
      uint32_t af[4], b0, b1, b2, b3;
      ldmatrix_x4(af[0], af[1], af[2], af[3], sA + st * A_ST + a_off[kk]);
      ldmatrix_x4(b0, b1, b2, b3, sB + st * B_ST + b_off[kk]);
      mma_bf16_16816(acc[0], af, b0, b1);
      mma_bf16_16816(acc[1], af, b2, b3);
    }
  }
  cp_async_wait<0>();
  pk_pdl_launch();
  const int g = lane >> 2, t4 = lane & 3;
#pragma unroll
  for (int h = 0; h < 2; h++) {
    const int row = bm + g + h * 8;
    if (row >= m_eff) continue;
#pragma unroll
    for (int ni = 0; ni < 2; ni++) {
      const int col = bn + warp * 16 + ni * 8 + 2 * t4;
      if (col >= p.n) continue;
      if (p.splits == 1)
        *reinterpret_cast<uint32_t *>(p.c + (size_t)row * p.ldc + col) = pack_bf2(acc[ni][2 * h], acc[ni][2 * h + 1]);
      else
        *reinterpret_cast<float2 *>(p.partial + ((size_t)blockIdx.z * p.m + row) * p.n + col) =
            make_float2(acc[ni][2 * h], acc[ni][2 * h + 1]);
    }
  }
}

template <int STAGES>
static __device__ __forceinline__ void legacy_pk_gemm_impl(const GemmParams &p, uint16_t *smem) {
  const int m_eff = min(p.m, *p.m_dev);
  const int bm = blockIdx.y * LEGACY_BM;
  const int bn = blockIdx.x * LEGACY_BN;
  if (bm >= m_eff || bn >= p.n) { pk_pdl_wait(); return; }
  const int kz = p.k / p.splits;
  const int kbeg = blockIdx.z * kz;
  const int ktiles = kz / LEGACY_BK;
  if (p.m - bm <= 16) {  // capacity, not the real count; same smem, re-cut into 5 KB stages
    legacy_pk_gemm_small<(STAGES * (LEGACY_BM + LEGACY_BN) * LEGACY_BK * 2) / ((16 + LEGACY_BN) * LEGACY_BK * 2)>(p, smem, m_eff, bm, bn, kbeg, ktiles);
    return;
  }

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int wm = warp >> 1, wn = warp & 1;
  const uint32_t sA = smem_u32(smem);
  const uint32_t sB = sA + STAGES * LEGACY_BM * LEGACY_BK * 2;

  // Each thread copies 2 chunks of A and 2 of B per stage.
  const uint16_t *ga[2], *gb[2];
  bool oka[2], okb[2];
  uint32_t soff[2];
#pragma unroll
  for (int i = 0; i < 2; i++) {
    const int c = tid + i * PREFILL_GEMM_THREADS;
    const int row = c >> 2, ch = c & 3;
    oka[i] = bm + row < m_eff;
    okb[i] = bn + row < p.n;
    ga[i] = oka[i] ? p.a + (size_t)(bm + row) * p.lda + kbeg + ch * 8 : p.a;
    gb[i] = okb[i] ? p.b + (size_t)(bn + row) * p.ldb + kbeg + ch * 8 : p.b;
    soff[i] = legacy_pk_swz(row, ch) * 2;
  }
  auto load_a = [&](int st, int kt) {
    const uint32_t a_st = sA + st * (LEGACY_BM * LEGACY_BK * 2);
#pragma unroll
    for (int i = 0; i < 2; i++) cp_async16(a_st + soff[i], oka[i] ? ga[i] + kt * LEGACY_BK : ga[i], oka[i]);
  };
  auto load_b = [&](int st, int kt) {
    const uint32_t b_st = sB + st * (LEGACY_BN * LEGACY_BK * 2);
#pragma unroll
    for (int i = 0; i < 2; i++) cp_async16(b_st + soff[i], okb[i] ? gb[i] + kt * LEGACY_BK : gb[i], okb[i]);
  };

  // ldmatrix byte offsets within a stage, for k16 step kk (0/1).
  uint32_t a_off[2][2], b_off[2][2];
#pragma unroll
  for (int kk = 0; kk < 2; kk++) {
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
      const int row = wm * 32 + mi * 16 + (lane & 15);
      a_off[kk][mi] = legacy_pk_swz(row, kk * 2 + (lane >> 4)) * 2;
    }
#pragma unroll
    for (int np = 0; np < 2; np++) {
      const int row = wn * 32 + np * 16 + ((lane >> 4) & 1) * 8 + (lane & 7);
      b_off[kk][np] = legacy_pk_swz(row, kk * 2 + ((lane >> 3) & 1)) * 2;
    }
  }
  const bool warp_active = bm + wm * 32 < m_eff;

  float acc[2][4][4];
#pragma unroll
  for (int mi = 0; mi < 2; mi++)
#pragma unroll
    for (int ni = 0; ni < 4; ni++) acc[mi][ni][0] = acc[mi][ni][1] = acc[mi][ni][2] = acc[mi][ni][3] = 0.f;

  // Weights first (never written by kernels), then wait for the producer of A (PDL).
#pragma unroll
  for (int s = 0; s < STAGES - 1; s++)
    if (s < ktiles) load_b(s, s);
  pk_pdl_wait();
#pragma unroll
  for (int s = 0; s < STAGES - 1; s++) {
    if (s < ktiles) load_a(s, s);
    cp_async_commit();
  }
  for (int kt = 0; kt < ktiles; kt++) {
    cp_async_wait<STAGES - 2>();
    __syncthreads();
    const int nk = kt + STAGES - 1;
    if (nk < ktiles) { load_a(nk % STAGES, nk); load_b(nk % STAGES, nk); }
    cp_async_commit();
    const int st = kt % STAGES;
    if (warp_active) {
      const uint32_t a_st = sA + st * (LEGACY_BM * LEGACY_BK * 2), b_st = sB + st * (LEGACY_BN * LEGACY_BK * 2);
#pragma unroll
      for (int kk = 0; kk < 2; kk++) {
        uint32_t af[2][4], bf[4][2];
#pragma unroll
        for (int mi = 0; mi < 2; mi++) ldmatrix_x4(af[mi][0], af[mi][1], af[mi][2], af[mi][3], a_st + a_off[kk][mi]);
#pragma unroll
        for (int np = 0; np < 2; np++)
          ldmatrix_x4(bf[2 * np][0], bf[2 * np][1], bf[2 * np + 1][0], bf[2 * np + 1][1], b_st + b_off[kk][np]);
#pragma unroll
        for (int mi = 0; mi < 2; mi++)
#pragma unroll
          for (int ni = 0; ni < 4; ni++) mma_bf16_16816(acc[mi][ni], af[mi], bf[ni][0], bf[ni][1]);
      }
    }
  }
  cp_async_wait<0>();
  pk_pdl_launch();
  if (!warp_active) return;

  const int g = lane >> 2, t4 = lane & 3;
#pragma unroll
  for (int mi = 0; mi < 2; mi++) {
#pragma unroll
    for (int h = 0; h < 2; h++) {
      const int row = bm + wm * 32 + mi * 16 + g + h * 8;
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

extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_THREADS) legacy_gemm_bf16(GemmParams p) {
  __shared__ __align__(128) uint16_t smem[LEGACY_PK_GEMM_STAGES * (LEGACY_BM + LEGACY_BN) * LEGACY_BK];
  legacy_pk_gemm_impl<LEGACY_PK_GEMM_STAGES>(p, smem);
}

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

#define LEGACY_LG_BM PREFILL_GEMM_LARGE_BM
#define LEGACY_LG_BN PREFILL_GEMM_LARGE_BN
// BK = 64: 128-byte smem rows, 16-byte chunk c of row r stored at chunk c ^ (r & 7); each weight
// row is fetched in full 128-byte lines.
template <int BK>
static __device__ __forceinline__ uint32_t legacy_pk_lg_swz(int row, int ch) {  // byte offset
  static_assert(BK == 64, "gemm_bf16_large is built for BK = 64 only");
  return (uint32_t)(row * 128 + ((ch ^ (row & 7)) << 4));
}

template <int BK, int S>
static __device__ __forceinline__ void legacy_pk_gemm_large_impl(const GemmParams &p, uint16_t *smem) {
  constexpr int CPR = BK / 8;                                  // 16-byte chunks per row
  constexpr int NLD = LEGACY_LG_BM * CPR / PREFILL_GEMM_LARGE_THREADS;  // chunks per thread per operand
  constexpr int RSTEP = PREFILL_GEMM_LARGE_THREADS / CPR;       // rows between a thread's chunks
  constexpr int A_ST = LEGACY_LG_BM * BK * 2, B_ST = LEGACY_LG_BN * BK * 2;  // bytes per stage
  constexpr int KSTEPS = BK / 16;
  const int m_eff = min(p.m, *p.m_dev);  // host-written metadata
  const int bm = blockIdx.y * LEGACY_LG_BM;
  const int bn = blockIdx.x * LEGACY_LG_BN;
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
  const uint32_t soff = legacy_pk_lg_swz<BK>(lrow, lch);  // + i * RSTEP rows keeps the swizzle phase
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
    a_off[kk] = legacy_pk_lg_swz<BK>(wm * 64 + (lane & 15), kk * 2 + (lane >> 4));
    b_off[kk] = legacy_pk_lg_swz<BK>(wn * 32 + ((lane >> 4) & 1) * 8 + (lane & 7), kk * 2 + ((lane >> 3) & 1));
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

#define LEGACY_LG_BK 64
#define LEGACY_LG_STAGES (PREFILL_GEMM_LARGE_SMEM / ((LEGACY_LG_BM + LEGACY_LG_BN) * LEGACY_LG_BK * 2))

extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_LARGE_THREADS, 2) legacy_gemm_bf16_large(GemmParams p) {
  extern __shared__ __align__(128) uint16_t legacy_pk_lg_smem[];
  legacy_pk_gemm_large_impl<LEGACY_LG_BK, LEGACY_LG_STAGES>(p, legacy_pk_lg_smem);
}
