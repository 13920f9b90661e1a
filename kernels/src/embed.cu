// embed_gather: out[t, :] = table[ids[t], :]. One block per token (grid.x = token capacity).
// Ids outside [0, vocab) produce a zero row.
// It follows build_tile_map, which copies the batch metadata in, with PDL (v63): so it reads the count only after its
// griddepcontrol.wait and lets the next kernel launch only then, since that one reads the metadata before its own wait
// (Impl.Attr.META_AFTER_WAIT, Lowering.serializeAfterTileMap). Launched without PDL it behaves as before.
#include "common.cuh"

extern "C" __global__ void embed_gather(EmbedParams p) {
  const int t = blockIdx.x;
  pk_pdl_wait();                 // the metadata copy-in is complete and visible; out no longer read by an earlier kernel
  pk_pdl_launch();               // after the wait: the next kernel's pre-wait metadata reads see the copy (common.cuh)
  const int nt = *p.num_tokens;  // host-written metadata, copied in by build_tile_map
  if (t >= nt) return;
  const int id = p.ids[t];
  const bool ok = id >= 0 && id < p.vocab;
  if ((p.hidden & 7) == 0) {
    const int nv = p.hidden >> 3;
    const uint4 *src = reinterpret_cast<const uint4 *>(p.table + (size_t)(ok ? id : 0) * p.hidden);
    uint4 *dst = reinterpret_cast<uint4 *>(p.out + (size_t)t * p.hidden);
    for (int j = threadIdx.x; j < nv; j += blockDim.x) dst[j] = ok ? __ldg(src + j) : make_uint4(0, 0, 0, 0);
  } else {
    const uint16_t *src = p.table + (size_t)(ok ? id : 0) * p.hidden;
    uint16_t *dst = p.out + (size_t)t * p.hidden;
    for (int j = threadIdx.x; j < p.hidden; j += blockDim.x) dst[j] = ok ? src[j] : (uint16_t)0;
  }
}

// gather_last_rows (s36; GatherRowsParams in prefill_kernels.h): each sequence's last row of the last layer's attention
// output and of the residual, packed by sequence, so the layer's o, post_norm, gate_up and down run on the rows that reach
// the logits (Lowering.lastRowsOnly). One block per capacity sequence; copies only (the same bytes).
static __device__ __forceinline__ void pk_copy_row8(const uint16_t *src, uint16_t *dst, int cols) {
  const uint4 *s = reinterpret_cast<const uint4 *>(src);
  uint4 *d = reinterpret_cast<uint4 *>(dst);
  for (int j = threadIdx.x; j < (cols >> 3); j += blockDim.x) d[j] = s[j];
}

extern "C" __global__ void gather_last_rows(GatherRowsParams p) {
  const int s = blockIdx.x;
  pk_pdl_launch();                // at entry, as the other small kernels (common.cuh)
  const int ns = *p.num_seqs;     // host-written metadata
  const int row = s < ns ? p.query_start[s + 1] - 1 : -1;
  pk_pdl_wait();                  // a and b are written by the kernels before this one
  if (row < 0) return;
  pk_copy_row8(p.a + (size_t)row * p.a_cols, p.a_out + (size_t)s * p.a_cols, p.a_cols);
  pk_copy_row8(p.b + (size_t)row * p.b_cols, p.b_out + (size_t)s * p.b_cols, p.b_cols);
}
