// Host cost of a kernel launch from C++, to put next to Java's (bench.jar devices --launch-cost N): the same
// empty_kernel (a GemmParams by value), the same count, grid and block, each launch followed by cudaGetLastError
// as the engine does. Per launch: the enqueue time (issuing N launches without waiting, / N) and the drained time
// (until the stream is idle again, / N); medians over the repeats, after three untimed rounds.
// Then the GPU side of the same count inside one CUDA graph (what a kernel costs a replay's chain when it does nothing,
// the floor a fused small kernel approaches): chain_link kernels captured back to back, each at entry letting the next
// launch and waiting for its predecessor as the engine's kernels do; with and without the PDL attribute, empty or with
// one dependent round trip (block 0 reads the counter its predecessor wrote and writes it + 1, checked at the end: a
// missing wait would lose an increment); then links that move a row's bytes (chain_rows) and split-K-shaped
// writer / reader pairs (pair_writer, pair_reader). Event-timed replays, us per kernel (per pair) = replay / count,
// median over repeats.
// Build and run: bash kernels/check/launch-cost.sh [launches] [repeats] [grid] [threads]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <cuda_runtime.h>
#include "prefill_kernels.h"
#include "../src/test_kernels.cu"

#define CHECK(call)                                                                                        \
  do {                                                                                                     \
    cudaError_t e_ = (call);                                                                               \
    if (e_ != cudaSuccess) {                                                                               \
      std::fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__, #call, cudaGetErrorName(e_),        \
                   cudaGetErrorString(e_));                                                                \
      std::exit(3);                                                                                        \
    }                                                                                                      \
  } while (0)

enum class Path { Launch, LaunchEx, LaunchExPdl };

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// A launch of grid x threads on stream, with the PDL attribute (kept in attr, which must outlive the config) or without.
static cudaLaunchConfig_t launch_config(bool pdl, int grid, int threads, cudaStream_t stream, cudaLaunchAttribute& attr) {
  attr.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr.val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(grid);
  cfg.blockDim = dim3(threads);
  cfg.dynamicSmemBytes = 0;
  cfg.stream = stream;
  cfg.attrs = pdl ? &attr : nullptr;
  cfg.numAttrs = pdl ? 1 : 0;
  return cfg;
}

// fn: the host stub of empty_kernel (this binary's own registered copy), or a cudaKernel_t from cudaLibraryGetKernel
// on a loaded fatbin, the handle Java launches (KernelLibrary): the runtime resolves either to a function per launch.
static void measure(Path path, int launches, int repeats, int grid, int threads, cudaStream_t stream, const void* fn,
                    const char* handle) {
  GemmParams p{};  // zeros: the kernel reads none of it
  void* args[] = {&p};
  cudaLaunchAttribute attr{};
  const cudaLaunchConfig_t cfg = launch_config(path == Path::LaunchExPdl, grid, threads, stream, attr);
  std::vector<double> enqueue, drained;
  using clock = std::chrono::steady_clock;
  const int warm = std::max(3, (20000 + launches - 1) / launches);  // as LaunchCost.WARMUP_LAUNCHES in Java
  for (int r = -warm; r < repeats; r++) {
    CHECK(cudaStreamSynchronize(stream));
    auto t0 = clock::now();
    for (int i = 0; i < launches; i++) {
      cudaError_t e = path == Path::Launch
          ? cudaLaunchKernel(fn, dim3(grid), dim3(threads), args, 0, stream)
          : cudaLaunchKernelExC(&cfg, fn, args);
      if (e != cudaSuccess) CHECK(e);
      CHECK(cudaGetLastError());
    }
    auto t1 = clock::now();
    CHECK(cudaStreamSynchronize(stream));
    auto t2 = clock::now();
    if (r < 0) continue;
    enqueue.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / launches);
    drained.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count() / launches);
  }
  const char* name = path == Path::Launch ? "cudaLaunchKernel" : path == Path::LaunchEx ? "cudaLaunchKernelEx" : "cudaLaunchKernelEx + PDL";
  std::printf("| C++ %s | %-24s | %d | %d | %d | %zu | %.3f | %.3f |\n", handle, name, launches, grid, threads, sizeof(GemmParams),
              median(enqueue), median(drained));
}

// One link of the graph chain: PDL trigger at entry, the wait, then (dep) block 0's thread 0 increments the counter the
// previous link wrote. The PDL instructions are no-ops without the launch attribute (the plain chain then serializes).
__global__ void chain_link(int* counter, int dep) {
#if __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  if (dep && blockIdx.x == 0 && threadIdx.x == 0) *(volatile int*)counter = *(volatile int*)counter + 1;
}

static constexpr int GRAPH_WARM = 5;  // untimed replays before the timed ones

// A graph of what `issue` launches on the stream, instantiated; the caller destroys both.
struct CapturedGraph {
  cudaGraph_t g;
  cudaGraphExec_t x;
};
template <class F>
static CapturedGraph capture(cudaStream_t stream, F issue) {
  CapturedGraph c{};
  CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  issue();
  CHECK(cudaStreamEndCapture(stream, &c.g));
  CHECK(cudaGraphInstantiate(&c.x, c.g, 0));
  return c;
}

// Captures what `issue` launches on the stream into one graph, replays it (5 untimed, then `repeats` event-timed) and
// returns the median replay time / `count` in us. Whatever the check reads afterwards is left on the device.
template <class F>
static double graph_us(cudaStream_t stream, int count, int repeats, F issue) {
  const CapturedGraph c = capture(stream, issue);
  cudaGraphExec_t x = c.x;
  cudaGraph_t g = c.g;
  cudaEvent_t e0, e1;
  CHECK(cudaEventCreate(&e0));
  CHECK(cudaEventCreate(&e1));
  std::vector<double> per;
  for (int r = -GRAPH_WARM; r < repeats; r++) {
    CHECK(cudaEventRecord(e0, stream));
    CHECK(cudaGraphLaunch(x, stream));
    CHECK(cudaEventRecord(e1, stream));
    CHECK(cudaEventSynchronize(e1));
    float ms = 0;
    CHECK(cudaEventElapsedTime(&ms, e0, e1));
    if (r >= 0) per.push_back(ms * 1000.0 / count);
  }
  CHECK(cudaEventDestroy(e0));
  CHECK(cudaEventDestroy(e1));
  CHECK(cudaGraphExecDestroy(x));
  CHECK(cudaGraphDestroy(g));
  return median(per);
}

// A link that moves a row's bytes, as the engine's small kernels do (16 blocks x 128 threads x 16 B = one bf16 row of
// 1024 per block): reads `planes` planes of what the previous link wrote (all loads in flight), optionally a block
// reduction (two __syncthreads and the shuffles of block_sum), then writes `wplanes` planes; plane 0 carries a count
// (+1 per link) that the check reads back, so a missing wait shows. What a norm reading 16 split-K planes pays beyond
// a bare boundary, piece by piece.
__global__ void chain_rows(const int4* in, int4* out, int planes, int wplanes, int reduce) {
#if __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  __shared__ int red[32];
  const size_t stride = (size_t)gridDim.x * blockDim.x, i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  int4 v[16];
#pragma unroll
  for (int z = 0; z < 16; z++)
    if (z < planes) v[z] = in[z * stride + i];
  int bump = 1;
  if (reduce) {
    int x = v[0].y;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = x;
    __syncthreads();
    int t = (int)(threadIdx.x & 31) < (int)(blockDim.x >> 5) ? red[threadIdx.x & 31] : 0;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) t += __shfl_xor_sync(0xffffffffu, t, o);
    bump += t == -12345;  // never (every y is 0): keeps the reduction
  }
#pragma unroll
  for (int z = 0; z < 16; z++)
    if (z < wplanes) out[z * stride + i] = make_int4(v[z < planes ? z : 0].x + bump, 0, 0, 0);
}

static void graph_rows(int planes, int wplanes, bool reduce, int launches, int repeats, int grid, int threads, cudaStream_t stream,
                       int4* a, int4* b) {
  cudaLaunchAttribute attr{};
  const cudaLaunchConfig_t cfg = launch_config(true, grid, threads, stream, attr);
  const size_t n = (size_t)16 * grid * threads;
  CHECK(cudaMemsetAsync(a, 0, n * sizeof(int4), stream));
  CHECK(cudaMemsetAsync(b, 0, n * sizeof(int4), stream));
  const double us = graph_us(stream, launches, repeats, [&] {
    for (int i = 0; i < launches; i++) {  // an even count ends where it started, so replays chain
      const int4* in = i % 2 ? b : a;
      int4* out = i % 2 ? a : b;
      CHECK(cudaLaunchKernelEx(&cfg, chain_rows, in, out, planes, wplanes, reduce ? 1 : 0));
    }
  });
  std::vector<int4> h((size_t)grid * threads);
  CHECK(cudaMemcpy(h.data(), a, h.size() * sizeof(int4), cudaMemcpyDeviceToHost));
  const long want = (long)launches * (GRAPH_WARM + repeats);
  bool ok = true;
  for (auto& e : h) ok = ok && e.x == want;
  char what[96];
  std::snprintf(what, sizeof what, "PDL, %d plane%s in (%d KB/block), %d out%s", planes, planes > 1 ? "s" : "", planes * threads * 16 / 1024,
                wplanes, reduce ? ", block reduce" : "");
  std::printf("| GPU graph chain | %-44s | %d | %d | %d | %.3f | %s |\n", what, launches, grid, threads, us, ok ? "count ok" : "COUNT WRONG");
  if (!ok) std::exit(4);
}

// Producer / consumer pairs, the shape of a split-K GEMM and its consumer at 16 rows: a wide writer (256 blocks x 128
// threads: o or down at 16 splits) reads the consumer's last row and writes `planes` planes of 2048 int4 (32 KB each:
// 32 planes = the 1 MB of fp32 partials those GEMMs write, 2 planes = 64 KB), then a 16-block reader sums every plane
// and writes one row. Does the writer's store volume land on the chain? plane 0's count checks the waits.
__global__ void pair_writer(const int4* row, int4* planes_out, int planes) {
#if __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  const int t = blockIdx.x * blockDim.x + threadIdx.x, total = gridDim.x * blockDim.x;  // 2048 * planes / total each
  const int4 r = row[t % 2048];
  for (int e = t; e < planes * 2048; e += total) planes_out[e] = make_int4(e < 2048 ? r.x + 1 : 0, 0, 0, 0);
}
__global__ void pair_reader(const int4* planes_in, int4* row, int planes) {
#if __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  const int t = blockIdx.x * blockDim.x + threadIdx.x;  // 16 x 128 = 2048 threads, one int4 of every plane each
  int4 v[32];
#pragma unroll
  for (int z = 0; z < 32; z++)
    if (z < planes) v[z] = planes_in[z * 2048 + t];
  int x = 0;
#pragma unroll
  for (int z = 0; z < 32; z++)
    if (z < planes) x += v[z].x;
  row[t] = make_int4(x, 0, 0, 0);  // plane 0 holds the count, the others 0
}

static void graph_pairs(int planes, int pairs, int repeats, cudaStream_t stream, int4* row, int4* buf) {
  cudaLaunchAttribute aw{}, ar{};
  const cudaLaunchConfig_t cw = launch_config(true, 256, 128, stream, aw), cr = launch_config(true, 16, 128, stream, ar);
  CHECK(cudaMemsetAsync(row, 0, 2048 * sizeof(int4), stream));
  CHECK(cudaMemsetAsync(buf, 0, (size_t)32 * 2048 * sizeof(int4), stream));
  const double us = graph_us(stream, pairs, repeats, [&] {
    for (int i = 0; i < pairs; i++) {
      CHECK(cudaLaunchKernelEx(&cw, pair_writer, (const int4*)row, buf, planes));
      CHECK(cudaLaunchKernelEx(&cr, pair_reader, (const int4*)buf, row, planes));
    }
  });
  std::vector<int4> h(2048);
  CHECK(cudaMemcpy(h.data(), row, h.size() * sizeof(int4), cudaMemcpyDeviceToHost));
  const long want = (long)pairs * (GRAPH_WARM + repeats);
  bool ok = true;
  for (auto& e : h) ok = ok && e.x == want;
  char what[96];
  std::snprintf(what, sizeof what, "PDL pair: 256 blocks write %d KB, 16 read it", planes * 32);
  std::printf("| GPU graph pair  | %-44s | %d | 256+16 | 128 | %.3f | %s |\n", what, 2 * pairs, us, ok ? "count ok" : "COUNT WRONG");
  if (!ok) std::exit(4);
}

static void graph_chain(bool pdl, bool dep, int launches, int repeats, int grid, int threads, cudaStream_t stream, int* counter) {
  cudaLaunchAttribute attr{};
  const cudaLaunchConfig_t cfg = launch_config(pdl, grid, threads, stream, attr);
  int depi = dep ? 1 : 0;
  CHECK(cudaMemsetAsync(counter, 0, sizeof(int), stream));
  const double us = graph_us(stream, launches, repeats, [&] {
    for (int i = 0; i < launches; i++) CHECK(cudaLaunchKernelEx(&cfg, chain_link, counter, depi));
  });
  int got = 0;
  CHECK(cudaMemcpy(&got, counter, sizeof(int), cudaMemcpyDeviceToHost));
  const long want = dep ? (long)launches * (GRAPH_WARM + repeats) : 0;
  std::printf("| GPU graph chain | %-28s | %d | %d | %d | %.3f | %s |\n", pdl ? (dep ? "PDL, one dependent round trip" : "PDL, empty")
              : (dep ? "no PDL, one dependent round trip" : "no PDL, empty"), launches, grid, threads, us,
              got == want ? "counter ok" : "COUNTER WRONG");
  if (got != want) std::exit(4);
}

// The fixed cost of a forward (issue 11: metadata copy in, launch, first-token copy out, synchronization), on a chain of
// `links` PDL links shaped as the engine's graph: (copies) a host-to-device memcpy node of the batch metadata from pinned
// memory first and a device-to-host node of the first tokens last, as PrefillEngine issues them today; (mapped) no copy
// nodes: the first link reads the metadata through the pinned buffer's device mapping and writes the device copy, the
// second launches without PDL (every later kernel may read the metadata before its own wait, so it must be complete), the
// last link writes the first tokens straight into pinned memory; (bare) the links alone. Host us per forward: graph launch
// to stream synchronized, median; GPU us: event-timed replay, median. The copies are checked after the runs.
__global__ void meta_in_link(const int4* host, int4* dev, int n16) {
#if __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n16; i += gridDim.x * blockDim.x) dev[i] = host[i];
}
__global__ void tokens_out_link(int* out, int n, int value) {
#if __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  if (blockIdx.x == 0 && threadIdx.x < n) out[threadIdx.x] = value + threadIdx.x;
}

// (flag) as mapped, but the last link also writes a completion word after the first tokens — each writer fences the system
// scope, then thread 0 writes the forward's sequence number, read from the metadata the first link copied in — and the
// host spins on that word instead of cudaStreamSynchronize: the synchronization a forward needs is the first tokens'
// arrival, which the stream's completion signal reports only after the kernel's blocks retire and the front end writes
// its semaphore. The stream is synchronized after the timed interval (each forward starts from an idle stream, as in the
// other forms), and how long that took after the word arrived is reported too.
__global__ void tokens_flag_link(int* out, int n, int value, const int4* meta) {
#if __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  if (blockIdx.x != 0) return;
  if (threadIdx.x < n) out[threadIdx.x] = value + threadIdx.x;
  __threadfence_system();
  __syncthreads();
  if (threadIdx.x == 0) *(volatile int*)(out + n) = meta[0].x;
}

// (params) the metadata travels as the first link's kernel parameters (up to 32 KB since CUDA 12.1): the host writes
// them into the instantiated graph's node before each launch (cudaGraphExecKernelNodeSetParams, inside the timed
// interval), the launch carries them to the constant bank, and the link copies them into the device slice — no SM
// reads host memory over PCIe (the mapped form's round trip). Last link and synchronization as in the flag form.
#define META_PARAM_INT4 913  // 14608 bytes: the engine's metadata of 512 tokens, 32 sequences, 64 pages
struct MetaBlob {
  int4 v[META_PARAM_INT4];
};
__global__ void meta_param_link(const __grid_constant__ MetaBlob m, int4* dev, int n16) {
#if __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n16; i += gridDim.x * blockDim.x) dev[i] = m.v[i];
}

static void fixed_cost(int links, int repeats, int grid, int threads, size_t meta_bytes, cudaStream_t stream) {
  int4 *hmeta = nullptr, *dmeta = nullptr;
  int *hout = nullptr, *dout = nullptr, *counter = nullptr;
  const int n16 = (int)(meta_bytes / 16), ntok = 32;
  CHECK(cudaHostAlloc(&hmeta, meta_bytes, cudaHostAllocMapped));
  CHECK(cudaHostAlloc(&hout, (ntok + 1) * sizeof(int), cudaHostAllocMapped));  // + the flag form's completion word
  CHECK(cudaMalloc(&dmeta, meta_bytes));
  CHECK(cudaMalloc(&dout, ntok * sizeof(int)));
  CHECK(cudaMalloc(&counter, sizeof(int)));
  int4 *hmeta_dev = nullptr;
  int *hout_dev = nullptr;
  CHECK(cudaHostGetDevicePointer(&hmeta_dev, hmeta, 0));
  CHECK(cudaHostGetDevicePointer(&hout_dev, hout, 0));
  cudaLaunchAttribute attr{}, attr1{};
  const cudaLaunchConfig_t pdl = launch_config(true, grid, threads, stream, attr);
  const cudaLaunchConfig_t plain = launch_config(false, grid, threads, stream, attr1);
  int zero = 0;
  static MetaBlob blob;  // the params form's host copy of the metadata (14.6 KB: not on the stack)
  for (int form = 0; form < 5; form++) {  // 0 copies, 1 mapped, 2 bare, 3 mapped + completion word, 4 params + word
    if (form == 4 && n16 > META_PARAM_INT4) continue;
    const CapturedGraph c = capture(stream, [&] {
      if (form == 0) CHECK(cudaMemcpyAsync(dmeta, hmeta, meta_bytes, cudaMemcpyHostToDevice, stream));
      for (int i = 0; i < links; i++) {
        if ((form == 1 || form == 3) && i == 0) CHECK(cudaLaunchKernelEx(&pdl, meta_in_link, (const int4*)hmeta_dev, dmeta, n16));
        else if (form == 4 && i == 0) CHECK(cudaLaunchKernelEx(&pdl, meta_param_link, blob, dmeta, n16));
        else if (form == 1 && i == links - 1) CHECK(cudaLaunchKernelEx(&pdl, tokens_out_link, hout_dev, ntok, 7));
        else if (form >= 3 && i == links - 1) CHECK(cudaLaunchKernelEx(&pdl, tokens_flag_link, hout_dev, ntok, 7, (const int4*)dmeta));
        else if (form == 0 && i == links - 1) CHECK(cudaLaunchKernelEx(&pdl, tokens_out_link, dout, ntok, 7));
        else CHECK(cudaLaunchKernelEx(form != 0 && form != 2 && i == 1 ? &plain : &pdl, chain_link, counter, zero));
      }
      if (form == 0) CHECK(cudaMemcpyAsync(hout, dout, ntok * sizeof(int), cudaMemcpyDeviceToHost, stream));
    });
    cudaGraphExec_t x = c.x;
    cudaGraph_t g = c.g;
    cudaGraphNode_t param_node = nullptr;  // the params form's first link, found by its function
    cudaKernelNodeParams kp{};
    int4* dmeta_arg = dmeta;
    int n16_arg = n16;
    void* kargs[] = {&blob, &dmeta_arg, &n16_arg};
    if (form == 4) {
      size_t count = 0;
      CHECK(cudaGraphGetNodes(g, nullptr, &count));
      std::vector<cudaGraphNode_t> nodes(count);
      CHECK(cudaGraphGetNodes(g, nodes.data(), &count));
      for (auto nd : nodes) {
        cudaGraphNodeType t;
        CHECK(cudaGraphNodeGetType(nd, &t));
        if (t != cudaGraphNodeTypeKernel) continue;
        cudaKernelNodeParams q{};
        CHECK(cudaGraphKernelNodeGetParams(nd, &q));
        if (q.func == (void*)meta_param_link) { param_node = nd; kp = q; }
      }
      if (!param_node) { std::fprintf(stderr, "fixed cost: the params link is not in the graph\n"); std::exit(4); }
      kp.kernelParams = kargs;
      kp.extra = nullptr;
    }
    cudaEvent_t e0, e1;
    CHECK(cudaEventCreate(&e0));
    CHECK(cudaEventCreate(&e1));
    // Three timings in turn (r % 3): (0) as the Java tool times a forward — an event record before and after the launch,
    // and the elapsed-time query — inside the host interval; (1) the events, the query after the interval; (2) neither:
    // what an engine that does not time its forwards pays (issue 11's fixed cost: copy in, launch, copy out, sync).
    std::vector<double> host, host_ev, host_bare, gpu, flag_sync;
    using clock = std::chrono::steady_clock;
    volatile int* word = hout + ntok;
    for (int r = -GRAPH_WARM * 10 * 3; r < repeats * 10 * 3; r++) {
      const int how = form >= 3 ? 2 : ((r % 3) + 3) % 3;  // the flag forms: no events (their own timing)
      int4* meta_out = form == 4 ? blob.v : hmeta;
      for (int i = 0; i < n16; i++) meta_out[i] = make_int4(r, i, r ^ i, 1);  // the host writes this forward's metadata
      hout[0] = -1;
      *word = -1 - r;
      float ms = 0;
      auto t0 = clock::now();
      if (how < 2) CHECK(cudaEventRecord(e0, stream));
      if (form == 4) CHECK(cudaGraphExecKernelNodeSetParams(x, param_node, &kp));  // part of the forward's host cost
      CHECK(cudaGraphLaunch(x, stream));
      if (how < 2) CHECK(cudaEventRecord(e1, stream));
      if (form >= 3) {
        while (*word != r) {}
      } else {
        CHECK(cudaStreamSynchronize(stream));
      }
      if (how == 0) CHECK(cudaEventElapsedTime(&ms, e0, e1));
      auto t1 = clock::now();
      if (form >= 3) {  // the tokens were fenced before the word: they must be there already
        if (hout[0] != 7 || hout[ntok - 1] != 7 + ntok - 1) { std::fprintf(stderr, "fixed cost: first tokens behind the word\n"); std::exit(4); }
        CHECK(cudaStreamSynchronize(stream));
        if (r >= 0) flag_sync.push_back(std::chrono::duration<double, std::micro>(clock::now() - t1).count());
      }
      if (how == 1) CHECK(cudaEventElapsedTime(&ms, e0, e1));
      if (form != 2 && (hout[0] != 7 || hout[ntok - 1] != 7 + ntok - 1)) { std::fprintf(stderr, "fixed cost: first tokens not written\n"); std::exit(4); }
      if (r < 0) continue;
      const double us = std::chrono::duration<double, std::micro>(t1 - t0).count();
      (how == 0 ? host : how == 1 ? host_ev : host_bare).push_back(us);
      if (how < 2) gpu.push_back(ms * 1000.0);
    }
    if (form != 2) {  // the device copy is the last forward's metadata
      std::vector<int4> back(n16);
      CHECK(cudaMemcpy(back.data(), dmeta, meta_bytes, cudaMemcpyDeviceToHost));
      const int last = repeats * 10 * 3 - 1;
      for (int i = 0; i < n16; i++)
        if (back[i].x != last || back[i].y != i) { std::fprintf(stderr, "fixed cost: metadata copy wrong at %d\n", i); std::exit(4); }
    }
    const char* name = form == 0 ? "copy nodes in and out (as the engine)" : form == 1 ? "mapped: first link reads, last link writes"
                       : form == 2 ? "links only" : form == 3 ? "mapped, host spins on a completion word"
                       : "params: metadata as the first link's parameters, word";
    if (form >= 3)  // no event-timed columns: the host column is launch to the word, the last the stream's sync after it
      std::printf("| fixed cost | %-44s | %d | %zu | - | - | %.2f | - | copies ok; sync after the word %.2f us |\n", name, links,
                  meta_bytes, median(host_bare), median(flag_sync));
    else
      std::printf("| fixed cost | %-44s | %d | %zu | %.2f | %.2f | %.2f | %.2f | copies ok |\n", name, links, meta_bytes, median(host),
                  median(host_ev), median(host_bare), median(gpu));
    CHECK(cudaEventDestroy(e0));
    CHECK(cudaEventDestroy(e1));
    CHECK(cudaGraphExecDestroy(x));
    CHECK(cudaGraphDestroy(g));
  }
  CHECK(cudaFreeHost(hmeta));
  CHECK(cudaFreeHost(hout));
  CHECK(cudaFree(dmeta));
  CHECK(cudaFree(dout));
  CHECK(cudaFree(counter));
}

int main(int argc, char** argv) {
  int launches = argc > 1 ? std::atoi(argv[1]) : 169;  // ERNIE-4.5-0.3B: 167 kernels + 2 copies per eager forward
  int repeats = argc > 2 ? std::atoi(argv[2]) : 51;
  int grid = argc > 3 ? std::atoi(argv[3]) : 16;
  int threads = argc > 4 ? std::atoi(argv[4]) : 128;
  if (launches < 1 || repeats < 1 || grid < 1 || threads < 1 || threads > 1024) {
    std::fprintf(stderr, "usage: launch_cost [launches>=1] [repeats>=1] [grid>=1] [threads 1..1024] [fatbin with empty_kernel]\n");
    return 2;
  }
  int dev = 0, major = 0;
  CHECK(cudaSetDevice(dev));
  CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  std::printf("| caller | launch | launches | grid | threads | param bytes | enqueue us/launch | drained us/launch |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
  std::vector<std::pair<const void*, const char*>> fns = {{(const void*)empty_kernel, "stub"}};
  cudaLibrary_t lib = nullptr;
  if (argc > 5) {  // the engine's fatbin (prefill.fatbin from the jar): launch through a library kernel handle, as Java does
    cudaKernel_t k;
    CHECK(cudaLibraryLoadFromFile(&lib, argv[5], nullptr, nullptr, 0, nullptr, nullptr, 0));
    CHECK(cudaLibraryGetKernel(&k, lib, "empty_kernel"));
    fns.push_back({(const void*)k, "cudaKernel_t"});
  }
  for (auto& f : fns) {
    measure(Path::Launch, launches, repeats, grid, threads, stream, f.first, f.second);
    measure(Path::LaunchEx, launches, repeats, grid, threads, stream, f.first, f.second);
    if (major >= 9) measure(Path::LaunchExPdl, launches, repeats, grid, threads, stream, f.first, f.second);
    else std::printf("(PDL needs sm_90; this GPU is sm_%d0)\n", major);
  }
  if (lib) CHECK(cudaLibraryUnload(lib));
  std::printf("\n| GPU side | chain | kernels per graph | grid | threads | us per kernel (replay / kernels, median) | check |\n");
  std::printf("|---|---|---:|---:|---:|---:|---|\n");
  int* counter = nullptr;
  CHECK(cudaMalloc(&counter, sizeof(int)));
  for (bool dep : {false, true}) {
    graph_chain(false, dep, launches, repeats, grid, threads, stream, counter);
    if (major >= 9) graph_chain(true, dep, launches, repeats, grid, threads, stream, counter);
  }
  CHECK(cudaFree(counter));
  if (major >= 9) {  // the row links: bytes, the block reduction, the norm's 16 split-K planes
    const int even = launches + launches % 2;
    int4 *a = nullptr, *b = nullptr;
    const size_t cells = std::max((size_t)16 * grid * threads, (size_t)32 * 2048);  // rows, and the pairs' 32 planes
    CHECK(cudaMalloc(&a, cells * sizeof(int4)));
    CHECK(cudaMalloc(&b, cells * sizeof(int4)));
    graph_rows(1, 1, false, even, repeats, grid, threads, stream, a, b);
    graph_rows(1, 1, true, even, repeats, grid, threads, stream, a, b);
    graph_rows(16, 1, false, even, repeats, grid, threads, stream, a, b);
    graph_rows(16, 1, true, even, repeats, grid, threads, stream, a, b);
    graph_rows(16, 16, false, even, repeats, grid, threads, stream, a, b);
    // us per pair (a writer and its reader): the writer's bytes 64 KB, 256 KB, 1 MB
    for (int planes : {2, 8, 32}) graph_pairs(planes, (launches + 1) / 2, repeats, stream, a, b);
    CHECK(cudaFree(a));
    CHECK(cudaFree(b));
  }
  if (major >= 9) {  // tiny's 26 kernels and ERNIE-4.5-0.3B's 167, the engine's metadata of 512 tokens, 32 sequences, 64 pages
    std::printf("\n| fixed cost | graph | links | metadata bytes | host us per forward, timed as the tool (events + elapsed query) | "
                "events, query outside | no events | GPU us (events) | check |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (int links : {26, 167}) fixed_cost(links, repeats, grid, threads, 14608, stream);
  }
  CHECK(cudaStreamDestroy(stream));
  return 0;
}
