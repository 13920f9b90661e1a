// build_tile_map: one block (blockDim.x a multiple of 32, <= 1024). Thread i owns sequences
// [i*per, (i+1)*per) with per = ceil(num_seqs / blockDim.x), so any num_seqs works.
// If the total exceeds max_tiles, *num_blocks is clamped to max_tiles (a capacity error upstream).
// With meta_src it first copies the batch metadata from pinned host memory into the device slice (see TileMapParams):
// s16 measured the two copy nodes of a forward at 11-15 us of its fixed cost (kernels/check/launch_cost.cu).
#include "common.cuh"

static __device__ __forceinline__ void pk_tile_map(const TileMapParams &p) {
  __shared__ int warp_sums[32];
  if (p.meta_src) {  // the forward's metadata from pinned host memory: 16-byte loads, up to 4 per thread in flight
    // together, so ~15-60 KB cost one or two PCIe round trips (s16 call 4: int32 loads one after another, 7.7 us)
    const int n4 = p.meta_ints >> 2, nt = blockDim.x;  // both pointers 16-byte aligned (the binder checks)
    const int4 *src = reinterpret_cast<const int4 *>(p.meta_src);
    int4 *dst = reinterpret_cast<int4 *>(p.meta_dst);
    for (int i = threadIdx.x; i < n4; i += 4 * nt) {
      int4 v[4];
#pragma unroll
      for (int u = 0; u < 4; u++)
        if (i + u * nt < n4) v[u] = __ldcv(src + i + u * nt);
#pragma unroll
      for (int u = 0; u < 4; u++)
        if (i + u * nt < n4) dst[i + u * nt] = v[u];
    }
    for (int i = 4 * n4 + threadIdx.x; i < p.meta_ints; i += nt) p.meta_dst[i] = __ldcv(p.meta_src + i);
    __syncthreads();  // the block's writes of query_start and num_seqs, read below, are visible to the block
  }
  const int ns = *p.num_seqs;
  const int per = (ns + blockDim.x - 1) / blockDim.x;
  const int s0 = threadIdx.x * per, s1 = min(ns, s0 + per);
  const int rows = p.rows_per_tile;
  int mine = 0;
  for (int s = s0; s < s1; s++) {
    const int len = p.query_start[s + 1] - p.query_start[s];
    mine += (int)(((int64_t)len * p.group + rows - 1) / rows);
  }
  // Block-wide exclusive scan: warp inclusive scan, then scan of the warp totals.
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
  int incl = mine;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    int v = __shfl_up_sync(0xffffffffu, incl, o);
    if (lane >= o) incl += v;
  }
  if (lane == 31) warp_sums[warp] = incl;
  __syncthreads();
  if (warp == 0) {
    int w = lane < nw ? warp_sums[lane] : 0;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
      int v = __shfl_up_sync(0xffffffffu, w, o);
      if (lane >= o) w += v;
    }
    if (lane < nw) warp_sums[lane] = w;  // inclusive over warps
  }
  __syncthreads();
  const int total = warp_sums[nw - 1];
  int off = incl - mine + (warp > 0 ? warp_sums[warp - 1] : 0);
  for (int s = s0; s < s1; s++) {
    const int len = p.query_start[s + 1] - p.query_start[s];
    const int nt = (int)(((int64_t)len * p.group + rows - 1) / rows);
    for (int k = 0; k < nt; k++, off++) {
      if (off < p.max_tiles) { p.batch_ids[off] = s; p.tile_ids[off] = k; }
    }
  }
  const int used = min(total, p.max_tiles);
  for (int b = used + threadIdx.x; b < p.max_tiles; b += blockDim.x) { p.batch_ids[b] = -1; p.tile_ids[b] = -1; }
  if (threadIdx.x == 0) *p.num_blocks = used;
}

extern "C" __global__ void build_tile_map(TileMapParams p) {
  pk_pdl_launch();  // at entry (common.cuh)
  pk_pdl_wait();    // batch_ids/tile_ids/num_blocks may still be read by an earlier attention
  pk_tile_map(p);
}

// build_tile_map_embed (v50): build_tile_map, then embed_gather's rows by the same block, so a small forward has no
// embed link. The ids and the token count are the metadata the block has just copied in (its own global writes, visible
// to it after the __syncthreads in pk_tile_map). The rows are embed_gather's bytes: the table row of a valid id, zeros
// otherwise, rows >= num_tokens untouched; four 16-byte loads in flight per thread.
extern "C" __global__ void build_tile_map_embed(TileMapEmbedParams p) {
  pk_pdl_launch();
  pk_pdl_wait();  // also: out may still be read by an earlier kernel
  pk_tile_map(p.map);
  const EmbedParams &e = p.embed;
  const int nt = *e.num_tokens;
  if ((e.hidden & 7) == 0) {
    const int nv = e.hidden >> 3, total = nt * nv, nth = blockDim.x;
    for (int i = threadIdx.x; i < total; i += 4 * nth) {
      uint4 v[4];
#pragma unroll
      for (int u = 0; u < 4; u++) {
        const int j = i + u * nth;
        if (j < total) {
          const int t = j / nv, id = e.ids[t];
          const bool ok = id >= 0 && id < e.vocab;
          v[u] = ok ? __ldg(reinterpret_cast<const uint4 *>(e.table + (size_t)id * e.hidden) + (j - t * nv)) : make_uint4(0, 0, 0, 0);
        }
      }
#pragma unroll
      for (int u = 0; u < 4; u++) {
        const int j = i + u * nth;
        if (j < total) reinterpret_cast<uint4 *>(e.out)[j] = v[u];  // row t, chunk j - t nv: out is [tokens, hidden]
      }
    }
  } else {
    for (int j = threadIdx.x; j < nt * e.hidden; j += blockDim.x) {
      const int t = j / e.hidden, id = e.ids[t];
      e.out[j] = id >= 0 && id < e.vocab ? e.table[(size_t)id * e.hidden + (j - t * e.hidden)] : (uint16_t)0;
    }
  }
}
