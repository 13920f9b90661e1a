// attention_prefill: varlen causal GQA flash attention (FA2 style) over the paged KV cache.
// Block = one tile of 64 (token, q head) rows of one sequence for one kv head. Two paths, chosen per
// tile from its number of valid rows (a function of the sequence's query length, the group and the
// tile index only, the same in eager and graph since both build the tile map from the same metadata):
//
// Full path (tile of > 32 rows: every prefill tile but a prompt's short last one): 8 warps = 4 row groups
// of 16 rows x 2 key halves (v12). mma.sync m16n8k16 bf16 -> fp32, ldmatrix (K row-major for QK^T, V with
// .trans for PV), online softmax in base 2. Key half z takes the pages j = z, z + 2, ... into its own K and
// V buffers (K(j+2) loads during softmax/PV of page j, V(j+2) during QK^T of page j+2) and keeps its own
// running max/sum/O; the two halves are combined at the end in the order z = 0, 1. With one warp per
// scheduler (v0-v11) a long tile's page walk was one warp issuing every ~4.5 cycles (ncu, 1 x 480); two
// warps per row group halve the walk. A row that sees one page has v0's bits (c202c0e, kept as
// attention_v0.cu; kernel_check compares), others are within tolerance of it.
//
// Split path (head dim 64, tile of <= 32 rows: decode, short continuations, a prompt's short last tile; warps 0-3
// of the block, warps 4-7 leave at once): with one
// warp per 16 rows, a decode tile (1 token x group 8 = 8 rows) left 3 of 4 warps idle while one warp
// walked every page serially, one DRAM round trip per page. Here S = 4 warps (tile <= 16 rows) or
// S = 2 warps (<= 32 rows) share each 16-row group and split its keys: warp z of the group takes the
// chunks of CK keys c = z, z + S, z + 2S, ... (CK = 32 for D = 64, 16 for D = 128, so each warp's
// private K/V buffers fit the static shared memory), keeps its own running max/sum/O, and the group's
// warp z = 0 combines the S partial states through shared memory in the order z = 0, 1, ..., S-1.
//
// Both paths prefetch the pages that hold cached-prefix keys into L2, 4..8 pages ahead of the one
// being loaded (cp.async.bulk.prefetch, whole pages of all kv heads, one instruction each for K and
// V): the serial page walk then waits on L2 instead of DRAM, while DRAM streams the pages ahead.
// Pages of keys written in this step are left alone (rope_kv_write just put them in L2), so a fresh
// prefill issues no prefetch. A prefetch changes no value.
//
// Determinism: a row's arithmetic depends only on its sequence (tokens, query length, kv length) and
// its tile's valid-row count, never on the grid size or on which other sequences share the batch.
// Full path: every row sees the same key blocks in the same order regardless of its tile. Blocks that
// are fully masked for a row (past its position; processed only because another row of the tile
// needs them) leave its state bit-identical: the running max is unchanged, the rescale factor is set
// to exactly 1 (no exp of -inf - -inf), p = exp2(-inf) = +0, and the PV product adds exact zeros. A
// warp whose 16 rows all precede a block skips it entirely (same result). Split path: which warp
// takes which chunk depends on S and the chunk index only; each warp runs the same online softmax
// over its chunks in increasing order; the combine is a fixed sequence of operations in the order
// z = 0..S-1 (a warp that had no chunk contributes exact zeros with factor 0). A row of a split tile
// and the same row in a full tile (another query split of the same prompt) may differ in the last
// bits; graph and eager always build the same tiles.
#include "common.cuh"

#define PK_ATTN_MAXD 128
// The split path runs in warps 0-3 (PK_ATTN_SPLIT_THREADS threads; warps 4-7 of the block leave at once) and
// synchronises them with named barrier 1; the full path uses all 4 * NH warps.
#define PK_ATTN_SPLIT_THREADS 128
static __device__ __forceinline__ void pk_attn_bar_split() { asm volatile("bar.sync 1, 128;" ::: "memory"); }
#define PK_ATTN_LDS(D) ((D) + 8)  // smem row stride in halves: 16B aligned, conflict-free ldmatrix
// Split path: keys per warp step, and the shared memory of 4 warps' private K and V chunks.
#define PK_ATTN_SPLIT_KEYS(D) ((D) == 64 ? 32 : 16)
#define PK_ATTN_SPLIT_HALVES(D) (4 * 2 * PK_ATTN_SPLIT_KEYS(D) * PK_ATTN_LDS(D))
// ... and, in the early form, its Q staging (up to 32 rows) after them, so Q and the first chunks load together (v39).
#define PK_ATTN_SPLIT_ALL_HALVES(D) (PK_ATTN_SPLIT_HALVES(D) + 32 * PK_ATTN_LDS(D))
#define PK_ATTN_MAX(a, b) ((a) > (b) ? (a) : (b))
// Shared memory with NH key halves in the full path (NH K and V page buffers); the split path: its 4 warps' chunks.
#define PK_ATTN_SMEM_HALVES(NH)                                                                 \
  PK_ATTN_MAX((NH) * 2 * 64 * PK_ATTN_LDS(PK_ATTN_MAXD), PK_ATTN_MAX(PK_ATTN_SPLIT_HALVES(64), PK_ATTN_SPLIT_HALVES(128)))
// Pages prefetched into L2 ahead of the page being loaded: about 256 KB of K and V (all kv heads) per
// sequence, at least 4 and at most 8 pages. A function of the model's kv_heads * head_dim only.
static __device__ __forceinline__ int pk_attn_prefetch_pages(uint32_t page_bytes) {
  return min(8, max(4, (int)((256u << 10) / (2u * page_bytes))));
}

// Prefetches page slot `page` of the K and V caches (all kv heads: one contiguous range each) into L2.
static __device__ __forceinline__ void pk_attn_prefetch(const AttnParams &p, int page, uint32_t page_bytes) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  const size_t off = (size_t)page * page_bytes;
  asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(reinterpret_cast<const char *>(p.k_cache) + off),
               "r"(page_bytes) : "memory");
  asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(reinterpret_cast<const char *>(p.v_cache) + off),
               "r"(page_bytes) : "memory");
#else
  (void)p; (void)page; (void)page_bytes;
#endif
}

// One page (64 keys) of K or V into dst, by threads t = 0..nt-1 (a key half of the full path: 128 threads).
template <int D>
static __device__ __forceinline__ void pk_attn_load_kv(uint16_t *dst, const uint16_t *cache, int page, int key0,
                                                       int kv_len, size_t kv_row, int col0, int t, int nt) {
  constexpr int CPR = D / 8;  // 16-byte chunks per row
  constexpr int LDS = PK_ATTN_LDS(D);
#pragma unroll
  for (int c = t; c < 64 * CPR; c += nt) {
    const int r = c / CPR, ch = c % CPR;
    const bool ok = key0 + r < kv_len;
    const uint16_t *src = ok ? cache + ((size_t)page * PREFILL_PAGE_SIZE + r) * kv_row + col0 + ch * 8 : cache;
    cp_async16(smem_u32(dst + r * LDS + ch * 8), src, ok);
  }
}

// A warp's online-softmax state (row maxima, partial sums, O) into x for the combine: [value][lane], 4 + 4 * NDT
// floats per lane (conflict-free).
template <int NDT>
static __device__ __forceinline__ void pk_attn_put_state(float *x, int lane, float m_a, float m_b, float l_a, float l_b,
                                                         const float (&o)[NDT][4]) {
  x[0 * 32 + lane] = m_a;
  x[1 * 32 + lane] = m_b;
  x[2 * 32 + lane] = l_a;
  x[3 * 32 + lane] = l_b;
#pragma unroll
  for (int i = 0; i < NDT; i++)
#pragma unroll
    for (int e = 0; e < 4; e++) x[(4 + 4 * i + e) * 32 + lane] = o[i][e];
}

// One warp's K or V chunk of CK keys starting at key0 (within one page) -> its private buffer. A lane copies 16-byte chunk
// lane % CPR of rows lane / CPR + i * RSTEP, so its global and shared addresses are one base plus a fixed stride per copy
// (s22: computed per copy, the address arithmetic was ~360 of the ~1000 instructions a warp issued after the PDL wait for
// a short prompt's chunk, kernels/NOTES-forward.md v56). prep once, then issue: the early forms prepare their first chunks
// before the wait. Same copies, same bytes.
template <int D, int CK>
struct PkAttnChunkCopy {
  static constexpr int CPR = D / 8, RSTEP = 32 / CPR, N = CK / RSTEP;
  static_assert(32 % CPR == 0 && CK % RSTEP == 0, "a lane's chunks are whole rows apart");
  const uint16_t *src;  // row lane / CPR of the chunk, its 16-byte chunk lane % CPR
  uint32_t dst;         // its shared address
  int left;             // rows from that one on that hold keys (< kv_len)
  __device__ __forceinline__ void prep(uint16_t *sbuf, const uint16_t *cache, int page, int key0, int kv_len, size_t kv_row, int col0, int lane) {
    const int r0 = lane / CPR, ch = lane % CPR;
    src = cache + ((size_t)page * PREFILL_PAGE_SIZE + (key0 % PREFILL_PAGE_SIZE) + r0) * kv_row + col0 + ch * 8;
    dst = smem_u32(sbuf + r0 * PK_ATTN_LDS(D) + ch * 8);
    left = kv_len - key0 - r0;
  }
  __device__ __forceinline__ void issue(const uint16_t *cache, size_t kv_row) const {
#pragma unroll
    for (int i = 0; i < N; i++) {
      const bool ok = i * RSTEP < left;
      cp_async16(dst + (uint32_t)(i * RSTEP * PK_ATTN_LDS(D) * 2), ok ? src + (size_t)i * RSTEP * kv_row : cache, ok);
    }
  }
};
template <int D, int CK>
static __device__ __forceinline__ void pk_attn_load_chunk(uint16_t *dst, const uint16_t *cache, int page, int key0,
                                                          int kv_len, size_t kv_row, int col0, int lane) {
  PkAttnChunkCopy<D, CK> c;
  c.prep(dst, cache, page, key0, kv_len, kv_row, col0, lane);
  c.issue(cache, kv_row);
}

// A row pair's end (rows a = row0 + 16 rg + g and b = a + 8, lane quad t4): the partial sums over the quad, O / l as bf16
// pairs at the rows' (token, q head) places; rows with position -1 are not valid and not stored. The early split path
// finds its places before the PDL wait (pk_attn_out_dst, nullptr: not stored) and ends with pk_attn_store_at; the other
// paths end with pk_attn_store_rows, the same stores with the places found at the end. Written as one function calling
// the other (s22 call 3), every full path's code changed and that call timed the wg form's 6-10 % slower alone, against
// another lease's timings; no same-lease run separated code from lease for that form, so the other paths keep their store
// as it was (kernels/NOTES-forward.md v56).
template <int D>
PK_DEV uint16_t *pk_attn_out_dst(const AttnParams &p, int qs, int r, int pos, int kvh, int group, int t4) {
  if (pos < 0) return nullptr;
  const int tok = r / group;
  return p.out + (size_t)(qs + tok) * ((size_t)p.q_heads * D) + (size_t)(kvh * group + (r - tok * group)) * D + 2 * t4;
}
template <int NDT>
PK_DEV void pk_attn_store_at(const float (&o)[NDT][4], float l_a, float l_b, uint16_t *dst_a, uint16_t *dst_b) {
  l_a += __shfl_xor_sync(0xffffffffu, l_a, 1);
  l_a += __shfl_xor_sync(0xffffffffu, l_a, 2);
  l_b += __shfl_xor_sync(0xffffffffu, l_b, 1);
  l_b += __shfl_xor_sync(0xffffffffu, l_b, 2);
  if (dst_a != nullptr) {
    const float inv = 1.f / l_a;
#pragma unroll
    for (int i = 0; i < NDT; i++)
      *reinterpret_cast<uint32_t *>(dst_a + i * 8) = pack_bf2(o[i][0] * inv, o[i][1] * inv);
  }
  if (dst_b != nullptr) {
    const float inv = 1.f / l_b;
#pragma unroll
    for (int i = 0; i < NDT; i++)
      *reinterpret_cast<uint32_t *>(dst_b + i * 8) = pack_bf2(o[i][2] * inv, o[i][3] * inv);
  }
}
template <int D, int NDT>
PK_DEV void pk_attn_store_rows(const AttnParams &p, const float (&o)[NDT][4], float l_a, float l_b, int qs, int ra, int rb,
                               int pos_a, int pos_b, int kvh, int group, int t4) {
  const int tok_a = ra / group, tok_b = rb / group;
  l_a += __shfl_xor_sync(0xffffffffu, l_a, 1);
  l_a += __shfl_xor_sync(0xffffffffu, l_a, 2);
  l_b += __shfl_xor_sync(0xffffffffu, l_b, 1);
  l_b += __shfl_xor_sync(0xffffffffu, l_b, 2);
  const size_t out_row = (size_t)p.q_heads * D;
  if (pos_a >= 0) {
    const float inv = 1.f / l_a;
    uint16_t *dst = p.out + (size_t)(qs + tok_a) * out_row + (size_t)(kvh * group + (ra - tok_a * group)) * D + 2 * t4;
#pragma unroll
    for (int i = 0; i < NDT; i++)
      *reinterpret_cast<uint32_t *>(dst + i * 8) = pack_bf2(o[i][0] * inv, o[i][1] * inv);
  }
  if (pos_b >= 0) {
    const float inv = 1.f / l_b;
    uint16_t *dst = p.out + (size_t)(qs + tok_b) * out_row + (size_t)(kvh * group + (rb - tok_b * group)) * D + 2 * t4;
#pragma unroll
    for (int i = 0; i < NDT; i++)
      *reinterpret_cast<uint32_t *>(dst + i * 8) = pack_bf2(o[i][2] * inv, o[i][3] * inv);
  }
}

// One key page's (or the split path's chunk's: NT tiles of 8 keys) online softmax for a warp's 16 rows (the m16n8 C
// layout of s: this thread's rows a and b, keys key0 + 8 nt + 2 t4 + c): keys past a row's position masked (only when `mask`: a page wholly at or before every row's
// position needs none, the same values), the running maxima and sums updated, O rescaled, P packed as the m16n8k16 A
// fragments of the PV product. A row that sees no key of the page keeps its state bit for bit (factor exactly 1, P = +0).
// FTZ (the wg forms' full path, v90): the exponentials as ex2.approx.ftz (one MUFU.EX2 each; exp2f's non-ftz form adds a
// denormal range fix around it): only results below 2^-126 differ, flushed to 0 (a key 126 binary orders below the row's
// max, or a rescale factor that small), so the bits differ from FTZ = false's only there.
template <bool FTZ>
PK_DEV float pk_attn_exp2(float x) {
  if constexpr (FTZ) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
  } else {
    return exp2f(x);
  }
}

template <int NT, int NDT, bool FTZ = false>
PK_DEV void pk_attn_page_softmax(float (&s)[NT][4], float (&o)[NDT][4], uint32_t (&pa)[NT / 2][4], float &m_a, float &m_b,
                                 float &l_a, float &l_b, int key0, int t4, int pos_a, int pos_b, float sl2, bool mask) {
  float mx_a = -INFINITY, mx_b = -INFINITY;
#pragma unroll
  for (int nt = 0; nt < NT; nt++) {
#pragma unroll
    for (int c = 0; c < 2; c++) {
      const int key = key0 + nt * 8 + 2 * t4 + c;
      if (mask && key > pos_a) s[nt][c] = -INFINITY;
      if (mask && key > pos_b) s[nt][2 + c] = -INFINITY;
      mx_a = fmaxf(mx_a, s[nt][c]);
      mx_b = fmaxf(mx_b, s[nt][2 + c]);
    }
  }
  mx_a = fmaxf(mx_a, __shfl_xor_sync(0xffffffffu, mx_a, 1));
  mx_a = fmaxf(mx_a, __shfl_xor_sync(0xffffffffu, mx_a, 2));
  mx_b = fmaxf(mx_b, __shfl_xor_sync(0xffffffffu, mx_b, 1));
  mx_b = fmaxf(mx_b, __shfl_xor_sync(0xffffffffu, mx_b, 2));
  const float mn_a = fmaxf(m_a, mx_a), mn_b = fmaxf(m_b, mx_b);
  const float alpha_a = mn_a == m_a ? 1.f : pk_attn_exp2<FTZ>((m_a - mn_a) * sl2);
  const float alpha_b = mn_b == m_b ? 1.f : pk_attn_exp2<FTZ>((m_b - mn_b) * sl2);
  const float ms_a = mn_a == -INFINITY ? 0.f : mn_a * sl2;
  const float ms_b = mn_b == -INFINITY ? 0.f : mn_b * sl2;
  m_a = mn_a;
  m_b = mn_b;
  float sum_a = 0.f, sum_b = 0.f;
#pragma unroll
  for (int nt = 0; nt < NT; nt++) {
    s[nt][0] = pk_attn_exp2<FTZ>(fmaf(s[nt][0], sl2, -ms_a));
    s[nt][1] = pk_attn_exp2<FTZ>(fmaf(s[nt][1], sl2, -ms_a));
    s[nt][2] = pk_attn_exp2<FTZ>(fmaf(s[nt][2], sl2, -ms_b));
    s[nt][3] = pk_attn_exp2<FTZ>(fmaf(s[nt][3], sl2, -ms_b));
    sum_a += s[nt][0] + s[nt][1];
    sum_b += s[nt][2] + s[nt][3];
  }
  l_a = l_a * alpha_a + sum_a;
  l_b = l_b * alpha_b + sum_b;
#pragma unroll
  for (int i = 0; i < NDT; i++) {
    o[i][0] *= alpha_a; o[i][1] *= alpha_a;
    o[i][2] *= alpha_b; o[i][3] *= alpha_b;
  }
#pragma unroll
  for (int kk = 0; kk < NT / 2; kk++) {
    pa[kk][0] = pack_bf2(s[2 * kk][0], s[2 * kk][1]);
    pa[kk][1] = pack_bf2(s[2 * kk][2], s[2 * kk][3]);
    pa[kk][2] = pack_bf2(s[2 * kk + 1][0], s[2 * kk + 1][1]);
    pa[kk][3] = pack_bf2(s[2 * kk + 1][2], s[2 * kk + 1][3]);
  }
}

// Key half 0 adds half 1's state (left in xch by pk_attn_put_state) in the split path's combine arithmetic: each state
// scaled by exp2 of its max minus the larger one, a state that saw no key (max -inf) by exactly 0.
template <int NDT>
PK_DEV void pk_attn_add_half(const float *xch, int lane, float m_a, float m_b, float &l_a, float &l_b, float (&o)[NDT][4],
                             float sl2) {
  const float m1_a = xch[0 * 32 + lane], m1_b = xch[1 * 32 + lane];
  const float mm_a = fmaxf(m_a, m1_a), mm_b = fmaxf(m_b, m1_b);
  const float f0_a = m_a == -INFINITY ? 0.f : exp2f((m_a - mm_a) * sl2);
  const float f0_b = m_b == -INFINITY ? 0.f : exp2f((m_b - mm_b) * sl2);
  const float f1_a = m1_a == -INFINITY ? 0.f : exp2f((m1_a - mm_a) * sl2);
  const float f1_b = m1_b == -INFINITY ? 0.f : exp2f((m1_b - mm_b) * sl2);
  l_a = fmaf(xch[2 * 32 + lane], f1_a, l_a * f0_a);
  l_b = fmaf(xch[3 * 32 + lane], f1_b, l_b * f0_b);
#pragma unroll
  for (int i = 0; i < NDT; i++) {
    o[i][0] = fmaf(xch[(4 + 4 * i + 0) * 32 + lane], f1_a, o[i][0] * f0_a);
    o[i][1] = fmaf(xch[(4 + 4 * i + 1) * 32 + lane], f1_a, o[i][1] * f0_a);
    o[i][2] = fmaf(xch[(4 + 4 * i + 2) * 32 + lane], f1_b, o[i][2] * f0_b);
    o[i][3] = fmaf(xch[(4 + 4 * i + 3) * 32 + lane], f1_b, o[i][3] * f0_b);
  }
}

// What a block of either form (4 or 8 warps, or the wg form) serves: block x's tile of the tile map, block y's kv head;
// false for a surplus block or a tile without rows or keys (the block leaves).
//
// The early form (attention_prefill_wg_early, v39) reads it before the PDL wait: the tile map and the batch metadata. It
// runs only in plans whose build_tile_map is the forward's first kernel and whose second kernel launches without PDL
// (Java's lowering arranges it and refuses anything else), so every later kernel starts after the map is complete and
// visible; query_start, kv_lens and the block tables are copied in by that same first kernel. Its lookup chain
// (num_blocks, the map, the sequence's lengths, its block table: four dependent L2 round trips) then overlaps the
// previous kernel instead of following it; only Q, K and V (rope_kv_write's output) are read after the wait.
struct PkAttnTile {
  int kvh, group, qs, kv_len, past, nrows, row0, last_row;
  const int *btab;  // the sequence's block table
};
// ROWS: the rows of a tile, the tile map's rows_per_tile (PREFILL_ATTN_ROWS_PER_TILE but for the t32 form's half tiles).
template <bool CHECK_NUM_BLOCKS = false, int ROWS = PREFILL_ATTN_ROWS_PER_TILE>  // CHECK_NUM_BLOCKS false: the early form, no check after a wait made before it
PK_DEV bool pk_attn_tile(const AttnParams &p, PkAttnTile &t) {
  if (CHECK_NUM_BLOCKS && (int)blockIdx.x >= *p.num_blocks) return false;
  const int seq = p.batch_ids[blockIdx.x], tile = p.tile_ids[blockIdx.x];
  if (seq < 0 || tile < 0) return false;
  t.kvh = blockIdx.y;
  t.group = p.q_heads / p.kv_heads;
  t.qs = p.query_start[seq];
  const int q_len = p.query_start[seq + 1] - t.qs;
  t.kv_len = p.kv_lens[seq];
  t.past = t.kv_len - q_len;
  t.nrows = q_len * t.group;
  t.row0 = tile * ROWS;
  t.last_row = min(t.row0 + ROWS - 1, t.nrows - 1);
  if (t.last_row < t.row0 || t.kv_len <= 0) return false;
  t.btab = p.block_tables + (size_t)seq * p.max_pages_per_seq;
  return true;
}

// An early-form block without a tile leaves before the wait, except block (0, 0), which always waits first: then the
// kernel never completes before its predecessor, and every kernel after it may rely on the chain's order as before.
PK_DEV void pk_attn_leave() {
  if (blockIdx.x == 0 && blockIdx.y == 0) pk_pdl_wait();
}

// Where Q row gr (of the sequence's rows, (token, q head in the group)) chunk ch lives; p.q when the row is not valid (the
// copy zero-fills it).
template <int D>
PK_DEV const uint16_t *pk_attn_q_src(const AttnParams &p, const PkAttnTile &t, int gr, int ch) {
  if (gr >= t.nrows) return p.q;
  const int tok = gr / t.group, head = t.kvh * t.group + (gr - tok * t.group);
  return p.q + (size_t)(t.qs + tok) * p.q_stride + (size_t)head * D + ch * 8;
}

// A thread's two rows of its warp's 16 (a = row0 + 16 rg + g, b = a + 8): their positions (-1: not valid, everything
// masked, never stored) and the last position among the warp's rows (-1: none valid).
struct PkAttnRows {
  int ra, rb, pos_a, pos_b, warp_last_pos;
};
PK_DEV PkAttnRows pk_attn_rows(int row0, int rg, int g, int nrows, int past, int group) {
  PkAttnRows r;
  r.ra = row0 + rg * 16 + g;
  r.rb = r.ra + 8;
  r.pos_a = r.ra < nrows ? past + r.ra / group : -1;
  r.pos_b = r.rb < nrows ? past + r.rb / group : -1;
  const int wlast = min(row0 + rg * 16 + 15, nrows - 1);
  r.warp_last_pos = wlast >= row0 + rg * 16 ? past + wlast / group : -1;
  return r;
}

// The split path's Q rows [row0, row0 + nq) -> sQ (row stride PK_ATTN_LDS(D)), as one commit group.
template <int D>
PK_DEV void pk_attn_split_q_copy(const AttnParams &p, const PkAttnTile &t, uint16_t *sQ, int nq, int tid) {
  constexpr int CPR = D / 8, LDS = PK_ATTN_LDS(D);
  for (int c = tid; c < nq * CPR; c += PK_ATTN_SPLIT_THREADS) {
    const int r = c / CPR, ch = c % CPR;
    cp_async16(smem_u32(sQ + r * LDS + ch * 8), pk_attn_q_src<D>(p, t, t.row0 + r, ch), t.row0 + r < t.nrows);
  }
  cp_async_commit();
}

// Row group rg's 16 Q rows from sQ -> the m16n8k16 A fragments.
template <int D>
PK_DEV void pk_attn_split_q_frag(uint32_t (&qf)[D / 16][4], uint16_t *sQ, int rg, int lane) {
  constexpr int LDS = PK_ATTN_LDS(D);
#pragma unroll
  for (int ks = 0; ks < D / 16; ks++)
    ldmatrix_x4(qf[ks][0], qf[ks][1], qf[ks][2], qf[ks][3],
                smem_u32(sQ + (rg * 16 + (lane & 15)) * LDS + ks * 16 + (lane >> 4) * 8));
}

// ---- The rope-fused split path (attention_prefill_wg_early_t32_rope, s21): rope_kv_write's work for the rows and keys a
// tile needs, computed by the tile's block from rope's input (the qkv GEMM's bf16 output or its fp32 split-K planes) in
// rope.cu's 4-wide arithmetic (pk_rope_rot4 / pk_rope_v4), so every value equals rope_kv_write's output bit for bit.
// Shared memory past the early form's Q staging: the rotated K and biased V of the sequence's new tokens 0 .. the tile's
// last one (at most PREFILL_ATTN_ROPE_MAX_NEW rows each, row stride PK_ATTN_LDS(64)), then their clamped positions.
#define PK_ATTN_ROPE_NEW_HALVES (2 * PREFILL_ATTN_ROPE_MAX_NEW * PK_ATTN_LDS(64))
#define PK_ATTN_ROPE_SMEM_BYTES (2 * (PK_ATTN_SPLIT_ALL_HALVES(64) + PK_ATTN_ROPE_NEW_HALVES) + 4 * PREFILL_ATTN_ROPE_MAX_NEW)
// Items each thread keeps in flight: their partial loads are issued before any item's math and stores.
#define PK_ATTN_ROPE_UNROLL 3

// Rope's input for 4 consecutive values: the split-K planes' raw loads (up to PK_ATTN_ROPE_SPLITS, or the bf16 row in
// v[0] when splits == 0), then pk_sum_partial4's in-order sum rounded to bf16. Loads and sums are separate steps so a
// thread issues every item's loads before any sum consumes one (s21 call 3: with pk_sum_partial4 inside each item, in-order
// issue kept each item's loads behind the previous item's sums, an L2 round trip per item in the chain).
#define PK_ATTN_ROPE_SPLITS PREFILL_ATTN_ROPE_MAX_SPLITS
PK_DEV void pk_attn_rope_ld4(float4 (&v)[PK_ATTN_ROPE_SPLITS], const RopeKvParams &r, bool valid, int bt, int c) {
  const size_t width = (size_t)(r.q_heads + 2 * r.kv_heads) * 64;
  const int splits = r.qkv_splits;
  if (splits <= 0) {
    if (valid) v[0] = pk_ld_bf4(r.qkv + (size_t)bt * width + c);
    return;
  }
  const float *part = r.qkv_partial + (size_t)bt * width + c;
  const size_t plane = (size_t)r.qkv_rows * width;
#pragma unroll
  for (int z = 0; z < PK_ATTN_ROPE_SPLITS; z++)
    if (valid && z < splits) v[z] = pk_ld_part4<false>(part + (size_t)z * plane);
}
PK_DEV float4 pk_attn_rope_sum4(const float4 (&v)[PK_ATTN_ROPE_SPLITS], const RopeKvParams &r) {
  if (r.qkv_splits <= 0) return v[0];
  float4 a = v[0];
#pragma unroll
  for (int z = 1; z < PK_ATTN_ROPE_SPLITS; z++)
    if (z < r.qkv_splits) {
      a.x = __fadd_rn(a.x, v[z].x); a.y = __fadd_rn(a.y, v[z].y); a.z = __fadd_rn(a.z, v[z].z); a.w = __fadd_rn(a.w, v[z].w);
    }
  return make_float4(bf2f(f2bf(a.x)), bf2f(f2bf(a.y)), bf2f(f2bf(a.z)), bf2f(f2bf(a.w)));
}

// The tile's rope work, by the split path's 128 threads after the PDL wait: item it < nQ rotates 4 pairs of Q row
// row0 + it / 8 into sQ (zeros for a row past the sequence's), then 4 pairs of new key k's K into sNK, then 4 elements of
// its V into sNV; the block whose tile holds token k's first row (k * group in [row0, row0 + ROWS)) also stores that
// token's K and V of this kv head into the caches at its slot (slot < 0: not cached), so every (token, kv head) is written
// once. sPos: the new tokens' clamped positions (filled before the wait). Values as rope_kv_write's, item for item.
// Kernels launch this form only with qkv_splits <= PK_ATTN_ROPE_SPLITS (the binder refuses more; the kernel traps).
template <int ROWS>
PK_DEV void pk_attn_rope_prologue(const RopeKvParams &r, const PkAttnTile &t, uint16_t *sQ, uint16_t *sNK, uint16_t *sNV,
                                  const int *sPos, int nq, int nk, int tid) {
  constexpr int D = 64, HALF = 32, LDS = PK_ATTN_LDS(64), U = PK_ATTN_ROPE_UNROLL;
  const int kvh = t.kvh, group = t.group, qh = r.q_heads;
  const int nQ = nq * 8, nK = nk * 8, total = nQ + nK + nk * 16;
  const bool hb = r.bias != nullptr;
  const size_t kv_row = (size_t)r.kv_heads * D;
  const int v0 = (qh + r.kv_heads) * D + kvh * D;  // this kv head's V columns
  const float4 zero = make_float4(0.f, 0.f, 0.f, 0.f);
  for (int it0 = tid; it0 < total; it0 += PK_ATTN_SPLIT_THREADS * U) {
    // what each item is: kind (0 q, 1 k, 2 v, -1 none), its token, its first column, its element offset i (pairs) or e (v)
    int kind[U], tok[U], c1[U], off[U], row[U];
#pragma unroll
    for (int u = 0; u < U; u++) {
      const int it = it0 + u * PK_ATTN_SPLIT_THREADS;
      const bool isq = it < nQ, isk = !isq && it < nQ + nK;
      const int j = isq ? it : isk ? it - nQ : it - nQ - nK;
      row[u] = isq || isk ? j >> 3 : j >> 4;
      off[u] = isq || isk ? (j & 7) * 4 : (j & 15) * 4;
      const int gr = t.row0 + row[u];
      tok[u] = isq ? gr / group : row[u];
      const int head = isq ? kvh * group + (gr - tok[u] * group) : qh + kvh;
      c1[u] = isq || isk ? head * D + off[u] : v0 + off[u];
      kind[u] = it >= total || (isq && gr >= t.nrows) ? -1 : isq ? 0 : isk ? 1 : 2;
    }
    // every item's loads
    float4 x1[U][PK_ATTN_ROPE_SPLITS], x2[U][PK_ATTN_ROPE_SPLITS], cs1[U], cs2[U], b1[U], b2[U];
#pragma unroll
    for (int u = 0; u < U; u++) {
      const bool rot = kind[u] == 0 || kind[u] == 1;
      pk_attn_rope_ld4(x1[u], r, kind[u] >= 0, t.qs + tok[u], c1[u]);
      pk_attn_rope_ld4(x2[u], r, rot, t.qs + tok[u], c1[u] + HALF);
      cs1[u] = cs2[u] = b1[u] = b2[u] = zero;
      if (rot) {
        const float *cs = r.cos_sin + (size_t)sPos[tok[u]] * D;
        cs1[u] = *reinterpret_cast<const float4 *>(cs + off[u]);
        cs2[u] = *reinterpret_cast<const float4 *>(cs + HALF + off[u]);
      }
      if (hb && kind[u] >= 0) b1[u] = pk_ld_bf4(r.bias + c1[u]);
      if (hb && rot) b2[u] = pk_ld_bf4(r.bias + c1[u] + HALF);
    }
#pragma unroll
    for (int u = 0; u < U; u++) {
      if (kind[u] < 0) {
        if (it0 + u * PK_ATTN_SPLIT_THREADS < nQ) {  // a Q row past the sequence's: zeros
          const uint16_t z4[4] = {0, 0, 0, 0};
          pk_st_bf4(sQ + row[u] * LDS + off[u], z4);
          pk_st_bf4(sQ + row[u] * LDS + off[u] + HALF, z4);
        }
        continue;
      }
      const float4 a = pk_attn_rope_sum4(x1[u], r);
      const bool owner = tok[u] * group >= t.row0 && tok[u] * group < t.row0 + ROWS;  // k / v: this tile writes the caches
      if (kind[u] <= 1) {
        const float4 b = pk_attn_rope_sum4(x2[u], r);
        float a1[4] = {a.x, a.y, a.z, a.w}, a2[4] = {b.x, b.y, b.z, b.w};
        uint16_t o1[4], o2[4];
        pk_rope_rot4(a1, a2, hb, b1[u], b2[u], cs1[u], cs2[u], o1, o2);
        uint16_t *dst = (kind[u] == 0 ? sQ : sNK) + row[u] * LDS + off[u];
        pk_st_bf4(dst, o1);
        pk_st_bf4(dst + HALF, o2);
        if (kind[u] == 1 && owner) {
          const int slot = r.slot_mapping[t.qs + tok[u]];
          if (slot >= 0) pk_rope_cache_k(r, kv_row, D, HALF, slot, kvh, off[u], o1, o2);
        }
      } else {
        uint16_t v[4] = {f2bf(a.x), f2bf(a.y), f2bf(a.z), f2bf(a.w)};  // exact: bf16 values
        pk_rope_v4(v, hb, b1[u]);
        pk_st_bf4(sNV + tok[u] * LDS + off[u], v);
        if (owner) {
          const int slot = r.slot_mapping[t.qs + tok[u]];
          if (slot >= 0) pk_rope_cache_v(r, kv_row, D, slot, kvh, off[u], v);
        }
      }
    }
  }
}

// pk_attn_load_chunk for the rope-fused path: keys of the cached prefix (key < past) by cp.async from the cache as there,
// the tile's new keys (past .. past + nk - 1) copied from the prologue's rows (sNew, row key - past), and every later key
// zero-filled: no row of the tile sees those (masked, P = 0 exactly, as for the rope_kv_write values the unfused form
// loads there), and zeros keep 0 * V finite where the prologue wrote nothing. PART: 1 the copies only, 2 the new rows
// only (the first chunks issue their copies before the prologue and take its rows after it), 3 both.
template <int D, int CK, int PART = 3>
PK_DEV void pk_attn_rope_chunk(uint16_t *dst, const uint16_t *cache, const uint16_t *sNew, int page, int key0, int past,
                               int nk, size_t kv_row, int col0, int lane) {
  constexpr int CPR = D / 8;
  constexpr int LDS = PK_ATTN_LDS(D);
#pragma unroll
  for (int c = lane; c < CK * CPR; c += 32) {
    const int r = c / CPR, ch = c % CPR, key = key0 + r;
    if (key >= past && key < past + nk) {
      if (PART & 2)
        *reinterpret_cast<uint4 *>(dst + r * LDS + ch * 8) = *reinterpret_cast<const uint4 *>(sNew + (key - past) * LDS + ch * 8);
    } else if (PART & 1) {
      const bool ok = key < past;
      const uint16_t *src =
          ok ? cache + ((size_t)page * PREFILL_PAGE_SIZE + (key0 % PREFILL_PAGE_SIZE) + r) * kv_row + col0 + ch * 8 : cache;
      cp_async16(smem_u32(dst + r * LDS + ch * 8), src, ok);
    }
  }
}

// Split path (see the top of the file): a tile of tile_rows <= 32 valid rows starting at row0. EARLY (the wg early
// form's, v39.6): called before the PDL wait, which it makes after its metadata and prefix prefetch; Q is staged past the
// chunk buffers (the caller has PK_ATTN_SPLIT_ALL_HALVES), so Q and the first K / V chunks load together. Otherwise
// called after the wait, Q staged over warp 0's chunk buffers and the chunks loaded once Q has landed. Same bits.
// ROPE (the rope-fused t32 form, EARLY only, D = 64, tiles of ROWS rows): Q and the new keys' K / V come from the tile's own
// rope work (pk_attn_rope_prologue) instead of rope_kv_write's output; the arithmetic after that is the same.
template <int D, bool EARLY, bool ROPE = false, int ROWS = 32>
static __device__ __forceinline__ void pk_attn_split(const AttnParams &p, uint16_t *smem, const PkAttnTile &t,
                                                     const RopeKvParams *rope = nullptr) {
  static_assert(!ROPE || (EARLY && D == 64), "the rope-fused path is the early form's, head dim 64");
  const int row0 = t.row0, tile_rows = t.last_row - t.row0 + 1, nrows = t.nrows, group = t.group, qs = t.qs, past = t.past,
            kv_len = t.kv_len;
  const int *btab = t.btab;
  constexpr int LDS = PK_ATTN_LDS(D);
  constexpr int NKS = D / 16;  // k-steps of QK^T
  constexpr int NDT = D / 8;   // 8-wide column tiles of O
  constexpr int CK = PK_ATTN_SPLIT_KEYS(D);
  constexpr int NT = CK / 8;   // 8-key column tiles of S
  constexpr int CPP = PREFILL_PAGE_SIZE / CK;  // chunks per page
  const int S = tile_rows <= 16 ? 4 : 2;       // warps per 16-row group
  const int nk = ROPE ? (row0 + tile_rows - 1) / group + 1 : 0;  // rope-fused: the new tokens 0 .. the tile's last one
  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int g = lane >> 2, t4 = lane & 3;
  const int rg = warp / S, z = warp % S;       // row group, key split
  const int kvh = blockIdx.y;
  const size_t kv_row = (size_t)p.kv_heads * D;
  const int kcol0 = kvh * D;
  const uint32_t page_bytes = (uint32_t)(PREFILL_PAGE_SIZE * kv_row * 2);
  uint16_t *sK = smem + warp * 2 * CK * LDS;   // this warp's chunk buffers
  uint16_t *sV = sK + CK * LDS;
  // rope-fused: the new tokens' K and V rows past the early form's Q staging (pk_attn_rope_prologue writes them)
  uint16_t *sNK = smem + PK_ATTN_SPLIT_ALL_HALVES(D), *sNV = sNK + PREFILL_ATTN_ROPE_MAX_NEW * LDS;

  const int nq = 64 / S;  // Q rows [row0, row0 + 16 * (4 / S))
  if constexpr (!EARLY) pk_attn_split_q_copy<D>(p, t, smem, nq, tid);  // ---- Q -> smem (start of the buffer) -> registers
  const PkAttnRows rw = pk_attn_rows(row0, rg, g, nrows, past, group);
  const int ra = rw.ra, rb = rw.rb, pos_a = rw.pos_a, pos_b = rw.pos_b, warp_last_pos = rw.warp_last_pos;
  const int nch = warp_last_pos >= 0 ? warp_last_pos / CK + 1 : 0;  // chunks the group's rows see
  const int npages = (past + (row0 + tile_rows - 1) / group) / PREFILL_PAGE_SIZE + 1;
  const int pf = pk_attn_prefetch_pages(page_bytes);
  const int npf = min(npages, (past + PREFILL_PAGE_SIZE - 1) / PREFILL_PAGE_SIZE);  // pages holding prefix keys
  uint32_t qf[NKS][4];
  uint16_t *out_a = nullptr, *out_b = nullptr;  // the early non-rope form's output places, found before the wait
  if constexpr (EARLY) {
    uint16_t *sQ = smem + PK_ATTN_SPLIT_HALVES(D);
    const int page0 = z < nch ? btab[z / CPP] : 0;
    // The prefix prefetch before the wait, of the pages after those the first chunks demand-load, by the block of kv
    // head 0 only (a page holds every kv head's keys): s14 calls 1-6 (kernels/NOTES-forward.md v39).
    const int p0 = (S * CK + PREFILL_PAGE_SIZE - 1) / PREFILL_PAGE_SIZE;  // pages the warps' first chunks load
    if (blockIdx.y == 0 && tid + p0 < min(pf, npf)) pk_attn_prefetch(p, btab[tid + p0], page_bytes);
    if constexpr (ROPE) {
      // the new tokens' positions before the wait (metadata), their K / V after it
      // Java runs this form at capacities <= PREFILL_ATTN_ROPE_MAX_NEW only, on at most PK_ATTN_ROPE_SPLITS planes
      if (nk > PREFILL_ATTN_ROPE_MAX_NEW || rope->qkv_splits > PK_ATTN_ROPE_SPLITS) __trap();
      int *sPos = reinterpret_cast<int *>(smem + PK_ATTN_SPLIT_ALL_HALVES(D) + PK_ATTN_ROPE_NEW_HALVES);
      if (tid < nk) sPos[tid] = pk_rope_pos(*rope, qs + tid);
      pk_pdl_wait();  // rope's input is the qkv GEMM's output
      // the first chunks' cached-prefix keys in flight while the prologue loads rope's input: one commit group per
      // operand (K, V; no Q group: the prologue stores Q itself), so the loop's counts hold as in the unfused form
      if (z < nch) pk_attn_rope_chunk<D, CK, 1>(sK, p.k_cache, sNK, page0, z * CK, past, nk, kv_row, kcol0, lane);
      cp_async_commit();
      if (z < nch) pk_attn_rope_chunk<D, CK, 1>(sV, p.v_cache, sNV, page0, z * CK, past, nk, kv_row, kcol0, lane);
      cp_async_commit();
      pk_attn_bar_split();  // sPos
      pk_attn_rope_prologue<ROWS>(*rope, t, sQ, sNK, sNV, sPos, nq, nk, tid);
      pk_attn_bar_split();  // Q and the new keys' rows are complete
      if (z < nch) pk_attn_rope_chunk<D, CK, 2>(sK, p.k_cache, sNK, page0, z * CK, past, nk, kv_row, kcol0, lane);
      if (z < nch) pk_attn_rope_chunk<D, CK, 2>(sV, p.v_cache, sNV, page0, z * CK, past, nk, kv_row, kcol0, lane);
    } else {
      // Every address the copies after the wait need, before it (v56): Q's chunk sources (a runtime division by the group
      // each) and the first K / V chunks' bases; after the wait only the copies issue.
      constexpr int CPR = D / 8, QPT = (32 * CPR + PK_ATTN_SPLIT_THREADS - 1) / PK_ATTN_SPLIT_THREADS;  // nq <= 32
      const uint16_t *qsrc[QPT];
      uint32_t qdst[QPT];
      int qok[QPT];  // 1: a valid row's chunk, 0: zero-filled, -1: no chunk of this thread
#pragma unroll
      for (int u = 0; u < QPT; u++) {
        const int c = tid + u * PK_ATTN_SPLIT_THREADS, r = c / CPR, ch = c % CPR;
        qok[u] = c < nq * CPR ? (t.row0 + r < t.nrows ? 1 : 0) : -1;
        qsrc[u] = pk_attn_q_src<D>(p, t, t.row0 + r, ch);
        qdst[u] = smem_u32(sQ + r * LDS + ch * 8);
        pk_keep(qsrc[u]);
        pk_keep(qdst[u]);
        pk_keep(qok[u]);
      }
      PkAttnChunkCopy<D, CK> ck, cv;
      if (z < nch) {
        ck.prep(sK, p.k_cache, page0, z * CK, kv_len, kv_row, kcol0, lane);
        cv.prep(sV, p.v_cache, page0, z * CK, kv_len, kv_row, kcol0, lane);
        pk_keep(ck.src); pk_keep(ck.dst); pk_keep(ck.left);
        pk_keep(cv.src); pk_keep(cv.dst); pk_keep(cv.left);
      }
      out_a = pk_attn_out_dst<D>(p, qs, ra, pos_a, kvh, group, t4);
      out_b = pk_attn_out_dst<D>(p, qs, rb, pos_b, kvh, group, t4);
      pk_keep(out_a);
      pk_keep(out_b);
      pk_pdl_wait();  // Q, K and V are rope_kv_write's output
#pragma unroll
      for (int u = 0; u < QPT; u++)
        if (qok[u] >= 0) cp_async16(qdst[u], qsrc[u], qok[u] > 0);
      cp_async_commit();  // pk_attn_split_q_copy's group
      // one commit group each, empty for a warp without chunks, so the loop's group counts are the late form's
      if (z < nch) ck.issue(p.k_cache, kv_row);
      cp_async_commit();
      if (z < nch) cv.issue(p.v_cache, kv_row);
      cp_async_commit();
    }
    cp_async_wait<2>();  // Q landed (pending: the first K and V chunks; rope-fused: Q is in place, nothing to wait for)
    pk_attn_bar_split();
    pk_attn_split_q_frag<D>(qf, sQ, rg, lane);
  } else {
    if (tid < min(pf, npf)) pk_attn_prefetch(p, btab[tid], page_bytes);

    cp_async_wait<0>();
    pk_attn_bar_split();
    pk_attn_split_q_frag<D>(qf, smem, rg, lane);
    pk_attn_bar_split();  // Q staging overlaps warp 0's chunk buffers

    if (z < nch) {
      pk_attn_load_chunk<D, CK>(sK, p.k_cache, btab[z / CPP], z * CK, kv_len, kv_row, kcol0, lane);
      cp_async_commit();
      pk_attn_load_chunk<D, CK>(sV, p.v_cache, btab[z / CPP], z * CK, kv_len, kv_row, kcol0, lane);
    }
    cp_async_commit();
  }

  float o[NDT][4];
#pragma unroll
  for (int i = 0; i < NDT; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.f;
  float m_a = -INFINITY, m_b = -INFINITY, l_a = 0.f, l_b = 0.f;
  const float sl2 = p.scale_log2;

  // Every chunk c < nch has key0 <= warp_last_pos: no chunk is skipped.
  for (int c = z; c < nch; c += S) {
    const int key0 = c * CK;
    if ((!EARLY || blockIdx.y == 0) && lane == 0 && c % CPP == 0 && c / CPP + pf < npf) pk_attn_prefetch(p, btab[c / CPP + pf], page_bytes);
    cp_async_wait<1>();  // K(c) landed
    __syncwarp();
    float s[NT][4];
#pragma unroll
    for (int i = 0; i < NT; i++) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.f;
#pragma unroll
    for (int ks = 0; ks < NKS; ks++) {
#pragma unroll
      for (int np = 0; np < NT / 2; np++) {
        uint32_t b0, b1, b2, b3;
        ldmatrix_x4(b0, b1, b2, b3,
                    smem_u32(sK + (np * 16 + ((lane >> 4) & 1) * 8 + (lane & 7)) * LDS + ks * 16 + ((lane >> 3) & 1) * 8));
        mma_bf16_16816(s[2 * np], qf[ks], b0, b1);
        mma_bf16_16816(s[2 * np + 1], qf[ks], b2, b3);
      }
    }
    __syncwarp();  // the warp is done with K(c)
    const int cn = c + S;
    if constexpr (ROPE) {
      if (cn < nch) pk_attn_rope_chunk<D, CK>(sK, p.k_cache, sNK, btab[cn / CPP], cn * CK, past, nk, kv_row, kcol0, lane);
    } else {
      if (cn < nch) pk_attn_load_chunk<D, CK>(sK, p.k_cache, btab[cn / CPP], cn * CK, kv_len, kv_row, kcol0, lane);
    }
    cp_async_commit();

    // Mask (key <= row position), online softmax: as in the full path, over NT column tiles.
    uint32_t pa[NT / 2][4];
    pk_attn_page_softmax<NT, NDT>(s, o, pa, m_a, m_b, l_a, l_b, key0, t4, pos_a, pos_b, sl2, true);
    cp_async_wait<1>();  // V(c) landed
    __syncwarp();
#pragma unroll
    for (int kk = 0; kk < NT / 2; kk++) {
#pragma unroll
      for (int dp = 0; dp < NDT / 2; dp++) {
        uint32_t b0, b1, b2, b3;
        ldmatrix_x4_trans(b0, b1, b2, b3,
                          smem_u32(sV + (kk * 16 + ((lane >> 3) & 1) * 8 + (lane & 7)) * LDS + dp * 16 + ((lane >> 4) & 1) * 8));
        mma_bf16_16816(o[2 * dp], pa[kk], b0, b1);
        mma_bf16_16816(o[2 * dp + 1], pa[kk], b2, b3);
      }
    }
    __syncwarp();  // the warp is done with V(c)
    if constexpr (ROPE) {
      if (cn < nch) pk_attn_rope_chunk<D, CK>(sV, p.v_cache, sNV, btab[cn / CPP], cn * CK, past, nk, kv_row, kcol0, lane);
    } else {
      if (cn < nch) pk_attn_load_chunk<D, CK>(sV, p.v_cache, btab[cn / CPP], cn * CK, kv_len, kv_row, kcol0, lane);
    }
    cp_async_commit();
  }
  cp_async_wait<0>();
  __syncwarp();

  // ---- Combine the S partial states of each row group in the order z = 0..S-1. Warps z > 0 leave
  // (m, l, O) in their own chunk buffers (4 + D/2 floats per lane, [value][lane]: conflict-free).
  float *xch = reinterpret_cast<float *>(sK);
  if (z != 0) pk_attn_put_state<NDT>(xch, lane, m_a, m_b, l_a, l_b, o);
  pk_attn_bar_split();
  if (z != 0) return;
  float mm_a = m_a, mm_b = m_b;
  for (int zz = 1; zz < S; zz++) {
    const float *x = reinterpret_cast<const float *>(smem + (warp + zz) * 2 * CK * LDS);
    mm_a = fmaxf(mm_a, x[0 * 32 + lane]);
    mm_b = fmaxf(mm_b, x[1 * 32 + lane]);
  }
  // Factor of a partial state with max m: 0 when it saw no key (m = -inf; its l and O are zeros).
  const float f0_a = m_a == -INFINITY ? 0.f : exp2f((m_a - mm_a) * sl2);
  const float f0_b = m_b == -INFINITY ? 0.f : exp2f((m_b - mm_b) * sl2);
  l_a *= f0_a;
  l_b *= f0_b;
#pragma unroll
  for (int i = 0; i < NDT; i++) {
    o[i][0] *= f0_a; o[i][1] *= f0_a;
    o[i][2] *= f0_b; o[i][3] *= f0_b;
  }
  for (int zz = 1; zz < S; zz++) {
    const float *x = reinterpret_cast<const float *>(smem + (warp + zz) * 2 * CK * LDS);
    const float mz_a = x[0 * 32 + lane], mz_b = x[1 * 32 + lane];
    const float f_a = mz_a == -INFINITY ? 0.f : exp2f((mz_a - mm_a) * sl2);
    const float f_b = mz_b == -INFINITY ? 0.f : exp2f((mz_b - mm_b) * sl2);
    l_a = fmaf(x[2 * 32 + lane], f_a, l_a);
    l_b = fmaf(x[3 * 32 + lane], f_b, l_b);
#pragma unroll
    for (int i = 0; i < NDT; i++) {
      o[i][0] = fmaf(x[(4 + 4 * i + 0) * 32 + lane], f_a, o[i][0]);
      o[i][1] = fmaf(x[(4 + 4 * i + 1) * 32 + lane], f_a, o[i][1]);
      o[i][2] = fmaf(x[(4 + 4 * i + 2) * 32 + lane], f_b, o[i][2]);
      o[i][3] = fmaf(x[(4 + 4 * i + 3) * 32 + lane], f_b, o[i][3]);
    }
  }
  if constexpr (EARLY && !ROPE) pk_attn_store_at<NDT>(o, l_a, l_b, out_a, out_b);
  else pk_attn_store_rows<D, NDT>(p, o, l_a, l_b, qs, ra, rb, pos_a, pos_b, kvh, group, t4);
}

template <int D, int NH>
static __device__ __forceinline__ void pk_attn_impl(const AttnParams &p, uint16_t *smem) {
  constexpr int LDS = PK_ATTN_LDS(D);
  constexpr int NKS = D / 16;  // k-steps of QK^T
  constexpr int NDT = D / 8;   // 8-wide column tiles of O

  PkAttnTile t;
  if (!pk_attn_tile(p, t)) return;
  const int kvh = t.kvh, group = t.group, qs = t.qs, kv_len = t.kv_len, past = t.past, nrows = t.nrows, row0 = t.row0,
            last_row = t.last_row;
  const int *btab = t.btab;
  // Split path at head dim 64 only: measured on the H200 (kernel_check attention, KV cold in L2) it
  // wins 2.7x at 31 x (1 query, 2048 keys) and 1.6x at 64 x (1, 1024), but at head dim 128 it loses
  // (0.98x and 0.62x: 16-key chunks leave each warp too little work per page), so D = 128 keeps the
  // full-tile path. The choice depends on D only, never on the batch: graph == eager still holds.
  if (D == 64 && last_row - row0 < 32) {
    if (threadIdx.x >= PK_ATTN_SPLIT_THREADS) return;  // the split path runs in warps 0-3
    pk_attn_split<D, false>(p, smem, t);
    return;
  }
  const int nblocks = (past + last_row / group) / PREFILL_PAGE_SIZE + 1;

  // Full path: warp w holds rows rg * 16 .. + 15 of the tile (rg = w % 4) for key half z = w / 4 < NH, which
  // takes the key blocks (pages) j = z, z + NH, ...: with NH = 2 a long tile's page walk is shared by two warps
  // per row group (two per scheduler), each with its own K/V buffers and online-softmax state, combined at the
  // end in the order z = 0, 1 (the split path's combine). A row's result depends only on which pages its
  // position sees, so the full-tile determinism above holds; a row that sees one page only keeps v0's bits
  // (the combine with an empty half multiplies by exactly 1 and adds exact zeros). NH = 1 is v0's walk.
  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int g = lane >> 2, t4 = lane & 3;
  const int rg = warp & 3, z = warp >> 2, ht = tid & (PK_ATTN_SPLIT_THREADS - 1);
  uint16_t *sK = smem + z * 2 * 64 * LDS;
  uint16_t *sV = sK + 64 * LDS;
  const size_t kv_row = (size_t)p.kv_heads * D;
  const int kcol0 = kvh * D;
  const uint32_t page_bytes = (uint32_t)(PREFILL_PAGE_SIZE * kv_row * 2);
  const int pf = pk_attn_prefetch_pages(page_bytes);
  const int npf = min(nblocks, (past + PREFILL_PAGE_SIZE - 1) / PREFILL_PAGE_SIZE);  // pages holding prefix keys
  if (tid >= NH && tid < min(pf + NH, npf)) pk_attn_prefetch(p, btab[tid], page_bytes);  // pages 0 .. NH-1 load now

  // ---- Q tile -> smem (K buffer) -> registers.
  {
    constexpr int CPR = D / 8;
#pragma unroll
    for (int c = tid; c < 64 * CPR; c += NH * PK_ATTN_SPLIT_THREADS) {
      const int r = c / CPR, ch = c % CPR;
      cp_async16(smem_u32(smem + r * LDS + ch * 8), pk_attn_q_src<D>(p, t, row0 + r, ch), row0 + r < nrows);
    }
    cp_async_commit();
  }
  // Positions of this thread's two rows (-1: row not valid -> everything masked, never stored).
  const PkAttnRows rw = pk_attn_rows(row0, rg, g, nrows, past, group);
  const int ra = rw.ra, rb = rw.rb, pos_a = rw.pos_a, pos_b = rw.pos_b, warp_last_pos = rw.warp_last_pos;

  cp_async_wait<0>();
  __syncthreads();
  uint32_t qf[NKS][4];
#pragma unroll
  for (int ks = 0; ks < NKS; ks++)
    ldmatrix_x4(qf[ks][0], qf[ks][1], qf[ks][2], qf[ks][3],
                smem_u32(smem + (rg * 16 + (lane & 15)) * LDS + ks * 16 + (lane >> 4) * 8));
  __syncthreads();

  if (z < nblocks) pk_attn_load_kv<D>(sK, p.k_cache, btab[z], z * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht, PK_ATTN_SPLIT_THREADS);
  cp_async_commit();
  if (z < nblocks) pk_attn_load_kv<D>(sV, p.v_cache, btab[z], z * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht, PK_ATTN_SPLIT_THREADS);
  cp_async_commit();

  float o[NDT][4];
#pragma unroll
  for (int i = 0; i < NDT; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.f;
  float m_a = -INFINITY, m_b = -INFINITY, l_a = 0.f, l_b = 0.f;
  const float sl2 = p.scale_log2;

  for (int j0 = 0; j0 < nblocks; j0 += NH) {
    const int j = j0 + z;  // this half's page
    const int key0 = j * PREFILL_PAGE_SIZE;
    const bool active = j < nblocks && key0 <= warp_last_pos;
    if (tid < NH && j0 + NH + pf + tid < npf) pk_attn_prefetch(p, btab[j0 + NH + pf + tid], page_bytes);
    cp_async_wait<1>();  // K(j) landed
    __syncthreads();
    float s[8][4];
    if (active) {
#pragma unroll
      for (int i = 0; i < 8; i++) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.f;
#pragma unroll
      for (int ks = 0; ks < NKS; ks++) {
#pragma unroll
        for (int np = 0; np < 4; np++) {
          uint32_t b0, b1, b2, b3;
          ldmatrix_x4(b0, b1, b2, b3,
                      smem_u32(sK + (np * 16 + ((lane >> 4) & 1) * 8 + (lane & 7)) * LDS + ks * 16 +
                               ((lane >> 3) & 1) * 8));
          mma_bf16_16816(s[2 * np], qf[ks], b0, b1);
          mma_bf16_16816(s[2 * np + 1], qf[ks], b2, b3);
        }
      }
    }
    __syncthreads();  // everyone done with K(j)
    if (j + NH < nblocks) pk_attn_load_kv<D>(sK, p.k_cache, btab[j + NH], key0 + NH * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht, PK_ATTN_SPLIT_THREADS);
    cp_async_commit();

    uint32_t pa[4][4];
    // Mask: key <= row position (which is < kv_len for valid rows).
    if (active) pk_attn_page_softmax<8, NDT>(s, o, pa, m_a, m_b, l_a, l_b, key0, t4, pos_a, pos_b, sl2, true);
    cp_async_wait<1>();  // V(j) landed
    __syncthreads();
    if (active) {
#pragma unroll
      for (int kk = 0; kk < 4; kk++) {
#pragma unroll
        for (int dp = 0; dp < NDT / 2; dp++) {
          uint32_t b0, b1, b2, b3;
          ldmatrix_x4_trans(b0, b1, b2, b3,
                            smem_u32(sV + (kk * 16 + ((lane >> 3) & 1) * 8 + (lane & 7)) * LDS + dp * 16 +
                                     ((lane >> 4) & 1) * 8));
          mma_bf16_16816(o[2 * dp], pa[kk], b0, b1);
          mma_bf16_16816(o[2 * dp + 1], pa[kk], b2, b3);
        }
      }
    }
    __syncthreads();  // everyone done with V(j)
    if (j + NH < nblocks) pk_attn_load_kv<D>(sV, p.v_cache, btab[j + NH], key0 + NH * PREFILL_PAGE_SIZE, kv_len, kv_row, kcol0, ht, PK_ATTN_SPLIT_THREADS);
    cp_async_commit();
  }
  cp_async_wait<0>();

  // ---- Combine the two key halves of each row group in the order z = 0, 1: half 1 leaves (m, l, O) in the
  // (now free) buffers, [value][lane] per warp, and leaves; half 0 adds it in with the split path's arithmetic.
  if constexpr (NH == 2) {
    __syncthreads();  // every warp is done with the K/V buffers
    float *xch = reinterpret_cast<float *>(smem) + rg * (4 + 4 * NDT) * 32;
    if (z != 0) pk_attn_put_state<NDT>(xch, lane, m_a, m_b, l_a, l_b, o);
    __syncthreads();
    if (z != 0) return;
    pk_attn_add_half<NDT>(xch, lane, m_a, m_b, l_a, l_b, o, sl2);
  }
  pk_attn_store_rows<D, NDT>(p, o, l_a, l_b, qs, ra, rb, pos_a, pos_b, kvh, group, t4);
}

extern __shared__ __align__(128) uint16_t pk_attn_smem[];  // PREFILL_ATTN_KH_SMEM bytes (dynamic; the host raises the limit)
static_assert(PK_ATTN_SMEM_HALVES(2) * 2 == PREFILL_ATTN_KH_SMEM, "exported attention shared memory");
static_assert(PREFILL_ATTN_THREADS == 128 && PREFILL_ATTN_KH_THREADS == 256, "4 warps per key half");

// Two forms, the same arithmetic for a row that sees one page: attention_prefill (4 warps, one key walker per row
// group: 128 threads, static shared memory, two blocks per SM) and attention_prefill_kh (8 warps, two key halves:
// 256 threads, PREFILL_ATTN_KH_SMEM dynamic, one block per SM). Java picks per capture size: the 8-warp form where
// the bucket's attention blocks fit one wave of the 4-warp form (kernels/NOTES-forward.md v12, v13).
extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_THREADS) attention_prefill(AttnParams p) {
  __shared__ __align__(128) uint16_t smem[PK_ATTN_SMEM_HALVES(1)];
  // At entry (as the small kernels, common.cuh): the next kernel is the o GEMM, whose weight-streaming
  // form prefetches its weights before its own wait, so it streams them while this attention runs (at
  // 10 tokens 4 blocks use 4 SMs). Before, the trigger sat after the key loop (NOTES-forward.md v6).
  pk_pdl_launch();
  pk_pdl_wait();  // num_blocks, the tile map, q and the cache come from earlier kernels
  if (blockIdx.x >= *p.num_blocks) return;
  if (p.head_dim == 128) pk_attn_impl<128, 1>(p, smem);
  else if (p.head_dim == 64) pk_attn_impl<64, 1>(p, smem);
}

extern "C" __global__ void __launch_bounds__(PREFILL_ATTN_KH_THREADS) attention_prefill_kh(AttnParams p) {
  uint16_t *smem = pk_attn_smem;
  pk_pdl_launch();  // at entry, as attention_prefill
  pk_pdl_wait();
  if (blockIdx.x >= *p.num_blocks) return;
  if (p.head_dim == 128) pk_attn_impl<128, 2>(p, smem);
  else if (p.head_dim == 64) pk_attn_impl<64, 2>(p, smem);
}
