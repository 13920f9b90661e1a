package io.prefillbench.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded synthetic results for tests: log-normal latencies measured in pairs. Each pair shares a drift factor
 * (what the machine was doing at that moment), each sample adds its own jitter, and a few samples are outliers,
 * as on a real GPU host. {@link #main} regenerates the report fixture.
 */
public final class SyntheticRuns {

    /** Median latencies and noise of one workload. */
    public record Shape(String name, List<Integer> seqLens, int paddedSize, String fallback, double eagerMs, double graphMs) {
        int tokens() {
            return seqLens.stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Noise: sigma of the shared per-pair drift, of each sample's own jitter (log scale), outlier probability. */
    public record Noise(double sharedSigma, double ownSigma, double outlierRate) {
        public static final Noise TYPICAL = new Noise(0.05, 0.08, 0.01);
    }

    public static final List<Shape> ERNIE_SHAPES = List.of(
            new Shape("short", List.of(10), 16, null, 1.52, 0.36),
            new Shape("medium", List.of(50), 64, null, 1.61, 0.44),
            new Shape("mixed", List.of(17, 33, 64, 90), 512, null, 2.10, 1.02),
            new Shape("long", List.of(400), 512, null, 2.43, 1.31),
            new Shape("batch", List.of(120, 120, 120, 120, 120, 120, 120, 120), 960,
                    "960 tokens exceed the largest captured size 512; ran eager", 3.92, 3.95));

    private SyntheticRuns() {
    }

    /** Paired samples [2][n] (eager, graph) in ns. */
    public static long[][] pairedSamples(SplittableRandom rng, int n, double eagerMs, double graphMs, Noise noise) {
        long[][] s = new long[2][n];
        for (int i = 0; i < n; i++) {
            double drift = noise.sharedSigma() * gaussian(rng);
            s[0][i] = sample(rng, eagerMs, drift, noise);
            s[1][i] = sample(rng, graphMs, drift, noise);
        }
        return s;
    }

    /** A complete results file of the given workloads; graphSlowdown multiplies every graph latency (1 = none). */
    public static Results run(long seed, int samples, List<Shape> shapes, Noise noise, double graphSlowdown, String device) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Workload> ws = new ArrayList<>();
        for (Shape sh : shapes) {
            long[][] s = pairedSamples(rng, samples, sh.eagerMs(), sh.graphMs() * graphSlowdown, noise);
            Speedup sp = SpeedupStats.p50Ratio(s[0], s[1], 300, seed);
            int eagerLaunches = 190;
            ws.add(new Workload(sh.name(), sh.seqLens(), sh.tokens(), sh.paddedSize(), sh.fallback(),
                    new LaunchCounts(eagerLaunches, sh.fallback() == null ? 1 : eagerLaunches),
                    timing(s[0], 0.93), timing(s[1], 0.97), sp,
                    new HistogramLogs(sh.name() + ".eager.hlog", sh.name() + ".graph.hlog")));
        }
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("hidden", 1024);
        shape.put("layers", 18);
        shape.put("heads", 16);
        shape.put("kvHeads", 2);
        shape.put("intermediate", 3072);
        shape.put("vocab", 103424);
        return new Results(Results.SCHEMA, true,
                new Meta("prefillbench 0.1.0", List.of("prefill", "--model", "ernie-4.5-0.3b", "--sizes", "16,64,512"),
                        "0123456789abcdef0123456789abcdef01234567", false, "25.0.3+9-LTS", "13.0", "13.0", "580.159.04",
                        "13.1.0", "2026-11-24T23:00:00Z", "fixture-host", null),
                List.of(new Device(0, device, "9.0", 132, 85_045_870_592L, 52_428_800L, 1980, 2619, "00000000:18:00.0")),
                config(shape, samples),
                List.of(new Capture(16, 12.3, 190, 1_048_576L, 4L, 4L), new Capture(64, 14.8, 190, 2_621_440L, 12L, 10L),
                        new Capture(512, 31.6, 190, 18_874_368L, 96L, 80L, 22, 96, 72)),
                ws, new Throttling(false, "no clock event reasons other than idle"));
    }

    /** Every run condition recorded, as the tool writes them now; only the iterations follow the sample count. */
    public static RunConfig config(Map<String, Object> shape, int samples) {
        return config(shape, samples, RunConfig.FIRST_TOKENS_SYNC);
    }

    /** {@link #config(Map, int)} with this firstTokens (null: a file written before the field). */
    public static RunConfig config(String firstTokens) {
        return config(Map.of("hidden", 1024), 100, firstTokens);
    }

    private static RunConfig config(Map<String, Object> shape, int samples, String firstTokens) {
        return new RunConfig("ernie-4.5-0.3b", shape, List.of(16, 64, 512), 32, 50, samples, 1, "batch-invariant", 4096,
                "iterations", true, 2.0, 64, RunConfig.ABBA, 0L, "bundled (synthetic, 2026-11-29, sha256 000000000000)", true,
                "separate: host samples from forwards without GPU-timing events, GPU samples from event-timed forwards run after them",
                firstTokens, 0L, 0L);
    }

    /** The gate's usual case: the ERNIE shapes, typical noise, named device "FIXTURE". */
    public static Results run(long seed, int samples, double graphSlowdown) {
        return run(seed, samples, ERNIE_SHAPES, Noise.TYPICAL, graphSlowdown, "FIXTURE");
    }

    /**
     * A one-workload run for statistical trials: eager and graph medians scaled by the given factors, and the
     * speedup field filled with the point estimate only (the gate does not read it), which keeps trials cheap.
     */
    public static Results quickRun(SplittableRandom rng, int samples, Shape sh, Noise noise, double eagerFactor,
                                   double graphFactor) {
        long[][] s = pairedSamples(rng, samples, sh.eagerMs() * eagerFactor, sh.graphMs() * graphFactor, noise);
        double p = SpeedupStats.median(s[0]) / SpeedupStats.median(s[1]);
        Workload w = new Workload(sh.name(), sh.seqLens(), sh.tokens(), sh.paddedSize(), sh.fallback(),
                new LaunchCounts(190, 1), timing(s[0], 0.93), timing(s[1], 0.97), new Speedup(p, p, p), null);
        Results template = TEMPLATE;
        return new Results(Results.SCHEMA, true, template.meta(), template.devices(), template.config(),
                template.captures(), List.of(w), null);
    }

    private static final Results TEMPLATE = run(0, 5, List.of(ERNIE_SHAPES.getFirst()), Noise.TYPICAL, 1, "FIXTURE");

    private static ModeTiming timing(long[] hostNs, double gpuShare) {
        long[] gpu = new long[hostNs.length];
        for (int i = 0; i < gpu.length; i++) gpu[i] = Math.max(1, Math.round(hostNs[i] * gpuShare));
        return new ModeTiming(LatencyStats.of(hostNs), LatencyStats.of(gpu), hostNs);
    }

    private static long sample(SplittableRandom rng, double medianMs, double drift, Noise noise) {
        double v = medianMs * 1e6 * Math.exp(drift + noise.ownSigma() * gaussian(rng));
        if (rng.nextDouble() < noise.outlierRate()) v *= 1.5 + 1.5 * rng.nextDouble();
        return Math.max(1, Math.round(v));
    }

    static double gaussian(SplittableRandom rng) {
        // Box-Muller; SplittableRandom has no nextGaussian in every JDK we target
        double u = 1 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Regenerates cli/src/test/resources/fixtures/results-fixture.json (run from the cli directory). */
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures/results-fixture.json");
        ResultsIo.writeAtomically(out, run(7, 120, 1.0));
        System.out.println("wrote " + out);
    }
}
