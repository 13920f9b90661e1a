// layer_persistent: one whole decoder layer in one kernel for row capacities <= PREFILL_LAYER_ROWS (LayerParams in
// prefill_kernels.h). Why: at 10 tokens a layer was 9 kernels whose GPU work is ~6 us of weight reads but whose
// chain costs ~30 us of launch, fill and drain latency (kernels/NOTES-forward.md, "Each kernel alone"). Here the
// 128 blocks stay resident through the layer and meet at grid barriers; the weights never wait for a barrier:
// each warp streams its own slice of every weight tile the layer will need through a ring of cp.async copies that
// runs PREFILL_LAYER_RING chunks ahead of the math, across phases and barriers (and, before griddepcontrol.wait,
// across the previous kernel's tail).
//
// GEMM tiles are 8 output columns (one mma n8) by all 16 rows; each of the 8 warps takes k / 8 of the reduction
// (an mma chain over its slice, in k order) and the block sums the 8 warp results in order w = 0..7: an output's
// bits depend on k and the weights only, never on the token count or on which block computes the tile.
// A lane streams, for its weight row g = lane / 4, the 16-byte pieces k = 8t..8t+7 (t = lane % 4) of every k32
// step and uses them as the mma B fragment with the k order inside the step permuted; the A fragments (shared
// memory) are read with the same permutation, so the products pair the same k: a lane consumes exactly the bytes
// it copied, so the ring needs no barrier, only the lane's own cp.async.wait_group.
#include <cstdio>
#include "common.cuh"

#define PL_WARPS 8
#define PL_RING PREFILL_LAYER_RING
// Items a warp keeps in flight (<= PL_RING). Weight bytes in flight also delay every critical-path load behind them
// in the memory queues (Little's law: 128 SMs x 8 warps x 13 KB = 13 MB at ~4 TB/s is ~3 us of queue), so the
// stream runs only as far ahead as it needs to.
#ifndef PL_AHEAD
#define PL_AHEAD PREFILL_LAYER_RING
#endif
static_assert(PL_AHEAD >= 1 && PL_AHEAD <= PL_RING, "PL_AHEAD");
#define PL_AST (PREFILL_LAYER_MAX_K + 8)  // A row stride (elements): 16 bytes of padding, conflict-free fragment loads
#define PL_A_BYTES (PREFILL_LAYER_ROWS * PL_AST * 2)
#define PL_RED_BYTES (2 * PL_WARPS * 32 * 8 * 4)
#define PL_RING_BYTES (PL_WARPS * PL_RING * 1024)
static_assert(PL_A_BYTES + PL_RED_BYTES + PL_RING_BYTES + 256 == PREFILL_LAYER_SMEM, "PREFILL_LAYER_SMEM is this layout");
static_assert(PREFILL_LAYER_ROWS == 16, "one m16 mma tile of rows");

// The layer's shapes and, per phase (0 qkv, 1 o, 2 gate_up, 3 down), its column tiles, its k and the ring items
// one tile takes per warp (a k64 slice of 8 weight rows each; gate_up's tile is a gate and an up tile, items
// alternating gate, up at each k64). Read through pl_nt / pl_k / pl_ipt, never as arrays indexed by a runtime
// phase: such an array lives in local memory, and its L2 misses sat on every ring refill (s4 call 3's ncu).
struct PlDims {
  int H, QH, KVH, D, F, W, AD, nr;
};
PK_DEV int pl_nt(const PlDims &d, int ph) { return ph == 0 ? d.W >> 3 : ph == 2 ? d.F >> 3 : d.H >> 3; }
PK_DEV int pl_k(const PlDims &d, int ph) { return ph == 1 ? d.AD : ph == 3 ? d.F : d.H; }
PK_DEV int pl_ipt(const PlDims &d, int ph) { return ph == 2 ? d.H >> 8 : pl_k(d, ph) >> 9; }

PK_DEV PlDims pl_dims(const LayerParams &p) {
  PlDims d;
  d.H = p.hidden; d.QH = p.q_heads; d.KVH = p.kv_heads; d.D = p.head_dim; d.F = p.ffn;
  d.nr = d.QH + d.KVH;
  d.W = (d.QH + 2 * d.KVH) * d.D;
  d.AD = d.QH * d.D;
  return d;
}

// Output column n (= the weight row) of a tile. qkv: a rotated head's tile holds 4 pairs (n, n + 4) =
// (element i, element i + D/2) of one head, so the rotation stays inside the tile; v tiles are 8 consecutive.
PK_DEV int pl_col(const PlDims &d, int ph, int tile, int sub, int n) {
  if (ph == 0) {
    const int rq = d.D >> 3;
    if (tile < d.nr * rq) {
      const int h = tile / rq, qd = tile - h * rq;
      return h * d.D + ((n & 4) ? (d.D >> 1) : 0) + qd * 4 + (n & 3);
    }
    return d.nr * d.D + (tile - d.nr * rq) * 8 + n;
  }
  if (ph == 2) return tile * 16 + sub * 8 + n;
  return tile * 8 + n;
}

// ---------------------------------------------------------------- the weight ring (per warp)
// A block's tiles of a phase are tile = blockIdx.x + ti * gridDim.x, ti < pl_mine (<= PREFILL_LAYER_TILES); they are
// computed together, k64 step outer and tile inner, so each warp has 2 * tiles (x2 for gate_up) independent mma
// chains in flight instead of one chain per tile and a reduction between tiles. The ring carries the items in that
// order: (layer, phase, k step, tile, sub).
#define PL_MAXT PREFILL_LAYER_TILES
PK_DEV int pl_mine(const PlDims &d, int ph) {
  const int nt = pl_nt(d, ph), b = blockIdx.x;
  return b < nt ? (nt - b + gridDim.x - 1) / gridDim.x : 0;
}
struct PlCursor {
  int layer, ph, kc, ti, sub;  // ph == 4 (in the launch's last layer): past the last item
  int mine;                    // pl_mine of (layer, ph)
};
// Moves past phases with no tile for this block, and from a layer's last phase to the next layer's first.
PK_DEV void pl_skip(PlCursor &c, const PlDims &d, int layers) {
  for (;;) {
    if (c.ph == 4) {
      if (c.layer + 1 >= layers) return;
      c.layer++; c.ph = 0;
    }
    c.mine = pl_mine(d, c.ph);
    if (c.mine > 0) return;
    c.ph++;
  }
}
struct PlRing {
  uint32_t base;  // this warp's slots: PL_RING x 1 KB (piece 0: 512 bytes, piece 1: 512 bytes, 16 per lane each)
  int slot;
  PlCursor cur;
};

// Copies the next item of the launch's sequence into the ring's slot `s` (one commit group per call, empty past
// the last item, so every lane always has PL_RING groups in flight after a take).
PK_DEV void pl_issue(const LayerParams &p, const PlDims &d, PlRing &r, int s, int warp, int lane) {
  PlCursor &c = r.cur;
  if (c.ph < 4) {
    const int g = lane >> 2, t = lane & 3, K = pl_k(d, c.ph);
    const uint16_t *w = c.ph == 0 ? p.w_qkv + c.layer * p.w_qkv_stride : c.ph == 1 ? p.w_o + c.layer * p.w_o_stride
                        : c.ph == 2 ? p.w_gate_up + c.layer * p.w_gate_up_stride : p.w_down + c.layer * p.w_down_stride;
    const int tile = blockIdx.x + c.ti * gridDim.x;
    const uint16_t *src = w + (size_t)pl_col(d, c.ph, tile, c.sub, g) * K + warp * (K >> 3) + c.kc * 64 + t * 8;
    const uint32_t dst = r.base + s * 1024 + lane * 16;
    cp_async16(dst, src, true);
    cp_async16(dst + 512, src + 32, true);
    if (c.ph == 2 && c.sub == 0) {
      c.sub = 1;
    } else {
      c.sub = 0;
      if (++c.ti == c.mine) {
        c.ti = 0;
        if (++c.kc == (K >> 9)) {
          c.kc = 0;
          c.ph++;
          pl_skip(c, d, p.layers);
        }
      }
    }
  }
  cp_async_commit();
}

PK_DEV uint4 lds128(uint32_t a) {
  uint4 v;
  asm volatile("ld.shared.v4.u32 {%0,%1,%2,%3}, [%4];\n" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "r"(a));
  return v;
}

// One k64 item: the lane's two weight pieces against the A fragments of the same k (rows g and g + 8); the two
// k32 halves accumulate into separate chains (acc[0], acc[1]) so two mma are in flight, summed once per tile.
PK_DEV void pl_mma_item(float (&acc)[2][4], const uint4 (&alo)[2], const uint4 (&ahi)[2], const uint4 (&b)[2]) {
#pragma unroll
  for (int j = 0; j < 2; j++) {
    const uint32_t a0[4] = {alo[j].x, ahi[j].x, alo[j].y, ahi[j].y};
    mma_bf16_16816(acc[j], a0, b[j].x, b[j].y);
    const uint32_t a1[4] = {alo[j].z, ahi[j].z, alo[j].w, ahi[j].w};
    mma_bf16_16816(acc[j], a1, b[j].z, b[j].w);
  }
}

// The k slices of this block's `mine` tiles of a phase: NACC interleaved accumulators per tile (gate_up: gate, up),
// A [16, K] in shared memory; acc[ti][u] gets the warp's sum over its k slice.
template <int NACC>
PK_DEV void pl_phase(const LayerParams &p, const PlDims &d, PlRing &r, uint32_t As, int K, int mine, int warp, int lane,
                     float (&acc)[PL_MAXT][NACC][4]) {
  const int g = lane >> 2, t = lane & 3;
  float ac[PL_MAXT][NACC][2][4];
#pragma unroll
  for (int ti = 0; ti < PL_MAXT; ti++)
#pragma unroll
    for (int u = 0; u < NACC; u++)
#pragma unroll
      for (int j = 0; j < 2; j++) ac[ti][u][j][0] = ac[ti][u][j][1] = ac[ti][u][j][2] = ac[ti][u][j][3] = 0.f;
  const int steps = K >> 9;
  for (int kc = 0; kc < steps; kc++) {
    const int k0 = warp * (K >> 3) + kc * 64 + t * 8;
    uint4 alo[2], ahi[2];
#pragma unroll
    for (int j = 0; j < 2; j++) {
      alo[j] = lds128(As + (uint32_t)(g * PL_AST + k0 + j * 32) * 2);
      ahi[j] = lds128(As + (uint32_t)((g + 8) * PL_AST + k0 + j * 32) * 2);
    }
#pragma unroll
    for (int ti = 0; ti < PL_MAXT; ti++) {
      if (ti >= mine) break;
#pragma unroll
      for (int u = 0; u < NACC; u++) {
        cp_async_wait<PL_AHEAD - 1>();
        const uint32_t sa = r.base + r.slot * 1024 + lane * 16;
        const uint4 b[2] = {lds128(sa), lds128(sa + 512)};
        pl_mma_item(ac[ti][u], alo, ahi, b);
        // the item PL_AHEAD ahead goes into the slot PL_AHEAD ahead (this one's bytes are in registers the mma consumed)
        pl_issue(p, d, r, r.slot + PL_AHEAD >= PL_RING ? r.slot + PL_AHEAD - PL_RING : r.slot + PL_AHEAD, warp, lane);
        r.slot = r.slot + 1 == PL_RING ? 0 : r.slot + 1;
      }
    }
  }
#pragma unroll
  for (int ti = 0; ti < PL_MAXT; ti++)
#pragma unroll
    for (int u = 0; u < NACC; u++)
#pragma unroll
      for (int q = 0; q < 4; q++) acc[ti][u][q] = __fadd_rn(ac[ti][u][0][q], ac[ti][u][1][q]);
}

// Sums the 8 warps' accumulators in order w = 0..7. Threads e < 128 return output (row, n) of accumulator u:
// lane = e / 4 and j = e % 4 of the mma C layout: row = lane / 4 + 8 (j / 2), n = 2 (lane % 4) + j % 2.
template <int NACC>
PK_DEV void pl_reduce(float *red, int &buf, const float (&acc)[NACC][4], int warp, int lane, float (&out)[NACC]) {
  float *rb = red + buf * (PL_WARPS * 32 * 8);
#pragma unroll
  for (int u = 0; u < NACC; u++)
    *reinterpret_cast<float4 *>(rb + (warp * 32 + lane) * 8 + u * 4) = make_float4(acc[u][0], acc[u][1], acc[u][2], acc[u][3]);
  __syncthreads();  // double-buffered: the next tile writes the other half, so one barrier per tile
  const int e = threadIdx.x;
  if (e < 128) {
#pragma unroll
    for (int u = 0; u < NACC; u++) {
      float s = rb[(e >> 2) * 8 + u * 4 + (e & 3)];
      for (int w = 1; w < PL_WARPS; w++) s = __fadd_rn(s, rb[(w * 32 + (e >> 2)) * 8 + u * 4 + (e & 3)]);
      out[u] = s;
    }
  }
  buf ^= 1;
}

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define PL_CLUSTERS 1
#else
#define PL_CLUSTERS 0  // sm_80: no clusters, the L2 loads only
#endif
PK_DEV uint32_t pl_cluster_size() {
  uint32_t r = 1;
#if PL_CLUSTERS
  asm volatile("mov.u32 %0, %%cluster_nctarank;" : "=r"(r));
#endif
  return r;
}
PK_DEV uint32_t pl_cluster_rank() {
  uint32_t r = 0;
#if PL_CLUSTERS
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
#endif
  return r;
}

// ---------------------------------------------------------------- grid barrier
PK_DEV uint64_t pl_now() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}
// One 64-bit arrival count, never reset: a block arrives with a release reduction and waits (acquire loads) until
// the count reaches its next multiple of the grid. `target` is the block's running target, from the count at its
// start rounded down to a multiple of the grid (the first barrier cannot have completed before this block arrived,
// and every earlier launch left a multiple). The block barrier orders every thread's writes before thread 0's
// release; readers of other blocks' data use L2 loads (__ldcg), so no stale L1 line is read after the barrier.
PK_DEV uint64_t pl_grid_base(const uint64_t *bar) {
  uint64_t cur;
  asm volatile("ld.acquire.gpu.global.u64 %0, [%1];" : "=l"(cur) : "l"(bar) : "memory");
  return cur - cur % gridDim.x;
}
PK_DEV void pl_grid_sync(uint64_t *bar, uint64_t &target) {
  __syncthreads();
  if (threadIdx.x == 0) {
    target += gridDim.x;
    asm volatile("red.release.gpu.global.add.u64 [%0], 1;" ::"l"(bar) : "memory");
    const uint64_t t0 = pl_now();
    uint64_t cur;
    for (;;) {
      asm volatile("ld.acquire.gpu.global.u64 %0, [%1];" : "=l"(cur) : "l"(bar) : "memory");
      if (cur >= target) break;
      if (pl_now() - t0 > (uint64_t)PREFILL_LAYER_SPIN_NS) {
        printf("layer_persistent: grid barrier timed out in block %d: %u blocks are not all resident (one per SM needed)\n",
               blockIdx.x, gridDim.x);
        __trap();
      }
    }
  }
  __syncthreads();
}

// Harness-only phase trace (kernel_check built with -DPL_TRACE): thread 0 of each block stamps %globaltimer at
// the phase boundaries of the last launch.
#ifdef PL_TRACE
#define PL_MARKS 17
__device__ unsigned long long pl_trace[PREFILL_LAYER_BLOCKS][PL_MARKS];
#define PL_MARK(i) do { if (threadIdx.x == 0 && blockIdx.x < PREFILL_LAYER_BLOCKS) pl_trace[blockIdx.x][i] = pl_now(); } while (0)
#define PL_TRACE_LAYERS 64
__device__ unsigned long long pl_trace_all[PREFILL_LAYER_BLOCKS][PL_TRACE_LAYERS][PL_MARKS];  // every layer's marks
#define PL_MARKL(i) do { PL_MARK(i); if (threadIdx.x == 0 && blockIdx.x < PREFILL_LAYER_BLOCKS && layer < PL_TRACE_LAYERS) pl_trace_all[blockIdx.x][layer][i] = pl_now(); } while (0)
#else
#define PL_MARKL(i) do { } while (0)
#define PL_MARK(i) do { } while (0)
#endif

// ---------------------------------------------------------------- phases
// Rows < nt of a [rows, K] activation written by other blocks into A: L2 loads (__ldcg: not a stale L1 line),
// 16 per thread in flight (the 10-row act of the down projection in one round trip). Not cp.async: a wait for
// that group would also wait for the weight ring's latest copies (s4 call 9: +4 us per norm).
PK_DEV void pl_load_rows(const uint16_t *src, int K, int nt, uint16_t *As) {
  const int nv = K >> 3, total = nt * nv;
  const uint4 *s4 = reinterpret_cast<const uint4 *>(src);
  for (int i0 = threadIdx.x; i0 < total; i0 += 16 * PREFILL_LAYER_THREADS) {
    uint4 v[16];
#pragma unroll
    for (int u = 0; u < 16; u++) {
      const int i = i0 + u * PREFILL_LAYER_THREADS;
      if (i < total) v[u] = __ldcg(s4 + i);
    }
#pragma unroll
    for (int u = 0; u < 16; u++) {
      const int i = i0 + u * PREFILL_LAYER_THREADS;
      if (i < total) {
        const int r = i / nv, c = i - r * nv;
        *reinterpret_cast<uint4 *>(As + (size_t)r * PL_AST + c * 8) = v[u];
      }
    }
  }
}

// rmsnorm of rows < nt into A (as add_rmsnorm without x: sum of squares in fp32, fixed order per row; every block
// computes the same bits). Warp w takes rows w and w + 8, both rows' loads and the weights' in flight together.
// C: chunks per lane held (>= hidden / 256), R: rows of the warp in flight together. A wider row (C = 12) with
// one row at a time spilled the kernel's registers, so hidden is capped at PREFILL_LAYER_MAX_HIDDEN.
template <int C, int R>
PK_DEV void pl_norm_rows_c(const LayerParams &p, const PlDims &d, const uint16_t *w, uint16_t *As, int nt, int warp, int lane) {
  const int per = d.H >> 8;  // 16-byte chunks per lane (hidden % 256 == 0)
  uint4 wv[C];
#pragma unroll
  for (int i = 0; i < C; i++)
    if (i < per) wv[i] = __ldg(reinterpret_cast<const uint4 *>(w) + lane + 32 * i);
  for (int r0 = warp; r0 < nt; r0 += R * PL_WARPS) {
  uint4 v[R][C];
#pragma unroll
  for (int i = 0; i < C; i++)
    if (i < per) {
#pragma unroll
      for (int h = 0; h < R; h++)
        if (r0 + h * PL_WARPS < nt) v[h][i] = __ldcg(reinterpret_cast<const uint4 *>(p.residual + (size_t)(r0 + h * PL_WARPS) * d.H) + lane + 32 * i);
    }
#pragma unroll
  for (int h = 0; h < R; h++) {
    const int r = r0 + h * PL_WARPS;
    if (r >= nt) continue;
    float ss = 0.f;
#pragma unroll
    for (int i = 0; i < C; i++) {
      if (i >= per) continue;
      const uint32_t u[4] = {v[h][i].x, v[h][i].y, v[h][i].z, v[h][i].w};
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const float a = bf_lo(u[e]), b = bf_hi(u[e]);
        ss = __fadd_rn(ss, __fmul_rn(a, a));
        ss = __fadd_rn(ss, __fmul_rn(b, b));
      }
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) ss = __fadd_rn(ss, __shfl_xor_sync(0xffffffffu, ss, o));
    const float inv = rsqrtf(__fadd_rn(ss / (float)d.H, p.eps));
#pragma unroll
    for (int i = 0; i < C; i++) {
      if (i >= per) continue;
      const uint32_t u[4] = {v[h][i].x, v[h][i].y, v[h][i].z, v[h][i].w}, q[4] = {wv[i].x, wv[i].y, wv[i].z, wv[i].w};
      uint32_t o[4];
#pragma unroll
      for (int e = 0; e < 4; e++)
        o[e] = pack_bf2(__fmul_rn(__fmul_rn(bf_lo(u[e]), inv), bf_lo(q[e])), __fmul_rn(__fmul_rn(bf_hi(u[e]), inv), bf_hi(q[e])));
      *reinterpret_cast<uint4 *>(As + (size_t)r * PL_AST + (lane + 32 * i) * 8) = make_uint4(o[0], o[1], o[2], o[3]);
    }
  }
  }
}

PK_DEV void pl_norm_rows(const LayerParams &p, const PlDims &d, const uint16_t *w, uint16_t *As, int nt, int warp, int lane) {
  pl_norm_rows_c<PREFILL_LAYER_MAX_HIDDEN / 256, 2>(p, d, w, As, nt, warp, lane);
}

// ---------------------------------------------------------------- cluster broadcast of activation rows
// Launched in thread-block clusters (PREFILL_LAYER_CLUSTER), every activation load goes through one bulk copy per row,
// issued by one block of the cluster and multicast into every block's A at the same offset: L2 serves each row once
// per cluster instead of once per block (s4: 128 blocks reading the same rows cost ~2 us a load; s5 call 2: pairs
// take the chain from 626 to 574 us). Completion is a per-block mbarrier (expected bytes armed by the block itself,
// the peers' copies counted as they land), so the weight ring's cp.async groups are not waited for. Without a
// cluster (size 1) the kernel keeps its L2 loads; the bytes in A, and so the bits, are the same.
// The block's mbarrier: the last 256 bytes of shared memory. Only its phase bit lives in a register; the cluster
// shape is read from special registers where needed (the kernel is at its register limit).
#define PL_MBAR_OFF (PL_A_BYTES + PL_RED_BYTES + PL_RING_BYTES)
struct PlBcast {
  uint32_t phase;
};
// Thread 0 initialises the block's mbarrier; every block of the cluster must have before any peer multicasts into it.
PK_DEV void pl_bcast_init(PlBcast &b, uint32_t as) {
  b.phase = 0;
#if PL_CLUSTERS
  if (pl_cluster_size() == 1) return;
  const uint32_t mbar = as + PL_MBAR_OFF;
  if (threadIdx.x == 0) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" ::"r"(mbar) : "memory");
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  __syncthreads();
  asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
#endif
}
// Rows < nt of src [rows, K] into A of every block of the cluster, and (extra != nullptr) extra_bytes of extra into
// `ex` of every block, then wait for all of them here. Called by every thread right after a grid barrier (every block
// of the grid is past its last read of A and of the reduction area).
PK_DEV void pl_bcast_rows(PlBcast &b, const uint16_t *src, int K, int nt, uint32_t as, const uint16_t *extra = nullptr,
                          uint32_t extra_bytes = 0, uint32_t ex = 0) {
#if PL_CLUSTERS
  const uint32_t mbar = as + PL_MBAR_OFF;
  if (threadIdx.x == 0) {
    const uint32_t rank = pl_cluster_rank(), size = pl_cluster_size();
    asm volatile("fence.proxy.async.global;" ::: "memory");  // other blocks' generic writes, read by the bulk copy
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(mbar), "r"((uint32_t)(nt * K * 2) + extra_bytes) : "memory");
    const uint16_t mask = (uint16_t)((1u << size) - 1u);
    for (int r = rank; r < nt; r += size)
      asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [%0], [%1], %2, [%3], %4;"
                   ::"r"(as + (uint32_t)(r * PL_AST) * 2), "l"(src + (size_t)r * K), "r"((uint32_t)(K * 2)), "r"(mbar), "h"(mask)
                   : "memory");
    if (extra != nullptr && rank == size - 1)
      asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [%0], [%1], %2, [%3], %4;"
                   ::"r"(ex), "l"(extra), "r"(extra_bytes), "r"(mbar), "h"(mask)
                   : "memory");
  }
  uint32_t done = 0;
  while (!done)
    asm volatile("{\n\t.reg .pred p;\n\tmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n\tselp.u32 %0, 1, 0, p;\n\t}"
                 : "=r"(done) : "r"(mbar), "r"(b.phase) : "memory");
  b.phase ^= 1u;
#endif
}
// rmsnorm of the rows < nt already in A, in place (the arithmetic of pl_norm_rows_c), with the weights ws in shared memory.
PK_DEV void pl_norm_in_place(const LayerParams &p, const PlDims &d, const uint4 *ws, uint16_t *As, int nt, int warp, int lane) {
  constexpr int C = PREFILL_LAYER_MAX_HIDDEN / 256;
  const int per = d.H >> 8;
  for (int r = warp; r < nt; r += PL_WARPS) {
    uint4 *rowp = reinterpret_cast<uint4 *>(As + (size_t)r * PL_AST);
    uint4 v[C];
#pragma unroll
    for (int i = 0; i < C; i++)
      if (i < per) v[i] = rowp[lane + 32 * i];
    float ss = 0.f;
#pragma unroll
    for (int i = 0; i < C; i++) {
      if (i >= per) continue;
      const uint32_t u[4] = {v[i].x, v[i].y, v[i].z, v[i].w};
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const float a = bf_lo(u[e]), bb = bf_hi(u[e]);
        ss = __fadd_rn(ss, __fmul_rn(a, a));
        ss = __fadd_rn(ss, __fmul_rn(bb, bb));
      }
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) ss = __fadd_rn(ss, __shfl_xor_sync(0xffffffffu, ss, o));
    const float inv = rsqrtf(__fadd_rn(ss / (float)d.H, p.eps));
#pragma unroll
    for (int i = 0; i < C; i++) {
      if (i >= per) continue;
      const uint4 wq = ws[lane + 32 * i];
      const uint32_t u[4] = {v[i].x, v[i].y, v[i].z, v[i].w}, q[4] = {wq.x, wq.y, wq.z, wq.w};
      uint32_t o[4];
#pragma unroll
      for (int e = 0; e < 4; e++)
        o[e] = pack_bf2(__fmul_rn(__fmul_rn(bf_lo(u[e]), inv), bf_lo(q[e])), __fmul_rn(__fmul_rn(bf_hi(u[e]), inv), bf_hi(q[e])));
      rowp[lane + 32 * i] = make_uint4(o[0], o[1], o[2], o[3]);
    }
  }
}
// The norm of a phase: the rows and the norm weights (into the reduction area, free until the phase's first
// reduction) broadcast, then in place (cluster); else the L2 loads of pl_norm_rows.
PK_DEV void pl_norm_phase(const LayerParams &p, const PlDims &d, const uint16_t *w, uint16_t *As, uint32_t as, float *red, PlBcast &b,
                          int nt, int warp, int lane) {
  if (pl_cluster_size() > 1) {
    pl_bcast_rows(b, p.residual, d.H, nt, as, w, (uint32_t)d.H * 2, smem_u32(red));
    pl_norm_in_place(p, d, reinterpret_cast<const uint4 *>(red), As, nt, warp, lane);
  } else {
    pl_norm_rows(p, d, w, As, nt, warp, lane);
  }
}

// Where an item's token sits: its sequence, its keys [0, position] and the sequence's first page. Host-written
// metadata only, so the kernel reads it for its first item before griddepcontrol.wait, once for every layer, and the
// attention phase starts with the K/V loads.
struct PlItem {
  int s, nk, page0;
};
PK_DEV PlItem pl_item(const LayerParams &p, int r, int ns) {
  PlItem m;
  int s = 0;
  while (s + 1 < ns && r >= p.query_start[s + 1]) s++;
  m.s = s;
  const int q0 = p.query_start[s], L = p.query_start[s + 1] - q0;
  m.nk = p.kv_lens[s] - L + (r - q0) + 1;
  m.page0 = p.block_tables[(size_t)s * p.max_pages_per_seq];
  return m;
}

// Attention in units of (token, q head), two units per block pass at once: warps 0-3 take unit blockIdx.x + i * 2G,
// warps 4-7 unit blockIdx.x + G + i * 2G (G = gridDim.x), each with its own K/V buffers. Within a unit, warp z of the
// 4 takes keys j = z, z + 4, ...; keys arrive 64 at a time in shared memory; online softmax in fp32 per warp, the 4
// slices combined in order z = 0..3. Why units this small (s5 call 12's ncu): with one block per (token, kv head),
// 20 blocks at 10 tokens walked every key one by one while the other 108 waited at the grid barrier. Both halves go
// through the same block barriers (a half without a unit, or with fewer key pages, waits along), so the barriers
// are plain __syncthreads. `first`: the warp's first unit's item, read before griddepcontrol.wait.
template <int D>
PK_DEV void pl_attention(const LayerParams &p, const PlDims &d, const uint16_t *k_cache, const uint16_t *v_cache, uint8_t *scratch,
                         int nt, int ns, const PlItem &first, int warp, int lane) {
  constexpr int DS = D + 8, E = D / 32, ZW = 4;
  const int hs = warp / ZW, z = warp - hs * ZW, t = threadIdx.x - hs * (ZW * 32);
  uint16_t *Ks = reinterpret_cast<uint16_t *>(scratch) + hs * (2 * 64 * DS), *Vs = Ks + 64 * DS;
  float *st = reinterpret_cast<float *>(reinterpret_cast<uint16_t *>(scratch) + 4 * 64 * DS);  // [2][4][2 + D], then [2] pages
  int *npg = reinterpret_cast<int *>(st + 2 * ZW * (2 + D));
  st += hs * ZW * (2 + D);
  const int group = d.QH / d.KVH, units = nt * d.QH, G = gridDim.x;
  for (int u0 = blockIdx.x; u0 < units; u0 += 2 * G) {  // half 0's units: half 1's are never more
    const int u = u0 + hs * G;
    const bool active = u < units;
    const int r = active ? u / d.QH : 0, hq = u - r * d.QH, kh = hq / group;
    const PlItem item = !active ? PlItem{0, 0, 0} : u0 == (int)blockIdx.x ? first : pl_item(p, r, ns);
    const int s = item.s, nk = item.nk;
    float qv[E], acc[E], m = -INFINITY, l = 0.f;
#pragma unroll
    for (int e = 0; e < E; e++) {
      qv[e] = active ? bf2f(__ldcg(p.qkv + (size_t)r * d.W + hq * D + lane * E + e)) : 0.f;
      acc[e] = 0.f;
    }
    __syncthreads();  // the previous unit's combine has read st and npg
    if (t == 0) npg[hs] = (nk + 63) >> 6;
    __syncthreads();
    const int pages = max(npg[0], npg[1]);
    const int *bt = p.block_tables + (size_t)s * p.max_pages_per_seq;
    int page = item.page0;
    static_assert(PREFILL_PAGE_SIZE == 64, "a batch of 64 keys is one page");
    for (int pi = 0; pi < pages; pi++) {
      const int kb = pi * 64, nb = max(0, min(64, nk - kb)), per = nb * (D / 8);
      if (kb > 0 && nb > 0) page = bt[kb / PREFILL_PAGE_SIZE];
      if (pi > 0) __syncthreads();  // the previous batch is consumed
      for (int i = t; i < 2 * per; i += ZW * 32) {
        const int which = i >= per, rem = i - which * per, key = rem / (D / 8), c8 = rem - key * (D / 8);
        const size_t slot = (size_t)page * PREFILL_PAGE_SIZE + key;
        const uint16_t *src = (which ? v_cache : k_cache) + (slot * d.KVH + kh) * D + c8 * 8;
        *reinterpret_cast<uint4 *>((which ? Vs : Ks) + key * DS + c8 * 8) = __ldcg(reinterpret_cast<const uint4 *>(src));
      }
      __syncthreads();
      for (int key = z; key < nb; key += ZW) {
        float dot = 0.f;
#pragma unroll
        for (int e = 0; e < E; e++) dot = __fmaf_rn(qv[e], bf2f(Ks[key * DS + lane * E + e]), dot);
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) dot = __fadd_rn(dot, __shfl_xor_sync(0xffffffffu, dot, o));
        const float sc = __fmul_rn(dot, p.scale_log2), mn = fmaxf(m, sc);
        const float corr = exp2f(m - mn), pp = exp2f(sc - mn);
        l = __fmaf_rn(l, corr, pp);
#pragma unroll
        for (int e = 0; e < E; e++) acc[e] = __fmaf_rn(acc[e], corr, __fmul_rn(pp, bf2f(Vs[key * DS + lane * E + e])));
        m = mn;
      }
    }
    // the 4 slices in order z = 0..3 (a slice that saw no key has m = -inf and weighs 0)
    if (lane == 0) { st[z * (2 + D)] = m; st[z * (2 + D) + 1] = l; }
#pragma unroll
    for (int e = 0; e < E; e++) st[z * (2 + D) + 2 + lane * E + e] = acc[e];
    __syncthreads();
    if (active && z == 0) {
      float M = -INFINITY;
      for (int zz = 0; zz < ZW; zz++) M = fmaxf(M, st[zz * (2 + D)]);
      float ls = 0.f;
#pragma unroll
      for (int e = 0; e < E; e++) acc[e] = 0.f;
      for (int zz = 0; zz < ZW; zz++) {
        const float *sz = st + zz * (2 + D);
        const float f = sz[0] == -INFINITY ? 0.f : exp2f(sz[0] - M);
        ls = __fmaf_rn(sz[1], f, ls);
#pragma unroll
        for (int e = 0; e < E; e++) acc[e] = __fmaf_rn(sz[2 + lane * E + e], f, acc[e]);
      }
#pragma unroll
      for (int e = 0; e < E; e++) p.attn_out[(size_t)r * d.AD + hq * D + lane * E + e] = f2bf(__fdiv_rn(acc[e], ls));
    }
  }
}

extern "C" __global__ void __launch_bounds__(PREFILL_LAYER_THREADS, 1) layer_persistent(LayerParams p) {
  extern __shared__ __align__(16) uint8_t pl_smem[];
  // All blocks are resident before any triggers, so the dependents cannot take an SM a block of this grid needs.
  pk_pdl_launch();
  const PlDims d = pl_dims(p);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  if (p.rows > PREFILL_LAYER_ROWS || p.layers < 1 || blockDim.x != PREFILL_LAYER_THREADS || d.QH % d.KVH != 0 || 8 % (d.QH / d.KVH) != 0 ||
      (d.H & 511) || (d.AD & 511) || (d.F & 511) || d.H > PREFILL_LAYER_MAX_K || d.AD > PREFILL_LAYER_MAX_K ||
      d.F > PREFILL_LAYER_MAX_K || d.H > PREFILL_LAYER_MAX_HIDDEN || (d.D != 64 && d.D != 128) || d.W > 8 * PL_MAXT * (int)gridDim.x ||
      d.F > 8 * PL_MAXT * (int)gridDim.x || d.H > 8 * PL_MAXT * (int)gridDim.x)
    __trap();
  uint16_t *As = reinterpret_cast<uint16_t *>(pl_smem);
  const uint32_t as = smem_u32(pl_smem);
  float *red = reinterpret_cast<float *>(pl_smem + PL_A_BYTES);
  PlBcast bc;
  pl_bcast_init(bc, as);
  PlRing ring;
  ring.base = smem_u32(pl_smem + PL_A_BYTES + PL_RED_BYTES) + warp * PL_RING * 1024;
  ring.slot = 0;
  ring.cur = PlCursor{0, 0, 0, 0, 0, 0};
  pl_skip(ring.cur, d, p.layers);
  for (int s = 0; s < PL_AHEAD; s++) pl_issue(p, d, ring, s, warp, lane);  // weights only: before the wait
  const int nt = *p.num_tokens, ns = *p.num_seqs;                            // host-written metadata
  const int e = threadIdx.x, eg = (e >> 2) >> 2, et = (e >> 2) & 3;
  const int row = eg + ((e & 3) >> 1) * 8, n = 2 * et + (e & 1);  // the output a reducing thread (e < 128) holds
  const bool live = e < 128 && row < nt;
  const int G = gridDim.x;
  // the same in every layer, and host-written or never written (positions, slots, the rope table, the batch's
  // layout): read before the wait, under the previous kernel's tail
  const int pos = live ? min(max(p.positions[row], 0), p.max_positions - 1) : 0;
  const int slot = live ? p.slot_mapping[row] : -1;
  float qc[PL_MAXT], qs[PL_MAXT];  // cos and sin of this thread's qkv column at its row's position
#pragma unroll
  for (int ti = 0; ti < PL_MAXT; ti++) {
    qc[ti] = 1.f; qs[ti] = 0.f;
    if (e < 128 && ti < pl_mine(d, 0)) {
      const int c = pl_col(d, 0, blockIdx.x + ti * G, 0, n), h = c / d.D;
      if (h < d.nr) {
        const int i = (c - h * d.D) & ((d.D >> 1) - 1);
        qc[ti] = __ldg(p.cos_sin + (size_t)pos * d.D + i);
        qs[ti] = __ldg(p.cos_sin + (size_t)pos * d.D + (d.D >> 1) + i);
      }
    }
  }
  const int u0 = (int)blockIdx.x + (warp >> 2) * (int)gridDim.x;  // this warp's first attention unit
  const PlItem first = u0 < nt * d.QH ? pl_item(p, u0 / d.QH, ns) : PlItem{0, 0, 0};
  PL_MARK(0);
  pk_pdl_wait();
  uint64_t target = threadIdx.x == 0 ? pl_grid_base(p.barrier) : 0;  // after the wait: every earlier launch is done
  int buf = 0;

  for (int layer = 0; layer < p.layers; layer++) {
    if (layer > 0) pl_grid_sync(p.barrier, target);  // the previous layer's down output is in the residual
    PL_MARKL(1);
    uint16_t *k_cache = p.k_cache + layer * p.kv_stride, *v_cache = p.v_cache + layer * p.kv_stride;
    const uint16_t *bias = p.qkv_bias == nullptr ? nullptr : p.qkv_bias + layer * p.qkv_bias_stride;
    uint16_t *branch_out = layer == p.layers - 1 ? p.branch_out : nullptr;

    // 1. input norm, qkv, bias + rope + KV write; the epilogue's bias is loaded first, to arrive under the norm
    float qb[PL_MAXT];
#pragma unroll
    for (int ti = 0; ti < PL_MAXT; ti++)
      qb[ti] = e < 128 && ti < pl_mine(d, 0) && bias != nullptr ? bf2f(__ldg(bias + pl_col(d, 0, blockIdx.x + ti * G, 0, n))) : 0.f;
    pl_norm_phase(p, d, p.input_norm + layer * p.input_norm_stride, As, as, red, bc, nt, warp, lane);
    __syncthreads();
    PL_MARKL(11);
    {
      float acc[PL_MAXT][1][4];
      const int mine = pl_mine(d, 0);
      pl_phase<1>(p, d, ring, as, d.H, mine, warp, lane, acc);
      PL_MARKL(12);
#pragma unroll
      for (int ti = 0; ti < PL_MAXT; ti++) {
        if (ti >= mine) break;
        float v[1];
        pl_reduce<1>(red, buf, acc[ti], warp, lane, v);
        if (e < 128) {
          const int c = pl_col(d, 0, blockIdx.x + ti * G, 0, n);
          float x = bf2f(f2bf(v[0]));
          if (bias != nullptr) x = bf2f(f2bf(__fadd_rn(x, qb[ti])));
          const float partner = __shfl_xor_sync(0xffffffffu, x, 8);  // element n ^ 4 of the same row: lane ^ 2
          const int h = c / d.D;
          uint16_t o = f2bf(x);
          if (h < d.nr) {
            const float cs = qc[ti], sn = qs[ti];
            o = n < 4 ? f2bf(__fsub_rn(__fmul_rn(x, cs), __fmul_rn(partner, sn))) : f2bf(__fadd_rn(__fmul_rn(x, cs), __fmul_rn(partner, sn)));
          }
          if (live) {
            p.qkv[(size_t)row * d.W + c] = o;
            if (h >= d.QH && slot >= 0) {
              const size_t kvrow = (size_t)slot * d.KVH * d.D;
              if (h < d.nr) k_cache[kvrow + (h - d.QH) * d.D + (c - h * d.D)] = o;
              else v_cache[kvrow + (c - d.nr * d.D)] = o;
            }
          }
        }
      }
    }
    PL_MARKL(2);
    pl_grid_sync(p.barrier, target);
    PL_MARKL(3);

    // 2. attention (A's space is free until the o projection reloads it)
    if (d.D == 64) pl_attention<64>(p, d, k_cache, v_cache, pl_smem, nt, ns, first, warp, lane);
    else pl_attention<128>(p, d, k_cache, v_cache, pl_smem, nt, ns, first, warp, lane);
    PL_MARKL(4);
    pl_grid_sync(p.barrier, target);
    PL_MARKL(5);

    // 3. o projection, residual += bf16(o); this block's residual columns read before the math (no one else writes them)
    {
      const int mine = pl_mine(d, 1);
      uint16_t res[PL_MAXT];
#pragma unroll
      for (int ti = 0; ti < PL_MAXT; ti++)
        res[ti] = live && ti < mine ? __ldcg(p.residual + (size_t)row * d.H + (blockIdx.x + ti * G) * 8 + n) : 0;
      if (pl_cluster_size() > 1) pl_bcast_rows(bc, p.attn_out, d.AD, nt, as);
      else pl_load_rows(p.attn_out, d.AD, nt, As);
      __syncthreads();
      float acc[PL_MAXT][1][4];
      pl_phase<1>(p, d, ring, as, d.AD, mine, warp, lane, acc);
#pragma unroll
      for (int ti = 0; ti < PL_MAXT; ti++) {
        if (ti >= mine) break;
        float v[1];
        pl_reduce<1>(red, buf, acc[ti], warp, lane, v);
        if (live) p.residual[(size_t)row * d.H + (blockIdx.x + ti * G) * 8 + n] = f2bf(__fadd_rn(bf2f(res[ti]), bf2f(f2bf(v[0]))));
      }
    }
    PL_MARKL(6);
    pl_grid_sync(p.barrier, target);
    PL_MARKL(7);

    // 4. post norm, gate_up with SiLU * up into act
    pl_norm_phase(p, d, p.post_norm + layer * p.post_norm_stride, As, as, red, bc, nt, warp, lane);
    __syncthreads();
    PL_MARKL(13);
    {
      const int mine = pl_mine(d, 2);
      float acc[PL_MAXT][2][4];
      pl_phase<2>(p, d, ring, as, d.H, mine, warp, lane, acc);
      PL_MARKL(14);
#pragma unroll
      for (int ti = 0; ti < PL_MAXT; ti++) {
        if (ti >= mine) break;
        float v[2];
        pl_reduce<2>(red, buf, acc[ti], warp, lane, v);
        if (live) p.act[(size_t)row * d.F + (blockIdx.x + ti * G) * 8 + n] = f2bf(pk_silu_mul(bf2f(f2bf(v[0])), bf2f(f2bf(v[1]))));
      }
    }
    PL_MARKL(8);
    pl_grid_sync(p.barrier, target);
    PL_MARKL(9);

    // 5. down projection: residual += bf16(down), or the launch's last layer's branch_out
    {
      const int mine = pl_mine(d, 3);
      uint16_t res[PL_MAXT];
#pragma unroll
      for (int ti = 0; ti < PL_MAXT; ti++)
        res[ti] = live && ti < mine && branch_out == nullptr ? __ldcg(p.residual + (size_t)row * d.H + (blockIdx.x + ti * G) * 8 + n) : 0;
      if (pl_cluster_size() > 1) pl_bcast_rows(bc, p.act, d.F, nt, as);
      else pl_load_rows(p.act, d.F, nt, As);
      __syncthreads();
      PL_MARKL(15);
      float acc[PL_MAXT][1][4];
      pl_phase<1>(p, d, ring, as, d.F, mine, warp, lane, acc);
      PL_MARKL(16);
#pragma unroll
      for (int ti = 0; ti < PL_MAXT; ti++) {
        if (ti >= mine) break;
        float v[1];
        pl_reduce<1>(red, buf, acc[ti], warp, lane, v);
        if (live) {
          const size_t i = (size_t)row * d.H + (blockIdx.x + ti * G) * 8 + n;
          if (branch_out != nullptr) branch_out[i] = f2bf(v[0]);
          else p.residual[i] = f2bf(__fadd_rn(bf2f(res[ti]), bf2f(f2bf(v[0]))));
        }
      }
    }
  }
  cp_async_wait<0>();  // the groups left are empty (past the layer's last item)
#ifdef PL_TRACE
  if (threadIdx.x == 0 && blockIdx.x < PREFILL_LAYER_BLOCKS) pl_trace[blockIdx.x][10] = pl_now();
#endif
}
