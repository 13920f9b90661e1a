// Host helpers shared by the harnesses in kernels/check (kernel_check.cu, gemm_stream_check.cu, gemm_wgmma_check.cu):
// the checked CUDA call, bf16 <-> float on the host, the seeded generator, one owner per device allocation, a thread
// pool loop for CPU references, and the event-timed launch loop (a harness that times its own way, min and median,
// defines PREFILL_CHECK_OWN_TIMING first). Include after the kernel sources: the timing loop launches spin_delay.
#ifndef PREFILL_CHECK_UTIL_CUH
#define PREFILL_CHECK_UTIL_CUH

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>
#include <cuda_runtime.h>
#include <cuda.h>          // CUtensorMap
#include <cudaTypedefs.h>  // PFN_cuTensorMapEncodeTiled and cuTensorMapEncodeTiled's types (the function is looked up through the runtime)

// The checked call: the call's text, the error's name and string, exit 2.
#define CK(x)                                                                                              \
  do {                                                                                                     \
    cudaError_t e_ = (x);                                                                                  \
    if (e_ != cudaSuccess) {                                                                               \
      fprintf(stderr, "CUDA error %s (%s) at %s:%d: %s\n", cudaGetErrorName(e_), cudaGetErrorString(e_), __FILE__, \
              __LINE__, #x);                                                                               \
      exit(2);                                                                                             \
    }                                                                                                      \
  } while (0)

static float h_bf2f(uint16_t h) { uint32_t u = (uint32_t)h << 16; float f; memcpy(&f, &u, 4); return f; }
// Round to nearest even; NaN stays NaN.
static uint16_t h_f2bf(float f) {
  uint32_t u; memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}
static float h_round(float f) { return h_bf2f(h_f2bf(f)); }

// splitmix64: the same sequence for the same seed on every host.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 12345) {}
  uint64_t next() { s += 0x9E3779B97F4A7C15ull; uint64_t z = s; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull; z = (z ^ (z >> 27)) * 0x94D049BB133111EBull; return z ^ (z >> 31); }
  float uni() { return (float)(next() >> 40) * (1.0f / 16777216.0f); }      // [0,1)
  float sym() { return 2.f * uni() - 1.f; }                                   // [-1,1)
  int range(int lo, int hi) { return lo + (int)(next() % (uint64_t)(hi - lo + 1)); }  // inclusive
};
static std::vector<uint16_t> rand_bf16(size_t n, Rng &r, float scale = 1.f, float off = 0.f) {
  std::vector<uint16_t> v(n);
  for (auto &x : v) x = h_f2bf(off + scale * r.sym());
  return v;
}

// One device allocation of n elements, freed by its owner; move-only.
template <class T> struct Dev {
  T *p = nullptr; size_t n = 0;
  Dev() {}
  explicit Dev(size_t n_) : n(n_) { CK(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T))); }
  Dev(const std::vector<T> &h) : Dev(h.size()) { up(h); }
  ~Dev() { if (p) cudaFree(p); }
  Dev(const Dev &) = delete;
  Dev &operator=(const Dev &) = delete;
  Dev(Dev &&o) noexcept : p(o.p), n(o.n) { o.p = nullptr; }
  Dev &operator=(Dev &&o) noexcept { if (this != &o) { if (p) cudaFree(p); p = o.p; n = o.n; o.p = nullptr; } return *this; }
  void up(const std::vector<T> &h) { CK(cudaMemcpy(p, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice)); }
  std::vector<T> down() const { return down(n); }
  std::vector<T> down(size_t cnt) const { std::vector<T> h(cnt); CK(cudaMemcpy(h.data(), p, cnt * sizeof(T), cudaMemcpyDeviceToHost)); return h; }
  void poison() { CK(cudaMemset(p, 0xFF, n * sizeof(T))); }  // bf16 NaN / fp32 NaN everywhere
};
static Dev<int32_t> dev_scalar(int v) { return Dev<int32_t>(std::vector<int32_t>{v}); }

static void parallel_for(int n, const std::function<void(int)> &f) {
  int nt = std::max(1u, std::min(32u, std::thread::hardware_concurrency()));
  std::vector<std::thread> th;
  for (int t = 0; t < nt; t++) th.emplace_back([&, t] { for (int i = t; i < n; i += nt) f(i); });
  for (auto &x : th) x.join();
}
static std::string fmt(const char *f, double v) { char buf[160]; snprintf(buf, sizeof buf, f, v); return buf; }

// Median per-launch time in microseconds: `batch` back-to-back launches per event pair, `reps` pairs. A spin kernel
// (test_kernels.cu's spin_delay, g_spin_cycles long) ahead of each batch lets the host queue every launch before the
// timed region starts, so host launch overhead (cuBLAS heuristics included) is not measured. PREFILL_CHECK_NO_TIMING
// (sanitizer builds): 0, nothing timed.
#ifndef PREFILL_CHECK_OWN_TIMING
static long long g_spin_cycles = 1000000;
static double time_us(const std::function<void(int)> &launch, int reps = 15, int batch = 10) {
#ifdef PREFILL_CHECK_NO_TIMING
  (void)launch; (void)reps; (void)batch;  // sanitizer builds: correctness checks only
  return 0.0;
#endif
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a)); CK(cudaEventCreate(&b));
  for (int i = 0; i < 3; i++) launch(i);
  CK(cudaDeviceSynchronize());
  std::vector<float> t;
  int it = 0;
  for (int r = 0; r < reps; r++) {
    // A spin kernel ahead of the batch lets the host queue every launch before the timed region
    // starts, so host launch overhead (cuBLAS heuristics included) is not measured.
    spin_delay<<<1, 1>>>(SpinParams{g_spin_cycles});
    CK(cudaEventRecord(a));
    for (int i = 0; i < batch; i++) launch(it++);
    CK(cudaEventRecord(b));
    CK(cudaEventSynchronize(b));
    float ms; CK(cudaEventElapsedTime(&ms, a, b));
    t.push_back(ms * 1000.f / batch);
  }
  CK(cudaGetLastError());
  std::sort(t.begin(), t.end());
  cudaEventDestroy(a); cudaEventDestroy(b);
  return t[t.size() / 2];
}

#endif  // PREFILL_CHECK_OWN_TIMING

// Tensor map of a row-major bf16 [rows, ld] matrix read as rows x k, box {64, box_rows}, 128-byte swizzle, zero fill: the
// TMA GEMMs' operands (gemm_wgmma_check) and attention_prefill_wg_early_tma's K / V caches (kernel_check). Java's
// TensorMapEncoder.encodeBf16Rows writes the same map.
static PkTensorMap tensor_map(const uint16_t *ptr, int rows, int k, int ld, int box_rows) {
  static PFN_cuTensorMapEncodeTiled_v12000 encode = nullptr;
  if (!encode) {
    cudaDriverEntryPointQueryResult q;
    CK(cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", (void **)&encode, 12000, cudaEnableDefault, &q));
    if (q != cudaDriverEntryPointSuccess || !encode) { fprintf(stderr, "cuTensorMapEncodeTiled not found\n"); exit(2); }
  }
  PkTensorMap m;
  static_assert(sizeof(PkTensorMap) == sizeof(CUtensorMap), "same opaque size");
  cuuint64_t dims[2] = {(cuuint64_t)k, (cuuint64_t)rows}, strides[1] = {(cuuint64_t)ld * 2};
  cuuint32_t box[2] = {64, (cuuint32_t)box_rows}, estr[2] = {1, 1};
  CUresult r = encode(reinterpret_cast<CUtensorMap *>(&m), CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 2, (void *)ptr, dims, strides, box, estr,
                      CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                      CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) { fprintf(stderr, "cuTensorMapEncodeTiled failed: %d\n", (int)r); exit(2); }
  return m;
}

#endif
