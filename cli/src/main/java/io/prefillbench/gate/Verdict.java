package io.prefillbench.gate;

/**
 * Outcome of one comparison, in precedence order when a row combines several: SLOWER wins, then NOISY, FASTER, SAME;
 * NA (the metric does not apply: a mode was not timed) never wins.
 */
public enum Verdict {
    SLOWER, NOISY, FASTER, SAME, NA;

    /** The verdict that dominates when two metrics of a row disagree. */
    public static Verdict worst(Verdict a, Verdict b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
