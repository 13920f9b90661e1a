package io.prefillbench.cuda;

import io.prefillbench.BenchException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Times cuBLASLt's candidate algorithms for one bf16 GEMM shape on the current device: the heuristic's first
 * {@code count} picks (plus one given configuration, e.g. a row's pinned one), each pinned in turn and timed back to
 * back with CUDA events. The weights rotate over enough copies to exceed twice the L2, so every call reads them from
 * DRAM as a forward's layer GEMMs do (one layer's weights are not in L2 when its GEMM starts).
 */
public final class CublasLtTuning {
    /** Timed windows per candidate; the median is reported. */
    static final int WINDOWS = 5;

    /** One candidate's time per GEMM (median of the windows), or why it could not run. */
    public record Timing(CublasLtMatmul.Algo algo, double us, String refused) {
        public boolean ran() {
            return refused == null;
        }
    }

    /**
     * A shape's candidates in the heuristic's order (index 0: its first pick, what an unpinned row gets), then
     * {@code extra} when it was not among them.
     */
    public record ShapeTimings(int m, int n, int k, List<Timing> candidates, int weightCopies) {
        public Timing first() {
            return candidates.get(0);
        }

        /** The fastest candidate that ran (ties: the earlier one). */
        public Timing best() {
            return candidates.stream().filter(Timing::ran).min(Comparator.comparingDouble(Timing::us))
                    .orElseThrow(() -> new BenchException("cuBLASLt: no candidate ran for m=" + m + " n=" + n + " k=" + k));
        }

        /** The timing of a configuration among the candidates, or null. */
        public Timing of(CublasLtMatmul.Algo algo) {
            return candidates.stream().filter(t -> t.algo().equals(algo)).findFirst().orElse(null);
        }
    }

    private CublasLtTuning() {
    }

    /**
     * Times the heuristic's first {@code count} algorithms (and {@code extra} when not null and not among them) for
     * {@code C[m, n] = A[m, k] · W[n, k]^T}, {@code iterations} calls per window.
     */
    public static ShapeTimings time(int m, int n, int k, int count, CublasLtMatmul.Algo extra, int iterations, long l2Bytes) {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        List<CublasLtMatmul.Algo> algos;
        try (CublasLtMatmul first = CublasLtMatmul.create(m, n, k)) {
            algos = new ArrayList<>(first.heuristicCandidates(count));
        }
        if (extra != null && !algos.contains(extra)) algos.add(extra);
        long wBytes = (long) n * k * 2;
        int copies = (int) Math.max(1, Math.min(64, (2 * l2Bytes + wBytes - 1) / wBytes));
        List<Timing> out = new ArrayList<>();
        try (DeviceBuffer a = DeviceBuffer.allocate("tune A", (long) m * k * 2);
             DeviceBuffer w = DeviceBuffer.allocate("tune W x" + copies, wBytes * copies);
             DeviceBuffer c = DeviceBuffer.allocate("tune C", (long) m * n * 2);
             CudaStream stream = CudaStream.create();
             CudaEvent start = CudaEvent.create();
             CudaEvent stop = CudaEvent.create()) {
            a.fill(0x3c); // bf16 0x3c3c ~ 0.0115: finite products, no overflow
            w.fill(0x3c);
            for (CublasLtMatmul.Algo algo : algos) {
                CublasLtMatmul mm;
                try {
                    mm = CublasLtMatmul.create(m, n, k, algo);
                } catch (BenchException e) {
                    out.add(new Timing(algo, Double.NaN, e.getMessage()));
                    continue;
                }
                try (mm) {
                    for (int i = 0; i < Math.min(copies, 8) + 2; i++) mm.matmul(stream, a.address(), w.at((i % copies) * wBytes), c.address());
                    double[] windows = new double[WINDOWS];
                    for (int win = 0; win < WINDOWS; win++) {
                        start.record(stream);
                        for (int i = 0; i < iterations; i++) mm.matmul(stream, a.address(), w.at((i % copies) * wBytes), c.address());
                        stop.record(stream);
                        stop.synchronize();
                        windows[win] = stop.elapsedMillisSince(start) * 1000.0 / iterations;
                    }
                    Arrays.sort(windows);
                    out.add(new Timing(mm.algo(), windows[WINDOWS / 2], null));
                }
            }
        }
        return new ShapeTimings(m, n, k, List.copyOf(out), copies);
    }
}
