package io.prefillbench.gate;

/**
 * Settings of one gate run.
 *
 * @param tolerance     relative change that counts, e.g. 0.05: a row is SLOWER only if confidently below 1 - tolerance
 * @param confidence    one-sided confidence of each bound, e.g. 0.95
 * @param allowMismatch compare runs of different devices or presets (normally exit 2)
 * @param resamples     bootstrap resamples per row
 * @param seed          bootstrap seed; the same inputs and seed always give the same verdict
 */
public record GateOptions(double tolerance, double confidence, boolean allowMismatch, int resamples, long seed) {
    /** Most resamples: the bootstrap holds a few doubles per resample and sorts them, so more would only cost memory and time. */
    public static final int MAX_RESAMPLES = 100_000;

    public GateOptions {
        if (!(tolerance >= 0 && tolerance < 1)) throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
        if (!(confidence > 0.5 && confidence < 1)) throw new IllegalArgumentException("confidence must be in (0.5, 1), got " + confidence);
        if (resamples < 100 || resamples > MAX_RESAMPLES) {
            throw new IllegalArgumentException("--resamples must be in 100.." + MAX_RESAMPLES + ", got " + resamples);
        }
    }

    public static GateOptions defaults() {
        return new GateOptions(0.05, 0.95, false, 2000, 1);
    }

    public GateOptions withResamples(int r) {
        return new GateOptions(tolerance, confidence, allowMismatch, r, seed);
    }

    public GateOptions withSeed(long s) {
        return new GateOptions(tolerance, confidence, allowMismatch, resamples, s);
    }
}
