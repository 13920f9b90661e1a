// l2_prefetch: touches weight tensors so they sit in L2 when their GEMM runs (the next layer's
// qkv, o, gate_up and down while this layer computes, on a side stream). Writes nothing and changes
// no bit of any output: a prefetch is only a cache hint. Few blocks (the Java side launches 8..16)
// so the main branch keeps its SMs.
#include "common.cuh"

PK_DEV void pk_prefetch_l2(const char *p, uint32_t bytes) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  // one bulk request per chunk (size and address multiples of 16)
  asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;\n" ::"l"(p), "r"(bytes) : "memory");
#else
  for (uint32_t off = 0; off < bytes; off += 128) asm volatile("prefetch.global.L2 [%0];\n" ::"l"(p + off));
#endif
}

extern "C" __global__ void __launch_bounds__(256) l2_prefetch(L2PrefetchParams p) {
  const int64_t chunk = p.chunk_bytes < 16 ? 16 : (p.chunk_bytes & ~15);
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  const int64_t first = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;  // global chunk index over all tensors
  const int count = p.count < PREFILL_PREFETCH_MAX_TENSORS ? p.count : PREFILL_PREFETCH_MAX_TENSORS;
  int64_t base = 0;  // chunks of the tensors before t
  for (int t = 0; t < count; t++) {
    const uintptr_t lo = ((uintptr_t)p.ptr[t] + 15) & ~(uintptr_t)15;
    const uintptr_t hi = ((uintptr_t)p.ptr[t] + (uintptr_t)(p.bytes[t] > 0 ? p.bytes[t] : 0)) & ~(uintptr_t)15;
    const int64_t len = hi > lo ? (int64_t)(hi - lo) : 0;
    const int64_t chunks = (len + chunk - 1) / chunk;
    int64_t c0 = (first - base) % stride;  // this thread's global chunks are first, first + stride, ...
    if (c0 < 0) c0 += stride;
    for (int64_t c = c0; c < chunks; c += stride) {
      const int64_t off = c * chunk;
      const int64_t n = len - off < chunk ? len - off : chunk;
      pk_prefetch_l2(reinterpret_cast<const char *>(lo) + off, (uint32_t)n);
    }
    base += chunks;
  }
}

// l2_prefetch_rows (prefill_kernels.h): a prefix of every row of up to four weights. The plain form triggers its
// dependents at entry, waits in every block, then issues: the requests go out when the kernel before it has
// completed, so they share DRAM with nothing that kernel streams, and the kernel completes once they are issued
// (a prefetch is fire-and-forget). The _early form issues at entry, before the wait (while the kernel before it
// runs), and only block 0 waits: the kernel still completes after its predecessor, so the chain stays transitive.
template <bool kEarly>
PK_DEV void pk_prefetch_rows(const L2PrefetchRowsParams &p) {
  pk_pdl_launch();
  if (!kEarly) pk_pdl_wait();
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  const int64_t first = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;  // global row index over all tensors
  const int count = p.count < PREFILL_PREFETCH_MAX_TENSORS ? p.count : PREFILL_PREFETCH_MAX_TENSORS;
  int64_t base = 0;  // rows of the tensors before t
  for (int t = 0; t < count; t++) {
    const int64_t rows = p.rows[t] > 0 ? p.rows[t] : 0;
    const uint32_t len = p.row_bytes[t] > 0 ? (uint32_t)p.row_bytes[t] & ~15u : 0u;
    int64_t r0 = (first - base) % stride;  // this thread's rows of tensor t are r0, r0 + stride, ...
    if (r0 < 0) r0 += stride;
    for (int64_t r = r0; len > 0 && r < rows; r += stride) {
      const char *row = reinterpret_cast<const char *>(p.ptr[t]) + r * p.ld_bytes[t];
      for (uint32_t off = 0; off < len; off += PREFILL_PREFETCH_ROW_CHUNK) {
        const uint32_t n = len - off < PREFILL_PREFETCH_ROW_CHUNK ? len - off : PREFILL_PREFETCH_ROW_CHUNK;
        pk_prefetch_l2(row + off, n);
      }
    }
    base += rows;
  }
  if (kEarly && blockIdx.x == 0) pk_pdl_wait();
}

// The _lines forms: the same prefixes, one prefetch.global.L2::evict_last per 128-byte line instead of one bulk
// request per row (s18 call 1: a block of bulk prefetches cost the chain ~5 us however few bytes it asked for; a
// line prefetch is an ordinary memory instruction nothing waits on, and evict_last keeps the lines through the
// streams that pass before their GEMM).
template <bool kEarly>
PK_DEV void pk_prefetch_lines(const L2PrefetchRowsParams &p) {
  pk_pdl_launch();
  if (!kEarly) pk_pdl_wait();
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  const int64_t first = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;  // global line index over all tensors
  const int count = p.count < PREFILL_PREFETCH_MAX_TENSORS ? p.count : PREFILL_PREFETCH_MAX_TENSORS;
  int64_t base = 0;  // lines of the tensors before t
  for (int t = 0; t < count; t++) {
    const int64_t rows = p.rows[t] > 0 ? p.rows[t] : 0;
    const int64_t per_row = p.row_bytes[t] > 0 ? ((int64_t)(p.row_bytes[t] & ~15) + 127) / 128 : 0;
    const int64_t lines = rows * per_row;
    int64_t l0 = (first - base) % stride;
    if (l0 < 0) l0 += stride;
    for (int64_t l = l0; l < lines; l += stride) {
      const char *a = reinterpret_cast<const char *>(p.ptr[t]) + (l / per_row) * p.ld_bytes[t] + (l % per_row) * 128;
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
      asm volatile("prefetch.global.L2::evict_last [%0];\n" ::"l"(a));
#else
      asm volatile("prefetch.global.L2 [%0];\n" ::"l"(a));
#endif
    }
    base += lines;
  }
  if (kEarly && blockIdx.x == 0) pk_pdl_wait();
}

extern "C" __global__ void __launch_bounds__(256) l2_prefetch_rows(L2PrefetchRowsParams p) { pk_prefetch_rows<false>(p); }
extern "C" __global__ void __launch_bounds__(256) l2_prefetch_lines(L2PrefetchRowsParams p) { pk_prefetch_lines<false>(p); }
extern "C" __global__ void __launch_bounds__(256) l2_prefetch_lines_early(L2PrefetchRowsParams p) { pk_prefetch_lines<true>(p); }
extern "C" __global__ void __launch_bounds__(256) l2_prefetch_rows_early(L2PrefetchRowsParams p) { pk_prefetch_rows<true>(p); }
