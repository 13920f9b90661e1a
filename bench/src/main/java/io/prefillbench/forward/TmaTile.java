package io.prefillbench.forward;

import java.util.List;
import java.util.Optional;

/**
 * One configuration of the wgmma + TMA GEMMs ({@code gemm_bf16_tma_<BM>x<BN>[_silu]}, kernels/src/gemm_wgmma.cu): rows
 * and columns per block (the kernel) and the pipeline's stages (a launch parameter), hence the block size and shared
 * memory a launch needs. Registered as implementation {@code gemm_bf16_tma_<BM>x<BN>s<stages>}. The kernel traps on a
 * launch whose shared memory does not hold the stages it asks for, so a mismatch cannot pass silently. sm_90a only.
 */
public record TmaTile(int bm, int bn, int stages) {
    /** k per stage (one 128-byte swizzle row per operand row). */
    public static final int BK = 64;
    /** Compute capability the kernels are built for (sm_90a). */
    public static final int ARCH = 90;
    /** The opt-in shared memory of a block on sm_90 (227 KB). */
    public static final int MAX_SMEM = 232448;
    /** The kernel's bound on the stage count. */
    public static final int MAX_STAGES = 16;

    public TmaTile {
        if ((bm != 64 && bm != 128) || bn % 16 != 0 || bn < 64 || bn > 256 || stages < 2 || stages > MAX_STAGES) {
            throw new IllegalArgumentException("no TMA GEMM tile " + bm + "x" + bn + " with " + stages + " stages");
        }
        if (stages * (bm + bn) * BK * 2 + 1024 + 16 * stages > MAX_SMEM) {
            throw new IllegalArgumentException("TMA tile " + bm + "x" + bn + ": " + stages + " stages exceed the 227 KB of shared memory");
        }
    }

    /** The kernels exported by the fatbin (PK_TMA_KERNELS) at the depths the harness measured (s8 calls 2-5). */
    public static final List<TmaTile> ALL = List.of(new TmaTile(64, 64, 4), new TmaTile(64, 64, 8), new TmaTile(64, 64, 12),
            new TmaTile(64, 80, 8), new TmaTile(64, 80, 12), new TmaTile(64, 128, 6), new TmaTile(64, 128, 9), new TmaTile(64, 256, 4),
            new TmaTile(64, 256, 5), new TmaTile(128, 64, 4), new TmaTile(128, 64, 8), new TmaTile(128, 64, 9), new TmaTile(128, 96, 6),
            new TmaTile(128, 96, 8), new TmaTile(128, 128, 4), new TmaTile(128, 128, 6), new TmaTile(128, 192, 4), new TmaTile(128, 192, 5),
            new TmaTile(128, 256, 3), new TmaTile(128, 256, 4));

    /** The fatbin's kernel (all stage counts of a tile share it). */
    public String kernel() {
        return "gemm_bf16_tma_" + bm + "x" + bn;
    }

    /** The implementation's name in the registry and in measurement rows. */
    public String name() {
        return kernel() + "s" + stages;
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
        if (arch != ARCH) return Optional.of(name() + " runs on compute capability 9.0 only (sm_90a wgmma + TMA), this device is " + arch);
        if (n % bn != 0) return Optional.of(name() + " needs n % " + bn + " == 0, n is " + n);
        if (splits < 1 || k % splits != 0 || (k / splits) % BK != 0) {
            return Optional.of(name() + " needs (k / splits) % " + BK + " == 0, k " + k + " at " + splits + " splits");
        }
        return Optional.empty();
    }
}
