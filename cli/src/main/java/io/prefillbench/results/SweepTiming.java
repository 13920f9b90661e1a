package io.prefillbench.results;

/**
 * One mode's timing at one sweep point, in milliseconds: host wall clock per forward (inputs in, first tokens out)
 * and GPU time of the same forwards from CUDA events.
 *
 * @param samples timed forwards (the other mode at the same point has as many: they were interleaved)
 */
public record SweepTiming(double hostP50Ms, double hostP99Ms, double hostMeanMs, double gpuP50Ms, double gpuP99Ms,
                          double gpuMeanMs, int samples) {

    /** Summary of host and GPU samples in nanoseconds. */
    public static SweepTiming of(long[] hostNs, long[] gpuNs) {
        LatencyStats h = LatencyStats.of(hostNs), g = LatencyStats.of(gpuNs);
        return new SweepTiming(h.p50() / 1e6, h.p99() / 1e6, h.mean() / 1e6, g.p50() / 1e6, g.p99() / 1e6, g.mean() / 1e6,
                hostNs.length);
    }
}
