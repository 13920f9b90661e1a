// gemm_bf16: C[m, n] = A[m, k] * B[n, k]^T ("TN": both operands k-contiguous), bf16 in, fp32 accum.
// 64x64x32 block tile, 128 threads = 4 warps (2 x 2), 32x32 warp tile, mma.sync m16n8k16 with
// ldmatrix, PK_GEMM_STAGES-deep cp.async pipeline (6 stages, 48 KB of static shared memory). Shared tiles are 64 rows x 32 halves (64 B); the
// four 16-byte chunks of row r are XOR-swizzled with (r >> 1) & 3 so that ldmatrix (8 rows, one
// chunk column) and the cp.async stores hit 8 distinct 16-byte bank groups.
//
// Determinism: each output element is one fixed sequence of mma k-steps over its split's k range,
// so its value depends only on (k, splits) and its own A row / B row, never on m, m_dev or the
// block's position. Rows >= m_eff are zero-filled (not read) and never stored. Which path a block
// takes (the small-m one below or the 64-row one) follows the row capacity p.m, never *p.m_dev, so
// an eager run and a graph of one bucket take the same path (both paths give the same bits anyway).
#include "common.cuh"

#define PK_GEMM_STAGES 6

#define PK_BM PREFILL_GEMM_BM
#define PK_BN PREFILL_GEMM_BN
#define PK_BK PREFILL_GEMM_BK

static __device__ __forceinline__ int pk_swz(int row, int ch) { return row * PK_BK + ((ch ^ ((row >> 1) & 3)) << 3); }

// Small-m path (at most 16 valid rows in this block, e.g. decode-like m <= 16): the block's smem
// holds SST stages of (16 A rows + 64 B rows) x BK, so far more weight bytes are in flight per
// block (the regime is weight-bandwidth bound). Warp w computes columns [16w, 16w+16) of the single
// m16 tile. Every output element still accumulates the same mma k16 steps in the same k order,
// with the same row slot (row % 16) and column slot (col % 8) as the main path: bit-identical.
template <int SST>
static __device__ __forceinline__ void pk_gemm_small(const GemmParams &p, uint16_t *smem, int m_eff, int bm, int bn,
                                                     int kbeg, int ktiles) {
  constexpr int A_ST = 16 * PK_BK * 2, B_ST = PK_BN * PK_BK * 2;  // bytes per stage
  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const uint32_t sA = smem_u32(smem);
  const uint32_t sB = sA + SST * A_ST;
  // A: 64 chunks (threads 0..63), B: 256 chunks (2 per thread).
  const int arow = tid >> 2, ach = tid & 3;
  const bool a_thr = tid < 64;
  const bool oka = a_thr && bm + arow < m_eff;
  const uint16_t *ga = oka ? p.a + (size_t)(bm + arow) * p.lda + kbeg + ach * 8 : p.a;
  const uint32_t aoff = pk_swz(arow & 15, ach) * 2;
  const uint16_t *gb[2];
  bool okb[2];
  uint32_t boff[2];
#pragma unroll
  for (int i = 0; i < 2; i++) {
    const int c = tid + i * PREFILL_GEMM_THREADS, row = c >> 2, ch = c & 3;
    okb[i] = bn + row < p.n;
    gb[i] = okb[i] ? p.b + (size_t)(bn + row) * p.ldb + kbeg + ch * 8 : p.b;
    boff[i] = pk_swz(row, ch) * 2;
  }
  auto load_a = [&](int st, int kt) {
    if (a_thr) cp_async16(sA + st * A_ST + aoff, oka ? ga + kt * PK_BK : ga, oka);
  };
  auto load_b = [&](int st, int kt) {
#pragma unroll
    for (int i = 0; i < 2; i++) cp_async16(sB + st * B_ST + boff[i], okb[i] ? gb[i] + kt * PK_BK : gb[i], okb[i]);
  };
  uint32_t a_off[2], b_off[2];
#pragma unroll
  for (int kk = 0; kk < 2; kk++) {
    a_off[kk] = pk_swz(lane & 15, kk * 2 + (lane >> 4)) * 2;
    const int row = warp * 16 + ((lane >> 4) & 1) * 8 + (lane & 7);
    b_off[kk] = pk_swz(row, kk * 2 + ((lane >> 3) & 1)) * 2;
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
static __device__ __forceinline__ void pk_gemm_impl(const GemmParams &p, uint16_t *smem) {
  const int m_eff = min(p.m, *p.m_dev);
  const int bm = blockIdx.y * PK_BM;
  const int bn = blockIdx.x * PK_BN;
  if (bm >= m_eff || bn >= p.n) { pk_pdl_wait(); return; }
  const int kz = p.k / p.splits;
  const int kbeg = blockIdx.z * kz;
  const int ktiles = kz / PK_BK;
  if (p.m - bm <= 16) {  // capacity, not the real count; same smem, re-cut into 5 KB stages
    pk_gemm_small<(STAGES * (PK_BM + PK_BN) * PK_BK * 2) / ((16 + PK_BN) * PK_BK * 2)>(p, smem, m_eff, bm, bn, kbeg, ktiles);
    return;
  }

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int wm = warp >> 1, wn = warp & 1;
  const uint32_t sA = smem_u32(smem);
  const uint32_t sB = sA + STAGES * PK_BM * PK_BK * 2;

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
    soff[i] = pk_swz(row, ch) * 2;
  }
  auto load_a = [&](int st, int kt) {
    const uint32_t a_st = sA + st * (PK_BM * PK_BK * 2);
#pragma unroll
    for (int i = 0; i < 2; i++) cp_async16(a_st + soff[i], oka[i] ? ga[i] + kt * PK_BK : ga[i], oka[i]);
  };
  auto load_b = [&](int st, int kt) {
    const uint32_t b_st = sB + st * (PK_BN * PK_BK * 2);
#pragma unroll
    for (int i = 0; i < 2; i++) cp_async16(b_st + soff[i], okb[i] ? gb[i] + kt * PK_BK : gb[i], okb[i]);
  };

  // ldmatrix byte offsets within a stage, for k16 step kk (0/1).
  uint32_t a_off[2][2], b_off[2][2];
#pragma unroll
  for (int kk = 0; kk < 2; kk++) {
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
      const int row = wm * 32 + mi * 16 + (lane & 15);
      a_off[kk][mi] = pk_swz(row, kk * 2 + (lane >> 4)) * 2;
    }
#pragma unroll
    for (int np = 0; np < 2; np++) {
      const int row = wn * 32 + np * 16 + ((lane >> 4) & 1) * 8 + (lane & 7);
      b_off[kk][np] = pk_swz(row, kk * 2 + ((lane >> 3) & 1)) * 2;
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
      const uint32_t a_st = sA + st * (PK_BM * PK_BK * 2), b_st = sB + st * (PK_BN * PK_BK * 2);
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

extern "C" __global__ void __launch_bounds__(PREFILL_GEMM_THREADS) gemm_bf16(GemmParams p) {
  __shared__ __align__(128) uint16_t smem[PK_GEMM_STAGES * (PK_BM + PK_BN) * PK_BK];
  pk_gemm_impl<PK_GEMM_STAGES>(p, smem);
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
