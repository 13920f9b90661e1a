package io.prefillbench.forward;

import java.util.List;
import java.util.Optional;

/**
 * One tile of the wgmma + TMA GEMMs ({@code gemm_bf16_tma_<BM>x<BN>[_silu]}, kernels/src/gemm_wgmma.cu): rows and
 * columns per block and the pipeline's stages, hence the block size and shared memory a launch needs. The table is
 * the kernels' {@code PK_TMA_KERNELS} list; a launch with less shared memory than the tile needs traps, so a
 * mismatch cannot pass silently. sm_90a only.
 */
public record TmaTile(int bm, int bn, int stages) {
    /** k per stage (one 128-byte swizzle row per operand row). */
    public static final int BK = 64;
    /** Compute capability the kernels are built for (sm_90a). */
    public static final int ARCH = 90;

    public static final List<TmaTile> ALL = List.of(new TmaTile(64, 64, 8), new TmaTile(64, 80, 8), new TmaTile(64, 128, 6),
            new TmaTile(128, 64, 8), new TmaTile(128, 96, 6), new TmaTile(128, 192, 4), new TmaTile(128, 256, 3));

    public String kernel() {
        return "gemm_bf16_tma_" + bm + "x" + bn;
    }

    /** A producer warpgroup plus one consumer warpgroup per 64 rows. */
    public int threads() {
        return 128 + 2 * bm;
    }

    /** The stages, 1024 bytes to align them to the swizzle atom, two mbarriers per stage. */
    public int smem() {
        return stages * (bm + bn) * BK * 2 + 1024 + 16 * stages;
    }

    /** Whether a GEMM of this shape runs on this tile at {@code splits} on {@code arch}: why not, or empty. */
    public Optional<String> refusal(int n, int k, int splits, int arch) {
        if (arch != ARCH) return Optional.of(kernel() + " runs on compute capability 9.0 only (sm_90a wgmma + TMA), this device is " + arch);
        if (n % bn != 0) return Optional.of(kernel() + " needs n % " + bn + " == 0, n is " + n);
        if (splits < 1 || k % splits != 0 || (k / splits) % BK != 0) {
            return Optional.of(kernel() + " needs (k / splits) % " + BK + " == 0, k " + k + " at " + splits + " splits");
        }
        return Optional.empty();
    }
}
