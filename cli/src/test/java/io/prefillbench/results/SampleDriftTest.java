package io.prefillbench.results;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class SampleDriftTest {
    /** n samples around {@code ms} with 2 % jitter; the first {@code slowShare} of them {@code slowFactor} times slower. */
    private static long[] samples(int n, double ms, double slowShare, double slowFactor, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            double f = i < slowShare * n ? slowFactor : 1.0;
            s[i] = Math.round(ms * 1e6 * f * (1 + 0.02 * (rng.nextDouble() * 2 - 1)));
        }
        return s;
    }

    @Test
    void aSteadyLoopDoesNotDrift() {
        SampleDrift d = SampleDrift.of(samples(1000, 0.045, 0, 1, 1)).orElseThrow();
        assertTrue(Math.abs(d.change()) < 0.01, "change " + d.change());
        assertFalse(d.beyondLimit());
    }

    /** The shape s29 call 4 read on tiny: 70 % of the loop at ~53 us, then ~45.6. */
    @Test
    void aJitWarmUpInsideTheLoopIsReported() {
        SampleDrift d = SampleDrift.of(samples(1000, 0.0456, 0.7, 53.0 / 45.6, 2)).orElseThrow();
        assertEquals(0.053, d.firstMs(), 0.001);
        assertEquals(0.0456, d.lastMs(), 0.001);
        assertTrue(d.beyondLimit(), "change " + d.change());
        assertTrue(d.change() < 0);
        assertFalse(d.comesAndGoes(), "a warm-up settles once");
    }

    /** s30 call 1's run B short eager by tenths: slow in the first and again in the seventh and eighth. */
    @Test
    void aHostBusyForPartOfTheLoopComesAndGoes() {
        double[] tenthsUs = {573, 485, 476, 478, 476, 476, 554, 574, 483, 489};
        SplittableRandom rng = new SplittableRandom(6);
        long[] s = new long[300];
        for (int i = 0; i < s.length; i++) s[i] = Math.round(tenthsUs[i / 30] * 1e3 * (1 + 0.01 * (rng.nextDouble() * 2 - 1)));
        SampleDrift d = SampleDrift.of(s).orElseThrow();
        assertTrue(d.beyondLimit(), d.toString());
        assertTrue(d.comesAndGoes(), d.toString());
        // the same loop without its second slow stretch reads as a trend
        for (int i = 180; i < 240; i++) s[i] = Math.round(478e3);
        assertFalse(SampleDrift.of(s).orElseThrow().comesAndGoes());
    }

    @Test
    void aMoveWithinTheLimitIsNotReported() {
        assertFalse(SampleDrift.of(samples(300, 0.4, 0.2, 1.03, 3)).orElseThrow().beyondLimit());
    }

    /** A host whose samples scatter by ~10 % (the synthetic runs' noise) moves its fifths' medians a few % by chance alone. */
    @Test
    void aNoisyButSteadyLoopIsNotReported() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            long[] s = new long[300];
            for (int i = 0; i < s.length; i++) s[i] = Math.round(0.4e6 * Math.exp(0.1 * gaussian(rng)));
            SampleDrift d = SampleDrift.of(s).orElseThrow();
            assertFalse(d.beyondLimit(), "seed " + seed + ": " + d);
        }
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    @Test
    void tooFewSamplesSayNothing() {
        assertTrue(SampleDrift.of(samples(SampleDrift.MIN_SAMPLES - 1, 0.4, 0.5, 2, 4)).isEmpty());
        assertTrue(SampleDrift.of(null).isEmpty());
    }

    /** {@code r} with its first workload's graph samples replaced by a loop whose first 40 % ran 30 % slower. */
    public static Results withDriftingGraph(Results r) {
        Workload w = r.workloads().get(0);
        long[] g = samples(w.graph().samplesHostNs().length, 0.36, 0.4, 1.3, 5);
        Workload drifting = new Workload(w.name(), w.seqLens(), w.tokens(), w.paddedSize(), w.fallback(), w.launchesPerForward(), w.eager(),
                new ModeTiming(LatencyStats.of(g), w.graph().gpuNs(), g), SpeedupStats.p50Ratio(w.eager().samplesHostNs(), g, 300, 1),
                w.histogramLogs());
        List<Workload> ws = new java.util.ArrayList<>(r.workloads());
        ws.set(0, drifting);
        return new Results(r.schema(), r.complete(), r.meta(), r.devices(), r.config(), r.captures(), ws, r.throttling());
    }

    @Test
    void aResultsFileNamesEachDriftingWorkloadMode() {
        Results r = SyntheticRuns.run(1, 300, 1.0);
        assertEquals(List.of(), SampleDrift.beyondLimit(r), "the synthetic run is steady");
        Workload w = r.workloads().get(0);
        List<String> lines = SampleDrift.beyondLimit(withDriftingGraph(r));
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches(w.name() + " graph: 0\\.46\\d -> 0\\.36\\d ms \\(-2[23]\\.\\d %, a trend\\)"), lines.get(0));
    }
}
