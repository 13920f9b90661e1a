package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.CublasLtTuning;
import io.prefillbench.results.Profile;

import java.util.HashMap;
import java.util.Map;

/**
 * The library column of {@code prefill --vs-cublas}'s per-GEMM table: cuBLASLt timed alone on every GEMM shape
 * (n, k, row capacity m) the run's profiles hold, once per shape per run, after the workload's timed loop. Ours
 * is the profiling pass's time per op of the forward's own kernel (with whatever the plan fused into it); the
 * library computes the plain bf16 GEMM. Neither measure gives our kernels their PDL overlap (weights fetched during the op
 * before), and on one library kernel the two differed by -15..+31 % (s45 call 1): a ratio near 1 is a tie, and only the
 * forward's A/B says which kernel a plan should run.
 */
final class CublasColumns {
    static final int CANDIDATES = 8;
    static final int ITERATIONS = 100;
    static final String METHOD = "cuBLASLt alone on each shape at its row capacity m (bf16 in and out, fp32 accumulate): the"
            + " heuristic's first pick and the fastest of its first " + CANDIDATES + " candidates, " + ITERATIONS
            + " calls back to back per window, median of 5 windows, weights rotated past twice the L2 (read from DRAM, as"
            + " in a forward). Ours: the profiling pass's median time per op of the forward's own kernel, weights cold, its"
            + " fused work included (SiLU, rope and the KV write, attention in o, split-K partials in fp32)";

    /** Times one shape; the real one is {@link #cublasLt(long)}, tests pass their own. */
    interface Timer {
        Profile.CublasTime time(int m, int n, int k);
    }

    private record Shape(int m, int n, int k) {
    }

    private final Timer timer;
    private final Map<Shape, Profile.CublasTime> timed = new HashMap<>();

    CublasColumns(Timer timer) {
        this.timer = timer;
    }

    /** cuBLASLt's own timing on this GPU (the {@code tune-gemm} measurement), weights rotated past {@code l2Bytes}. */
    static Timer cublasLt(long l2Bytes) {
        return (m, n, k) -> {
            CublasLtTuning.ShapeTimings t = CublasLtTuning.time(m, n, k, CANDIDATES, null, ITERATIONS, l2Bytes);
            CublasLtTuning.Timing first = t.first(), best = t.best();
            if (!first.ran())
                throw new BenchException("cuBLASLt's first heuristic pick for m=" + m + " n=" + n + " k=" + k + " did not run: " + first.refused()
                        + " (drop --vs-cublas to measure without the library column)");
            return new Profile.CublasTime(first.us(), first.algo().describe(), best.us(), best.algo().describe(), t.candidates().size(),
                    t.weightCopies());
        };
    }

    /** The profile with every GEMM shape's library column; a shape already timed in this run is not timed again. */
    Profile attach(Profile p) {
        return p.withCublas(s -> timed.computeIfAbsent(new Shape(s.m(), s.n(), s.k()), x -> timer.time(x.m(), x.n(), x.k())));
    }
}
