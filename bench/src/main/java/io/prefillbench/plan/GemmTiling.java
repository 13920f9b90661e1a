package io.prefillbench.plan;

import io.prefillbench.forward.KernelConstants;

/**
 * Tile and split-K choice of the GEMM kernels ({@code gemm_bf16}: 64 x 64 tiles; {@code
 * gemm_bf16_large}: 128 x 128; see {@code prefill_kernels.h}).
 *
 * <p>The choice reads only the weight shape (n, k), the row <em>capacity</em> (the capture bucket)
 * and the SM count, never the real row count: eager and graph runs of one bucket sum k in the same
 * pieces in the same order, so their results agree bit for bit (the kernel contract: an output's
 * arithmetic depends only on k and splits; the tile does not change the bits).
 *
 * <p>The rule follows a measurement on an H100 (kernels/check/run-check.sh table, ERNIE-4.5-0.3B
 * shapes, buckets 16..512; see results/README.md): small problems are bound by how fast the weights
 * stream, so k is split until the blocks cover the SMs (up to 8 splits); large problems use the
 * 128 x 128 tile (fewer bytes through L2 per multiply-add) and split only until one wave (up to 4),
 * since every split adds fp32 partial traffic that grows with the rows.
 */
public final class GemmTiling {
    /** Small tile: rows and columns per block, k per main-loop step. */
    public static final int BM = KernelConstants.GEMM_BM;
    public static final int BN = KernelConstants.GEMM_BN;
    public static final int BK = KernelConstants.GEMM_BK;
    /** Large tile of {@code gemm_bf16_large}. */
    public static final int LARGE_BM = KernelConstants.GEMM_LARGE_BM;
    public static final int LARGE_BN = KernelConstants.GEMM_LARGE_BN;
    /** The large tile from this many rows of capacity ... */
    public static final int LARGE_MIN_ROWS = 256;
    /** ... when the output has at least this many elements. */
    public static final long LARGE_MIN_OUTPUTS = 512L * 1024;
    /** Smallest k one split may get. */
    public static final int MIN_K_PER_SPLIT = 128;

    /**
     * Which GEMM kernel and how many k splits a bucket uses.
     *
     * @param large  {@code gemm_bf16_large} (128 x 128 tiles) instead of {@code gemm_bf16} (64 x 64)
     * @param splits k splits (fp32 partials, summed in order by the consumer kernel when > 1)
     */
    public record Choice(boolean large, int bm, int bn, int splits) {
        public String kernel() {
            return large ? "gemm_bf16_large" : "gemm_bf16";
        }
    }

    private GemmTiling() {
    }

    /** Kernel and splits for {@code C[m, n] = A[m, k] * B[n, k]^T} with row capacity {@code mCapacity}. */
    public static Choice choose(int n, int k, int mCapacity, int smCount) {
        if (n < 1 || k < 1 || mCapacity < 1 || smCount < 1) {
            throw new IllegalArgumentException("n, k, mCapacity, smCount must be >= 1, got "
                    + n + ", " + k + ", " + mCapacity + ", " + smCount);
        }
        boolean large = mCapacity >= LARGE_MIN_ROWS && (long) n * mCapacity >= LARGE_MIN_OUTPUTS;
        int bm = large ? LARGE_BM : BM, bn = large ? LARGE_BN : BN;
        long ctas = (long) ceilDiv(n, bn) * ceilDiv(mCapacity, bm);
        int maxSplits = large ? 4 : 8;
        int s = 1;
        while (s < maxSplits && ctas * s < smCount && k % (2 * s * BK) == 0 && k / (2 * s) >= MIN_K_PER_SPLIT) {
            s *= 2;
        }
        return new Choice(large, bm, bn, s);
    }

    /** Number of k splits (a power of two, >= 1); see {@link #choose}. */
    public static int splits(int n, int k, int mCapacity, int smCount) {
        return choose(n, k, mCapacity, smCount).splits();
    }

    /** Bytes of the fp32 partial buffer {@code [splits, m, n]}; 0 when there is one split. */
    public static long partialBytes(int n, int k, int mCapacity, int smCount) {
        int s = splits(n, k, mCapacity, smCount);
        return s == 1 ? 0 : (long) s * mCapacity * n * Float.BYTES;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
