// add_rmsnorm and final_norm_gather. One block per row; blockDim.x a multiple of 32 (<= 1024).
// The residual sum is rounded to bf16 first; the sum of squares of those bf16 values is taken in
// fp32: each thread sums its elements in increasing index order (thread j takes 8-element chunks
// j, j+blockDim, ...), then a fixed warp/block tree. out = bf16((r * rsqrtf(sumsq/hidden + eps)) * w).
#include "common.cuh"

// One row. r = bf16(res + x) when x is present (written back to res_out when res_out != NULL), else res.
// Pass 2 uses r kept in registers, or (rows too wide for that) recomputes it from the same inputs
// (bit-identical), so nothing is staged in memory.
// The branch input x: bf16 row x, or (splits > 0) the bf16-rounded in-order sum of fp32 split-K
// partials part[z * plane + j] (part already offset to the row); none when both are absent.
struct PkXSrc {
  const uint16_t *x;
  const float *part;
  size_t plane;
  int splits;
  __device__ bool present() const { return x != nullptr || splits > 0; }
  __device__ uint4 load8(int j) const {  // elements [8j, 8j + 8) as 4 x bf16x2
    return splits > 0 ? pk_sum_partial8<PK_PART_BATCH>(part, plane, splits, (size_t)j * 8) : reinterpret_cast<const uint4 *>(x)[j];
  }
  __device__ float load1(int j) const { return splits > 0 ? pk_sum_partial(part, plane, splits, j) : bf2f(x[j]); }
};

// Rows whose 8-element chunks fit PK_NORM_REGS per thread (hidden <= 2048 at the engine's 128 threads)
// keep r in registers between the two passes (one read of res, x or the partials, instead of two; the
// weight loads issued with them). Launch bounds 128 x 4: 128 registers, enough for 8 split-K partials
// in flight per chunk (16 splits = 2 L2 round trips), and 4 blocks per SM keep 512 rows in one wave (v5
// at 160 registers and 256 threads fit one block per SM: 4 waves; NOTES-forward.md v5, v7).
#define PK_NORM_REGS 2

static __device__ __forceinline__ void pk_norm_row(const uint16_t *res, PkXSrc xs, uint16_t *res_out,
                                                   const uint16_t *w, uint16_t *out, int hidden, float eps,
                                                   float *red) {
  bool has_x = xs.present();
  float ss = 0.f;
  const bool vec = (hidden & 7) == 0;
  if (vec && (hidden >> 3) <= PK_NORM_REGS * (int)blockDim.x) {
    const int nv = hidden >> 3;
    uint4 rv[PK_NORM_REGS], wv[PK_NORM_REGS], xv[PK_NORM_REGS];
#pragma unroll
    for (int c = 0; c < PK_NORM_REGS; c++) {  // every load of this thread in flight at once
      const int j = threadIdx.x + c * blockDim.x;
      if (j < nv) {
        rv[c] = reinterpret_cast<const uint4 *>(res)[j];
        wv[c] = __ldg(reinterpret_cast<const uint4 *>(w) + j);
        if (has_x) xv[c] = xs.load8(j);
      }
    }
#pragma unroll
    for (int c = 0; c < PK_NORM_REGS; c++) {
      const int j = threadIdx.x + c * blockDim.x;
      if (j >= nv) continue;
      uint32_t u[4] = {rv[c].x, rv[c].y, rv[c].z, rv[c].w};
      if (has_x) {
        uint32_t ux[4] = {xv[c].x, xv[c].y, xv[c].z, xv[c].w};
#pragma unroll
        for (int e = 0; e < 4; e++)
          u[e] = pack_bf2(__fadd_rn(bf_lo(u[e]), bf_lo(ux[e])), __fadd_rn(bf_hi(u[e]), bf_hi(ux[e])));
        rv[c] = make_uint4(u[0], u[1], u[2], u[3]);
        if (res_out != nullptr) reinterpret_cast<uint4 *>(res_out)[j] = rv[c];
      }
#pragma unroll
      for (int e = 0; e < 4; e++) {
        float a = bf_lo(u[e]), b = bf_hi(u[e]);
        ss = __fadd_rn(ss, __fmul_rn(a, a));
        ss = __fadd_rn(ss, __fmul_rn(b, b));
      }
    }
    const float total = block_sum(ss, red);
    const float inv = rsqrtf(__fadd_rn(total / (float)hidden, eps));
#pragma unroll
    for (int c = 0; c < PK_NORM_REGS; c++) {
      const int j = threadIdx.x + c * blockDim.x;
      if (j >= nv) continue;
      uint32_t u[4] = {rv[c].x, rv[c].y, rv[c].z, rv[c].w}, q[4] = {wv[c].x, wv[c].y, wv[c].z, wv[c].w}, o[4];
#pragma unroll
      for (int e = 0; e < 4; e++)
        o[e] = pack_bf2(__fmul_rn(__fmul_rn(bf_lo(u[e]), inv), bf_lo(q[e])),
                        __fmul_rn(__fmul_rn(bf_hi(u[e]), inv), bf_hi(q[e])));
      reinterpret_cast<uint4 *>(out)[j] = make_uint4(o[0], o[1], o[2], o[3]);
    }
    return;
  }
  if (vec) {
    const int nv = hidden >> 3;
    for (int j = threadIdx.x; j < nv; j += blockDim.x) {
      uint4 v = reinterpret_cast<const uint4 *>(res)[j];
      uint32_t u[4] = {v.x, v.y, v.z, v.w};
      if (has_x) {
        uint4 xv = xs.load8(j);
        uint32_t ux[4] = {xv.x, xv.y, xv.z, xv.w};
#pragma unroll
        for (int e = 0; e < 4; e++)
          u[e] = pack_bf2(__fadd_rn(bf_lo(u[e]), bf_lo(ux[e])), __fadd_rn(bf_hi(u[e]), bf_hi(ux[e])));
        if (res_out != nullptr) reinterpret_cast<uint4 *>(res_out)[j] = make_uint4(u[0], u[1], u[2], u[3]);
      }
#pragma unroll
      for (int e = 0; e < 4; e++) {
        float a = bf_lo(u[e]), b = bf_hi(u[e]);
        ss = __fadd_rn(ss, __fmul_rn(a, a));
        ss = __fadd_rn(ss, __fmul_rn(b, b));
      }
    }
  } else {
    for (int j = threadIdx.x; j < hidden; j += blockDim.x) {
      float a = bf2f(res[j]);
      if (has_x) {
        uint16_t h = f2bf(__fadd_rn(a, xs.load1(j)));
        if (res_out != nullptr) res_out[j] = h;
        a = bf2f(h);
      }
      ss = __fadd_rn(ss, __fmul_rn(a, a));
    }
  }
  const float total = block_sum(ss, red);
  const float inv = rsqrtf(__fadd_rn(total / (float)hidden, eps));
  if (res_out != nullptr) { res = res_out; has_x = false; }  // re-read what this thread wrote
  if (vec) {
    const int nv = hidden >> 3;
    for (int j = threadIdx.x; j < nv; j += blockDim.x) {
      uint4 v = reinterpret_cast<const uint4 *>(res)[j], ww = __ldg(reinterpret_cast<const uint4 *>(w) + j);
      uint32_t u[4] = {v.x, v.y, v.z, v.w}, q[4] = {ww.x, ww.y, ww.z, ww.w}, o[4];
      if (has_x) {
        uint4 xv = xs.load8(j);
        uint32_t ux[4] = {xv.x, xv.y, xv.z, xv.w};
#pragma unroll
        for (int e = 0; e < 4; e++)
          u[e] = pack_bf2(__fadd_rn(bf_lo(u[e]), bf_lo(ux[e])), __fadd_rn(bf_hi(u[e]), bf_hi(ux[e])));
      }
#pragma unroll
      for (int e = 0; e < 4; e++)
        o[e] = pack_bf2(__fmul_rn(__fmul_rn(bf_lo(u[e]), inv), bf_lo(q[e])),
                        __fmul_rn(__fmul_rn(bf_hi(u[e]), inv), bf_hi(q[e])));
      reinterpret_cast<uint4 *>(out)[j] = make_uint4(o[0], o[1], o[2], o[3]);
    }
  } else {
    for (int j = threadIdx.x; j < hidden; j += blockDim.x) {
      float a = bf2f(res[j]);
      if (has_x) a = bf2f(f2bf(__fadd_rn(a, xs.load1(j))));
      out[j] = f2bf(__fmul_rn(__fmul_rn(a, inv), bf2f(w[j])));
    }
  }
}

static __device__ __forceinline__ void pk_add_rmsnorm(const AddRmsNormParams &p) {
  __shared__ float red[32];
  const int row = blockIdx.x;
  pk_pdl_launch();  // at entry (common.cuh)
  const int nrows = *p.num_rows;  // host-written metadata
  pk_pdl_wait();
  if (row >= nrows) return;
  uint16_t *res = p.residual + (size_t)row * p.hidden;
  PkXSrc xs{p.x != nullptr ? p.x + (size_t)row * p.hidden : nullptr,
            p.x_splits > 0 ? p.x_partial + (size_t)row * p.hidden : nullptr, (size_t)p.x_rows * p.hidden, p.x_splits};
  pk_norm_row(res, xs, xs.present() ? res : nullptr, p.weight, p.out + (size_t)row * p.hidden, p.hidden, p.eps, red);
}

extern "C" __global__ void __launch_bounds__(128, 4) add_rmsnorm(AddRmsNormParams p) { pk_add_rmsnorm(p); }

// The same row at 256 threads (launch bounds 256 x 2: the same 128 registers per thread), for rows wider than 1024: at
// 128 threads a 2048-wide row gives each thread two 8-element chunks, whose split-K partial loads (8 splits each) go
// out one chunk after the other; at 256 one chunk per thread, every partial of the row in flight at once (s17 call 2's
// timeline: Llama-3.2-1B's norms 3.9-4.0 us per link at 16 rows, ERNIE-4.5-0.3B's 1024-wide 2.1-2.6). Bits: another
// fixed reduction order (blockDim 256), the same for eager and graph.
extern "C" __global__ void __launch_bounds__(256, 2) add_rmsnorm_256(AddRmsNormParams p) { pk_add_rmsnorm(p); }

extern "C" __global__ void __launch_bounds__(128, 4) final_norm_gather(FinalNormGatherParams p) {
  __shared__ float red[32];
  const int s = blockIdx.x;
  pk_pdl_launch();  // at entry (common.cuh)
  const int ns = *p.num_seqs;  // host-written metadata
  pk_pdl_wait();
  if (s >= ns) return;
  const int row = p.query_start[s + 1] - 1;
  PkXSrc xs{p.x != nullptr ? p.x + (size_t)row * p.hidden : nullptr,
            p.x_splits > 0 ? p.x_partial + (size_t)row * p.hidden : nullptr, (size_t)p.x_rows * p.hidden, p.x_splits};
  pk_norm_row(p.residual + (size_t)row * p.hidden, xs, nullptr, p.weight, p.out + (size_t)s * p.hidden, p.hidden,
              p.eps, red);
}
