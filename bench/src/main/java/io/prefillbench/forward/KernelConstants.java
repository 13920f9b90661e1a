package io.prefillbench.forward;

import io.prefillbench.bindings.kernels.Kernels;

/**
 * Constants shared with the kernels, declared once in {@code prefill_kernels.h} and read here from
 * the generated bindings, so Java and CUDA cannot disagree (the planner, the engine, the CPU
 * reference and the GEMM rule all read these).
 */
public final class KernelConstants {
    public static final int PAGE_SIZE = Kernels.PREFILL_PAGE_SIZE();
    public static final int ROWS_PER_TILE = Kernels.PREFILL_ATTN_ROWS_PER_TILE();
    public static final int ATTN_THREADS = Kernels.PREFILL_ATTN_THREADS();
    public static final int ATTN_KH_THREADS = Kernels.PREFILL_ATTN_KH_THREADS();
    public static final int ATTN_KH_SMEM = Kernels.PREFILL_ATTN_KH_SMEM();
    public static final int ATTN_WG_SMEM = Kernels.PREFILL_ATTN_WG_SMEM();
    public static final int ATTN_Q4_THREADS = Kernels.PREFILL_ATTN_Q4_THREADS();
    public static final int ATTN_Q4_SMEM = Kernels.PREFILL_ATTN_Q4_SMEM();
    /**
     * Most new tokens of one sequence attention_prefill_wg_early_t32_rope takes (it traps above): the registry runs it only
     * at capture sizes of at most that many tokens.
     */
    public static final int ATTN_ROPE_MAX_NEW = Kernels.PREFILL_ATTN_ROPE_MAX_NEW();
    /** Split-K planes of the qkv GEMM the rope-fused attention form sums (it traps above: the binder refuses more). */
    public static final int ATTN_ROPE_MAX_SPLITS = Kernels.PREFILL_ATTN_ROPE_MAX_SPLITS();
    public static final int GEMM_BM = Kernels.PREFILL_GEMM_BM();
    public static final int GEMM_BN = Kernels.PREFILL_GEMM_BN();
    public static final int GEMM_BK = Kernels.PREFILL_GEMM_BK();
    public static final int GEMM_THREADS = Kernels.PREFILL_GEMM_THREADS();
    public static final int GEMM_LARGE_BM = Kernels.PREFILL_GEMM_LARGE_BM();
    public static final int GEMM_LARGE_BN = Kernels.PREFILL_GEMM_LARGE_BN();
    public static final int GEMM_LARGE_THREADS = Kernels.PREFILL_GEMM_LARGE_THREADS();
    public static final int GEMM_LARGE_SMEM = Kernels.PREFILL_GEMM_LARGE_SMEM();
    public static final int GEMM_STREAM_BN = Kernels.PREFILL_GEMM_STREAM_BN();
    public static final int GEMM_STREAM_BK = Kernels.PREFILL_GEMM_STREAM_BK();
    public static final int GEMM_STREAM_THREADS = Kernels.PREFILL_GEMM_STREAM_THREADS();
    public static final int GEMM_STREAM_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_SMEM_M16();
    public static final int GEMM_STREAM_SMEM_M32 = Kernels.PREFILL_GEMM_STREAM_SMEM_M32();
    public static final int GEMM_STREAM_SMEM_M64 = Kernels.PREFILL_GEMM_STREAM_SMEM_M64();
    public static final int GEMM_STREAM_N32_BN = Kernels.PREFILL_GEMM_STREAM_N32_BN();
    public static final int GEMM_STREAM_N32_BK = Kernels.PREFILL_GEMM_STREAM_N32_BK();
    public static final int GEMM_STREAM_N32_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_N32_SMEM_M16();
    public static final int GEMM_STREAM_N32_SMEM_M32 = Kernels.PREFILL_GEMM_STREAM_N32_SMEM_M32();
    public static final int GEMM_STREAM_N32_SMEM_M64 = Kernels.PREFILL_GEMM_STREAM_N32_SMEM_M64();
    public static final int GEMM_STREAM_N16_BN = Kernels.PREFILL_GEMM_STREAM_N16_BN();
    public static final int GEMM_STREAM_N16_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_N16_SMEM_M16();
    public static final int GEMM_STREAM_K256_BK = Kernels.PREFILL_GEMM_STREAM_K256_BK();
    public static final int GEMM_STREAM_N32S9_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_N32S9_SMEM_M16();
    public static final int GEMM_STREAM_S5_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_S5_SMEM_M16();
    public static final int GEMM_STREAM_K128S4_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_K128S4_SMEM_M16();
    public static final int GEMM_STREAM_N32K256S3_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_N32K256S3_SMEM_M16();
    public static final int GEMM_STREAM_N32K256S4_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_N32K256S4_SMEM_M16();
    public static final int GEMM_STREAM_K256_SMEM_M16 = Kernels.PREFILL_GEMM_STREAM_K256_SMEM_M16();
    public static final int PREFETCH_MAX_TENSORS = Kernels.PREFILL_PREFETCH_MAX_TENSORS();
    /** Gate/up weight rows interleave in groups of this many (the fused SiLU epilogue's layout). */
    public static final int GATE_UP_GROUP = Kernels.PREFILL_GATE_UP_GROUP();
    /** layer_persistent: row capacity it takes, blocks (all co-resident, one per SM), threads, largest k, dynamic smem. */
    public static final int LAYER_ROWS = Kernels.PREFILL_LAYER_ROWS();
    public static final int LAYER_BLOCKS = Kernels.PREFILL_LAYER_BLOCKS();
    public static final int LAYER_THREADS = Kernels.PREFILL_LAYER_THREADS();
    public static final int LAYER_MAX_K = Kernels.PREFILL_LAYER_MAX_K();
    public static final int LAYER_MAX_HIDDEN = Kernels.PREFILL_LAYER_MAX_HIDDEN();
    /** Column tiles of 8 one block takes per GEMM phase at most (qkv width, ffn and hidden <= 8 * blocks * this). */
    public static final int LAYER_TILES = Kernels.PREFILL_LAYER_TILES();
    /** Blocks per thread-block cluster of layer_persistent where that many clusters are resident (the row multicast). */
    public static final int LAYER_CLUSTER = Kernels.PREFILL_LAYER_CLUSTER();
    public static final int LAYER_SMEM = Kernels.PREFILL_LAYER_SMEM();

    private KernelConstants() {
    }
}
