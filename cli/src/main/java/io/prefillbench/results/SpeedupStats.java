package io.prefillbench.results;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The graph speedup of paired samples: p50 ratio = median(eager) / median(graph), and its bootstrap distribution.
 * Resampling draws whole pairs (eager i with graph i), because a pair was measured back to back and shares
 * whatever drift the machine had at that moment; resampling the modes independently would overstate the noise.
 * Seeded, so the same input always gives the same interval.
 */
public final class SpeedupStats {
    public static final int DEFAULT_RESAMPLES = 2000;

    private SpeedupStats() {
    }

    /** Median of the samples (mean of the two middle ones for an even count); the array is not modified. */
    public static double median(long[] xs) {
        if (xs.length == 0) throw new IllegalArgumentException("no samples");
        long[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return (n & 1) == 1 ? s[n / 2] : (s[n / 2 - 1] + (double) s[n / 2]) / 2;
    }

    /** p50 ratio with a two-sided 95% percentile-bootstrap interval over {@value #DEFAULT_RESAMPLES} pair resamples. */
    public static Speedup p50Ratio(long[] eagerNs, long[] graphNs, long seed) {
        return p50Ratio(eagerNs, graphNs, DEFAULT_RESAMPLES, seed);
    }

    public static Speedup p50Ratio(long[] eagerNs, long[] graphNs, int resamples, long seed) {
        double point = median(eagerNs) / median(graphNs);
        double[][] m = resampleMedians(eagerNs, graphNs, resamples, new SplittableRandom(seed));
        double[] ratios = new double[resamples];
        for (int k = 0; k < resamples; k++) ratios[k] = m[0][k] / m[1][k];
        Arrays.sort(ratios);
        return new Speedup(point, quantile(ratios, 0.025), quantile(ratios, 0.975));
    }

    /**
     * Bootstrap medians of paired samples: for each of {@code resamples} draws of n pairs with replacement,
     * the median of the drawn eager and of the drawn graph samples.
     * <p>
     * A resample is kept as a count per original pair rather than as copied values: the median of a resample is
     * then found by walking each mode's samples in sorted order until the counts pass the middle, O(n) with no
     * sorting or swapping per resample. That keeps the gate's thousand-trial tests fast.
     *
     * @return {@code [2][resamples]}: row 0 eager medians, row 1 graph medians
     */
    public static double[][] resampleMedians(long[] eagerNs, long[] graphNs, int resamples, SplittableRandom rng) {
        int n = eagerNs.length;
        if (n == 0 || graphNs.length != n) throw new IllegalArgumentException("need equal, non-zero sample counts, got "
                + eagerNs.length + " and " + graphNs.length);
        int[] byEager = sortedIndices(eagerNs), byGraph = sortedIndices(graphNs);
        double[][] out = new double[2][resamples]; // [mode, resample]
        int[] counts = new int[n]; // [pair]: how often the resample drew it
        for (int k = 0; k < resamples; k++) {
            Arrays.fill(counts, 0);
            for (int i = 0; i < n; i += 2) { // two draws per 64 random bits, multiply-shift to [0, n): bias < n/2^32
                long bits = rng.nextLong();
                counts[(int) (((bits >>> 32) * n) >>> 32)]++;
                if (i + 1 < n) counts[(int) (((bits & 0xFFFFFFFFL) * n) >>> 32)]++;
            }
            out[0][k] = weightedMedian(eagerNs, byEager, counts, n);
            out[1][k] = weightedMedian(graphNs, byGraph, counts, n);
        }
        return out;
    }

    /** Median of the multiset holding values[j] counts[j] times (n in all), walking values in sorted order. */
    private static double weightedMedian(long[] values, int[] sortedIdx, int[] counts, int n) {
        int lowRank = (n - 1) / 2, highRank = n / 2; // 0-based ranks of the middle one or two
        int seen = 0;
        double low = Double.NaN;
        for (int idx : sortedIdx) {
            seen += counts[idx];
            if (Double.isNaN(low) && seen > lowRank) low = values[idx];
            if (seen > highRank) return (low + values[idx]) / 2;
        }
        throw new IllegalStateException("counts sum below n");
    }

    private static int[] sortedIndices(long[] values) {
        return java.util.stream.IntStream.range(0, values.length).boxed()
                .sorted(java.util.Comparator.comparingLong(i -> values[i])).mapToInt(Integer::intValue).toArray();
    }

    /** Linear-interpolated quantile q in [0, 1] of sorted values. */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) throw new IllegalArgumentException("no values");
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
