package io.prefillbench.plan;

import io.prefillbench.forward.KernelConstants;

import java.util.Optional;

/**
 * Variant and split-K rule of the weight-streaming GEMMs ({@code gemm_bf16_stream_m16/_m32/_m64},
 * kernels/src/gemm_stream.cu) for row capacities up to 64; above that {@link GemmTiling} decides.
 *
 * <p>Like {@link GemmTiling} the choice reads only (n, k, row capacity, SM count, arch), never the
 * real row count, so eager and graph runs of one bucket do the same arithmetic. The bits of an
 * output depend on (k, splits) only and equal {@code gemm_bf16}'s for the same splits.
 *
 * <p>The rule follows the H200 measurements of issue 11 (kernels/NOTES-gemm-stream.md,
 * kernels/results-stream/stream-recommendations.csv): a GEMM at these sizes costs about
 * {@code 1.45 us + weight bytes / 4.15 TB/s} under PDL, and one 4-warp block streams only ~32 GB/s,
 * so the weights arrive at DRAM rate only when every SM streams from the start. Hence: split k until
 * the blocks ({@code ceil(n/64)} per split) cover the SMs. On 132 SMs that gives exactly the
 * measured best splits for o_proj (16), gate_up (2), down (16 at buckets 16/32; 12 measured best
 * at 64, 16 within 3%) and the LM head (1); for the 2560-wide qkv it gives 4 (best at bucket 64;
 * 8 is 5% faster at 16).
 */
public final class StreamTiling {
    /** Weight rows per block and k per pipeline stage ({@code PREFILL_GEMM_STREAM_BN/BK}). */
    public static final int BN = KernelConstants.GEMM_STREAM_BN;
    public static final int BK = KernelConstants.GEMM_STREAM_BK;
    /** The half-width forms' tile ({@code PREFILL_GEMM_STREAM_N32_BN/BK}): 32 weight rows per block, 128 k per stage. */
    public static final int N32_BN = KernelConstants.GEMM_STREAM_N32_BN;
    public static final int N32_BK = KernelConstants.GEMM_STREAM_N32_BK;
    /**
     * The 16-column form's tile ({@code PREFILL_GEMM_STREAM_N16_BN}, k per stage N32_BK): capacity 16 only, four warps per
     * stage's k; its rope form holds 8 rope pairs of one head per block (v75).
     */
    public static final int N16_BN = KernelConstants.GEMM_STREAM_N16_BN;
    /**
     * The k step of the 64-column attention-into-o form ({@code PREFILL_GEMM_STREAM_K256_BK}): one step of four q heads of 64 per
     * block, capacity 16 only.
     */
    public static final int K256_BK = KernelConstants.GEMM_STREAM_K256_BK;
    /** Most splits the rule picks (measured up to 16; at m64 and k 2048, 16 splits' fp32 partials are as many bytes as the weights). */
    public static final int MAX_SPLITS = 16;
    /**
     * The rule-based default applies from sm_90 (measured there). The kernels also run on sm_80,
     * where only a measurements row selects them: without PDL the H200's plain-launch column shows
     * no gain at bucket 64 (gate_up 9.74 vs gemm_bf16 9.68 us, down 7.15 vs 7.03).
     */
    public static final int DEFAULT_MIN_ARCH = 90;
    /** The kernels need sm_80 (cp.async, bf16 mma.sync). */
    public static final int MIN_ARCH = 80;

    /** One exported kernel: the row capacity it holds, its name and its dynamic shared memory. */
    public enum Variant {
        M16(16, KernelConstants.GEMM_STREAM_SMEM_M16, KernelConstants.GEMM_STREAM_N32_SMEM_M16),
        M32(32, KernelConstants.GEMM_STREAM_SMEM_M32, KernelConstants.GEMM_STREAM_N32_SMEM_M32),
        M64(64, KernelConstants.GEMM_STREAM_SMEM_M64, KernelConstants.GEMM_STREAM_N32_SMEM_M64);

        private final int rows;
        private final int smem;
        private final int smemN32;

        Variant(int rows, int smem, int smemN32) {
            this.rows = rows;
            this.smem = smem;
            this.smemN32 = smemN32;
        }

        /** Dynamic shared memory of the half-width form ({@code _n32}). */
        public int smemN32() {
            return smemN32;
        }

        /** Most rows (p.m) the kernel holds; it traps beyond. */
        public int rows() {
            return rows;
        }

        public int smem() {
            return smem;
        }

        public String kernel() {
            return "gemm_bf16_stream_m" + rows;
        }
    }

    private StreamTiling() {
    }

    /** The smallest variant that holds {@code mCapacity} rows; empty above 64. */
    public static Optional<Variant> variant(int mCapacity) {
        for (Variant v : Variant.values()) if (mCapacity <= v.rows()) return Optional.of(v);
        return Optional.empty();
    }

    /** Whether the kernel's shape requirements hold: n % 8 == 0 and k in whole BK steps. */
    public static boolean fits(int n, int k) {
        return n >= 8 && n % 8 == 0 && k >= BK && k % BK == 0;
    }

    /**
     * Splits of the rule: the smallest power of two s with {@code ceil(n/64) * s >= smCount}, as long
     * as k / s stays a multiple of 64 and s <= 16 (otherwise the largest s those allow).
     */
    public static int splits(int n, int k, int smCount) {
        if (!fits(n, k) || smCount < 1) throw new IllegalArgumentException("stream GEMM needs n % 8 == 0, k % " + BK + " == 0: n " + n + ", k " + k);
        long blocks = (n + BN - 1) / BN;
        int s = 1;
        while (s < MAX_SPLITS && blocks * s < smCount && k % (2 * s * BK) == 0) s *= 2;
        return s;
    }

    /** Launch check of a chosen (variant, splits): the kernel traps where this throws. */
    public static void check(Variant v, int n, int k, int mCapacity, int splits, int arch) {
        if (arch < MIN_ARCH) throw new IllegalStateException(v.kernel() + " needs sm_80 or newer, arch " + arch);
        if (mCapacity > v.rows()) throw new IllegalStateException(v.kernel() + " holds " + v.rows() + " rows, capacity " + mCapacity);
        if (!fits(n, k) || splits < 1 || k % (splits * BK) != 0) {
            throw new IllegalStateException(v.kernel() + ": k " + k + " does not split " + splits + " ways in steps of " + BK + " (n " + n + ")");
        }
    }
}
