// Check + timing harness for the wgmma GEMMs (kernels/src/gemm_wgmma.cu), llm.c style. For the layer GEMM shapes
// of ERNIE-4.5-0.3B and Llama-3.2-1B at row capacities 128 / 256 / 512, every tile configuration is
//  - validated against a float64 CPU reference on random bf16 data (|out - ref| <= tol + |ref| * eps on sampled
//    rows; outputs NaN-poisoned first, NaN never passes; rows at or past the real count must stay poisoned),
//  - checked for bucket invariance (the real rows of m_dev < capacity have the bits of m_dev = capacity),
//  - for split-K partials and the SiLU * up epilogue, checked against the same reference,
//  - timed with events over back-to-back launches, weights rotated over copies larger than the 60 MB L2,
// next to cuBLAS (cublasGemmEx bf16, fp32 compute) and gemm.cu's 128 x 128 mma.sync kernel.
// Build (sm_90a): nvcc -O3 -std=c++17 -gencode=arch=compute_90a,code=sm_90a -I kernels/include
//   kernels/check/gemm_wgmma_check.cu -lcublas [-DNO_CUBLAS] [-DPREFILL_CHECK_NO_TIMING]
// Modes: (none) every shape and configuration | only SHAPE M | one NAME|cublas n k m splits (Nsight Compute) |
// trace NAME n k m splits (a -DPK_WG_TRACE build: clock64 phases per block) | cluster NAME n k m splits (a PDL chain of one
// configuration as plain blocks and as clusters of 1, 2, 4) | csk [quick [FORM]] (the cluster split-K forms, s30) | quick [NAME] (validation of every configuration, or those whose
// name contains NAME, on two shapes, for compute-sanitizer).
#define PK_WG_NO_DEFAULT_KERNELS
#include "../src/prefill_kernels.cu"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>
#ifndef NO_CUBLAS
#include <cublas_v2.h>
#endif
#include "check_util.cuh"  // tensor_map

static bool g_all_ok = true;
static bool g_quick = false;
static const char *g_only = nullptr;  // quick mode: only configurations whose name contains this

// ---------------------------------------------------------------- configurations under test
template <int BM, int BN, int ST, int LAG, int EPI>  // EPI 0: bf16 / partials, 1: SiLU * up
__global__ void __launch_bounds__(PkWgTile<BM, BN, ST, LAG>::THREADS, 1) wg_kernel(GemmParams p) {
  using T = PkWgTile<BM, BN, ST, LAG>;
  if constexpr (EPI == 1) pk_wg_kernel_body<T, PkSiluMulBf16>(p);
  else if (p.splits > 1) pk_wg_kernel_body<T, PkStorePartial>(p);
  else pk_wg_kernel_body<T, PkStoreBf16>(p);
}
template <int BM, int BN, int EPI>
__global__ void __launch_bounds__(2 * BM + 128, 1) wg_tma_kernel(const __grid_constant__ GemmTmaParams p) {
  using T = PkWgTile<BM, BN, 3, 1>;  // the stage count comes from p.stages
  if constexpr (EPI == 1) pk_wg_tma_body<T, PkSiluMulBf16>(p);
  else if (p.gemm.splits > 1) pk_wg_tma_body<T, PkStorePartial>(p);
  else pk_wg_tma_body<T, PkStoreBf16>(p);
}
// ---------------------------------------------------------------- cluster split-K (s30, harness only)
// The k range split over the CS blocks of a cluster (1, 1, CS) instead of fp32 partials in global memory: after the
// mainloop each block sends every other block the accumulator fragments that block owns (fragments [r OF, r OF + OF) of
// every thread belong to rank r) into that block's exchange slots through distributed shared memory between two cluster
// barriers, then each block sums its own fragments over the ranks in rank order (fp32, the same order whichever block
// sums) and stores them through the staged epilogue (bf16, or SiLU * up on gate/up pairs). The s25 question: does the
// exchange cost less than the SM intake the split saves (gate_up at 128: 128 x 128 split 2 takes in 256 KB per block
// against 128 x 64's 384)?
PK_DEV void pk_st_cluster_f4(uint32_t addr, float a, float b, float c, float d) {
  asm volatile("st.shared::cluster.v4.f32 [%0], {%1, %2, %3, %4};\n" ::"r"(addr), "f"(a), "f"(b), "f"(c), "f"(d) : "memory");
}
template <int CS, bool SILU>
struct PkClusterSplitK {
  static constexpr bool kSplitK = true;
  // exchange bytes after the barriers: (CS - 1) slots of OF fragments (16 bytes) per consumer thread, + 16 to align
  template <class T> static constexpr int xbytes() { return (CS - 1) * (T::BN / 8 / CS) * T::THREADS * 16 + 16; }
  template <class T>
  static __device__ __forceinline__ void finish(const GemmParams &p, float *acc, uint8_t *stage, uint32_t free_u32, uint32_t end_u32,
                                                int ctid, int bm, int bn, int m_eff) {
    constexpr int NF = T::BN / 8, OF = NF / CS;
    static_assert(NF % CS == 0 && (!SILU || OF % 2 == 0), "whole fragments per rank (gate/up pairs with SiLU)");
    uint32_t rank;
    asm("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
    const uint32_t xb = (free_u32 + 15u) & ~15u;
    if (xb + (uint32_t)((CS - 1) * OF * T::THREADS * 16) > end_u32) __trap();  // the launch's smem must hold the slots
    // a block may write another's shared memory only once that block has started (s30 call 3's racecheck: "a block
    // that might not have entered yet"): one cluster barrier before the exchange, one after it
    asm volatile("barrier.cluster.arrive.relaxed.aligned;\nbarrier.cluster.wait.aligned;\n" ::: "memory");
    // every accumulator index below is a compile-time constant (a runtime one would put acc in local memory and
    // serialize the mainloop's wgmma): loops over ranks, predicated on this block's. The slot of sender z in receiver
    // d's region: the senders other than d, in rank order.
#pragma unroll
    for (int d = 0; d < CS; d++) {
      if (d == (int)rank) continue;
      const uint32_t slot = (int)rank < d ? rank : rank - 1;
      uint32_t rb;
      asm volatile("mapa.shared::cluster.u32 %0, %1, %2;\n" : "=r"(rb) : "r"(xb), "r"(d));
#pragma unroll
      for (int f = 0; f < OF; f++) {
        const float *a = acc + (d * OF + f) * 4;
        pk_st_cluster_f4(rb + (uint32_t)(((slot * OF + f) * T::THREADS + ctid) * 16), a[0], a[1], a[2], a[3]);
      }
    }
    asm volatile("barrier.cluster.arrive.release.aligned;\nbarrier.cluster.wait.acquire.aligned;\n" ::: "memory");
    float own[OF * 4];
#pragma unroll
    for (int f = 0; f < OF; f++) {
#pragma unroll
      for (int z = 0; z < CS; z++) {
        float4 v;
        if (z == (int)rank) {  // z is the unrolled constant: this block's own fragments
          v = make_float4(acc[(z * OF + f) * 4], acc[(z * OF + f) * 4 + 1], acc[(z * OF + f) * 4 + 2], acc[(z * OF + f) * 4 + 3]);
        } else {
          const uint32_t slot = z < (int)rank ? z : z - 1;
          asm volatile("ld.shared.v4.f32 {%0, %1, %2, %3}, [%4];\n"
                       : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "r"(xb + (uint32_t)(((slot * OF + f) * T::THREADS + ctid) * 16)));
        }
        if (z == 0) { own[f * 4] = v.x; own[f * 4 + 1] = v.y; own[f * 4 + 2] = v.z; own[f * 4 + 3] = v.w; }
        else { own[f * 4] += v.x; own[f * 4 + 1] += v.y; own[f * 4 + 2] += v.z; own[f * 4 + 3] += v.w; }
      }
    }
    // staged epilogue over the owned fragments (gemm_wgmma.cu's pk_wg_epilogue_staged, for a fragment range)
    constexpr int OUTC = SILU ? OF * 4 : OF * 8, SROW = OUTC * 2 + 16;
    const int wg = ctid >> 7, lane = ctid & 31, warp = (ctid >> 5) & 3, g = lane >> 2, t4 = lane & 3;
    asm volatile("bar.sync 1, %0;\n" ::"n"(T::THREADS) : "memory");
#pragma unroll
    for (int h = 0; h < 2; h++) {
      uint8_t *row = stage + (wg * 64 + warp * 16 + g + h * 8) * SROW;
      if constexpr (SILU) {
#pragma unroll
        for (int j = 0; j < OF; j += 2) {
          const float g0 = bf2f(f2bf(own[j * 4 + 2 * h])), g1 = bf2f(f2bf(own[j * 4 + 2 * h + 1]));
          const float u0 = bf2f(f2bf(own[(j + 1) * 4 + 2 * h])), u1 = bf2f(f2bf(own[(j + 1) * 4 + 2 * h + 1]));
          *reinterpret_cast<uint32_t *>(row + ((j >> 1) * 8 + 2 * t4) * 2) = pack_bf2(pk_silu_mul(g0, u0), pk_silu_mul(g1, u1));
        }
      } else {
#pragma unroll
        for (int j = 0; j < OF; j++)
          *reinterpret_cast<uint32_t *>(row + (j * 8 + 2 * t4) * 2) = pack_bf2(own[j * 4 + 2 * h], own[j * 4 + 2 * h + 1]);
      }
    }
    asm volatile("bar.sync 1, %0;\n" ::"n"(T::THREADS) : "memory");
    constexpr int CPR = OUTC / 8;
    const int col0 = SILU ? bn / 2 + (int)rank * OF * 4 : bn + (int)rank * OF * 8;
    for (int c = ctid; c < T::BM * CPR; c += T::THREADS) {
      const int r = c / CPR, ch = c % CPR;
      if (bm + r < m_eff)
        *reinterpret_cast<uint4 *>(p.c + (size_t)(bm + r) * p.ldc + col0 + ch * 8) = *reinterpret_cast<const uint4 *>(stage + r * SROW + ch * 16);
    }
  }
};
template <int CS, bool SILU> struct PkFinishEpi<PkClusterSplitK<CS, SILU>> { static constexpr bool value = true; };
template <int BM, int BN, int CS, bool SILU>
__global__ void __launch_bounds__(2 * BM + 128, 1) wg_csk_kernel(const __grid_constant__ GemmTmaParams p) {
  pk_wg_tma_body<PkWgTile<BM, BN, 3, 1>, PkClusterSplitK<CS, SILU>>(p);
}

struct Cfg {
  const char *name; int bm, bn, smem, threads;
  void (*plain)(GemmParams);
  void (*silu)(GemmParams);
  void (*tma_plain)(GemmTmaParams) = nullptr;
  void (*tma_silu)(GemmTmaParams) = nullptr;
  int stages = 0;  // TMA: GemmTmaParams.stages
};
// name BMxBN sSTAGES lLAG
#define CFG(BM, BN, ST, LAG)                                                                                        \
  Cfg{#BM "x" #BN "s" #ST "l" #LAG, BM, BN, PkWgTile<BM, BN, ST, LAG>::SMEM, PkWgTile<BM, BN, ST, LAG>::THREADS, \
      wg_kernel<BM, BN, ST, LAG, 0>, wg_kernel<BM, BN, ST, LAG, 1>}
#define TCFG(BM, BN, ST)                                                                                                   \
  Cfg{"T" #BM "x" #BN "s" #ST, BM, BN, ST * (BM + BN) * 128 + 1024 + 16 * ST, 2 * BM + 128, nullptr, nullptr, wg_tma_kernel<BM, BN, 0>, \
      wg_tma_kernel<BM, BN, 1>, ST}
static std::vector<Cfg> g_cfgs = {
    TCFG(64, 64, 4),   TCFG(64, 64, 8),   TCFG(64, 64, 12),  TCFG(64, 80, 8),   TCFG(64, 80, 12),  TCFG(64, 128, 6),
    TCFG(64, 128, 9),  TCFG(64, 256, 4),  TCFG(64, 256, 5),  TCFG(128, 64, 4),  TCFG(128, 64, 8),  TCFG(128, 64, 9),
    TCFG(128, 96, 6),  TCFG(128, 96, 8),  TCFG(128, 128, 4), TCFG(128, 128, 6), TCFG(128, 192, 4), TCFG(128, 192, 5),
    TCFG(128, 256, 3), TCFG(128, 256, 4),
    CFG(64, 64, 6, 1),  CFG(64, 64, 8, 1),  CFG(64, 80, 6, 1),   CFG(64, 96, 6, 1),   CFG(64, 128, 6, 1),
    CFG(64, 192, 5, 1), CFG(64, 256, 4, 1), CFG(128, 64, 6, 1),  CFG(128, 80, 6, 1),  CFG(128, 96, 6, 1),
    CFG(128, 128, 4, 1), CFG(128, 128, 5, 1), CFG(128, 192, 4, 1), CFG(128, 256, 3, 1),
    CFG(64, 64, 6, 0),  CFG(64, 80, 6, 0),  CFG(64, 128, 6, 0),  CFG(128, 128, 5, 0), CFG(128, 192, 4, 0)};

static void launch_cfg(const Cfg &c, bool silu, const GemmParams &p, cudaStream_t st = 0) {
  dim3 grid(p.n / c.bn, (p.m + c.bm - 1) / c.bm, silu ? 1 : p.splits);
  if (c.tma_plain) {
    GemmTmaParams tp;
    tp.tmap_a = tensor_map(p.a, p.m, p.k, p.lda, c.bm);
    tp.tmap_b = tensor_map(p.b, p.n, p.k, p.ldb, c.bn);
    tp.gemm = p;
    tp.stages = c.stages;
    (silu ? c.tma_silu : c.tma_plain)<<<grid, c.threads, c.smem, st>>>(tp);
  } else {
    (silu ? c.silu : c.plain)<<<grid, c.threads, c.smem, st>>>(p);
  }
}

// ---------------------------------------------------------------- one shape
struct Shape { const char *name; int n, k; bool gate_up; };

static void run_shape(const Shape &s, const std::vector<int> &ms) {
  const int n = s.n, k = s.k, MMAX = 512;
  Rng r(0x5eed0000ull + (uint64_t)n * 31 + k);
  std::vector<uint16_t> A = rand_bf16((size_t)MMAX * k, r, 1.f);
  std::vector<uint16_t> B = rand_bf16((size_t)n * k, r, 1.f / std::sqrt((float)k));
  const double wbytes = 2.0 * n * k;
  const int ncopies = std::max(4, (int)std::ceil(256e6 / wbytes));
  Dev<uint16_t> dA(A), dC((size_t)MMAX * n);
  Dev<float> dP((size_t)4 * MMAX * n);
  Dev<uint16_t> dB((size_t)(g_quick ? 1 : ncopies) * n * k);
  CK(cudaMemcpy(dB.p, B.data(), wbytes, cudaMemcpyHostToDevice));
  if (!g_quick)
    for (int c = 1; c < ncopies; c++) CK(cudaMemcpy(dB.p + (size_t)c * n * k, dB.p, wbytes, cudaMemcpyDeviceToDevice));
  std::vector<int> rows;
  for (int i = 0; i < 16; i++) rows.push_back(i);
  for (int i : {63, 64, 65, 127, 128, 129, 200, 255, 256, 300, 383, 447, 479, 495, 510, 511}) rows.push_back(i);
  std::vector<std::vector<double>> ref(MMAX);
  parallel_for((int)rows.size(), [&](int i) {
    const int row = rows[i];
    ref[row].resize(n);
    for (int c = 0; c < n; c++) {
      double acc = 0;
      for (int q = 0; q < k; q++) acc += (double)h_bf2f(A[(size_t)row * k + q]) * h_bf2f(B[(size_t)c * k + q]);
      ref[row][c] = acc;
    }
  });
  auto check = [&](const char *what, int m_eff, const std::function<double(int, int)> &out, const std::function<double(int, int)> &want,
                   int ncols) {
    long fails = 0, count = 0; double maxe = 0;
    for (int row : rows) {
      if (row >= m_eff) continue;
      for (int c = 0; c < ncols; c++) {
        double o = out(row, c), w = want(row, c), e = std::fabs(o - w);
        count++;
        if (!(e <= 1e-2 + std::fabs(w) * 8e-3)) { if (fails < 3) printf("    MISMATCH %s row %d col %d: %g vs %g\n", what, row, c, o, w); fails++; }
        if (std::isfinite(e)) maxe = std::max(maxe, e); else maxe = INFINITY;
      }
    }
    if (fails) g_all_ok = false;
    return std::make_pair(fails, maxe);
  };

  for (int m : ms) {
    Dev<int32_t> dm(std::vector<int32_t>{m});
    Dev<int32_t> dm2(std::vector<int32_t>{m - 17});
    const double flops = 2.0 * m * n * k;
    double best = 1e30; std::string best_name;
    for (const Cfg &c : g_cfgs) {
      if (n % c.bn || (g_only && !strstr(c.name, g_only))) continue;
      if (c.tma_plain) {
        CK(cudaFuncSetAttribute(c.tma_plain, cudaFuncAttributeMaxDynamicSharedMemorySize, c.smem));
        CK(cudaFuncSetAttribute(c.tma_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, c.smem));
      } else {
        CK(cudaFuncSetAttribute(c.plain, cudaFuncAttributeMaxDynamicSharedMemorySize, c.smem));
        CK(cudaFuncSetAttribute(c.silu, cudaFuncAttributeMaxDynamicSharedMemorySize, c.smem));
      }
      GemmParams p{dA.p, dB.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, 1, nullptr};
      dC.poison();
      launch_cfg(c, false, p);
      CK(cudaGetLastError()); CK(cudaDeviceSynchronize());
      auto full = dC.down();
      auto res = check("bf16", m, [&](int row, int col) { return (double)h_bf2f(full[(size_t)row * n + col]); },
                       [&](int row, int col) { return ref[row][col]; }, n);
      long untouched = 0;
      for (size_t i = (size_t)m * n; i < full.size(); i++) untouched += full[i] != 0xFFFF;
      // bucket invariance: m_dev = m - 17 gives the same bits for its rows, leaves the rest poisoned
      GemmParams p2 = p; p2.m_dev = dm2.p;
      dC.poison();
      launch_cfg(c, false, p2);
      CK(cudaDeviceSynchronize());
      auto part = dC.down();
      long inv = memcmp(part.data(), full.data(), (size_t)(m - 17) * n * 2) != 0;
      for (size_t i = (size_t)(m - 17) * n; i < part.size(); i++) untouched += part[i] != 0xFFFF;
      // split-K partials (2 splits) summed on the host
      long sfails = 0;
      if (k % 128 == 0) {
        GemmParams p3 = p; p3.splits = 2;
        launch_cfg(c, false, p3);
        CK(cudaDeviceSynchronize());
        auto pv = dP.down();
        sfails = check("splits2", m, [&](int row, int col) { return (double)pv[(size_t)row * n + col] + pv[((size_t)m + row) * n + col]; },
                       [&](int row, int col) { return ref[row][col]; }, n).first;
      }
      // SiLU * up: B read as interleaved gate/up rows in groups of 8; output column j = silu(g_j) * u_j
      long ufails = 0;
      if (s.gate_up) {
        dC.poison();
        launch_cfg(c, true, p);
        CK(cudaDeviceSynchronize());
        auto so = dC.down();
        auto colref = [&](int row, int j, bool up) {  // B row of gate j / up j in the interleaved layout
          const int brow = (j >> 3) * 16 + (up ? 8 : 0) + (j & 7);
          return (double)h_bf2f(h_f2bf((float)ref[row][brow]));
        };
        ufails = check("silu", m, [&](int row, int j) { return (double)h_bf2f(so[(size_t)row * n + j]); },
                       [&](int row, int j) { double g = colref(row, j, false), u = colref(row, j, true); return g / (1.0 + std::exp(-g)) * u; },
                       n / 2).first;
      }
      const bool ok = res.first == 0 && untouched == 0 && inv == 0 && sfails == 0 && ufails == 0;
      if (!ok) g_all_ok = false;
      // quick (the sanitizers' mode) holds one weight copy: no timing there, whose launches rotate over ncopies of them
      // (timing in quick mode read past dB: the illegal address of v30's call and s11 call 4's memcheck)
      const double us = g_quick ? 0 : time_us([&](int it) { GemmParams q = p; q.b = dB.p + (size_t)(it % ncopies) * n * k; launch_cfg(c, false, q); });
      printf("%-8s m%-4d %-13s %s max_err %.3g fails %ld untouched %ld invariance %ld splits2 %ld silu %ld  %8.2f us %6.1f TFLOP/s\n", s.name,
             m, c.name, ok ? "OK  " : "FAIL", res.second, res.first, untouched, inv, sfails, ufails, us, us > 0 ? flops / us / 1e6 : 0.0);
      if (us > 0 && us < best) { best = us; best_name = c.name; }
      // split-K (fp32 partials, summed by the consumer in the forward): the TMA kernels at 2 and 4 splits
      for (int sp : {2, 4}) {
        if (!c.tma_plain || g_quick || (k / sp) % 64 || k % sp) continue;
        double su = time_us([&](int it) { GemmParams q = p; q.splits = sp; q.b = dB.p + (size_t)(it % ncopies) * n * k; launch_cfg(c, false, q); });
        printf("%-8s m%-4d %-13s splits %d %8.2f us\n", s.name, m, c.name, sp, su);
        if (su < best) { best = su; best_name = std::string(c.name) + "/" + std::to_string(sp); }
      }
    }
    if (g_quick) continue;
    // gemm.cu's 128 x 128 mma.sync kernel and cuBLAS on the same data
    CK(cudaFuncSetAttribute(gemm_bf16_large, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_LARGE_SMEM));
    double ours_sync = time_us([&](int it) {
      GemmParams q{dA.p, dB.p + (size_t)(it % ncopies) * n * k, dC.p, dP.p, dm.p, m, n, k, k, k, n, 1, nullptr};
      gemm_bf16_large<<<dim3((n + 127) / 128, (m + 127) / 128, 1), PREFILL_GEMM_LARGE_THREADS, PREFILL_GEMM_LARGE_SMEM>>>(q);
    });
    double cu = 0;
#ifndef NO_CUBLAS
    static cublasHandle_t h = nullptr;
    if (!h && cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) { fprintf(stderr, "cublasCreate failed\n"); exit(2); }
    float alpha = 1.f, beta = 0.f;
    cu = time_us([&](int it) {
      cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha, dB.p + (size_t)(it % ncopies) * n * k, CUDA_R_16BF, k, dA.p, CUDA_R_16BF, k,
                   &beta, dC.p, CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    });
#endif
    printf("TABLE %-8s n%-6d k%-5d m%-4d best %-14s %8.2f us (%6.1f TFLOP/s) | mma.sync 128x128 %8.2f | cuBLAS %8.2f | cuBLAS/best %.2f\n",
           s.name, n, k, m, best_name.c_str(), best, flops / best / 1e6, ours_sync, cu, cu > 0 ? cu / best : 0.0);
  }
}

// ncu mode: NAME n k m splits: five launches of one configuration on random data (no checks), for Nsight Compute.
static int run_one(int argc, char **argv) {
  if (argc < 7) { fprintf(stderr, "usage: one NAME n k m splits\n"); return 2; }
  const Cfg *c = nullptr;
  for (const Cfg &x : g_cfgs) if (!strcmp(x.name, argv[2])) c = &x;
  const int n = atoi(argv[3]), k = atoi(argv[4]), m = atoi(argv[5]), sp = atoi(argv[6]);
  Rng r(7);
  Dev<uint16_t> dA(rand_bf16((size_t)m * k, r, 1.f)), dB(rand_bf16((size_t)n * k, r, 0.03f)), dC((size_t)m * n);
#ifndef NO_CUBLAS
  if (!strcmp(argv[2], "cublas")) {  // the library's kernel on the same shape, for comparison
    cublasHandle_t h;
    if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) return 2;
    float alpha = 1.f, beta = 0.f;
    for (int i = 0; i < 5; i++)
      cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha, dB.p, CUDA_R_16BF, k, dA.p, CUDA_R_16BF, k, &beta, dC.p, CUDA_R_16BF, n,
                   CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    CK(cudaDeviceSynchronize());
    printf("ran cublas n%d k%d m%d x5\n", n, k, m);
    return 0;
  }
#endif
  if (!c) { fprintf(stderr, "no configuration %s\n", argv[2]); return 2; }
  Dev<float> dP((size_t)sp * m * n);
  Dev<int32_t> dm(std::vector<int32_t>{m});
  void (*kern)(GemmTmaParams) = c->tma_plain;
  if (kern) CK(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, c->smem));
  else CK(cudaFuncSetAttribute(c->plain, cudaFuncAttributeMaxDynamicSharedMemorySize, c->smem));
  GemmParams p{dA.p, dB.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, sp, nullptr};
  for (int i = 0; i < 5; i++) launch_cfg(*c, false, p);
  CK(cudaDeviceSynchronize());
  printf("ran %s n%d k%d m%d splits %d x5\n", c->name, n, k, m, sp);
  return 0;
}

// The TMA configuration named by argv[2] of a mode taking "NAME n k m splits", or null after saying why (usage, unknown).
static const Cfg *tma_cfg_arg(int argc, char **argv, const char *mode) {
  if (argc < 7) { fprintf(stderr, "usage: %s NAME n k m splits\n", mode); return nullptr; }
  for (const Cfg &x : g_cfgs)
    if (!strcmp(x.name, argv[2]) && x.tma_plain) return &x;
  fprintf(stderr, "%s: %s is no TMA configuration (T...)\n", mode, argv[2]);
  return nullptr;
}

// One launch through cudaLaunchKernelEx: PDL (programmatic stream serialization) when asked, the cluster attribute when
// `cluster` is given (clusters of one block too: run_cluster times them apart from plain blocks).
static void launch_ex(void (*kern)(GemmTmaParams), const GemmTmaParams &tp, dim3 grid, int threads, int smem, const dim3 *cluster, bool pdl) {
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = grid; cfg.blockDim = dim3(threads); cfg.dynamicSmemBytes = smem; cfg.stream = 0;
  cudaLaunchAttribute at[2];
  int na = 0;
  if (pdl) { at[na].id = cudaLaunchAttributeProgrammaticStreamSerialization; at[na++].val.programmaticStreamSerializationAllowed = 1; }
  if (cluster) {
    at[na].id = cudaLaunchAttributeClusterDimension;
    at[na].val.clusterDim.x = cluster->x; at[na].val.clusterDim.y = cluster->y; at[na++].val.clusterDim.z = cluster->z;
  }
  cfg.attrs = at; cfg.numAttrs = na;
  CK(cudaLaunchKernelEx(&cfg, kern, tp));
}

// A TMA launch's parameters for each of `copies` weight copies (B at copy i), split `splits` ways.
static std::vector<GemmTmaParams> tma_params_per_copy(const uint16_t *a, const uint16_t *b, uint16_t *c, float *partials, const int32_t *m_dev,
                                                      int m, int n, int k, int splits, int bm, int bn, int stages, int copies) {
  std::vector<GemmTmaParams> tps(copies);
  for (int i = 0; i < copies; i++) {
    GemmParams p{a, b + (size_t)i * n * k, c, partials, m_dev, m, n, k, k, k, n, splits, nullptr};
    tps[i].tmap_a = tensor_map(p.a, p.m, p.k, p.lda, bm);
    tps[i].tmap_b = tensor_map(p.b, p.n, p.k, p.ldb, bn);
    tps[i].gemm = p;
    tps[i].stages = stages;
  }
  return tps;
}

// cluster NAME n k m splits: what a thread-block cluster costs a TMA tile's launch in a PDL chain (s25: the cluster-pair
// split-K idea needs it small). The same configuration launched back to back with programmatic stream serialization,
// weights rotated over copies larger than the L2 (as the forward reads them from DRAM), as plain blocks and as clusters
// of 1, 2 and 4 along x (the kernel uses no cluster feature: only the launch differs). Prints µs per launch, median.
static int run_cluster(int argc, char **argv) {
  const Cfg *c = tma_cfg_arg(argc, argv, "cluster");
  if (!c) return 2;
  const int n = atoi(argv[3]), k = atoi(argv[4]), m = atoi(argv[5]), sp = atoi(argv[6]);
  const double wbytes = 2.0 * n * k;
  const int ncopies = std::max(4, (int)std::ceil(256e6 / wbytes));
  Rng r(11);
  Dev<uint16_t> dA(rand_bf16((size_t)m * k, r, 1.f)), dC((size_t)m * n), dB((size_t)ncopies * n * k);
  std::vector<uint16_t> B = rand_bf16((size_t)n * k, r, 0.03f);
  for (int i = 0; i < ncopies; i++) CK(cudaMemcpy(dB.p + (size_t)i * n * k, B.data(), wbytes, cudaMemcpyHostToDevice));
  Dev<float> dP((size_t)sp * m * n);
  Dev<int32_t> dm(std::vector<int32_t>{m});
  CK(cudaFuncSetAttribute(c->tma_plain, cudaFuncAttributeMaxDynamicSharedMemorySize, c->smem));
  const std::vector<GemmTmaParams> tps = tma_params_per_copy(dA.p, dB.p, dC.p, dP.p, dm.p, m, n, k, sp, c->bm, c->bn, c->stages, ncopies);
  const dim3 grid(n / c->bn, (m + c->bm - 1) / c->bm, sp);
  printf("cluster %s n%d k%d m%d splits %d: grid %dx%dx%d, %d weight copies, PDL back to back\n", c->name, n, k, m, sp, grid.x, grid.y,
         grid.z, ncopies);
  for (int cx : {0, 1, 2, 4}) {
    if (cx > 0 && grid.x % cx != 0) continue;
    const dim3 cl(cx, 1, 1);
    auto launch = [&](int i) { launch_ex(c->tma_plain, tps[i % ncopies], grid, c->threads, c->smem, cx > 0 ? &cl : nullptr, true); };
    const double us = time_us(launch, 15, 20);
    printf("  %-22s %8.2f us per launch\n", cx == 0 ? "plain blocks" : cx == 1 ? "clusters of 1" : cx == 2 ? "clusters of 2" : "clusters of 4", us);
  }
  return 0;
}

// csk: the cluster split-K forms (PkClusterSplitK above) against the TMA tiles the forward runs on the same shapes, each
// checked (float64 reference on sampled rows, SiLU * up for gate_up, rows past m untouched, m_dev = m - 17 the same bits
// for its rows, a second launch the same bits) and timed two ways: back-to-back plain launches (time_us, as the table)
// and a PDL chain of launches with the weights rotated over copies larger than the L2 (as the forward reads them).
struct CskCfg {
  const char *name; int bm, bn, cs, stages, xbytes;
  void (*kern)(GemmTmaParams);
  int smem() const { return stages * (bm + bn) * 128 + 1024 + 16 * stages + xbytes; }
};
#define CSK(BM, BN, CS, ST, SILU)                                                                                     \
  CskCfg{"C" #BM "x" #BN "c" #CS "s" #ST, BM, BN, CS, ST, PkClusterSplitK<CS, SILU>::template xbytes<PkWgTile<BM, BN, 3, 1>>(), \
         wg_csk_kernel<BM, BN, CS, SILU>}
struct CskCase { const char *shape; int n, k, m; bool silu; std::vector<CskCfg> csk; std::vector<std::pair<const char *, int>> base; };

static int run_csk() {
  const std::vector<CskCase> cases = {
      {"e.gateup", 6144, 1024, 128, true, {CSK(128, 128, 2, 6, true), CSK(128, 128, 4, 5, true), CSK(128, 192, 4, 3, true)}, {{"T128x64s8", 1}, {"T128x128s6", 2}}},
      {"e.down", 1024, 3072, 128, false, {CSK(64, 64, 4, 8, false), CSK(128, 64, 8, 8, false), CSK(128, 64, 4, 8, false)}, {{"T64x64s8", 4}}},
      {"e.qkv", 1280, 1024, 128, false, {CSK(64, 64, 2, 8, false), CSK(64, 64, 4, 8, false), CSK(128, 64, 4, 8, false)}, {{"T64x64s8", 2}}},
      {"e.o", 1024, 1024, 128, false, {CSK(64, 64, 4, 8, false), CSK(128, 64, 8, 8, false)}, {{"T64x64s8", 4}}},
      {"e.qkv", 1280, 1024, 512, false, {CSK(128, 128, 2, 6, false), CSK(128, 64, 2, 8, false)}, {{"T128x128s4", 2}, {"T128x64s8", 1}}},
      {"e.o", 1024, 1024, 512, false, {CSK(128, 128, 4, 5, false), CSK(128, 128, 2, 6, false)}, {{"T128x64s4", 2}, {"T128x128s4", 1}}},
      {"e.down", 1024, 3072, 512, false, {CSK(128, 128, 4, 5, false), CSK(128, 128, 2, 6, false)}, {{"T128x128s4", 4}}},
      {"e.gateup", 6144, 1024, 512, true, {CSK(128, 192, 2, 3, true)}, {{"T128x192s4", 1}}},
  };
  printf("csk: cluster split-K through distributed shared memory against the forward's TMA tiles (us per launch, median)\n");
  printf("| shape | m | form | blocks | check | alone us | PDL chain us |\n|---|---:|---|---:|---|---:|---:|\n");
  for (const CskCase &cc : cases) {
    const int n = cc.n, k = cc.k, m = cc.m;
    Rng r(0xc5c0000ull + (uint64_t)n * 31 + k + m);
    std::vector<uint16_t> A = rand_bf16((size_t)m * k, r, 1.f), B = rand_bf16((size_t)n * k, r, 1.f / std::sqrt((float)k));
    const double wbytes = 2.0 * n * k;
    const int ncopies = g_quick ? 1 : std::max(4, (int)std::ceil(256e6 / wbytes));
    Dev<uint16_t> dA(A), dC((size_t)m * n), dB((size_t)ncopies * n * k);
    Dev<float> dP((size_t)8 * m * n);
    for (int c = 0; c < ncopies; c++) CK(cudaMemcpy(dB.p + (size_t)c * n * k, B.data(), wbytes, cudaMemcpyHostToDevice));
    Dev<int32_t> dm(std::vector<int32_t>{m}), dm2(std::vector<int32_t>{m - 17});
    std::vector<int> rows = {0, 1, 2, 7, 15, 16, 31, 63, 64, 65, 100, m - 18, m - 17, m - 1};
    std::vector<std::vector<double>> ref(m);
    parallel_for((int)rows.size(), [&](int i) {
      const int row = rows[i];
      if (!ref[row].empty()) return;
      std::vector<double> v(n);
      for (int c = 0; c < n; c++) {
        double acc = 0;
        for (int q = 0; q < k; q++) acc += (double)h_bf2f(A[(size_t)row * k + q]) * h_bf2f(B[(size_t)c * k + q]);
        v[c] = acc;
      }
      ref[row] = v;
    });
    auto want = [&](int row, int c) {
      if (!cc.silu) return ref[row][c];
      auto gu = [&](bool up) { return (double)h_bf2f(h_f2bf((float)ref[row][(c >> 3) * 16 + (up ? 8 : 0) + (c & 7)])); };
      const double g = gu(false), u = gu(true);
      return g / (1.0 + std::exp(-g)) * u;
    };
    const int ncols = cc.silu ? n / 2 : n;
    auto timed = [&](const std::function<void(int, bool)> &launch) {
      if (g_quick) return std::make_pair(0.0, 0.0);
      const double alone = time_us([&](int it) { launch(it, false); });
      const double chain = time_us([&](int it) { launch(it, true); }, 15, 20);
      return std::make_pair(alone, chain);
    };
    for (const CskCfg &c : cc.csk) {
      if (n % c.bn || (g_only && strcmp(c.name, g_only))) continue;
      CK(cudaFuncSetAttribute(c.kern, cudaFuncAttributeMaxDynamicSharedMemorySize, c.smem()));
      const std::vector<GemmTmaParams> tps = tma_params_per_copy(dA.p, dB.p, dC.p, dP.p, dm.p, m, n, k, c.cs, c.bm, c.bn, c.stages, ncopies);
      const dim3 grid(n / c.bn, (m + c.bm - 1) / c.bm, c.cs), cl(1, 1, c.cs);
      const int threads = 2 * c.bm + 128;
      dC.poison();
      launch_ex(c.kern, tps[0], grid, threads, c.smem(), &cl, false);
      CK(cudaGetLastError()); CK(cudaDeviceSynchronize());
      auto full = dC.down();
      long fails = 0, untouched = 0; double maxe = 0;
      for (int row : rows)
        for (int col = 0; col < ncols; col++) {
          const double o = h_bf2f(full[(size_t)row * n + col]), w = want(row, col), e = std::fabs(o - w);
          if (!(e <= 1e-2 + std::fabs(w) * 8e-3)) { if (fails < 3) printf("    MISMATCH %s %s row %d col %d: %g vs %g\n", cc.shape, c.name, row, col, o, w); fails++; }
          maxe = std::isfinite(e) ? std::max(maxe, e) : INFINITY;
        }
      if (cc.silu)  // the SiLU form writes n / 2 columns: the rest stay poisoned
        for (int row = 0; row < m; row++)
          for (int col = ncols; col < n; col++) untouched += full[(size_t)row * n + col] != 0xFFFF;
      launch_ex(c.kern, tps[0], grid, threads, c.smem(), &cl, false);  // again over the same output: the same bits
      CK(cudaDeviceSynchronize());
      const long again = memcmp(dC.down().data(), full.data(), full.size() * 2) != 0;
      GemmTmaParams t2 = tps[0]; t2.gemm.m_dev = dm2.p;
      dC.poison();
      launch_ex(c.kern, t2, grid, threads, c.smem(), &cl, false);
      CK(cudaDeviceSynchronize());
      auto part = dC.down();
      long inv = 0;
      for (int row = 0; row < m - 17; row++)
        for (int col = 0; col < ncols; col++) inv += part[(size_t)row * n + col] != full[(size_t)row * n + col];
      for (int row = m - 17; row < m; row++)
        for (int col = 0; col < n; col++) untouched += part[(size_t)row * n + col] != 0xFFFF;
      const bool ok = fails == 0 && untouched == 0 && inv == 0 && again == 0;
      if (!ok) g_all_ok = false;
      auto t = timed([&](int it, bool pdl) { launch_ex(c.kern, tps[it % ncopies], grid, threads, c.smem(), &cl, pdl); });
      printf("| %s | %d | %s | %d | %s max_err %.3g fails %ld untouched %ld invariance %ld again %ld | %.2f | %.2f |\n", cc.shape, m, c.name,
             grid.x * grid.y * grid.z, ok ? "OK" : "FAIL", maxe, fails, untouched, inv, again, t.first, t.second);
    }
    for (auto [bname, sp] : cc.base) {  // the forward's tiles on the same data (split-K: fp32 partials, summed by the next kernel)
      const Cfg *c = nullptr;
      for (const Cfg &x : g_cfgs) if (!strcmp(x.name, bname) && x.tma_plain) c = &x;
      if (!c || g_quick) continue;
      void (*kern)(GemmTmaParams) = cc.silu && sp == 1 ? c->tma_silu : c->tma_plain;
      CK(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, c->smem));
      const std::vector<GemmTmaParams> tps = tma_params_per_copy(dA.p, dB.p, dC.p, dP.p, dm.p, m, n, k, sp, c->bm, c->bn, c->stages, ncopies);
      const dim3 grid(n / c->bn, (m + c->bm - 1) / c->bm, sp);
      auto t = timed([&](int it, bool pdl) { launch_ex(kern, tps[it % ncopies], grid, c->threads, c->smem, nullptr, pdl); });
      printf("| %s | %d | %s%s%s | %d | (the forward's tile) | %.2f | %.2f |\n", cc.shape, m, c->name, sp > 1 ? " split " : "",
             sp > 1 ? std::to_string(sp).c_str() : "", grid.x * grid.y * grid.z, t.first, t.second);
    }
  }
  printf("%s\n", g_all_ok ? "ALL OK" : "SOME CHECKS FAILED");
  return g_all_ok ? 0 : 1;
}

#ifdef PK_WG_TRACE
// trace NAME n k m splits (a -DPK_WG_TRACE build): the phases of every block of the fifth launch, median and max over
// blocks, in µs at the SM clock: entry -> first tile, waiting for tiles, waiting for the previous wgmma group, the k
// loop, the epilogue, the block; the producer's waits for free stages and its whole run.
static int run_trace(int argc, char **argv) {
  const Cfg *c = tma_cfg_arg(argc, argv, "trace");
  if (!c) return 2;
  const int n = atoi(argv[3]), k = atoi(argv[4]), m = atoi(argv[5]), sp = atoi(argv[6]);
  Rng r(7);
  Dev<uint16_t> dA(rand_bf16((size_t)m * k, r, 1.f)), dB(rand_bf16((size_t)n * k, r, 0.03f)), dC((size_t)m * n);
  Dev<float> dP((size_t)sp * m * n);
  Dev<int32_t> dm(std::vector<int32_t>{m});
  CK(cudaFuncSetAttribute(c->tma_plain, cudaFuncAttributeMaxDynamicSharedMemorySize, c->smem));
  GemmParams p{dA.p, dB.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, sp, nullptr};
  for (int i = 0; i < 5; i++) launch_cfg(*c, false, p);
  CK(cudaDeviceSynchronize());
  const int blocks = (n / c->bn) * ((m + c->bm - 1) / c->bm) * sp;
  std::vector<unsigned long long> t((size_t)4096 * 8);
  CK(cudaMemcpyFromSymbol(t.data(), pk_wg_trace, t.size() * sizeof(unsigned long long)));
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  int khz = 0;
  CK(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0));
  const double per_us = khz / 1e3;  // cycles per µs
  const char *names[8] = {"entry->first tile", "wait for tiles", "wait for wgmma", "k loop", "epilogue", "block", "producer: wait free", "producer: run"};
  printf("trace %s n%d k%d m%d splits %d: %d blocks, %d k tiles each, SM clock %.0f MHz\n", c->name, n, k, m, sp, blocks, k / sp / 64, per_us);
  for (int f = 0; f < 8; f++) {
    std::vector<double> v;
    for (int b = 0; b < blocks; b++) v.push_back(t[(size_t)b * 8 + f] / per_us);
    std::sort(v.begin(), v.end());
    printf("  %-20s median %7.2f us  max %7.2f us\n", names[f], v[v.size() / 2], v.back());
  }
  return 0;
}
#endif

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "one")) return run_one(argc, argv);
  if (argc > 1 && !strcmp(argv[1], "cluster")) return run_cluster(argc, argv);
  if (argc > 1 && !strcmp(argv[1], "csk")) {  // csk [quick [FORM]]: FORM, one cluster form's name, e.g. C128x128c2s6
    g_quick = argc > 2 && !strcmp(argv[2], "quick");
    if (g_quick && argc > 3) g_only = argv[3];
    return run_csk();
  }
#ifdef PK_WG_TRACE
  if (argc > 1 && !strcmp(argv[1], "trace")) return run_trace(argc, argv);
#endif
  g_quick = argc > 1 && !strcmp(argv[1], "quick");
  if (g_quick && argc > 2) g_only = argv[2];
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  printf("device %s, %d SMs, cc %d.%d\n", prop.name, prop.multiProcessorCount, prop.major, prop.minor);
  std::vector<Shape> shapes = {{"e.qkv", 1280, 1024, false}, {"e.o", 1024, 1024, false}, {"e.gateup", 6144, 1024, true},
                               {"e.down", 1024, 3072, false}, {"l.qkv", 3072, 2048, false}, {"l.o", 2048, 2048, false},
                               {"l.gateup", 16384, 2048, true}, {"l.down", 2048, 8192, false}};
  if (argc > 3 && !strcmp(argv[1], "only")) {  // only SHAPE M: every configuration on one shape at one row count
    for (const Shape &s : shapes) if (!strcmp(s.name, argv[2])) run_shape(s, {atoi(argv[3])});
  } else if (g_quick) {
    run_shape(shapes[0], {512});
    run_shape(shapes[2], {128});
  } else {
    for (const Shape &s : shapes) run_shape(s, {128, 256, 512});
  }
  printf("%s\n", g_all_ok ? "ALL OK" : "SOME CHECKS FAILED");
  return g_all_ok ? 0 : 1;
}
