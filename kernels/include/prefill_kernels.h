/*
 * Parameter structs of the prefill kernels. Every kernel takes exactly one of these by value,
 * so Java fills the struct (bound by jextract into bindings/) and launches with cudaLaunchKernel.
 *
 * Conventions
 *  - bf16 tensors are uint16_t here (C has no bf16); kernels reinterpret them as __nv_bfloat16.
 *  - Shapes are row-major, written in the comment beside each pointer.
 *  - "capacity" sizes (m, max_tiles, ...) size the grid; the real counts are read from device
 *    memory (num_tokens, num_seqs, num_blocks) so one captured graph serves every smaller batch:
 *    blocks past the real count exit at once and never touch padding rows.
 *  - All int32 metadata lives in device memory, copied in from pinned host memory by build_tile_map (see TileMapParams).
 *  - Kernels that reduce across a block (add_rmsnorm, final_norm_gather, argmax_rows,
 *    build_tile_map) need blockDim.x to be a multiple of 32 (<= 1024); the reduction order, hence
 *    the bits, is fixed for a given blockDim. Others take any blockDim; init_uniform_bf16 and
 *    silu_mul take any grid (grid-stride loops).
 */
#ifndef PREFILL_KERNELS_H
#define PREFILL_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Rows of (token, q head in the kv group) per attention tile: tiles = ceil(len * group / ROWS). */
#define PREFILL_ATTN_ROWS_PER_TILE 64
/* Threads of the attention block: attention_prefill 4 warps x 16 rows; attention_prefill_kh 8 warps = 4 x 16 rows
 * x 2 key halves (a short tile's split path runs in 4 of them), with PREFILL_ATTN_KH_SMEM bytes of dynamic shared
 * memory (above 48 KB: the host raises the kernel's limit once). */
#define PREFILL_ATTN_THREADS 128
#define PREFILL_ATTN_KH_THREADS 256
#define PREFILL_ATTN_KH_SMEM 69632
/* attention_prefill_wg (sm_90a, head dim 64): attention_prefill_kh's threads, with PREFILL_ATTN_WG_SMEM bytes of dynamic
 * shared memory (2 key halves x 3 pages of K and V, 8 KB each, + 1 KB to align to the swizzle atom). */
#define PREFILL_ATTN_WG_SMEM 99328
/* attention_prefill_wg_early_q4 (sm_90a, head dim 64, v69): the early wg form with 4 key parts instead of 2 (a long tile's
 * pages over four warpgroups): PREFILL_ATTN_Q4_THREADS threads and PREFILL_ATTN_Q4_SMEM bytes (4 parts x 3 pages of K and V,
 * 8 KB each, + 1 KB). */
#define PREFILL_ATTN_Q4_THREADS 512
#define PREFILL_ATTN_Q4_SMEM 197632
/* Paged KV cache: tokens per page. */
#define PREFILL_PAGE_SIZE 64
/* GEMM tiles: kernel gemm_bf16 computes BM x BN outputs per block with GEMM_THREADS threads. */
#define PREFILL_GEMM_BM 64
#define PREFILL_GEMM_BN 64
#define PREFILL_GEMM_BK 32
#define PREFILL_GEMM_THREADS 128
/* gemm_bf16_large: same GemmParams, BM x BN = 128 x 128 per block (k in steps of 64), GEMM_LARGE_THREADS
 * threads and PREFILL_GEMM_LARGE_SMEM bytes of dynamic shared memory (Java raises the kernel's limit
 * once). Bit for bit the same results as gemm_bf16 for the same splits. Which kernel and how many
 * splits a GEMM uses is decided in Java (io.prefillbench.plan.GemmTiling) from the weight shape and
 * the capture bucket only. */
#define PREFILL_GEMM_LARGE_BM 128
#define PREFILL_GEMM_LARGE_BN 128
#define PREFILL_GEMM_LARGE_THREADS 256
#define PREFILL_GEMM_LARGE_SMEM 98304
/* gemm_bf16_stream_m16 / _m32 / _m64 (gemm_stream.cu): same GemmParams, for row capacities p.m <= 16 / 32 / 64
 * (the kernel traps otherwise). One block holds every capacity row and GEMM_STREAM_BN weight rows:
 * grid = (ceil(n / BN), 1, splits), GEMM_STREAM_THREADS threads, PREFILL_GEMM_STREAM_SMEM_Mxx bytes of dynamic
 * shared memory (Java raises the kernel's limit once); needs (k / splits) % GEMM_STREAM_BK == 0 and n % 8 == 0.
 * Bit for bit the same results as gemm_bf16 for the same splits. */
#define PREFILL_GEMM_STREAM_BN 64
#define PREFILL_GEMM_STREAM_BK 64
#define PREFILL_GEMM_STREAM_THREADS 128
#define PREFILL_GEMM_STREAM_SMEM_M16 61440
#define PREFILL_GEMM_STREAM_SMEM_M32 73728
#define PREFILL_GEMM_STREAM_SMEM_M64 98304
/* gemm_bf16_stream_m16s5 / _m16s5_silu (v81): the 16-row kernels at five stages instead of six, PREFILL_GEMM_STREAM_S5_SMEM_M16
 * bytes; the same contract, grid and bits as gemm_bf16_stream_m16 / _m16_silu (the SiLU form unsplit only). */
#define PREFILL_GEMM_STREAM_S5_SMEM_M16 51200
/* gemm_bf16_stream_m16k128s4 / _m16k128s4_silu (s38): the plain 16-row tile with 128-deep k stages (16 KB of weights per
 * stage instead of 8 KB) at four stages, PREFILL_GEMM_STREAM_K128S4_SMEM_M16 bytes; the same contract, grid and bits as
 * gemm_bf16_stream_m16 / _m16_silu (the SiLU form unsplit only), with (k / splits) % 128 == 0. */
#define PREFILL_GEMM_STREAM_K128S4_SMEM_M16 81920
/* gemm_bf16_stream_m16_n32 / _m32_n32 / _m64_n32: the same contract on half-width column tiles — grid
 * (ceil(n / GEMM_STREAM_N32_BN), 1, splits), GEMM_STREAM_THREADS threads, PREFILL_GEMM_STREAM_N32_SMEM_Mxx bytes of
 * dynamic shared memory, (k / splits) % GEMM_STREAM_N32_BK == 0 — so a GEMM keeps its block count at half the splits
 * and writes half the fp32 partial planes its consumer reads. Two warps per stage's k (summed in warp order): bits
 * depend on (k, splits) and this tile only, never on the real row count.
 * gemm_bf16_stream_m16_n32_silu / _m32_n32_silu / _m64_n32_silu: the same tiles with the SiLU * up epilogue, never
 * split (splits == 1, traps otherwise): grid (n / GEMM_STREAM_N32_BN, 1, 1), b interleaved in groups of
 * PREFILL_GATE_UP_GROUP, c = [m, ldc >= n / 2]; bit for bit the unsplit _n32 kernel followed by silu_mul. */
#define PREFILL_GEMM_STREAM_N32_BN 32
#define PREFILL_GEMM_STREAM_N32_BK 128
#define PREFILL_GEMM_STREAM_N32_SMEM_M16 73728
#define PREFILL_GEMM_STREAM_N32_SMEM_M32 81920
#define PREFILL_GEMM_STREAM_N32_SMEM_M64 98304
/* gemm_bf16_stream_m16_n32s9 / _m16_n32s9_silu (v80): the 16-row half-width kernels at nine stages (a k slice of up to 8 x
 * GEMM_STREAM_N32_BK issued whole before the PDL wait); the same contract, grid and bits as gemm_bf16_stream_m16_n32 /
 * _m16_n32_silu, PREFILL_GEMM_STREAM_N32S9_SMEM_M16 bytes of dynamic shared memory. */
#define PREFILL_GEMM_STREAM_N32S9_SMEM_M16 110592
/* gemm_bf16_stream_m16_n32k256s3 / _m16_n32k256s4 and their _silu forms (s39): the 16-row half-width kernels with 256-deep k
 * stages (16 KB of weights per stage instead of 8 KB) at three / four stages, PREFILL_GEMM_STREAM_N32K256S3_SMEM_M16 /
 * _S4_SMEM_M16 bytes. The two k-warps divide each stage's two 128-deep blocks as the 128-deep tile divides its stages: the same
 * contract, grid and bits as gemm_bf16_stream_m16_n32 / _m16_n32_silu, with (k / splits) % PREFILL_GEMM_STREAM_K256_BK == 0. */
#define PREFILL_GEMM_STREAM_N32K256S3_SMEM_M16 73728
#define PREFILL_GEMM_STREAM_N32K256S4_SMEM_M16 98304
/* gemm_bf16_stream_m16_n16 (v75): the same contract on 16-column tiles at capacity 16 — grid (ceil(n / GEMM_STREAM_N16_BN),
 * 1, splits), GEMM_STREAM_THREADS threads, PREFILL_GEMM_STREAM_N16_SMEM_M16 bytes, (k / splits) % GEMM_STREAM_N32_BK == 0;
 * four warps per stage's k (summed in warp order): bits depend on (k, splits) and this tile only.
 * gemm_bf16_stream_m16_n16_rope1: the qkv GEMM (GemmRopeParams) unsplit (splits == 1, traps otherwise) with rope_kv_write
 * on the block's own sums: a block's 16 weight rows are 8 rope pairs of one head (columns 8j..8j+7 and head_dim / 2 +
 * 8j.. of tile j of the head), so no split-K fixup; head_dim % 16 == 0, head_dim <= 128, n % head_dim == 0; grid
 * (n / GEMM_STREAM_N16_BN, 1, 1). Bit for bit the unsplit _n16 kernel followed by rope_kv_write. */
#define PREFILL_GEMM_STREAM_N16_BN 16
#define PREFILL_GEMM_STREAM_N16_SMEM_M16 73728
/* gemm_bf16_stream_m16_k256_attn (v79): the attention-into-o form of the plain 16-row kernel's 64-column tile with one k step of
 * PREFILL_GEMM_STREAM_K256_BK per block (k / splits == 256: four q heads of 64 in one kv head, the group of 32 q / 8 kv heads),
 * two stages, PREFILL_GEMM_STREAM_K256_SMEM_M16 bytes; GemmAttnParams as gemm_bf16_stream_m16_n32_attn's (below). Grid
 * (ceil(n / GEMM_STREAM_BN), 1, k / 256). The GEMM part's k16 steps run in ascending order in one warp per column
 * group, as gemm_bf16_stream_m16's (WK 1): the same bits as that kernel at the same splits fed the same A. */
#define PREFILL_GEMM_STREAM_K256_BK 256
#define PREFILL_GEMM_STREAM_K256_SMEM_M16 81920
/* gemm_bf16_stream_m16_silu / _m32_silu / _m64_silu: the same kernels with the SiLU * up epilogue of
 * gemm_bf16_silu (below): grid (n / 64, 1, splits), b interleaved in groups of PREFILL_GATE_UP_GROUP,
 * c = [m, ldc >= n / 2]. splits == 1: bit for bit the unsplit streaming GEMM followed by silu_mul.
 * splits > 1 (split-K fixup): every block writes its fp32 partial[z, row, col]; the last block of a column tile
 * to arrive (p.tile_counters[blockIdx.x], zero before the launch and reset by that block) sums the tile's
 * partials in order z = 0, 1, ... and applies the epilogue: bit for bit the split streaming GEMM followed by
 * silu_mul reading its partials. Needs p.partial ([splits, m, n] fp32) and p.tile_counters (n / 64 words).
 * gemm_bf16_stream_m16_rope / _m32_rope / _m64_rope (GemmRopeParams): the qkv projection with rope_kv_write as
 * its epilogue, always through the split-K fixup (also at splits == 1): the last block of a column tile runs
 * rope_kv_write's arithmetic on the tile's heads (64 % head_dim == 0, head_dim % 8 == 0); bit for bit the split
 * streaming GEMM followed by rope_kv_write reading its partials. gemm_bf16_stream_m16_rope1 / _m32_rope1 /
 * _m64_rope1: the same at splits == 1 only (traps otherwise), each block on its own accumulators, storing no
 * partial and counting no arrival (partial and tile_counters unused); the same bits as _rope at one split. rope.qkv / qkv_partial / qkv_splits / qkv_rows
 * are taken from gemm (c, partial, splits, m); rope.num_tokens must be gemm.m_dev's value. */
/* gemm_bf16_silu / gemm_bf16_large_silu: the same GemmParams and tiles as gemm_bf16 / gemm_bf16_large,
 * with a SiLU * up epilogue: b holds n = 2 * ffn rows interleaved in groups of PREFILL_GATE_UP_GROUP
 * (gate rows [8b, 8b+8) then up rows [8b, 8b+8) of the natural layout), c receives
 * out[row, j] = bf16(silu(g) * u) with g, u the bf16-rounded GEMM outputs of gate and up column j (what
 * gemm_bf16 + silu_mul with group PREFILL_GATE_UP_GROUP compute, bit for bit). Never split: splits and
 * partial are ignored. */
#define PREFILL_GATE_UP_GROUP 8

/*
 * Split-K partials fused into the consumer ("x_partial"): a consumer whose input came from a GEMM
 * with splits > 1 reads x = bf16(sum_{z < x_splits} x_partial[(z * x_rows + row) * n + col]) (sum in
 * order z = 0, 1, ..., rounded once to bf16, exactly what splitk_reduce would have stored) instead
 * of its bf16 input. x_splits == 0 means: read the bf16 input as usual. x_rows is the GEMM's m
 * (row capacity), n the input's width.
 *
 * Programmatic dependent launch (sm_90): every kernel may be launched with programmatic stream
 * serialization. Each kernel executes griddepcontrol.wait before its first read of data written by
 * an earlier kernel and before its first global write (GEMMs prefetch weight tiles first). The
 * weight-streaming GEMMs and the small kernels between GEMMs (embed_gather, add_rmsnorm,
 * rope_kv_write, silu_mul, final_norm_gather, argmax_rows, build_tile_map) execute
 * griddepcontrol.launch_dependents at entry, so the next GEMM starts prefetching its weights early;
 * the others once their blocks no longer need the SMs' full attention (see common.cuh for why the
 * trigger point never changes a value).
 */

/* init_uniform_bf16: dst[i] = bf16_rne(offset + scale * (2*u - 1)), u = hash(seed, tensor, i) in [0,1).
 * The same hash is implemented in Java (WeightInit) so the CPU reference sees identical weights. */
typedef struct InitUniformParams {
  uint16_t *dst;          /* [n] */
  int64_t n;
  uint32_t seed;
  uint32_t tensor_id;
  float scale;
  float offset;
  /* Row interleave (interleave_group == 0: none): the tensor is [2 * interleave_half, cols] and device row
   * 2g*b + i (i < g = interleave_group) holds source row g*b + i, device row 2g*b + g + i holds source row
   * interleave_half + g*b + i; dst[r * cols + c] gets the value of source element (source row) * cols + c.
   * The values are those of the natural layout, only where they sit changes (WeightLayout in Java). */
  int32_t cols;
  int32_t interleave_half;
  int32_t interleave_group;
} InitUniformParams;

/* embed_gather: out[t, :] = table[ids[t], :] for t < *num_tokens. grid.x = token capacity. */
typedef struct EmbedParams {
  const int32_t *ids;     /* [tokens] */
  const uint16_t *table;  /* [vocab, hidden] */
  uint16_t *out;          /* [tokens, hidden] */
  const int32_t *num_tokens; /* device scalar */
  int32_t hidden;
  int32_t vocab;
} EmbedParams;

/* add_rmsnorm: if x != NULL: residual += x (rounded to bf16); out = rmsnorm(residual) * weight.
 * One block per row, rows < *num_rows. grid.x = row capacity. */
typedef struct AddRmsNormParams {
  const uint16_t *x;      /* [rows, hidden] or NULL */
  const float *x_partial; /* [x_splits, x_rows, hidden] when x_splits > 0 (replaces x) */
  int32_t x_splits;
  int32_t x_rows;
  uint16_t *residual;     /* [rows, hidden], updated in place */
  const uint16_t *weight; /* [hidden] */
  uint16_t *out;          /* [rows, hidden] */
  const int32_t *num_rows; /* device scalar */
  int32_t hidden;
  float eps;
} AddRmsNormParams;

/* rope_kv_write: for token t < *num_tokens: add bias (if any) to q, k, v; rotate q and k (NeoX
 * style, halves) at position positions[t] using the cos/sin table; write q, k (rotated) and v
 * (biased) back into qkv in place; write k and v into the paged cache at slot_mapping[t]
 * (skipped when < 0).
 * grid.x = token capacity, block = (q_heads + kv_heads) * head_dim / 2 threads or fewer (loop). */
typedef struct RopeKvParams {
  uint16_t *qkv;               /* [tokens, (q_heads + 2*kv_heads) * head_dim] */
  const float *qkv_partial;    /* [qkv_splits, qkv_rows, qkv width] when qkv_splits > 0: the input */
  int32_t qkv_splits;
  int32_t qkv_rows;
  const uint16_t *bias;        /* [(q_heads + 2*kv_heads) * head_dim] or NULL */
  const float *cos_sin;        /* [max_positions, head_dim] : cos in [0, D/2), sin in [D/2, D) */
  const int32_t *positions;    /* [tokens] */
  const int32_t *slot_mapping; /* [tokens] page * PAGE_SIZE + offset, < 0 = do not cache */
  uint16_t *k_cache;           /* [num_pages * PAGE_SIZE, kv_heads, head_dim] */
  uint16_t *v_cache;           /* [num_pages * PAGE_SIZE, kv_heads, head_dim] */
  const int32_t *num_tokens;   /* device scalar */
  int32_t q_heads;
  int32_t kv_heads;
  int32_t head_dim;
  int32_t max_positions;
} RopeKvParams;

/* build_tile_map: from cumulative query lengths, list every attention tile:
 * tiles of sequence s = ceil((query_start[s+1]-query_start[s]) * group / rows_per_tile);
 * batch_ids[b] = s, tile_ids[b] = tile index within s, for b < *num_blocks; entries from
 * *num_blocks to max_tiles are set to -1. One block of up to 1024 threads.
 * With meta_src (the pinned host metadata through its device mapping), the kernel first copies meta_ints int32s from it
 * to meta_dst (the device batch_meta slice query_start and num_seqs point into) and builds the map from that copy: the
 * forward then needs no host-to-device copy node. It must be the forward's first kernel and the next one must launch
 * without PDL (later kernels read the metadata before their own wait). NULL: the metadata is already on the device. */
typedef struct TileMapParams {
  const int32_t *query_start; /* [num_seqs + 1] */
  const int32_t *num_seqs;    /* device scalar */
  int32_t *batch_ids;         /* [max_tiles] */
  int32_t *tile_ids;          /* [max_tiles] */
  int32_t *num_blocks;        /* device scalar, written */
  int32_t group;
  int32_t rows_per_tile;
  int32_t max_tiles;
  const int32_t *meta_src; /* [meta_ints] pinned host metadata (device mapping), or NULL */
  int32_t *meta_dst;       /* [meta_ints] the device batch_meta slice */
  int32_t meta_ints;
} TileMapParams;

/* gather_last_rows (s36, Lowering.lastRowsOnly): the last row of each sequence of two bf16 row-major tensors, packed by
 * sequence: a_out[s, :] = a[row, :], b_out[s, :] = b[row, :] with row = query_start[s+1] - 1, for s < *num_seqs; rows
 * past it untouched. After the last layer's attention only these rows reach the logits, so its o, post_norm, gate_up and
 * down run on them alone. grid.x = seq capacity; any blockDim.x (a multiple of 32); a_cols, b_cols multiples of 8. */
typedef struct GatherRowsParams {
  const uint16_t *a;          /* [tokens, a_cols] */
  uint16_t *a_out;            /* [seqs, a_cols] */
  int32_t a_cols;
  const uint16_t *b;          /* [tokens, b_cols] */
  uint16_t *b_out;            /* [seqs, b_cols] */
  int32_t b_cols;
  const int32_t *query_start; /* [num_seqs + 1] */
  const int32_t *num_seqs;    /* device scalar */
} GatherRowsParams;

/* build_tile_map_embed: build_tile_map (map, its metadata copy-in included) by block 0 and embed_gather's rows (embed) by
 * block 1 at the same time: out[t, :] = table[ids[t], :] (zeros for an id outside [0, vocab)) for t < *num_tokens, rows
 * past it untouched; ids and num_tokens inside the copied slice are read from its host source (map.meta_src), elsewhere
 * (or without a copy-in) from their device places, which must then hold them at launch. grid (2, 1, 1), blockDim.x as
 * build_tile_map's (<= 1024). */
typedef struct TileMapEmbedParams {
  TileMapParams map;
  EmbedParams embed;
} TileMapEmbedParams;

/* attention_prefill: varlen causal GQA attention over a paged KV cache. One block per
 * (tile, kv head): grid = (tile capacity, kv_heads), PREFILL_ATTN_THREADS threads (attention_prefill_kh, the
 * same contract: PREFILL_ATTN_KH_THREADS and PREFILL_ATTN_KH_SMEM bytes of dynamic shared memory; attention_prefill_wg
 * PREFILL_ATTN_KH_THREADS and PREFILL_ATTN_WG_SMEM). Block b
 * exits at once when b >= *num_blocks. Tile rows r in [0, 64): with g = tile*64 + r (a row index
 * over the sequence's query_len*group rows), token = g/group within the sequence and
 * q head = kv_head*group + g%group (also right when group does not divide 64). Query i of a sequence with query length
 * L and kv length K sits at position K - L + i and sees keys [0, K - L + i]. Keys past kv_lens
 * read as zero; masked probabilities are exactly 0. */
typedef struct AttnParams {
  const uint16_t *q;           /* [tokens, q_stride] q heads at column head*head_dim */
  const uint16_t *k_cache;     /* [num_pages * PAGE_SIZE, kv_heads, head_dim] */
  const uint16_t *v_cache;     /* [num_pages * PAGE_SIZE, kv_heads, head_dim] */
  uint16_t *out;               /* [tokens, q_heads * head_dim] */
  const int32_t *query_start;  /* [num_seqs + 1] */
  const int32_t *kv_lens;      /* [num_seqs] prefix + query length */
  const int32_t *block_tables; /* [max_seqs, max_pages_per_seq] */
  const int32_t *batch_ids;    /* [max_tiles] */
  const int32_t *tile_ids;     /* [max_tiles] */
  const int32_t *num_blocks;   /* device scalar */
  int32_t q_stride;            /* elements between consecutive tokens of q */
  int32_t q_heads;
  int32_t kv_heads;
  int32_t head_dim;            /* 64 or 128 */
  int32_t max_pages_per_seq;
  float scale_log2;            /* softmax scale * log2(e) */
} AttnParams;

/* attention_prefill_wg_early_t32_rope (sm_90a, head dim 64): rope_kv_write and attention_prefill_wg_early_t32 in one
 * kernel. rope's input (rope.qkv as bf16 when rope.qkv_splits == 0, else rope.qkv_partial's fp32 split-K planes) is read
 * directly: a block computes the rotated Q rows of its tile and the rotated K and biased V of every new token its tile
 * sees (tokens 0 .. its last one) in rope_kv_write's arithmetic, so the values equal rope's output bit for bit, and the
 * block whose tile holds a token's first row writes that token's K and V (its kv head) into the caches at
 * rope.slot_mapping; rotated values are not written back into rope.qkv, and attn.q is not read. Cached-prefix keys come
 * from the caches as in the t32 form, so a row's result equals rope_kv_write + attention_prefill_wg_early_t32 bit for
 * bit. Each sequence's query length must be <= PREFILL_ATTN_ROPE_MAX_NEW (the kernel traps otherwise; Java runs it
 * only at capacities of at most that many tokens). Grid, block, shared memory and plan order: the t32 form's. */
#define PREFILL_ATTN_ROPE_MAX_NEW 64
/* ... and the most split-K planes of the qkv GEMM it sums (rope.qkv_splits; it traps above). */
#define PREFILL_ATTN_ROPE_MAX_SPLITS 4
typedef struct AttnRopeParams {
  AttnParams attn;
  RopeKvParams rope;
} AttnRopeParams;

/* gemm_bf16: C[m, n] = A[m, k] * B[n, k]^T, bf16 in, fp32 accumulate.
 * grid = (ceil(n/BN), ceil(m/BM), splits). Rows >= *m_dev are neither computed nor written
 * (blocks whose first row is past it exit). splits == 1: C written as bf16. splits > 1: block z
 * sums k in [z*k/splits, (z+1)*k/splits) and writes fp32 partial[z, row, col]; splitk_reduce
 * sums them in order z = 0..splits-1. The arithmetic of one output element depends only on k and
 * splits, never on m: this is what makes eager and graph results equal bit for bit. */
typedef struct GemmParams {
  const uint16_t *a;       /* [m, lda] activations */
  const uint16_t *b;       /* [n, ldb] weights */
  uint16_t *c;             /* [m, ldc] */
  float *partial;          /* [splits, m, n] when splits > 1 */
  const int32_t *m_dev;    /* device scalar: real rows */
  int32_t m;               /* row capacity (grid) */
  int32_t n;
  int32_t k;
  int32_t lda;
  int32_t ldb;
  int32_t ldc;
  int32_t splits;
  uint32_t *tile_counters; /* [n / PREFILL_GEMM_STREAM_BN] the split-K fixup's arrival counters (zero between
                              launches: the last block resets its tile's); NULL for kernels without one */
} GemmParams;

/* The streaming qkv GEMM with the rope_kv_write epilogue (gemm_bf16_stream_mXX_rope; see above). */
typedef struct GemmRopeParams {
  GemmParams gemm;
  RopeKvParams rope;
} GemmRopeParams;

/* gemm_bf16_stream_m16_amax / _m32_amax / _m64_amax (v87): the plain streaming GEMM at splits == 1 (traps otherwise) that,
 * besides storing bf16 C, folds each stored row's largest value into keys[row] (per block one 64-bit atomicMax per row, only
 * where its key beats the stored one): the key of value v at
 * column j is (ord(v) << 32) | (0xffffffff - j), ord the order-preserving map of v's float bits (-0 taken as +0), so the
 * largest key is the row's largest value at its lowest column; NaN never enters (an all-NaN row keeps key 0). keys must be
 * zero before the launch (argmax_keys resets them). C's bits are gemm_bf16_stream_mXX's at one split. */
typedef struct GemmAmaxParams {
  GemmParams gemm;
  uint64_t *keys; /* [m] zero before the launch */
} GemmAmaxParams;

/* gemm_bf16_stream_m16_n32_attn (v74, fresh prompts at <= 16 rows): the o projection with the attention that feeds it
 * as its prologue. Each block's k range (k / splits == PREFILL_GEMM_STREAM_N32_BK columns of the attention output: whole
 * q heads of head_dim 64, every one of them in one kv head) is computed by the block itself, after the PDL wait, from
 * attn.q (the qkv rows rope wrote: q, k and v heads at columns head * 64, q_stride apart) into its A stage, instead of
 * being loaded from attn.out; then the _n32 GEMM as usual (partials at splits > 1). Only for batches without a cached
 * prefix: every sequence's keys are its own new tokens (kv_lens[s] == its query length, the kernel traps otherwise), so
 * row i of a sequence sees its rows 0..i; attn.k_cache, v_cache, block_tables, the tile map and attn.out are not read.
 * Row t's values depend on its sequence only (fp32 scores, base-2 softmax over <= 16 keys, bf16 probabilities and output): the
 * same in eager and graph, within tolerance of attention + o (another softmax order). Grid, block and shared memory:
 * the _n32 kernel's; gemm_bf16_stream_m16_k256_attn's (above): the same contract with k / splits == 256 (four q heads). */
typedef struct GemmAttnParams {
  GemmParams gemm;
  AttnParams attn;
  const int32_t *num_seqs; /* device scalar: sequences of the batch (attn.query_start has num_seqs + 1 entries) */
} GemmAttnParams;

/* gemm_bf16_tma_<BM>x<BN>[_silu] (gemm_wgmma.cu, sm_90a): the GemmParams contract with the operands read by TMA.
 * tmap_a / tmap_b: CUtensorMaps (cuTensorMapEncodeTiled) of a [m, lda] and b [n, ldb] as bf16, rank 2, dims
 * {k, rows}, box {64, BM} / {64, BN}, 128-byte swizzle, zero out-of-bounds fill. Passed by value (128-byte aligned).
 * stages: the pipeline depth the launch's shared memory holds (the kernel traps on a mismatch). */
#ifdef __cplusplus
#define PK_ALIGN128 alignas(128)
#else
#define PK_ALIGN128 _Alignas(128)
#endif
typedef struct PkTensorMap {
  PK_ALIGN128 uint64_t opaque[16];
} PkTensorMap;
typedef struct GemmTmaParams {
  PkTensorMap tmap_a;
  PkTensorMap tmap_b;
  GemmParams gemm;
  int32_t stages; /* pipeline depth: 2..16, and the launch's dynamic smem = stages (BM + BN) 128 + 1024 + 16 stages */
} GemmTmaParams;

/* gemm_bf16_tma_64x64_rope / _128x64_rope / _64x128_rope (gemm_wgmma.cu, sm_90a): the qkv projection on a TMA tile
 * with rope_kv_write as its epilogue, never split (tma.gemm.splits == 1): each tile's columns are whole heads
 * (BN % head_dim == 0, head_dim % 8 == 0), rounded to bf16 as the plain tile stores them, then rope_kv_write's
 * arithmetic; bit for bit the plain tile followed by rope_kv_write. rope.qkv is tma.gemm.c; rope.qkv_partial,
 * qkv_splits and qkv_rows are unused; rope.num_tokens must be tma.gemm.m_dev's value. */
typedef struct GemmTmaRopeParams {
  GemmTmaParams tma;
  RopeKvParams rope;
} GemmTmaRopeParams;

/* attention_prefill_wg_early_tma (attention_wg.cu, sm_90a, head dim 64): attention_prefill_wg_early with the K and V
 * pages of its full path (tiles of more than 32 rows) brought in by TMA, one thread of each key half issuing a page's two
 * tensor copies, instead of cp.async from the half's 128 threads; keys past the sequence's kv length are zeroed in shared
 * memory after they land, as cp.async's zero fill left them, so every output is attention_prefill_wg's bits. Split-path
 * tiles, grid, block, shared memory and plan order: the early form's.
 * tmap_k / tmap_v: CUtensorMaps (cuTensorMapEncodeTiled) of attn.k_cache / attn.v_cache as bf16, rank 2, dims
 * {kv_heads * head_dim, pages * PAGE_SIZE} (every page of the layer's cache), box {64, PAGE_SIZE}, 128-byte swizzle. */
typedef struct AttnTmaParams {
  PkTensorMap tmap_k;
  PkTensorMap tmap_v;
  AttnParams attn;
} AttnTmaParams;

/* splitk_reduce: c[row, col] = bf16(sum_z partial[z, row, col]) for row < *m_dev.
 * grid.x = row capacity. */
typedef struct SplitKReduceParams {
  const float *partial;    /* [splits, m, n] */
  uint16_t *c;             /* [m, ldc] */
  const int32_t *m_dev;
  int32_t m;
  int32_t n;
  int32_t ldc;
  int32_t splits;
} SplitKReduceParams;

/* silu_mul: out[t, j] = silu(gate) * up for t < *num_tokens. gate_up columns are interleaved in groups of
 * `group`: with b = j / group, i = j % group, gate = gate_up[t, 2*group*b + i], up = gate_up[t, 2*group*b + group + i].
 * group == 0 (or ffn) is the natural layout: gate = gate_up[t, j], up = gate_up[t, ffn + j]. */
typedef struct SiluMulParams {
  const uint16_t *gate_up; /* [tokens, 2 * ffn] */
  const float *gate_up_partial; /* [splits, rows, 2 * ffn] when gate_up_splits > 0 (replaces gate_up) */
  int32_t gate_up_splits;
  int32_t gate_up_rows;
  uint16_t *out;           /* [tokens, ffn] */
  const int32_t *num_tokens;
  int32_t ffn;
  int32_t group;           /* 0 = ffn (natural layout); else ffn % group == 0 */
} SiluMulParams;

/* final_norm_gather: for sequence s < *num_seqs, row = query_start[s+1] - 1 (its last token):
 * r = residual[row] + x[row] (bf16-rounded), out[s] = rmsnorm(r) * weight. grid.x = seq capacity. */
typedef struct FinalNormGatherParams {
  const uint16_t *x;          /* [tokens, hidden] last layer's branch output */
  const float *x_partial;     /* [x_splits, x_rows, hidden] when x_splits > 0 (replaces x) */
  int32_t x_splits;
  int32_t x_rows;
  const uint16_t *residual;   /* [tokens, hidden] */
  const uint16_t *weight;     /* [hidden] */
  const int32_t *query_start; /* [num_seqs + 1] */
  const int32_t *num_seqs;
  uint16_t *out;              /* [seqs, hidden] */
  int32_t hidden;
  float eps;
} FinalNormGatherParams;

/* argmax_rows: out[s] = index of the largest logits[s, :] (lowest index on ties), s < *num_seqs.
 * grid.x = seq capacity.
 * argmax_rows_cluster (sm_90, vocab % 8 == 0): the same result with each row spread over one thread-block cluster of n
 * blocks along x (launch attribute cluster dims (n, 1, 1), n <= 32): grid.x = seq capacity * n. */
typedef struct ArgmaxParams {
  const uint16_t *logits;  /* [seqs, vocab] */
  int32_t *out;            /* [seqs] */
  const int32_t *num_seqs;
  int32_t vocab;
} ArgmaxParams;

/* argmax_keys (v87): out[s] = the column keys[s] encodes (0 for key 0: an all-NaN row), s < *num_seqs — argmax_rows's index
 * for the logits gemm_bf16_stream_mXX_amax stored — then keys[s] = 0 for every s < rows (ready for the next launch).
 * grid 1, any blockDim (a multiple of 32). */
typedef struct ArgmaxKeysParams {
  uint64_t *keys;           /* [rows] */
  int32_t *out;             /* [seqs] */
  const int32_t *num_seqs;
  int32_t rows;             /* the keys' capacity (the LM head's row capacity) */
} ArgmaxKeysParams;

/* l2_prefetch: pulls up to PREFILL_PREFETCH_MAX_TENSORS weight tensors into L2 (the next layer's GEMM
 * weights, while this layer computes) and writes nothing. Tensor t is ptr[t][0, bytes[t]); both
 * multiples of 16 (anything else is rounded inward). Each thread prefetches chunks of chunk_bytes
 * (a multiple of 16; sm_90: cp.async.bulk.prefetch.L2, else prefetch.global.L2 per 128-byte line),
 * grid-stride over all tensors: any grid and blockDim. Neither waits for nor triggers programmatic
 * dependent launch (it runs on a side stream, ordered by events). */
#define PREFILL_PREFETCH_MAX_TENSORS 4
typedef struct L2PrefetchParams {
  const void *ptr[PREFILL_PREFETCH_MAX_TENSORS];
  int64_t bytes[PREFILL_PREFETCH_MAX_TENSORS];
  int32_t count;       /* tensors used, <= PREFILL_PREFETCH_MAX_TENSORS */
  int32_t chunk_bytes; /* bytes per prefetch instruction (multiple of 16, >= 16) */
} L2PrefetchParams;

/* l2_prefetch_rows: an op in the main PDL chain, placed before kernels that leave DRAM idle (attention, the
 * norms), that pulls the first row_bytes[t] bytes of each of rows[t] rows (row stride ld_bytes[t]) of up to
 * PREFILL_PREFETCH_MAX_TENSORS weight tensors into L2, so the GEMM that streams them a few kernels later
 * reads that part from L2 (kernels/NOTES-forward.md v48). A prefix of every row, not a prefix of the tensor:
 * every block of the streaming GEMM walks its rows from k = 0, so each block finds its first stages in L2.
 * ptr[t] and ld_bytes[t] multiples of 16; row_bytes[t] is rounded down to 16 and split into requests of at
 * most PREFILL_PREFETCH_ROW_CHUNK bytes, grid-stride over all rows of all tensors: any grid. It triggers its
 * dependents at entry; l2_prefetch_rows then waits in every block and issues its requests once the kernel
 * before it has completed; l2_prefetch_rows_early issues them at entry, while that kernel runs, and only its
 * block 0 waits. Either way the kernel completes only after every earlier kernel did (the chain stays
 * transitive). l2_prefetch_lines / l2_prefetch_lines_early: the same, one prefetch.global.L2::evict_last per
 * 128-byte line of the prefixes instead of bulk requests. Writes nothing: no output bit depends on it. */
#define PREFILL_PREFETCH_ROW_CHUNK 16384
typedef struct L2PrefetchRowsParams {
  const void *ptr[PREFILL_PREFETCH_MAX_TENSORS];
  int64_t ld_bytes[PREFILL_PREFETCH_MAX_TENSORS];  /* bytes from one row to the next */
  int32_t rows[PREFILL_PREFETCH_MAX_TENSORS];
  int32_t row_bytes[PREFILL_PREFETCH_MAX_TENSORS]; /* bytes of each row to prefetch, from its start */
  int32_t count;                                   /* tensors used, <= PREFILL_PREFETCH_MAX_TENSORS */
} L2PrefetchRowsParams;

/* layer_persistent (layer.cu): one whole decoder layer in one kernel, for row capacities <= PREFILL_LAYER_ROWS
 * (the short prompts, where a layer of 9 kernels is a chain of launch latencies). grid = PREFILL_LAYER_BLOCKS
 * blocks, which must all be resident at once (one per SM: the host refuses a device with fewer SMs, and a
 * barrier that waits past PREFILL_LAYER_SPIN_NS traps instead of hanging), PREFILL_LAYER_THREADS threads,
 * PREFILL_LAYER_SMEM bytes of dynamic shared memory (the host raises the kernel's limit once).
 * Four phases separated by grid barriers (p.barrier: one 64-bit arrival count, zero before the first launch and
 * never reset: every launch adds a multiple of the grid, and a barrier waits for the next multiple):
 *   1. every block normalises all rows (input_norm) into shared memory; qkv column tiles (rows < *num_tokens):
 *      bias, NeoX rotation of q and k (rope_kv_write's arithmetic), q/k/v into qkv, k/v into the caches at slot_mapping;
 *   2. attention: causal GQA over the paged cache in units of (token, q head), two per block pass, 4 warps splitting a unit's keys;
 *   3. o projection; residual += bf16(o) (rounded to bf16), column tiles;
 *   4. every block normalises all rows (post_norm); gate_up tiles with the SiLU * up epilogue into act;
 *   then (after a barrier) down projection: residual += bf16(down), or, when branch_out != NULL (the launch's last
 *   layer), branch_out = bf16(down) with the residual left for final_norm_gather to add.
 * Weights stream through a per-warp ring of cp.async copies that runs ahead across phases and barriers. Every GEMM
 * output element is the fixed-order sum of 8 warps' k-slices (each an mma chain over its slice): the bits depend on
 * the dimensions only, never on *num_tokens or on which block computes a tile. Not the bits of the unfused chain
 * (other k order); within the CPU reference's tolerance. Needs: hidden, q_heads * head_dim and ffn multiples of
 * 512 and <= PREFILL_LAYER_MAX_K; hidden <= PREFILL_LAYER_MAX_HIDDEN; (q_heads + 2*kv_heads) * head_dim <= 8 * PREFILL_LAYER_BLOCKS * PREFILL_LAYER_TILES;
 * head_dim 64 or 128; q_heads / kv_heads dividing 8; ffn % PREFILL_GATE_UP_GROUP == 0 (w_gate_up interleaved).
 * Launched in thread-block clusters of PREFILL_LAYER_CLUSTER (sm_90, where that many clusters are resident at once:
 * cudaOccupancyMaxActiveClusters), one block per cluster copies each activation row and multicasts it into every
 * block's shared memory; launched without clusters, every block reads the rows from L2. The same bits either way. */
#define PREFILL_LAYER_ROWS 16
#define PREFILL_LAYER_BLOCKS 128
#define PREFILL_LAYER_THREADS 256
#define PREFILL_LAYER_MAX_K 3072
#define PREFILL_LAYER_MAX_HIDDEN 1024
#define PREFILL_LAYER_RING 13
#define PREFILL_LAYER_TILES 3
#define PREFILL_LAYER_CLUSTER 2
#define PREFILL_LAYER_SMEM (PREFILL_LAYER_ROWS * (PREFILL_LAYER_MAX_K + 8) * 2 + 2 * 8 * 32 * 8 * 4 + 8 * PREFILL_LAYER_RING * 1024 + 256)
#define PREFILL_LAYER_SPIN_NS 2000000000LL
typedef struct LayerParams {
  uint16_t *residual;           /* [tokens, hidden] the stream, updated in place */
  uint16_t *branch_out;         /* [tokens, hidden] or NULL: the last layer's down output (not added) */
  uint16_t *qkv;                /* [tokens, (q_heads + 2*kv_heads) * head_dim] scratch, rotated q/k, biased v */
  uint16_t *attn_out;           /* [tokens, q_heads * head_dim] scratch */
  uint16_t *act;                /* [tokens, ffn] scratch */
  uint16_t *k_cache;            /* [num_pages * PAGE_SIZE, kv_heads, head_dim] */
  uint16_t *v_cache;            /* [num_pages * PAGE_SIZE, kv_heads, head_dim] */
  const uint16_t *input_norm;   /* [hidden] */
  const uint16_t *w_qkv;        /* [(q_heads + 2*kv_heads) * head_dim, hidden] */
  const uint16_t *qkv_bias;     /* [(q_heads + 2*kv_heads) * head_dim] or NULL */
  const uint16_t *w_o;          /* [hidden, q_heads * head_dim] */
  const uint16_t *post_norm;    /* [hidden] */
  const uint16_t *w_gate_up;    /* [2 * ffn, hidden] rows interleaved in groups of PREFILL_GATE_UP_GROUP */
  const uint16_t *w_down;       /* [hidden, ffn] */
  const float *cos_sin;         /* [max_positions, head_dim] cos in [0, D/2), sin in [D/2, D) */
  const int32_t *positions;     /* [tokens] */
  const int32_t *slot_mapping;  /* [tokens] */
  const int32_t *query_start;   /* [num_seqs + 1] */
  const int32_t *kv_lens;       /* [num_seqs] */
  const int32_t *block_tables;  /* [max_seqs, max_pages_per_seq] */
  const int32_t *num_tokens;    /* device scalar */
  const int32_t *num_seqs;      /* device scalar */
  uint64_t *barrier;            /* [1] grid barrier: arrivals (8-byte aligned) */
  int32_t rows;                 /* row capacity, <= PREFILL_LAYER_ROWS */
  int32_t hidden;
  int32_t q_heads;
  int32_t kv_heads;
  int32_t head_dim;
  int32_t ffn;
  int32_t max_positions;
  int32_t max_pages_per_seq;
  float eps;
  float scale_log2;             /* softmax scale * log2(e) */
  /* Layers run by this launch (>= 1), with a grid barrier between them: layer i reads and writes every per-layer
   * pointer above (the norms, the weights, the bias, the caches) advanced by i times its stride (elements), and
   * only the launch's last layer writes branch_out. One launch for every layer keeps the weight ring streaming
   * across layers (no kernel boundary to drain and refill). */
  int32_t layers;
  int64_t input_norm_stride;
  int64_t w_qkv_stride;
  int64_t qkv_bias_stride;
  int64_t w_o_stride;
  int64_t post_norm_stride;
  int64_t w_gate_up_stride;
  int64_t w_down_stride;
  int64_t kv_stride;            /* k_cache and v_cache */
} LayerParams;

/* add_one_i32: test kernel, data[i] += 1 for i < n (graph replay checks). */
typedef struct AddOneParams {
  int32_t *data;
  int32_t n;
} AddOneParams;

/* spin_delay: test/gate kernel that busy-waits `cycles` clock cycles (planted slowdown). */
typedef struct SpinParams {
  int64_t cycles;
} SpinParams;

#ifdef __cplusplus
}
#endif

#endif
