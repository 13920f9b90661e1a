package io.prefillbench.results;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Optional per-workload block: GPU time per op family of one forward, from the profiling pass (run after timing,
 * never inside the timed loop), and each GEMM's achieved bandwidth and arithmetic rate. Validated by
 * {@link ProfileValidation} when present; files without it load as before.
 *
 * @param method       how the times were taken, in words (always names the profiling pass with CUDA events)
 * @param pdl          whether the pass ran with programmatic dependent launch (it runs with PDL off)
 * @param repeats      runs per op; each op's time is the median over them
 * @param totalUs      sum of the op medians (one forward, all steps)
 * @param opFamilies   time per family; shares sum to 1
 * @param gemms        every GEMM op
 * @param gemmShapes   GEMM ops grouped by shape; nullable
 */
public record Profile(String method, boolean pdl, int repeats, double totalUs, List<OpFamilyTime> opFamilies,
                      List<GemmTime> gemms, List<GemmShapeTime> gemmShapes) {

    /** The words every profile's method starts with. */
    public static final String METHOD_PREFIX = "profiling pass with CUDA events";

    /** GPU time of one op family, microseconds, and its share of the total. */
    public record OpFamilyTime(String family, double gpuUs, double share) {
    }

    /**
     * One GEMM op: {@code m} the bucket's row capacity, {@code mReal} the batch's rows; {@code tbPerS} counts weights
     * n*k*2 + A m*k*2 + output m*n*2 (splits*m*n*4 fp32 partials when split-K); {@code tflopPerS} is 2*mReal*n*k over
     * the time, {@code tflopPerSAtCapacity} 2*m*n*k.
     */
    public record GemmTime(String op, int n, int k, int m, int mReal, int splits, String impl, double gpuUs, double tbPerS,
                           double tflopPerS, double tflopPerSAtCapacity) {
    }

    /**
     * GEMM ops of one shape together: {@code count} ops, their summed time, total work over total time; {@code cublas}
     * (nullable: only runs with {@code --vs-cublas}) the library timed alone on the same n, k and m.
     */
    public record GemmShapeTime(int n, int k, int m, int splits, String impl, int count, double gpuUs, double tbPerS,
                                double tflopPerS, double tflopPerSAtCapacity,
                                @JsonInclude(JsonInclude.Include.NON_NULL) CublasTime cublas) {
        /** A shape without the library column (runs without {@code --vs-cublas}, files before it). */
        public GemmShapeTime(int n, int k, int m, int splits, String impl, int count, double gpuUs, double tbPerS,
                             double tflopPerS, double tflopPerSAtCapacity) {
            this(n, k, m, splits, impl, count, gpuUs, tbPerS, tflopPerS, tflopPerSAtCapacity, null);
        }

        /** GPU time of one op of this shape, microseconds. */
        public double usPerOp() {
            return gpuUs / count;
        }

        public GemmShapeTime withCublas(CublasTime c) {
            return new GemmShapeTime(n, k, m, splits, impl, count, gpuUs, tbPerS, tflopPerS, tflopPerSAtCapacity, c);
        }
    }

    /**
     * cuBLASLt on one GEMM shape (bf16, C[m, n] = A[m, k] W[n, k]^T at the shape's row capacity m), timed alone: its
     * heuristic's first pick (what an unpinned library row runs) and the fastest of its first {@code candidates},
     * microseconds per call, the weights rotated over {@code weightCopies} copies so each call reads them from DRAM.
     */
    public record CublasTime(double firstUs, String firstAlgo, double bestUs, String bestAlgo, int candidates, int weightCopies) {
    }

    /** This profile with every GEMM shape's library column set by {@code column} (null leaves a shape without one). */
    public Profile withCublas(java.util.function.Function<GemmShapeTime, CublasTime> column) {
        if (gemmShapes == null) return this;
        List<GemmShapeTime> out = new java.util.ArrayList<>();
        for (GemmShapeTime s : gemmShapes) out.add(s.withCublas(column.apply(s)));
        return new Profile(method, pdl, repeats, totalUs, opFamilies, gemms, List.copyOf(out));
    }
}
