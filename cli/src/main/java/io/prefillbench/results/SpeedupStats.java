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
        return medianInPlace(toDouble(xs), xs.length);
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
     *
     * @return {@code [2][resamples]}: row 0 eager medians, row 1 graph medians
     */
    public static double[][] resampleMedians(long[] eagerNs, long[] graphNs, int resamples, SplittableRandom rng) {
        int n = eagerNs.length;
        if (n == 0 || graphNs.length != n) throw new IllegalArgumentException("need equal, non-zero sample counts, got "
                + eagerNs.length + " and " + graphNs.length);
        double[][] out = new double[2][resamples]; // [mode, resample]
        double[] e = new double[n], g = new double[n];
        for (int k = 0; k < resamples; k++) {
            for (int i = 0; i < n; i++) {
                int j = rng.nextInt(n);
                e[i] = eagerNs[j];
                g[i] = graphNs[j];
            }
            out[0][k] = medianInPlace(e, n);
            out[1][k] = medianInPlace(g, n);
        }
        return out;
    }

    /** Linear-interpolated quantile q in [0, 1] of sorted values. */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) throw new IllegalArgumentException("no values");
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double[] toDouble(long[] xs) {
        double[] d = new double[xs.length];
        for (int i = 0; i < xs.length; i++) d[i] = xs[i];
        return d;
    }

    /** Median of a[0..n) by quickselect, O(n); reorders a. */
    static double medianInPlace(double[] a, int n) {
        int k = (n - 1) / 2;
        select(a, n, k);
        if ((n & 1) == 1) return a[k];
        double next = Double.POSITIVE_INFINITY; // after select, a[k+1..n) are all >= a[k]
        for (int i = k + 1; i < n; i++) next = Math.min(next, a[i]);
        return (a[k] + next) / 2;
    }

    /** Hoare's selection: afterwards a[k] is the k-th smallest, a[0..k) <= a[k] <= a[k+1..n). */
    private static void select(double[] a, int n, int k) {
        int lo = 0, hi = n - 1;
        while (hi > lo) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;
        }
    }
}
