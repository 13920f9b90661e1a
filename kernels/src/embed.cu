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
