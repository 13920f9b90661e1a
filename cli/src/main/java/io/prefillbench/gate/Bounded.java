package io.prefillbench.gate;

/**
 * A point estimate with its one-sided lower and upper confidence bounds (each at the gate's confidence, so
 * together a two-sided interval of level 2c-1). Infinite bounds mean the noise is unknown.
 */
public record Bounded(double estimate, double low, double high) {
    public double width() {
        return high - low;
    }
}
