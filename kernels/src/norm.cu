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

extern "C" __global__ void __launch_bounds__(128, 4) add_rmsnorm(AddRmsNormParams p) {
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

// ---------------------------------------------------------------- add_rmsnorm_cl: few rows, one cluster per row
// add_rmsnorm for small row counts, each row spread over a thread-block cluster of C blocks (launched with cluster
// dimension C in {4, 8, 16, 32}, grid.x = C * rows, 128 threads). Block b of a row plays add_rmsnorm's threads
// v in [b * 128 / C, (b + 1) * 128 / C) with their chunks v, v + 128: every value, each thread's sum of squares and the
// block tree are add_rmsnorm's own, so the bits are too. What changes is who loads: the row's split-K partials are
// staged by all 128 threads of every block at once (cp.async, 16 KB a round), C blocks per row instead of one block
// reading the whole row (64 KB at 16 splits), and metadata-free inputs (the weight) are read before the PDL wait. The
// 128 per-thread sums meet in distributed shared memory; every block repeats block_sum's warp tree on them.
#define PK_NCL_STAGE 1024  // staged 16-byte slots (16 KB)

extern "C" __global__ void __launch_bounds__(128, 4) add_rmsnorm_cl(AddRmsNormParams p) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  __shared__ uint4 stage[PK_NCL_STAGE];
  __shared__ float ssv[32];
  uint32_t C, b;
  asm volatile("mov.u32 %0, %%cluster_nctarank;" : "=r"(C));
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(b));
  const int VT = 128 / (int)C, hidden = p.hidden, nv = hidden >> 3, nc = (nv + 127) >> 7;
  if (C < 4 || 128 % C != 0 || (hidden & 7) != 0 || nc > PK_NORM_REGS || blockDim.x != 128) __trap();
  const int row = blockIdx.x / (int)C, i = threadIdx.x, v = (int)b * VT + i;  // compute threads: i < VT (warp 0)
  pk_pdl_launch();                  // at entry (common.cuh)
  const int nrows = *p.num_rows;  // host-written metadata
  uint4 wv[PK_NORM_REGS], rv[PK_NORM_REGS], xv[PK_NORM_REGS];
#pragma unroll
  for (int c = 0; c < PK_NORM_REGS; c++)
    if (i < VT && c < nc && v + c * 128 < nv) wv[c] = __ldg(reinterpret_cast<const uint4 *>(p.weight) + v + c * 128);
  pk_pdl_wait();
  if (row >= nrows) return;  // the whole cluster: one row
  uint16_t *res = p.residual + (size_t)row * hidden;
  const bool has_x = p.x != nullptr || p.x_splits > 0;
#pragma unroll
  for (int c = 0; c < PK_NORM_REGS; c++) {
    const int j = v + c * 128;
    if (i < VT && c < nc && j < nv) {
      rv[c] = reinterpret_cast<const uint4 *>(res)[j];
      if (p.x_splits <= 0 && p.x != nullptr) xv[c] = reinterpret_cast<const uint4 *>(p.x + (size_t)row * hidden)[j];
    }
  }
  if (p.x_splits > 0) {  // the in-order sum of the partials, as pk_sum_partial8 adds them
    const float *part = p.x_partial + (size_t)row * hidden;
    const size_t plane = (size_t)p.x_rows * hidden;
    const int per_plane = VT * nc * 2, zb = max(1, PK_NCL_STAGE / per_plane);  // slot (ii, c, half) of a plane
    float4 acc[PK_NORM_REGS][2];
    for (int z0 = 0; z0 < p.x_splits; z0 += zb) {
      const int nz = min(zb, p.x_splits - z0);
      for (int q = i; q < nz * per_plane; q += 128) {
        const int zz = q / per_plane, r = q - zz * per_plane, ii = r / (nc * 2), c = (r >> 1) % nc, h = r & 1;
        const int j = (int)b * VT + ii + c * 128;
        const bool ok = j < nv;
        cp_async16(smem_u32(&stage[q]), ok ? part + (size_t)(z0 + zz) * plane + (size_t)j * 8 + h * 4 : part, ok);
      }
      cp_async_commit();
      cp_async_wait<0>();
      __syncthreads();
      if (i < VT) {
#pragma unroll
        for (int c = 0; c < PK_NORM_REGS; c++)
#pragma unroll
          for (int h = 0; h < 2; h++) {
            if (c >= nc) continue;
            for (int zz = 0; zz < nz; zz++) {
              const float4 t = *reinterpret_cast<const float4 *>(&stage[zz * per_plane + (i * nc + c) * 2 + h]);
              float4 &a = acc[c][h];
              if (z0 + zz == 0) a = t;
              else { a.x = __fadd_rn(a.x, t.x); a.y = __fadd_rn(a.y, t.y); a.z = __fadd_rn(a.z, t.z); a.w = __fadd_rn(a.w, t.w); }
            }
          }
      }
      __syncthreads();  // the next round overwrites the stage
    }
#pragma unroll
    for (int c = 0; c < PK_NORM_REGS; c++)
      if (c < nc)
        xv[c] = make_uint4(pack_bf2(acc[c][0].x, acc[c][0].y), pack_bf2(acc[c][0].z, acc[c][0].w), pack_bf2(acc[c][1].x, acc[c][1].y),
                           pack_bf2(acc[c][1].z, acc[c][1].w));
  }
  float ss = 0.f;  // add_rmsnorm's thread v: its chunks in order, each element lo then hi
  if (i < VT) {
#pragma unroll
    for (int c = 0; c < PK_NORM_REGS; c++) {
      const int j = v + c * 128;
      if (c >= nc || j >= nv) continue;
      uint32_t u[4] = {rv[c].x, rv[c].y, rv[c].z, rv[c].w};
      if (has_x) {
        uint32_t ux[4] = {xv[c].x, xv[c].y, xv[c].z, xv[c].w};
#pragma unroll
        for (int e = 0; e < 4; e++)
          u[e] = pack_bf2(__fadd_rn(bf_lo(u[e]), bf_lo(ux[e])), __fadd_rn(bf_hi(u[e]), bf_hi(ux[e])));
        rv[c] = make_uint4(u[0], u[1], u[2], u[3]);
        reinterpret_cast<uint4 *>(res)[j] = rv[c];
      }
#pragma unroll
      for (int e = 0; e < 4; e++) {
        float a = bf_lo(u[e]), bb = bf_hi(u[e]);
        ss = __fadd_rn(ss, __fmul_rn(a, a));
        ss = __fadd_rn(ss, __fmul_rn(bb, bb));
      }
    }
    ssv[i] = ss;
  }
  asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
  float total = 0.f;
  if (i < 32) {  // block_sum over add_rmsnorm's 128 thread sums: warp w's xor tree, then the tree over the 4 warp sums
    float red = 0.f;
#pragma unroll
    for (int w = 0; w < 4; w++) {
      const int t = w * 32 + i;
      uint32_t remote;
      float x;
      asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote) : "r"(smem_u32(&ssv[t % VT])), "r"(t / VT));
      asm volatile("ld.shared::cluster.f32 %0, [%1];" : "=f"(x) : "r"(remote) : "memory");
#pragma unroll
      for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
      if (i == w) red = x;
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) red += __shfl_xor_sync(0xffffffffu, red, o);
    total = red;
  }
  // every peer has read this block's sums once all arrive; its stores below need no peer
  asm volatile("barrier.cluster.arrive.release.aligned;" ::: "memory");
  if (i < VT) {
    const float inv = rsqrtf(__fadd_rn(total / (float)hidden, p.eps));
    uint16_t *out = p.out + (size_t)row * hidden;
#pragma unroll
    for (int c = 0; c < PK_NORM_REGS; c++) {
      const int j = v + c * 128;
      if (c >= nc || j >= nv) continue;
      uint32_t u[4] = {rv[c].x, rv[c].y, rv[c].z, rv[c].w}, q[4] = {wv[c].x, wv[c].y, wv[c].z, wv[c].w}, o[4];
#pragma unroll
      for (int e = 0; e < 4; e++)
        o[e] = pack_bf2(__fmul_rn(__fmul_rn(bf_lo(u[e]), inv), bf_lo(q[e])), __fmul_rn(__fmul_rn(bf_hi(u[e]), inv), bf_hi(q[e])));
      reinterpret_cast<uint4 *>(out)[j] = make_uint4(o[0], o[1], o[2], o[3]);
    }
  }
  asm volatile("barrier.cluster.wait.acquire.aligned;" ::: "memory");
#else
  __trap();  // sm_80: no clusters (the engine runs add_rmsnorm there)
#endif
}
