// add_rmsnorm and final_norm_gather. One block per row; blockDim.x a multiple of 32 (<= 1024).
// The residual sum is rounded to bf16 first; the sum of squares of those bf16 values is taken in
// fp32: each thread sums its elements in increasing index order (thread j takes 8-element chunks
// j, j+blockDim, ...), then a fixed warp/block tree. out = bf16((r * rsqrtf(sumsq/hidden + eps)) * w).
#include "common.cuh"

// One row. r = bf16(res + x) when x != NULL (written back to res_out when res_out != NULL), else res.
// Pass 2 recomputes r from the same inputs (bit-identical), so nothing is staged.
static __device__ __forceinline__ void pk_norm_row(const uint16_t *res, const uint16_t *x, uint16_t *res_out,
                                                   const uint16_t *w, uint16_t *out, int hidden, float eps,
                                                   float *red) {
  float ss = 0.f;
  const bool vec = (hidden & 7) == 0;
  if (vec) {
    const int nv = hidden >> 3;
    for (int j = threadIdx.x; j < nv; j += blockDim.x) {
      uint4 v = reinterpret_cast<const uint4 *>(res)[j];
      uint32_t u[4] = {v.x, v.y, v.z, v.w};
      if (x != nullptr) {
        uint4 xv = reinterpret_cast<const uint4 *>(x)[j];
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
      if (x != nullptr) {
        uint16_t h = f2bf(__fadd_rn(a, bf2f(x[j])));
        if (res_out != nullptr) res_out[j] = h;
        a = bf2f(h);
      }
      ss = __fadd_rn(ss, __fmul_rn(a, a));
    }
  }
  const float total = block_sum(ss, red);
  const float inv = rsqrtf(__fadd_rn(total / (float)hidden, eps));
  if (res_out != nullptr) { res = res_out; x = nullptr; }  // re-read what this thread wrote
  if (vec) {
    const int nv = hidden >> 3;
    for (int j = threadIdx.x; j < nv; j += blockDim.x) {
      uint4 v = reinterpret_cast<const uint4 *>(res)[j], ww = __ldg(reinterpret_cast<const uint4 *>(w) + j);
      uint32_t u[4] = {v.x, v.y, v.z, v.w}, q[4] = {ww.x, ww.y, ww.z, ww.w}, o[4];
      if (x != nullptr) {
        uint4 xv = reinterpret_cast<const uint4 *>(x)[j];
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
      if (x != nullptr) a = bf2f(f2bf(__fadd_rn(a, bf2f(x[j]))));
      out[j] = f2bf(__fmul_rn(__fmul_rn(a, inv), bf2f(w[j])));
    }
  }
}

extern "C" __global__ void add_rmsnorm(AddRmsNormParams p) {
  __shared__ float red[32];
  const int row = blockIdx.x;
  if (row >= *p.num_rows) return;
  uint16_t *res = p.residual + (size_t)row * p.hidden;
  const uint16_t *x = p.x != nullptr ? p.x + (size_t)row * p.hidden : nullptr;
  pk_norm_row(res, x, x != nullptr ? res : nullptr, p.weight, p.out + (size_t)row * p.hidden, p.hidden, p.eps, red);
}

extern "C" __global__ void final_norm_gather(FinalNormGatherParams p) {
  __shared__ float red[32];
  const int s = blockIdx.x;
  if (s >= *p.num_seqs) return;
  const int row = p.query_start[s + 1] - 1;
  const uint16_t *x = p.x != nullptr ? p.x + (size_t)row * p.hidden : nullptr;
  pk_norm_row(p.residual + (size_t)row * p.hidden, x, nullptr, p.weight, p.out + (size_t)s * p.hidden, p.hidden,
              p.eps, red);
}
