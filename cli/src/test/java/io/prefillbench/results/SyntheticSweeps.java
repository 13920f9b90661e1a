package io.prefillbench.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded synthetic sweep files for tests, shaped like the H100 runs: eager ~1 ms plus ~2.2 us per token with GPU
 * time below host time by the launch overhead, graphs a few percent faster, ~0.44 MiB and ~2.3 ms capture per size.
 */
public final class SyntheticSweeps {
    private SyntheticSweeps() {
    }

    public static SweepResults sweep(long seed, int from, int to, int step) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<SweepPoint> points = new ArrayList<>();
        for (int t = from; t <= to; t += step) {
            double eager = 1.0 + 0.0022 * t + 0.01 * rng.nextGaussian();
            double graph = 0.95 + 0.00216 * t + 0.01 * rng.nextGaussian();
            double gpuE = 0.80 + 0.0021 * t, gpuG = 0.78 + 0.0021 * t;
            SweepTiming e = new SweepTiming(eager, eager * 1.08, eager * 1.01, gpuE, gpuE * 1.05, gpuE * 1.01, 200);
            SweepTiming g = new SweepTiming(graph, graph * 1.06, graph * 1.01, gpuG, gpuG * 1.05, gpuG * 1.01, 200);
            long bytes = (long) ((0.40 + 0.0002 * t) * 1048576);
            points.add(new SweepPoint(t, 1, 2.0 + 0.001 * t + 0.2 * rng.nextDouble(), bytes, bytes / 1048576.0, 169, e, g, eager / graph));
        }
        Meta meta = new Meta("prefillbench 0.1.0", List.of("prefill", "--sweep", from + ":" + to + ":" + step), "0123456789abcdef0123456789abcdef01234567",
                false, "25", "13.0", "13.0", "580.00", "13.1.0", "2026-11-25T00:00:00Z", "synthetic", null);
        Device d = new Device(0, "Synthetic GPU", "9.0", 132, 85_000_000_000L, 52_428_800L, 1980, 2619, "0000:00:00.0");
        SweepConfig cfg = new SweepConfig("ernie-4.5-0.3b", Map.of("hidden", 1024), from, to, step, 1, 32, 4096, 20, 200, seed, true,
                "batch-invariant", null, null, null, null);
        return new SweepResults(SweepResults.SCHEMA, true, meta, List.of(d), cfg, points, new Throttling(false, "synthetic"));
    }
}
