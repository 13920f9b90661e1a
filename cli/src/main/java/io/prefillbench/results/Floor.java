package io.prefillbench.results;

/**
 * Optional top-level block: the weight-streaming floor measured in the same run. A forward reads every weight at
 * least once, so it cannot take less than weightBytes / bandwidth, with the bandwidth of a large device-to-device
 * copy (bytes read + written) on the same GPU.
 *
 * @param d2dTBps        device-to-device copy bandwidth, TB/s (1e12), bytes read + written, median of the copies
 * @param weightBytes    bytes of the model's weights
 * @param weightStreamMs weightBytes / d2dTBps, milliseconds
 * @param copyBytes      bytes of each copy (at least 1 GiB); nullable in hand-written files
 * @param method         how it was measured, in words; nullable
 */
public record Floor(double d2dTBps, long weightBytes, double weightStreamMs, Long copyBytes, String method) {
    /** weightBytes / (d2dTBps * 1e12) in milliseconds. */
    public static double streamMs(long weightBytes, double d2dTBps) {
        return weightBytes / (d2dTBps * 1e12) * 1e3;
    }
}
