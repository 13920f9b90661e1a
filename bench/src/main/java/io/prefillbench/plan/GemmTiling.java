package io.prefillbench.plan;

/**
 * Split-K choice of the kernel {@code gemm_bf16} (BM = BN = 64, BK = 32, see
 * {@code prefill_kernels.h}).
 *
 * <p>Small batches leave most SMs idle ({@code ceil(n/64) * ceil(m/64)} blocks), so k is split
 * in halves while that helps: fewer blocks than SMs, each half still a whole number of BK
 * steps times two, and at least 256 of k per split. The choice reads only the weight shape
 * (n, k), the row <em>capacity</em> (the capture bucket) and the SM count, never the real row
 * count: eager and graph runs of one bucket then sum k in the same pieces in the same order,
 * so their results agree bit for bit (the kernel contract: one output's arithmetic depends
 * only on k and splits).
 */
public final class GemmTiling {
    /** Rows per GEMM block. */
    public static final int BM = 64;
    /** Columns per GEMM block. */
    public static final int BN = 64;
    /** k per GEMM main-loop step. */
    public static final int BK = 32;
    /** Smallest k one split may get. */
    public static final int MIN_K_PER_SPLIT = 256;
    /** The large tile of {@code gemm_bf16_large}: 128 x 128, used from this bucket size up. */
    public static final int LARGE_BM = 128;
    public static final int LARGE_BN = 128;
    public static final int LARGE_MIN_ROWS = 128;

    /**
     * Which GEMM kernel and how many k splits a bucket uses.
     *
     * @param large  {@code gemm_bf16_large} (128 x 128 tiles) instead of {@code gemm_bf16} (64 x 64)
     * @param splits k splits (fp32 partials summed in order by the consumer kernel when > 1)
     */
    public record Choice(boolean large, int bm, int bn, int splits) {
        public String kernel() {
            return large ? "gemm_bf16_large" : "gemm_bf16";
        }
    }

    private GemmTiling() {
    }

    /**
     * Number of k splits (a power of two, >= 1) for {@code C[m, n] = A[m, k] * B[n, k]^T}.
     *
     * @param mCapacity row capacity of the launch (the capture size), not the real rows
     */
    public static int splits(int n, int k, int mCapacity, int smCount) {
        if (n < 1 || k < 1 || mCapacity < 1 || smCount < 1) {
            throw new IllegalArgumentException("n, k, mCapacity, smCount must be >= 1, got "
                    + n + ", " + k + ", " + mCapacity + ", " + smCount);
        }
        long ctas = (long) ceilDiv(n, BN) * ceilDiv(mCapacity, BM);
        int s = 1;
        while (ctas * s < smCount && k % (2 * s * BK) == 0 && k / (2 * s) >= MIN_K_PER_SPLIT) {
            s *= 2;
        }
        return s;
    }

    /**
     * Kernel and splits for a bucket: the 128 x 128 tile from {@link #LARGE_MIN_ROWS} rows of
     * capacity up (fewer bytes through L2 per multiply-add), the 64 x 64 tile below; the same
     * split rule with the chosen tile. Depends on (n, k, capacity, SMs) only, like {@link #splits}.
     */
    public static Choice choose(int n, int k, int mCapacity, int smCount) {
        if (mCapacity >= LARGE_MIN_ROWS) {
            return new Choice(true, LARGE_BM, LARGE_BN, splitsFor(n, k, mCapacity, smCount, LARGE_BM, LARGE_BN));
        }
        return new Choice(false, BM, BN, splits(n, k, mCapacity, smCount));
    }

    private static int splitsFor(int n, int k, int mCapacity, int smCount, int bm, int bn) {
        long ctas = (long) ceilDiv(n, bn) * ceilDiv(mCapacity, bm);
        int s = 1;
        while (ctas * s < smCount && k % (2 * s * BK) == 0 && k / (2 * s) >= MIN_K_PER_SPLIT) {
            s *= 2;
        }
        return s;
    }

    /** Bytes of the fp32 partial buffer {@code [splits, m, n]}; 0 when there is one split. */
    public static long partialBytes(int n, int k, int mCapacity, int smCount) {
        int s = choose(n, k, mCapacity, smCount).splits();
        return s == 1 ? 0 : (long) s * mCapacity * n * Float.BYTES;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
