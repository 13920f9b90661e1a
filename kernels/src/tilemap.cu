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

// build_tile_map_embed (v62b): block 0 builds the tile map (its copy-in included); block 1 gathers embed_gather's rows at
// the same time, reading the ids and the token count from their pinned host source (TileMapParams.meta_src, the slice
// block 0 copies from) rather than from block 0's device copy, so the gather waits for its own PCIe round trip only.
// v50 ran the gather in the copying block after its map (one block, serial: tiny +1 %, s18 call 7); the separate embed
// kernel costs a small forward its own link (~2.3 us on ERNIE at 16, set 204124). Ids and num_tokens outside the copied
// slice, or no copy-in (meta_src NULL), are read from their device places (then written before the kernel). The rows are
// embed_gather's bytes: the table row of a valid id, zeros otherwise, rows >= num_tokens untouched. An option (fusion row
// embed_into_tile_map), not bundled: s24 call 4 measured it faster alone and no faster end to end, the op after it (the
// first norm) then taking over the serialized launch after the map (kernels/NOTES-forward.md v62 / v62b, v63).
static __device__ __forceinline__ const int32_t *pk_host_view(const TileMapParams &m, const int32_t *dev) {
  const ptrdiff_t off = dev - m.meta_dst;
  return m.meta_src != nullptr && off >= 0 && off < m.meta_ints ? m.meta_src + off : dev;
}

extern "C" __global__ void build_tile_map_embed(TileMapEmbedParams p) {
  pk_pdl_launch();
  pk_pdl_wait();  // also: out may still be read by an earlier kernel
  if (blockIdx.x == 0) {
    pk_tile_map(p.map);
    return;
  }
  if (blockIdx.x > 1) return;
  __shared__ int ids[1024];  // blockDim.x <= 1024 (as build_tile_map's)
  const EmbedParams &e = p.embed;
  const int32_t *hids = pk_host_view(p.map, e.ids);
  const int nth = blockDim.x;
  // The count by one thread, then the ids below it: s24 call 3's first form read the count in every thread and 1024 ids
  // speculatively, and PCIe served those reads one after another (the kernel took 33 us instead of ~5).
  __shared__ int count;
  if (threadIdx.x == 0) count = __ldcv(pk_host_view(p.map, e.num_tokens));
  __syncthreads();
  const int nt = count;
  for (int t0 = 0; t0 < nt; t0 += nth) {
    const int my = t0 + (int)threadIdx.x < nt ? __ldcv(hids + t0 + threadIdx.x) : 0;
    __syncthreads();  // the previous round's rows no longer read ids[]
    ids[threadIdx.x] = my;
    __syncthreads();
    const int rows = min(nth, nt - t0);
    if ((e.hidden & 7) == 0) {
      const int nv = e.hidden >> 3, total = rows * nv;
      for (int i = threadIdx.x; i < total; i += 4 * nth) {
        uint4 v[4];
#pragma unroll
        for (int u = 0; u < 4; u++) {
          const int j = i + u * nth;
          if (j < total) {
            const int t = j / nv, id = ids[t];
            const bool ok = id >= 0 && id < e.vocab;
            v[u] = ok ? __ldg(reinterpret_cast<const uint4 *>(e.table + (size_t)id * e.hidden) + (j - t * nv)) : make_uint4(0, 0, 0, 0);
          }
        }
#pragma unroll
        for (int u = 0; u < 4; u++) {
          const int j = i + u * nth;
          if (j < total) reinterpret_cast<uint4 *>(e.out + (size_t)t0 * e.hidden)[j] = v[u];  // row t0 + t, chunk j - t nv
        }
      }
    } else {
      for (int j = threadIdx.x; j < rows * e.hidden; j += nth) {
        const int t = j / e.hidden, id = ids[t];
        e.out[(size_t)t0 * e.hidden + j] = id >= 0 && id < e.vocab ? e.table[(size_t)id * e.hidden + (j - t * e.hidden)] : (uint16_t)0;
      }
    }
  }
}
