package io.prefillbench.results;

import java.util.Arrays;

/** Summary of latency samples in nanoseconds. Percentiles are nearest-rank over the samples. */
public record LatencyStats(double p50, double p90, double p99, double max, double mean, long count) {

    /** Summary of raw samples; the array is not modified. */
    public static LatencyStats of(long[] samplesNs) {
        if (samplesNs.length == 0) throw new IllegalArgumentException("no samples");
        long[] s = samplesNs.clone();
        Arrays.sort(s);
        double sum = 0;
        for (long v : s) sum += v;
        return new LatencyStats(nearestRank(s, 50), nearestRank(s, 90), nearestRank(s, 99), s[s.length - 1],
                sum / s.length, s.length);
    }

    /** Nearest-rank percentile of sorted samples, p in (0, 100]. */
    public static double nearestRank(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }
}
