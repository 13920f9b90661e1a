// Device helpers shared by the kernel families (included once by prefill_kernels.cu).
#ifndef PREFILL_COMMON_CUH
#define PREFILL_COMMON_CUH

#include <stdint.h>
#include <cuda_bf16.h>
#include "prefill_kernels.h"

#define PK_DEV static __device__ __forceinline__

PK_DEV float bf2f(uint16_t h) { return __uint_as_float(((uint32_t)h) << 16); }
PK_DEV uint16_t f2bf(float f) { return __bfloat16_as_ushort(__float2bfloat16_rn(f)); }
// Two bf16 packed in a uint32 (low half = lower address).
PK_DEV float bf_lo(uint32_t v) { return __uint_as_float(v << 16); }
PK_DEV float bf_hi(uint32_t v) { return __uint_as_float(v & 0xffff0000u); }
PK_DEV uint32_t pack_bf2(float lo, float hi) {
  return (uint32_t)f2bf(lo) | ((uint32_t)f2bf(hi) << 16);
}

PK_DEV uint32_t smem_u32(const void *p) { return (uint32_t)__cvta_generic_to_shared(p); }

// 16-byte async copy global -> shared of n source bytes: 16, or 0 (zero-fills the destination without reading).
PK_DEV void cp_async16n(uint32_t dst, const void *src, int n) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(n));
}
PK_DEV void cp_async16(uint32_t dst, const void *src, bool valid) { cp_async16n(dst, src, valid ? 16 : 0); }
PK_DEV void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N> PK_DEV void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

PK_DEV void ldmatrix_x4(uint32_t &r0, uint32_t &r1, uint32_t &r2, uint32_t &r3, uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3) : "r"(addr));
}
PK_DEV void ldmatrix_x4_trans(uint32_t &r0, uint32_t &r1, uint32_t &r2, uint32_t &r3, uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3) : "r"(addr));
}
// D = A(16x16, row) * B(16x8, col) + D, bf16 inputs, fp32 accumulators.
PK_DEV void mma_bf16_16816(float *d, const uint32_t *a, uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Programmatic dependent launch (sm_90+; no-ops elsewhere and when launched without the attribute).
// pk_pdl_wait: blocks until every prerequisite grid has completed and its memory is visible. Every
// kernel calls it in every block (also blocks that exit early) before its first read of data written
// by an earlier kernel and before its first global write, so completion of a kernel implies
// completion of all earlier ones (the chain stays transitive). Host-written metadata (m_dev,
// num_tokens, ...) and weights may be read before it.
PK_DEV void pk_pdl_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}
// pk_pdl_launch: lets the next kernel in the stream start launching (its blocks then run their
// prologue and wait in pk_pdl_wait). The weight-streaming GEMMs and the small kernels between GEMMs
// (embed, norms, rope, silu, argmax, tile map) call it at entry, before pk_pdl_wait: a small kernel
// that triggered late would hold back the next GEMM's launch, and with it the weight prefetch that is
// most of the stream kernel's gain (kernels/NOTES-gemm-stream.md, call 3, m16 layer: 14.1 us for the
// stream GEMMs back to back vs 19.0 for gemm_bf16, but 21.7 vs 22.5 with a late-triggering kernel
// after each GEMM).
// Why the trigger point never changes a value: griddepcontrol.wait returns only once every
// prerequisite grid has COMPLETED and its memory operations are visible, whenever that grid
// triggered. A trigger only lets the dependent launch (and run its pre-wait prologue) sooner. Every
// kernel waits in every block before reading anything an earlier kernel writes and before its first
// global write, so what runs before the wait reads only host-written metadata (m_dev, num_tokens,
// num_seqs, query_start: copied in from pinned memory by build_tile_map, the forward's first kernel,
// whose successor launches without PDL, so every later kernel starts after the copy is complete) and
// weights (never written), and writes nothing global; and since each kernel completes only after its
// own wait returned, completion of a kernel still implies completion of every earlier one. So an
// early trigger changes only overlap, never what any kernel reads or writes.
PK_DEV void pk_pdl_launch() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

// Keeps a value computed where it stands: an empty volatile asm that may change it, ordered with the PDL wait's (so
// arithmetic placed before the wait is not sunk after it, where the warp would issue it on the chain's critical path;
// kernels/NOTES-forward.md v56, v57).
PK_DEV void pk_keep(const uint16_t *&v) { asm volatile("" : "+l"(v)); }
PK_DEV void pk_keep(uint16_t *&v) { asm volatile("" : "+l"(v)); }
PK_DEV void pk_keep(uint32_t &v) { asm volatile("" : "+r"(v)); }
PK_DEV void pk_keep(int &v) { asm volatile("" : "+r"(v)); }
PK_DEV void pk_keep(int64_t &v) { asm volatile("" : "+l"(v)); }
PK_DEV void pk_keep(size_t &v) { asm volatile("" : "+l"(v)); }

// Split-K partial sums. The adds run in order z = 0, 1, ... (what splitk_reduce stores); the loads of
// B splits (PK_PART_BATCH, or 4 where registers are tight) are issued together first, so a sum costs ~splits / B L2 round trips
// instead of splits (at 16 splits the serial version made the small kernels latency chains:
// kernels/NOTES-forward.md, v5).
#define PK_PART_BATCH 8

// bf16(sum_{z < splits} part[z * plane + i]), summed in order z = 0, 1, ...
PK_DEV float pk_sum_partial(const float *part, size_t plane, int splits, size_t i) {
  float s = part[i];
  for (int z = 1; z < splits; z += PK_PART_BATCH) {
    float c[PK_PART_BATCH];
#pragma unroll
    for (int u = 0; u < PK_PART_BATCH; u++)
      if (z + u < splits) c[u] = part[(size_t)(z + u) * plane + i];
#pragma unroll
    for (int u = 0; u < PK_PART_BATCH; u++)
      if (z + u < splits) s = __fadd_rn(s, c[u]);
  }
  return bf2f(f2bf(s));
}
// A 16-byte load of partials: through L1 (a later kernel's reads), or L2 only (CG: the split-K fixup reads
// partials other blocks of the same kernel wrote, which this SM's L1 may hold stale copies of).
template <bool CG>
PK_DEV float4 pk_ld_part4(const float *p) {
  return CG ? __ldcg(reinterpret_cast<const float4 *>(p)) : *reinterpret_cast<const float4 *>(p);
}

// Same for 4 consecutive values (i % 4 == 0, 16-byte aligned): each bf16-rounded, as floats.
template <int B = PK_PART_BATCH, bool CG = false>
PK_DEV float4 pk_sum_partial4(const float *part, size_t plane, int splits, size_t i) {
  float4 a = pk_ld_part4<CG>(part + i);
  for (int z = 1; z < splits; z += B) {
    float4 c[B];
#pragma unroll
    for (int u = 0; u < B; u++)
      if (z + u < splits) c[u] = pk_ld_part4<CG>(part + (size_t)(z + u) * plane + i);
#pragma unroll
    for (int u = 0; u < B; u++)
      if (z + u < splits) {
        a.x = __fadd_rn(a.x, c[u].x); a.y = __fadd_rn(a.y, c[u].y); a.z = __fadd_rn(a.z, c[u].z); a.w = __fadd_rn(a.w, c[u].w);
      }
  }
  return make_float4(bf2f(f2bf(a.x)), bf2f(f2bf(a.y)), bf2f(f2bf(a.z)), bf2f(f2bf(a.w)));
}
// Same for 8 consecutive values (i % 4 == 0, 16-byte aligned), packed as 4 x bf16x2.
// B: splits whose loads are in flight together (8 floats each): 4 keeps the kernels that sum two of
// these (silu) or hold a row (norm) at <= 64 registers, so a 256-thread block's occupancy is kept.
template <int B = 4, bool CG = false>
PK_DEV uint4 pk_sum_partial8(const float *part, size_t plane, int splits, size_t i) {
  float4 a = pk_ld_part4<CG>(part + i), b = pk_ld_part4<CG>(part + i + 4);
  for (int z = 1; z < splits; z += B) {
    float4 c[B], d[B];
#pragma unroll
    for (int u = 0; u < B; u++)
      if (z + u < splits) {
        const float *pz = part + (size_t)(z + u) * plane + i;
        c[u] = pk_ld_part4<CG>(pz);
        d[u] = pk_ld_part4<CG>(pz + 4);
      }
#pragma unroll
    for (int u = 0; u < B; u++)
      if (z + u < splits) {
        a.x = __fadd_rn(a.x, c[u].x); a.y = __fadd_rn(a.y, c[u].y); a.z = __fadd_rn(a.z, c[u].z); a.w = __fadd_rn(a.w, c[u].w);
        b.x = __fadd_rn(b.x, d[u].x); b.y = __fadd_rn(b.y, d[u].y); b.z = __fadd_rn(b.z, d[u].z); b.w = __fadd_rn(b.w, d[u].w);
      }
  }
  return make_uint4(pack_bf2(a.x, a.y), pack_bf2(a.z, a.w), pack_bf2(b.x, b.y), pack_bf2(b.z, b.w));
}

// silu(g) * u in fp32 with one rounding per operation (silu_mul and the fused GEMM epilogue share it).
PK_DEV float pk_silu_mul(float g, float u) {
  return __fmul_rn(__fdiv_rn(g, __fadd_rn(1.0f, expf(-g))), u);
}

// silu_mul of 8 outputs: gate and up as 4 x bf16x2 each (the bf16-rounded GEMM outputs), out 4 x bf16x2.
PK_DEV uint4 pk_silu_mul8(uint4 gv, uint4 uv) {
  const uint32_t a[4] = {gv.x, gv.y, gv.z, gv.w}, b[4] = {uv.x, uv.y, uv.z, uv.w};
  uint32_t o[4];
#pragma unroll
  for (int e = 0; e < 4; e++)
    o[e] = pack_bf2(pk_silu_mul(bf_lo(a[e]), bf_lo(b[e])), pk_silu_mul(bf_hi(a[e]), bf_hi(b[e])));
  return make_uint4(o[0], o[1], o[2], o[3]);
}

// Split-K fixup (the streaming GEMMs with an epilogue): called by every thread of a block after its partial
// stores; true in the block that completes its tile's splits. The block barrier orders every thread's stores
// before thread 0's gpu-scope release fence and arrival count (the pattern of CUTLASS's semaphores); the
// last block's thread 0 acquires, resets the counter for the next kernel that uses it (a later kernel touches
// it only after griddepcontrol.wait, so after this grid completed), and the barrier orders the block's reads
// of the other blocks' partials after that (read through L2: pk_ld_part4<true>, __ldcg). Which block is last
// varies; what it computes does not (the partials are summed in order z = 0, 1, ... from memory).
PK_DEV bool pk_fixup_last(uint32_t *counter, int splits) {
  __shared__ uint32_t s_last;
  __syncthreads();
  if (threadIdx.x == 0) {
    uint32_t prev;
    asm volatile("fence.acq_rel.gpu;\n\tatom.relaxed.gpu.global.add.u32 %0, [%1], 1;" : "=r"(prev) : "l"(counter) : "memory");
    const uint32_t last = prev == (uint32_t)splits - 1u;
    if (last) asm volatile("fence.acq_rel.gpu;\n\tst.relaxed.gpu.global.u32 [%0], 0;" ::"l"(counter) : "memory");
    s_last = last;
  }
  __syncthreads();
  return s_last != 0u;
}

// Deterministic block-wide sum (fixed order for a given blockDim; blockDim.x multiple of 32).
// All threads get the result. red must hold 32 floats.
PK_DEV float block_sum(float v, float *red) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, nw = blockDim.x >> 5;
  __syncthreads();  // red may be reused by the caller
  if (lane == 0) red[warp] = v;
  __syncthreads();
  float s = lane < nw ? red[lane] : 0.f;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
  return s;
}


// Thread-block clusters (sm_90; used only inside code compiled for it): a float4 from rank `rank`'s shared memory at the
// address that is `local` in this block's (distributed shared memory), and a barrier over the cluster's blocks.
PK_DEV float4 pk_ld_dsmem4(uint32_t local, uint32_t rank) {
  uint32_t remote;
  float4 v;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote) : "r"(local), "r"(rank));
  asm volatile("ld.shared::cluster.v4.f32 {%0, %1, %2, %3}, [%4];" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "r"(remote) : "memory");
  return v;
}
PK_DEV void pk_cluster_sync() {
  asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
}

#endif
