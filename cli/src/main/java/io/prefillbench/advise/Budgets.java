package io.prefillbench.advise;

/**
 * Limits on the chosen sizes: how many graphs, their summed device memory and summed capture time. An absent
 * limit is {@code Integer.MAX_VALUE} or positive infinity.
 */
public record Budgets(int maxGraphs, double maxGraphMib, double maxCaptureMs) {
    public static final Budgets NONE = new Budgets(Integer.MAX_VALUE, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    /** Sums of doubles in another order may differ in the last bits; a total this close to its limit fits. */
    static final double SLACK = 1e-9;

    public Budgets {
        if (maxGraphs < 0) throw new IllegalArgumentException("maxGraphs must be >= 0, got " + maxGraphs);
        if (!(maxGraphMib >= 0)) throw new IllegalArgumentException("maxGraphMib must be >= 0, got " + maxGraphMib);
        if (!(maxCaptureMs >= 0)) throw new IllegalArgumentException("maxCaptureMs must be >= 0, got " + maxCaptureMs);
    }

    boolean limitsMemory() {
        return maxGraphMib != Double.POSITIVE_INFINITY;
    }

    boolean limitsCapture() {
        return maxCaptureMs != Double.POSITIVE_INFINITY;
    }

    /** Whether a set of {@code graphs} sizes with these totals is allowed. */
    boolean fits(int graphs, double mib, double captureMs) {
        return graphs <= maxGraphs && mib <= maxGraphMib + SLACK * Math.max(1, maxGraphMib)
                && captureMs <= maxCaptureMs + SLACK * Math.max(1, maxCaptureMs);
    }
}
