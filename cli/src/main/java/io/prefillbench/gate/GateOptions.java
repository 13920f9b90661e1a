package io.prefillbench.gate;

import java.util.Set;

/**
 * Settings of one gate run.
 *
 * @param tolerance       relative change that counts, e.g. 0.05: a metric is SLOWER only if confidently below 1 - tolerance
 * @param confidence      one-sided confidence of each bound, e.g. 0.95
 * @param allowMismatch   compare runs of different devices or presets (normally exit 2)
 * @param resamples       bootstrap resamples per row
 * @param seed            bootstrap seed; the same inputs and seed always give the same verdict
 * @param failOn          metrics whose SLOWER verdict fails the gate (a one-mode row always gates its mode's latency)
 * @param minSamples      fewest paired samples per mode a compared prefill row may have, in either file (else exit 2)
 * @param allowConfigDiff compare runs whose recorded run conditions differ (normally exit 2)
 * @param allowMissing    pass although the current run lacks workloads of the baseline (normally exit 1)
 */
public record GateOptions(double tolerance, double confidence, boolean allowMismatch, int resamples, long seed,
                          Set<Metric> failOn, int minSamples, boolean allowConfigDiff, boolean allowMissing) {
    public static final int DEFAULT_MIN_SAMPLES = 30;
    /** Most resamples: the bootstrap holds a few doubles per resample and sorts them, so more would only cost memory and time. */
    public static final int MAX_RESAMPLES = 100_000;

    public GateOptions {
        if (!(tolerance >= 0 && tolerance < 1)) throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
        if (!(confidence > 0.5 && confidence < 1)) throw new IllegalArgumentException("confidence must be in (0.5, 1), got " + confidence);
        if (resamples < 100 || resamples > MAX_RESAMPLES) {
            throw new IllegalArgumentException("--resamples must be in 100.." + MAX_RESAMPLES + ", got " + resamples);
        }
        if (failOn == null || failOn.isEmpty()) throw new IllegalArgumentException("fail-on needs at least one metric");
        if (minSamples < 2) throw new IllegalArgumentException("min-samples must be at least 2, got " + minSamples);
        failOn = Set.copyOf(failOn);
    }

    public static GateOptions defaults() {
        return new GateOptions(0.05, 0.95, false, 2000, 1, Metric.DEFAULT_FAIL_ON, DEFAULT_MIN_SAMPLES, false, false);
    }

    public GateOptions withResamples(int r) {
        return new GateOptions(tolerance, confidence, allowMismatch, r, seed, failOn, minSamples, allowConfigDiff, allowMissing);
    }

    public GateOptions withSeed(long s) {
        return new GateOptions(tolerance, confidence, allowMismatch, resamples, s, failOn, minSamples, allowConfigDiff, allowMissing);
    }

    public GateOptions withFailOn(Set<Metric> metrics) {
        return new GateOptions(tolerance, confidence, allowMismatch, resamples, seed, metrics, minSamples, allowConfigDiff, allowMissing);
    }
}
