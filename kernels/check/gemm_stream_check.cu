// Check + timing harness for the weight-streaming GEMMs (kernels/src/gemm_stream.cu), llm.c style:
// for the ERNIE-4.5-0.3B shapes and row buckets 16/32/64, every configuration and split count is
//  - validated against a float64 CPU reference on fresh random bf16 data (|out - ref| <= tol + |ref|*eps,
//    outputs NaN-poisoned before the launch, NaN never passes, rows past the real count must stay poisoned),
//  - checked for bucket invariance (real m < capacity gives the same bits for the real rows as
//    real m = capacity) and, for WK == 1 configurations, for bit equality with gemm_bf16 (same splits),
//  - timed with events over back-to-back launches (plain and with PDL), rotating weight copies
//    (>= 4 copies, >= 256 MB in all) so the weights come from DRAM, not the 60 MB L2,
// next to cuBLAS (cublasGemmEx bf16, fp32 compute) and gemm_bf16 with the splits GemmTiling picks.
// Also measures the floors: cudaMemcpy D2D of 1 GB, a pure-read kernel over 1 GB, an empty PDL kernel.
// Build: kernels/check/run-stream-check.sh. Modes: (none) full run | quick (validation only, one
// shape: for compute-sanitizer) | ncu (a few launches of chosen configs, for Nsight Compute) | probe
// (per-SM streaming rate by load path, fixed cost at k = 64).
#include "../src/prefill_kernels.cu"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#ifndef NO_CUBLAS
#include <cublas_v2.h>
#endif

#define PREFILL_CHECK_OWN_TIMING  // time_us below: min and median
#include "check_util.cuh"

#ifndef NO_CUBLAS
#define CKB(x)                                                                                   \
  do {                                                                                           \
    cublasStatus_t s_ = (x);                                                                     \
    if (s_ != CUBLAS_STATUS_SUCCESS) {                                                           \
      fprintf(stderr, "cuBLAS error %d at %s:%d: %s\n", (int)s_, __FILE__, __LINE__, #x);        \
      exit(2);                                                                                   \
    }                                                                                            \
  } while (0)
#endif

template <class P>
static void launch_ex(void (*kern)(P), dim3 grid, dim3 block, size_t smem, cudaStream_t st, bool pdl, const P &p) {
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = grid; cfg.blockDim = block; cfg.dynamicSmemBytes = smem; cfg.stream = st;
  cudaLaunchAttribute at[1];
  at[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  at[0].val.programmaticStreamSerializationAllowed = 1;
  cfg.attrs = pdl ? at : nullptr;
  cfg.numAttrs = pdl ? 1 : 0;
  CK(cudaLaunchKernelEx(&cfg, kern, p));
}

static bool g_no_timing = false;
// Per-launch time in us: median (and min) over reps of `batch` back-to-back launches between two
// events. A spin kernel first lets the host queue the whole batch before the timed region starts.
struct Timing { double med, min; };
static Timing time_us(const std::function<void(int)> &launch, int reps = 15, int batch = 20) {
  if (g_no_timing) return {0, 0};
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a)); CK(cudaEventCreate(&b));
  for (int i = 0; i < 3; i++) launch(i);
  CK(cudaDeviceSynchronize());
  std::vector<double> t;
  int it = 0;
  for (int r = 0; r < reps; r++) {
    spin_delay<<<1, 1>>>(SpinParams{400000});
    CK(cudaEventRecord(a));
    for (int i = 0; i < batch; i++) launch(it++);
    CK(cudaEventRecord(b));
    CK(cudaEventSynchronize(b));
    float ms; CK(cudaEventElapsedTime(&ms, a, b));
    t.push_back(ms * 1000.0 / batch);
  }
  CK(cudaGetLastError());
  std::sort(t.begin(), t.end());
  CK(cudaEventDestroy(a)); CK(cudaEventDestroy(b));
  return {t[t.size() / 2], t[0]};
}

// ---------------------------------------------------------------- configurations under test
struct Variant {
  std::string name;
  void (*fn)(GemmParams);
  int mcap, bn, bk, threads, smem;
  int trig;
  bool wk1;
};
template <class C, int TRIG>
static Variant variant(const std::string &name, void (*fn)(GemmParams) = gemm_bf16_stream_t<C, TRIG>) {
  CK(cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize, C::SMEM));
  return Variant{name, fn, C::MCAP, C::BN, C::BK, C::THREADS, C::SMEM, TRIG, C::WK == 1};
}
// v3 sweep (call 3; since then the m64 export is the n64k64s6 configuration measured there under that
// name, and the old n64k64s4 export is listed as a variant): the references of calls 1-2, then A by plain loads (ALOAD 1), the trigger point,
// and grids balanced to ~128 blocks (BN 80 / 96) with the whole weight slice prefetched before the wait.
//                  MCAP  BN  BK  S WM WN WK WLOAD ALOAD
typedef PkStreamCfg<16, 64, 128, 4, 1, 4, 1, 0, 0> M16_k128;
typedef PkStreamCfg<16, 64, 64, 6, 1, 4, 1, 0, 1> M16_al;
typedef PkStreamCfg<16, 64, 128, 4, 1, 4, 1, 0, 1> M16_k128_al;
typedef PkStreamCfg<16, 64, 64, 5, 1, 4, 1, 0, 1> M16_s5_al;
typedef PkStreamCfg<16, 64, 64, 7, 1, 4, 1, 0, 1> M16_s7_al;
typedef PkStreamCfg<16, 80, 64, 5, 1, 5, 1, 0, 1> M16_n80_al;
typedef PkStreamCfg<16, 96, 64, 9, 1, 6, 1, 0, 1> M16_n96s9_al;
typedef PkStreamCfg<16, 96, 64, 5, 1, 6, 1, 0, 1> M16_n96s5_al;
typedef PkStreamCfg<32, 128, 64, 4, 2, 4, 1, 0, 0> M32_n128;
typedef PkStreamCfg<32, 64, 128, 4, 1, 4, 1, 0, 0> M32_k128;
typedef PkStreamCfg<32, 64, 64, 6, 1, 4, 1, 0, 1> M32_al;
typedef PkStreamCfg<32, 64, 128, 4, 1, 4, 1, 0, 1> M32_k128_al;
typedef PkStreamCfg<32, 80, 64, 5, 1, 5, 1, 0, 1> M32_n80_al;
typedef PkStreamCfg<32, 96, 64, 5, 1, 6, 1, 0, 1> M32_n96_al;
typedef PkStreamCfg<64, 64, 64, 4, 2, 2, 1, 0, 0> M64_s4;  // the m64 export of calls 1-3
typedef PkStreamCfg<64, 64, 64, 6, 2, 2, 1, 0, 1> M64_s6_al;
typedef PkStreamCfg<64, 64, 64, 4, 2, 2, 1, 0, 1> M64_s4_al;
typedef PkStreamCfg<64, 128, 64, 4, 2, 4, 1, 0, 1> M64_n128_al;
typedef PkStreamCfg<64, 80, 64, 5, 2, 5, 1, 0, 1> M64_n80_al;

static std::vector<Variant> make_variants() {
  const int E = PK_TRIG_ENTRY, A = PK_TRIG_AFTER_A, L = PK_TRIG_END;
  return {
      variant<PkStreamM16, E>("m16 export(n64k64s6)", gemm_bf16_stream_m16),
      variant<PkStreamM16, L>("m16 n64k64s6 late"),
      variant<M16_k128, E>("m16 n64k128s4"),
      variant<M16_al, E>("m16 n64k64s6 aldg"),
      variant<M16_al, A>("m16 n64k64s6 aldg trigA"),
      variant<M16_k128_al, E>("m16 n64k128s4 aldg"),
      variant<M16_s5_al, E>("m16 n64k64s5 aldg"),
      variant<M16_s7_al, E>("m16 n64k64s7 aldg"),
      variant<M16_n80_al, E>("m16 n80k64s5 aldg"),
      variant<M16_n96s9_al, E>("m16 n96k64s9 aldg"),
      variant<M16_n96s5_al, E>("m16 n96k64s5 aldg"),
      variant<PkStreamM32, E>("m32 export(n64k64s6)", gemm_bf16_stream_m32),
      variant<M32_n128, E>("m32 n128k64s4 8w"),
      variant<M32_k128, E>("m32 n64k128s4"),
      variant<M32_al, E>("m32 n64k64s6 aldg"),
      variant<M32_al, A>("m32 n64k64s6 aldg trigA"),
      variant<M32_k128_al, E>("m32 n64k128s4 aldg"),
      variant<M32_n80_al, E>("m32 n80k64s5 aldg"),
      variant<M32_n96_al, E>("m32 n96k64s5 aldg"),
      variant<PkStreamM64, E>("m64 export(n64k64s6)", gemm_bf16_stream_m64),
      variant<M64_s4, E>("m64 n64k64s4"),
      variant<M64_s6_al, E>("m64 n64k64s6 aldg"),
      variant<M64_s6_al, A>("m64 n64k64s6 aldg trigA"),
      variant<M64_s4_al, E>("m64 n64k64s4 aldg"),
      variant<M64_n128_al, E>("m64 n128k64s4 8w aldg"),
      variant<M64_n80_al, E>("m64 n80k64s5 aldg"),
  };
}

// ---------------------------------------------------------------- shapes and their data
struct Shape { const char *name; int n, k; };
struct ShapeData {
  Shape sh;
  size_t wel, wbytes;
  int ncopies;
  std::vector<uint16_t> A, W;                 // A [64, k], W [n, k] (copy 0 of the pool)
  std::vector<double> ref;                    // [64, n] float64 reference
  std::unique_ptr<Dev<uint16_t>> dA, pool, dC; // dC [64, n]
  std::unique_ptr<Dev<float>> dP;              // [16, 64, n]
  int refrows;
  ShapeData(Shape s, Rng &r, int refrows_ = 64, bool with_ref = true) : sh(s), refrows(refrows_) {
    const int n = s.n, k = s.k;
    wel = (size_t)n * k; wbytes = wel * 2;
    ncopies = (int)std::max<size_t>(4, (256ull << 20) / wbytes + 1);
    A = rand_bf16((size_t)64 * k, r);
    W = rand_bf16(wel, r);
    dA.reset(new Dev<uint16_t>((size_t)64 * k)); dA->up(A);
    pool.reset(new Dev<uint16_t>((size_t)ncopies * wel));
    CK(cudaMemcpy(pool->p, W.data(), wbytes, cudaMemcpyHostToDevice));
    for (int i = 1; i < ncopies; i++) CK(cudaMemcpy(pool->p + i * wel, pool->p, wbytes, cudaMemcpyDeviceToDevice));
    dC.reset(new Dev<uint16_t>((size_t)64 * n));
    dP.reset(new Dev<float>((size_t)16 * refrows * n));
    if (!with_ref) return;
    ref.assign((size_t)refrows * n, 0.0);
    std::vector<float> Af(A.size()), Wf(W.size());
    for (size_t i = 0; i < A.size(); i++) Af[i] = h_bf2f(A[i]);
    for (size_t i = 0; i < W.size(); i++) Wf[i] = h_bf2f(W[i]);
    parallel_for(n, [&](int c) {
      const float *w = &Wf[(size_t)c * k];
      for (int row = 0; row < refrows; row++) {
        const float *a = &Af[(size_t)row * k];
        double acc = 0;
        for (int i = 0; i < k; i++) acc += (double)a[i] * w[i];
        ref[(size_t)row * n + c] = acc;
      }
    });
  }
  const uint16_t *w(int it) const { return pool->p + (size_t)(it % ncopies) * wel; }
};

// GemmTiling.choose for buckets <= 64 (always the 64 x 64 gemm_bf16): split k until the blocks cover the SMs.
static int tiling_splits(int n, int k, int mcap, int sms) {
  const long ctas = (long)((n + 63) / 64) * ((mcap + 63) / 64);
  int s = 1;
  while (s < 8 && ctas * s < sms && k % (2 * s * 32) == 0 && k / (2 * s) >= 128) s *= 2;
  return s;
}
static void launch_stream(const Variant &v, const GemmParams &p, bool pdl, cudaStream_t st = 0) {
  launch_ex(v.fn, dim3((p.n + v.bn - 1) / v.bn, 1, p.splits), dim3(v.threads), (size_t)v.smem, st, pdl, p);
}
static void launch_gemm_bf16(const GemmParams &p, bool pdl, cudaStream_t st = 0) {
  launch_ex(gemm_bf16, dim3((p.n + 63) / 64, (p.m + 63) / 64, p.splits), dim3(PREFILL_GEMM_THREADS), 0, st, pdl, p);
}
static void launch_reduce(const GemmParams &p, cudaStream_t st = 0) {
  SplitKReduceParams rp{p.partial, p.c, p.m_dev, p.m, p.n, p.ldc, p.splits};
  launch_ex(splitk_reduce, dim3(p.m), dim3(256), 0, st, false, rp);
}

// ---------------------------------------------------------------- results
struct Result {
  std::string shape, variant;
  int n, k, mcap, splits;
  bool ok;
  std::string why;
  Timing plain, pdl, hot;  // hot: PDL, one weight copy (L2-resident when it fits): the non-DRAM cost
  double wbytes;
  const Variant *v;
};
static std::vector<Result> g_results;
static long g_fail = 0, g_checks = 0;
static void check(bool ok, const std::string &what) {
  g_checks++;
  if (!ok) { g_fail++; printf("    FAIL %s\n", what.c_str()); }
}

// Runs kernel `run` (which writes C for rows < mreal, through splitk_reduce when splits > 1) with
// m_dev = mreal into poisoned buffers; returns C's [mcap, n] bits. Validates against the reference
// and checks the rows >= mreal stay poisoned (in C and in the partials).
static std::vector<uint16_t> run_checked(ShapeData &d, int mcap, int mreal, int splits, const std::string &tag,
                                         const std::function<void(const GemmParams &)> &run, bool *okp) {
  const int n = d.sh.n, k = d.sh.k;
  Dev<int32_t> dm(1);
  dm.up({mreal});
  d.dC->poison(); d.dP->poison();
  GemmParams p{d.dA->p, d.pool->p, d.dC->p, d.dP->p, dm.p, mcap, n, k, k, k, n, splits};
  run(p);
  CK(cudaGetLastError());
  CK(cudaDeviceSynchronize());
  auto out = d.dC->down((size_t)mcap * n);
  long bad = 0, nan = 0, untouched = 0, printed = 0;
  double max_err = 0;
  for (int row = 0; row < mreal; row++)
    for (int c = 0; c < n; c++) {
      const double o = h_bf2f(out[(size_t)row * n + c]), r = d.ref[(size_t)row * n + c];
      const double err = std::fabs(o - r);
      if (std::isnan(o)) nan++;
      if (!(err <= 1e-2 + std::fabs(r) * 8e-3)) {
        bad++;
        if (printed++ < 4) printf("    MISMATCH %s [%d,%d]: out %.6g ref %.6g\n", tag.c_str(), row, c, o, r);
      } else max_err = std::max(max_err, err);
    }
  for (size_t i = (size_t)mreal * n; i < (size_t)mcap * n; i++) untouched += out[i] != 0xFFFF;
  if (splits > 1) {
    auto part = d.dP->down((size_t)splits * mcap * n);
    for (int z = 0; z < splits; z++)
      for (size_t i = (size_t)mreal * n; i < (size_t)mcap * n; i++) {
        uint32_t u; memcpy(&u, &part[(size_t)z * mcap * n + i], 4);
        untouched += u != 0xFFFFFFFFu;
      }
  }
  const bool ok = bad == 0 && nan == 0 && untouched == 0;
  if (!ok) printf("    %s m_dev=%d: %ld out of tolerance, %ld NaN, %ld writes past the real rows\n", tag.c_str(), mreal, bad, nan, untouched);
  check(ok, tag + " m_dev=" + std::to_string(mreal) + " vs reference");
  *okp = *okp && ok;
  return out;
}

static bool splits_ok(const Variant &v, int k, int n, int s) {
  if (k % (s * v.bk) != 0) return false;
  const long grid = (long)((n + v.bn - 1) / v.bn) * s;
  return grid <= 8 * 132 || s == 1;
}

// ---------------------------------------------------------------- floors
__global__ void read_bw_kernel(const uint4 *src, size_t n16, uint32_t *sink) {
  uint32_t x = 0;
  const size_t stride = (size_t)gridDim.x * blockDim.x;
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  for (; i + 3 * stride < n16; i += 4 * stride) {
    uint4 a = __ldcs(src + i), b = __ldcs(src + i + stride), c = __ldcs(src + i + 2 * stride), e = __ldcs(src + i + 3 * stride);
    x ^= a.x ^ a.y ^ a.z ^ a.w ^ b.x ^ b.y ^ b.z ^ b.w ^ c.x ^ c.y ^ c.z ^ c.w ^ e.x ^ e.y ^ e.z ^ e.w;
  }
  for (; i < n16; i += stride) { uint4 a = src[i]; x ^= a.x ^ a.y ^ a.z ^ a.w; }
  if (x == 0x12345678u) *sink = x;  // keeps the loads
}
struct EmptyParams { int x; };
__global__ void empty_pdl_kernel(EmptyParams) { pk_pdl_wait(); pk_pdl_launch(); }

static double g_copy_tbs = 0, g_read_tbs = 0, g_empty_plain = 0, g_empty_pdl = 0;
static void measure_floors() {
  const size_t bytes = 1ull << 30;
  Dev<uint8_t> a(bytes), b(bytes);
  Dev<uint32_t> sink(1);
  CK(cudaMemset(a.p, 1, bytes)); CK(cudaMemset(b.p, 2, bytes));
  Timing c = time_us([&](int) { CK(cudaMemcpyAsync(b.p, a.p, bytes, cudaMemcpyDeviceToDevice)); }, 7, 3);
  Timing r = time_us([&](int) { read_bw_kernel<<<132 * 8, 512>>>(reinterpret_cast<const uint4 *>(a.p), bytes / 16, sink.p); }, 7, 3);
  Timing ep = time_us([&](int) { launch_ex(empty_pdl_kernel, dim3(264), dim3(128), 0, 0, false, EmptyParams{0}); });
  Timing ed = time_us([&](int) { launch_ex(empty_pdl_kernel, dim3(264), dim3(128), 0, 0, true, EmptyParams{0}); });
  g_copy_tbs = 2.0 * bytes / c.med / 1e6;
  g_read_tbs = 1.0 * bytes / r.med / 1e6;
  g_empty_plain = ep.med; g_empty_pdl = ed.med;
  printf("floors: D2D copy 1 GiB %.1f us = %.2f TB/s (read + write); read-only kernel %.1f us = %.2f TB/s; "
         "empty kernel back-to-back %.2f us plain, %.2f us PDL\n", c.med, g_copy_tbs, r.med, g_read_tbs, ep.med, ed.med);
}

// ---------------------------------------------------------------- main sweep
#ifndef NO_CUBLAS
static cublasHandle_t g_cublas;
static void cublas_gemm(const ShapeData &d, int m, const uint16_t *w, uint16_t *c) {
  const float alpha = 1.f, beta = 0.f;
  const int n = d.sh.n, k = d.sh.k;
  CKB(cublasGemmEx(g_cublas, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha, w, CUDA_R_16BF, k, d.dA->p, CUDA_R_16BF, k, &beta, c,
                   CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}
#endif

struct Baseline { int splits; Timing bf_plain, bf_pdl, cublas; };
static std::map<std::pair<std::string, int>, Baseline> g_base;
static std::map<std::pair<std::string, int>, const Result *> g_best;  // (shape, mcap) -> best stream config (PDL)
static std::vector<std::string> g_chain_lines;

static void sweep_shape(ShapeData &d, const std::vector<Variant> &vars, const std::vector<int> &mcaps, bool quick, bool timed = true) {
  const bool saved = g_no_timing;
  if (!timed) g_no_timing = true;
  const int n = d.sh.n, k = d.sh.k;
  printf("\n== %s n=%d k=%d: %.2f MB of weights, %d copies rotated\n", d.sh.name, n, k, d.wbytes / 1e6, d.ncopies);
  Dev<int32_t> dmcap(1);
  for (int mcap : mcaps) {
    dmcap.up({mcap});
    // gemm_bf16 at GemmTiling's splits: a sanity check of the harness, and the bits WK == 1 must match.
    const int ts = tiling_splits(n, k, mcap, 132);
    std::map<int, std::vector<uint16_t>> bf_bits;  // splits -> gemm_bf16 output at m_dev = mcap
    auto bf16_bits = [&](int s) -> const std::vector<uint16_t> & {
      auto it = bf_bits.find(s);
      if (it != bf_bits.end()) return it->second;
      bool ok = true;
      auto out = run_checked(d, mcap, mcap, s, fmt("gemm_bf16 s%.0f", s), [&](const GemmParams &p) {
        launch_gemm_bf16(p, false); if (s > 1) launch_reduce(p); }, &ok);
      return bf_bits[s] = out;
    };
    bf16_bits(ts);
    Baseline base{ts, {0, 0}, {0, 0}, {0, 0}};
    {
      Dev<int32_t> dm(1); dm.up({mcap});
      GemmParams p{d.dA->p, d.pool->p, d.dC->p, d.dP->p, dm.p, mcap, n, k, k, k, n, ts};
      base.bf_plain = time_us([&](int it) { GemmParams q = p; q.b = d.w(it); launch_gemm_bf16(q, false); });
      base.bf_pdl = time_us([&](int it) { GemmParams q = p; q.b = d.w(it); launch_gemm_bf16(q, true); });
#ifndef NO_CUBLAS
      base.cublas = time_us([&](int it) { cublas_gemm(d, mcap, d.w(it), d.dC->p); });
#endif
    }
    g_base[{d.sh.name, mcap}] = base;
    printf("  m%-2d gemm_bf16 s%d: %.2f us plain / %.2f us PDL (%.2f / %.2f TB/s) | cuBLAS %.2f us (%.2f TB/s)\n", mcap, ts,
           base.bf_plain.med, base.bf_pdl.med, d.wbytes / base.bf_plain.med / 1e6, d.wbytes / base.bf_pdl.med / 1e6,
           base.cublas.med, base.cublas.med > 0 ? d.wbytes / base.cublas.med / 1e6 : 0.0);

    for (const Variant &v : vars) {
      if (v.mcap != mcap) continue;
      for (int s : {1, 2, 3, 4, 6, 8, 12, 16}) {
        if (!splits_ok(v, k, n, s)) continue;
        if (quick && s != 1 && s != 4) continue;
        if (n > 50000 && s > 2) continue;  // LM head: the grid already fills the GPU many times
        const std::string tag = std::string(d.sh.name) + " m" + std::to_string(mcap) + " " + v.name + " s" + std::to_string(s);
        auto run = [&](const GemmParams &p) { launch_stream(v, p, false); if (s > 1) launch_reduce(p); };
        bool ok = true;
        auto full = run_checked(d, mcap, mcap, s, tag, run, &ok);
        for (int mr : {1, mcap * 5 / 8, mcap - 3}) {
          auto part = run_checked(d, mcap, mr, s, tag, run, &ok);
          const bool same = memcmp(part.data(), full.data(), (size_t)mr * n * 2) == 0;
          check(same, tag + " bucket invariance m_dev=" + std::to_string(mr));
          if (!same) { ok = false; printf("    %s: rows of m_dev=%d differ bitwise from m_dev=%d\n", tag.c_str(), mr, mcap); }
        }
        if (v.wk1 && k % (s * 32) == 0) {
          const auto &ref = bf16_bits(s);
          const bool same = memcmp(ref.data(), full.data(), (size_t)mcap * n * 2) == 0;
          check(same, tag + " == gemm_bf16 bits");
          if (!same) { ok = false; printf("    %s: differs bitwise from gemm_bf16 s%d\n", tag.c_str(), s); }
        }
        Result res{d.sh.name, v.name, n, k, mcap, s, ok, "", {0, 0}, {0, 0}, {0, 0}, (double)d.wbytes, &v};
        GemmParams p{d.dA->p, d.pool->p, d.dC->p, d.dP->p, dmcap.p, mcap, n, k, k, k, n, s};
        res.plain = time_us([&](int it) { GemmParams q = p; q.b = d.w(it); launch_stream(v, q, false); });
        res.pdl = time_us([&](int it) { GemmParams q = p; q.b = d.w(it); launch_stream(v, q, true); });
        if (d.wbytes < (32u << 20)) res.hot = time_us([&](int) { launch_stream(v, p, true); });
        if (!g_no_timing)
          printf("  %-46s %s  plain %7.2f us (min %6.2f) %5.2f TB/s | PDL %7.2f us (min %6.2f) %5.2f TB/s | L2-hot PDL %6.2f us\n",
                 tag.c_str(), ok ? "ok  " : "FAIL", res.plain.med, res.plain.min, d.wbytes / res.plain.med / 1e6, res.pdl.med,
                 res.pdl.min, d.wbytes / res.pdl.med / 1e6, res.hot.med);
        else
          printf("  %-44s %s\n", tag.c_str(), ok ? "ok" : "FAIL");
        fflush(stdout);
        if (timed) g_results.push_back(res);
      }
    }
  }
  g_no_timing = saved;
}

// The four GEMMs of a layer back to back (PDL), 8 layers' worth of rotated weights: per-layer time.
static void layer_chain(std::vector<std::unique_ptr<ShapeData>> &sd, int mcap) {
  for (int i = 0; i < 4; i++)
    if (!g_best[{sd[i]->sh.name, mcap}]) { printf("layer m%d: no valid stream config for %s\n", mcap, sd[i]->sh.name); return; }
  Dev<int32_t> dm(1);
  dm.up({mcap});
  double bytes = 0;
  for (int i = 0; i < 4; i++) bytes += sd[i]->wbytes;
  const int L = 8;
  auto params = [&](int i, int it, int s) {
    ShapeData &d = *sd[i];
    GemmParams p{d.dA->p, d.w(it), d.dC->p, d.dP->p, dm.p, mcap, d.sh.n, d.sh.k, d.sh.k, d.sh.k, d.sh.n, s};
    return p;
  };
  Timing ts = time_us([&](int it) {
    for (int i = 0; i < 4; i++) {
      const Result *b = g_best[{sd[i]->sh.name, mcap}];
      launch_stream(*b->v, params(i, it, b->splits), true);
    }
  }, 15, L);
  Timing tb = time_us([&](int it) {
    for (int i = 0; i < 4; i++) launch_gemm_bf16(params(i, it, g_base[{sd[i]->sh.name, mcap}].splits), true);
  }, 15, L);
  // The engine's order: a small kernel (norm, rope, silu: here an empty one that triggers at its end)
  // between GEMMs, so each GEMM's weight prefetch overlaps only that kernel.
  auto small = [&]() { launch_ex(empty_pdl_kernel, dim3(264), dim3(128), 0, 0, true, EmptyParams{0}); };
  Timing tsi = time_us([&](int it) {
    for (int i = 0; i < 4; i++) {
      const Result *b = g_best[{sd[i]->sh.name, mcap}];
      launch_stream(*b->v, params(i, it, b->splits), true);
      small();
    }
  }, 15, L);
  Timing tbi = time_us([&](int it) {
    for (int i = 0; i < 4; i++) { launch_gemm_bf16(params(i, it, g_base[{sd[i]->sh.name, mcap}].splits), true); small(); }
  }, 15, L);
  Timing tc{0, 0};
#ifndef NO_CUBLAS
  tc = time_us([&](int it) {
    for (int i = 0; i < 4; i++) cublas_gemm(*sd[i], mcap, sd[i]->w(it), sd[i]->dC->p);
  }, 15, L);
#endif
  char buf[400];
  snprintf(buf, sizeof buf, "layer m%-2d (4 GEMMs, %.1f MB): stream %6.2f us %.2f TB/s | gemm_bf16+PDL %6.2f us %.2f TB/s | cuBLAS %6.2f us %.2f TB/s",
           mcap, bytes / 1e6, ts.med, bytes / ts.med / 1e6, tb.med, bytes / tb.med / 1e6, tc.med, tc.med > 0 ? bytes / tc.med / 1e6 : 0.0);
  printf("%s\n", buf);
  g_chain_lines.push_back(buf);
  snprintf(buf, sizeof buf, "layer m%-2d with an empty PDL kernel after each GEMM: stream %6.2f us | gemm_bf16 %6.2f us (empty kernel alone %.2f us)",
           mcap, tsi.med, tbi.med, g_empty_pdl);
  printf("%s\n", buf);
  g_chain_lines.push_back(buf);
}


// ---------------------------------------------------------------- hardware probes (mode "probe")
// How fast can one SM stream from DRAM, and through which path? Each block streams its own region of
// block_bytes through a ring of S smem stages of `stage` bytes; chunk = bytes read contiguously per
// row (chunk == stage: contiguous; 128: the GEMM's pattern of 128-byte row pieces, rows apart).
struct ProbeParams { const uint8_t *src; size_t block_bytes; int stage, chunk, l2pf; uint32_t *sink; };
template <int S>
__global__ void probe_cpasync(ProbeParams q) {
  extern __shared__ __align__(128) unsigned char ps[];
  const uint8_t *base = q.src + blockIdx.x * q.block_bytes;
  const int T = (int)(q.block_bytes / q.stage), per_row = q.chunk / 16;
  const size_t pitch = (size_t)T * q.chunk;  // a block's region is (stage / chunk) rows x (T * chunk) bytes
  const uint32_t s0 = smem_u32(ps);
#if PK_STREAM_HAS_BULK
  if (q.l2pf && threadIdx.x < 32)
    for (size_t o = threadIdx.x * 65536ull; o < q.block_bytes; o += 32 * 65536ull)
      pk_bulk_prefetch_l2(base + o, (uint32_t)min((size_t)65536, q.block_bytes - o));
#endif
  auto load = [&](int st, int t) {
    for (int i = threadIdx.x; i < q.stage / 16; i += blockDim.x) {
      const int row = i / per_row, off = (i % per_row) * 16;
      cp_async16(s0 + st * q.stage + i * 16, base + row * pitch + (size_t)t * q.chunk + off, true);
    }
  };
  for (int s = 0; s < S - 1; s++) { if (s < T) load(s, s); cp_async_commit(); }
  for (int t = 0; t < T; t++) {
    cp_async_wait<S - 2>();
    __syncthreads();
    if (t + S - 1 < T) load((t + S - 1) % S, t + S - 1);
    cp_async_commit();
  }
  cp_async_wait<0>();
  __syncthreads();
  if (threadIdx.x == 0 && ps[7] == 0x5a && ps[q.stage + 3] == 0xa5) *q.sink = 1;
}
// Same ring through the copy engine: warp 0 issues stage / chunk bulk copies of chunk bytes per stage.
template <int S>
__global__ void probe_bulk(ProbeParams q) {
#if PK_STREAM_HAS_BULK
  extern __shared__ __align__(128) unsigned char ps[];
  const uint8_t *base = q.src + blockIdx.x * q.block_bytes;
  const int T = (int)(q.block_bytes / q.stage), rows = q.stage / q.chunk;
  const size_t pitch = (size_t)T * q.chunk;
  const uint32_t s0 = smem_u32(ps), bar0 = s0 + S * q.stage;
  if (threadIdx.x == 0) {
    for (int s = 0; s < S; s++) pk_mbar_init(bar0 + 8 * s, 1);
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
  }
  __syncthreads();
  auto load = [&](int st, int t) {
    if (threadIdx.x < 32) {
      if (threadIdx.x == 0) pk_mbar_expect_tx(bar0 + 8 * st, q.stage);
      __syncwarp();
      for (int r = threadIdx.x; r < rows; r += 32)
        pk_bulk_g2s(s0 + st * q.stage + r * q.chunk, base + r * pitch + (size_t)t * q.chunk, q.chunk, bar0 + 8 * st);
    }
  };
  for (int s = 0; s < S - 1; s++) if (s < T) load(s, s);
  for (int t = 0; t < T; t++) {
    pk_mbar_wait(bar0 + 8 * (t % S), (t / S) & 1);
    __syncthreads();
    if (t + S - 1 < T) load((t + S - 1) % S, t + S - 1);
  }
  if (threadIdx.x == 0 && ps[7] == 0x5a && ps[q.stage + 3] == 0xa5) *q.sink = 1;
#endif
}
// Plain loads into registers: 4 x 16 B in flight per thread.
__global__ void probe_ldg(ProbeParams q) {
  const uint4 *base = reinterpret_cast<const uint4 *>(q.src + blockIdx.x * q.block_bytes);
  const size_t n = q.block_bytes / 16;
  uint32_t x = 0;
  for (size_t i = threadIdx.x; i + 3 * blockDim.x < n; i += 4 * blockDim.x) {
    uint4 a = __ldcs(base + i), b = __ldcs(base + i + blockDim.x), c = __ldcs(base + i + 2 * blockDim.x), e = __ldcs(base + i + 3 * blockDim.x);
    x ^= a.x ^ b.y ^ c.z ^ e.w;
  }
  if (x == 0x12345678u) *q.sink = x;
}

static void probes(ShapeData &qkv, const std::vector<Variant> &vars) {
  printf("\n== probes: per-SM streaming rate (1 MB per block, 1 block per SM; 'rows128' = 128-byte pieces of rows, the GEMM's pattern)\n");
  const size_t block_bytes = 1u << 20, pool = 640ull << 20;
  Dev<uint8_t> src(pool);
  Dev<uint32_t> sink(1);
  CK(cudaMemset(src.p, 0x11, pool));
  std::vector<std::string> lines;
  auto run = [&](const char *path, void (*fn)(ProbeParams), int threads, int S, int stage, int chunk, int G, int l2pf) {
    const size_t smem = (size_t)S * stage + (std::string(path) == "bulk" ? 8 * S : 0);
    if (smem > 48 * 1024) CK(cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
    const size_t per_launch = (size_t)G * block_bytes;
    const int rot = (int)(pool / per_launch);
    Timing t = time_us([&](int it) {
      ProbeParams q{src.p + (size_t)(it % rot) * per_launch, block_bytes, stage, chunk, l2pf, sink.p};
      launch_ex(fn, dim3(G), dim3(threads), smem, 0, false, q);
    }, 7, 4);
    char b[300];
    snprintf(b, sizeof b, "probe %-6s%s G=%3d %3d thr S=%d stage %5d chunk %5d: %7.1f us  %6.1f GB/s per block  %5.2f TB/s total", path,
             l2pf ? "+l2pf" : "     ", G, threads, S, stage, chunk, t.med, block_bytes / t.med / 1e3, per_launch / t.med / 1e6);
    printf("%s\n", b);
    lines.push_back(b);
  };
  for (int G : {16, 132})
    for (int threads : {128, 256, 512})
      for (int stage : {4096, 8192, 16384})
        for (int chunk : {0, 128}) {
          run("cpasync", probe_cpasync<4>, threads, 4, stage, chunk ? chunk : stage, G, 0);
          run("cpasync", probe_cpasync<8>, threads, 8, stage, chunk ? chunk : stage, G, 0);
        }
  for (int G : {16, 132}) {
    run("cpasync", probe_cpasync<4>, 128, 4, 8192, 128, G, 1);
    for (int chunk : {128, 1024, 4096, 16384}) {
      run("bulk", probe_bulk<4>, 128, 4, 16384, chunk, G, 0);
      run("bulk", probe_bulk<8>, 128, 8, 16384, chunk, G, 0);
    }
    for (int threads : {128, 256, 512, 1024}) run("ldg", probe_ldg, threads, 1, 16, 16, G, 0);
  }
  // Fixed cost of a GEMM launch with (almost) no weights: k = 64 of the qkv data, the exported kernels.
  for (const Variant &v : vars) {
    if (v.name.find("export") == std::string::npos) continue;
    Dev<int32_t> dm(1); dm.up({v.mcap});
    GemmParams p{qkv.dA->p, qkv.pool->p, qkv.dC->p, qkv.dP->p, dm.p, v.mcap, 2560, 64, 1024, 1024, 2560, 1};
    Timing a = time_us([&](int) { launch_stream(v, p, false); }), b = time_us([&](int) { launch_stream(v, p, true); });
    char buf[200];
    snprintf(buf, sizeof buf, "fixed cost %-22s n2560 k64: %.2f us plain, %.2f us PDL (empty kernel %.2f / %.2f)", v.name.c_str(), a.med,
             b.med, g_empty_plain, g_empty_pdl);
    printf("%s\n", buf);
    lines.push_back(buf);
  }
  g_chain_lines.insert(g_chain_lines.begin(), lines.begin(), lines.end());
}

// ---------------------------------------------------------------- main
static const Shape kShapes[5] = {{"qkv", 2560, 1024}, {"o_proj", 1024, 2048}, {"gate_up", 6144, 1024}, {"down", 1024, 3072},
                                 {"lm_head", 103424, 1024}};
static const Shape kEdge = {"edge", 1000, 512};  // n % 64 != 0: partial column blocks (validation only)

static void ncu_mode(const std::vector<Variant> &vars) {
  // One launch each (Nsight Compute flushes the caches between kernels): the exported kernels at a
  // few split counts, and gemm_bf16 at GemmTiling's, for the in-kernel duration and DRAM rate.
  Rng r(3);
  for (int i = 0; i < 4; i++) {
    ShapeData d(kShapes[i], r, 64, false);
    for (int mcap : {16, 64}) {
      Dev<int32_t> dm(1); dm.up({mcap});
      for (const Variant &v : vars) {
        if (v.mcap != mcap || v.name.find("export") == std::string::npos) continue;
        for (int s : {1, 4, 8}) {
          if (!splits_ok(v, d.sh.k, d.sh.n, s)) continue;
          GemmParams p{d.dA->p, d.pool->p, d.dC->p, d.dP->p, dm.p, mcap, d.sh.n, d.sh.k, d.sh.k, d.sh.k, d.sh.n, s};
          launch_stream(v, p, false);
          CK(cudaDeviceSynchronize());
          printf("ncu launch: %s m%d %s s%d\n", d.sh.name, mcap, v.name.c_str(), s);
        }
      }
      const int ts = tiling_splits(d.sh.n, d.sh.k, mcap, 132);
      GemmParams p{d.dA->p, d.pool->p, d.dC->p, d.dP->p, dm.p, mcap, d.sh.n, d.sh.k, d.sh.k, d.sh.k, d.sh.n, ts};
      launch_gemm_bf16(p, false);
      CK(cudaDeviceSynchronize());
      printf("ncu launch: %s m%d gemm_bf16 s%d\n", d.sh.name, mcap, ts);
    }
  }
}

int main(int argc, char **argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  printf("device: %s (sm_%d%d, %d SMs, L2 %d MB, smem/SM %zu KB)\n", prop.name, prop.major, prop.minor, prop.multiProcessorCount,
         prop.l2CacheSize >> 20, prop.sharedMemPerMultiprocessor >> 10);
#ifndef NO_CUBLAS
  CKB(cublasCreate(&g_cublas));
#endif
  const std::vector<Variant> vars = make_variants();
  for (const Variant &v : vars) {
    cudaFuncAttributes fa;
    CK(cudaFuncGetAttributes(&fa, v.fn));
    int occ = 0;
    CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, v.fn, v.threads, v.smem));
    printf("variant %-24s %3d threads %6d B smem %3d regs  %d blocks/SM\n", v.name.c_str(), v.threads, v.smem, fa.numRegs, occ);
  }
  if (mode == "ncu") { ncu_mode(vars); return 0; }
  Rng r(20261129);
  if (mode == "quick") {
    g_no_timing = true;
    ShapeData d(kShapes[0], r);
    sweep_shape(d, vars, {16, 32, 64}, true);
    ShapeData e(kEdge, r);
    sweep_shape(e, vars, {16, 64}, true);
    printf("quick: %ld of %ld checks failed\n", g_fail, g_checks);
    return g_fail ? 1 : 0;
  }
  measure_floors();
  {
    ShapeData e(kEdge, r);
    sweep_shape(e, vars, {16, 32, 64}, false, false);
  }
  std::vector<std::unique_ptr<ShapeData>> sd;
  for (int i = 0; i < 4; i++) {
    sd.emplace_back(new ShapeData(kShapes[i], r));
    if (i == 0 && mode == "probe") probes(*sd[0], vars);
    if (mode == "probe") continue;
    sweep_shape(*sd.back(), vars, {16, 32, 64}, false);
  }
  if (mode == "probe") { for (auto &l : g_chain_lines) printf("%s\n", l.c_str()); return 0; }
  {
    ShapeData lm(kShapes[4], r, 16);
    sweep_shape(lm, vars, {16}, false);
  }
  // Best configuration per (shape, bucket) by PDL time, among the validated ones; also the best
  // of the exported kernels (what the engine can select today).
  std::map<std::pair<std::string, int>, const Result *> best_export, best_plain;
  for (const Result &res : g_results) {
    if (!res.ok) continue;
    auto key = std::make_pair(res.shape, res.mcap);
    if (!g_best[key] || res.pdl.med < g_best[key]->pdl.med) g_best[key] = &res;
    if (!best_plain[key] || res.plain.med < best_plain[key]->plain.med) best_plain[key] = &res;
    if (res.variant.find("export") != std::string::npos && (!best_export[key] || res.pdl.med < best_export[key]->pdl.med))
      best_export[key] = &res;
  }
  for (int mcap : {16, 32, 64}) layer_chain(sd, mcap);

  printf("\n==== SUMMARY (H200; us per GEMM, back-to-back launches, weights rotated through >= 256 MB; TB/s = weight bytes / time)\n");
  printf("floors: D2D copy %.2f TB/s (r+w), read-only kernel %.2f TB/s; empty kernel %.2f us plain, %.2f us PDL\n", g_copy_tbs,
         g_read_tbs, g_empty_plain, g_empty_pdl);
  printf("%-8s %6s %4s %3s | %-24s %3s %7s %5s %6s | %7s %5s | %-10s %6s | bf16 s  plain    PDL | cuBLAS    TB/s\n", "shape", "n", "k", "m",
         "best stream (PDL)", "s", "us", "TB/s", "L2hot", "plain", "TB/s", "export s", "us");
  for (auto &kv : g_best) {
    const Result *b = kv.second, *bp = best_plain[kv.first], *be = best_export[kv.first];
    const Baseline &base = g_base[kv.first];
    printf("%-8s %6d %4d %3d | %-24s %3d %7.2f %5.2f %6.2f | %7.2f %5.2f | %s s%-2d %6.2f | %2d %7.2f %7.2f | %6.2f %7.2f\n", b->shape.c_str(), b->n, b->k,
           b->mcap, b->variant.c_str(), b->splits, b->pdl.med, b->wbytes / b->pdl.med / 1e6, b->hot.med, bp->plain.med, b->wbytes / bp->plain.med / 1e6,
           be ? "export" : "none", be ? be->splits : 0, be ? be->pdl.med : 0.0, base.splits, base.bf_plain.med, base.bf_pdl.med,
           base.cublas.med, base.cublas.med > 0 ? b->wbytes / base.cublas.med / 1e6 : 0.0);
  }
  for (auto &l : g_chain_lines) printf("%s\n", l.c_str());
  printf("%s: %ld of %ld checks failed\n", g_fail ? "FAILURES" : "ALL PASSED", g_fail, g_checks);
  return g_fail ? 1 : 0;
}
