package io.prefillbench.results;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeedupStatsTest {

    @Test
    void medianMatchesSortingForOddEvenAndTiedInputs() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + rng.nextInt(60);
            long[] xs = new long[n];
            for (int i = 0; i < n; i++) xs[i] = 1 + rng.nextInt(trial % 2 == 0 ? 5 : 1_000_000); // even trials: many ties
            long[] before = xs.clone();
            long[] s = xs.clone();
            Arrays.sort(s);
            double expected = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
            assertEquals(expected, SpeedupStats.median(xs), 0.0, () -> Arrays.toString(before));
            assertTrue(Arrays.equals(before, xs), "median must not reorder its input");
        }
    }

    @Test
    void quantileInterpolatesBetweenOrderStatistics() {
        double[] s = {1, 2, 3, 4, 5};
        assertEquals(1, SpeedupStats.quantile(s, 0), 0);
        assertEquals(5, SpeedupStats.quantile(s, 1), 0);
        assertEquals(3, SpeedupStats.quantile(s, 0.5), 0);
        assertEquals(4.6, SpeedupStats.quantile(s, 0.9), 1e-12);
    }

    @Test
    void ratioIsMedianOverMedianAndSeedDeterministic() {
        long[][] s = SyntheticRuns.pairedSamples(new SplittableRandom(5), 301, 2.0, 0.5, SyntheticRuns.Noise.TYPICAL);
        Speedup a = SpeedupStats.p50Ratio(s[0], s[1], 42);
        Speedup b = SpeedupStats.p50Ratio(s[0], s[1], 42);
        assertEquals(SpeedupStats.median(s[0]) / SpeedupStats.median(s[1]), a.p50Ratio(), 1e-12);
        assertEquals(a, b);
        assertTrue(a.ci95Low() < a.p50Ratio() && a.p50Ratio() < a.ci95High(), a.toString());
    }

    @Test
    void intervalCoversTheTrueRatioAtAboutItsLevel() {
        // true ratio 4.0 (medians 2.0 and 0.5 ms); 200 independent runs of 150 pairs
        SplittableRandom rng = new SplittableRandom(9);
        int covered = 0, runs = 200;
        for (int r = 0; r < runs; r++) {
            long[][] s = SyntheticRuns.pairedSamples(rng, 150, 2.0, 0.5, new SyntheticRuns.Noise(0.05, 0.08, 0));
            Speedup sp = SpeedupStats.p50Ratio(s[0], s[1], 400, r);
            if (sp.ci95Low() <= 4.0 && 4.0 <= sp.ci95High()) covered++;
        }
        double coverage = covered / (double) runs;
        System.out.printf("SpeedupStats: 95%% bootstrap CI covered the true ratio in %.1f%% of %d runs%n", coverage * 100, runs);
        assertTrue(coverage >= 0.88 && coverage <= 0.995, "coverage " + coverage);
    }

    @Test
    void unpairedInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SpeedupStats.p50Ratio(new long[]{1, 2}, new long[]{1}, 1));
    }
}
