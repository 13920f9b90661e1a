package io.prefillbench.advise;

import java.util.Arrays;
import java.util.List;

/**
 * Measured latency against token count, one row per candidate capture size, ascending. Between rows both curves
 * are interpolated linearly. Below the first row eager and graph latency are taken as flat at the first row's
 * value (short forwards are launch-bound). No forward is longer than the last row (the serving model chunks at or
 * below it), so nothing is extrapolated upwards.
 */
public final class LatencyCurve {
    /**
     * One candidate size.
     *
     * @param graphMib  device memory of its graph, NaN when the curve does not say
     * @param captureMs capture time of its graph, NaN when the curve does not say
     */
    public record Row(int tokens, double eagerMs, double graphMs, double graphMib, double captureMs) {
    }

    private final Row[] rows;
    private final int[] tokens;

    public LatencyCurve(List<Row> rows) {
        if (rows.isEmpty()) throw new IllegalArgumentException("a curve needs at least one row");
        this.rows = rows.stream().sorted((a, b) -> Integer.compare(a.tokens(), b.tokens())).toArray(Row[]::new);
        this.tokens = Arrays.stream(this.rows).mapToInt(Row::tokens).toArray();
        for (int i = 1; i < tokens.length; i++)
            if (tokens[i] == tokens[i - 1]) throw new IllegalArgumentException("token count " + tokens[i] + " appears twice");
    }

    public List<Row> rows() {
        return List.of(rows);
    }

    public int size() {
        return rows.length;
    }

    public Row row(int i) {
        return rows[i];
    }

    public int minTokens() {
        return tokens[0];
    }

    public int maxTokens() {
        return tokens[tokens.length - 1];
    }

    public boolean hasGraphMib() {
        return Arrays.stream(rows).allMatch(r -> Double.isFinite(r.graphMib()));
    }

    public boolean hasCaptureMs() {
        return Arrays.stream(rows).allMatch(r -> Double.isFinite(r.captureMs()));
    }

    /** Index of the row with exactly this token count, or -1. */
    public int indexOf(int t) {
        int i = Arrays.binarySearch(tokens, t);
        return i >= 0 ? i : -1;
    }

    /** Eager latency of a forward of {@code t <= maxTokens} tokens (interpolated between rows). */
    public double eagerMs(int t) {
        if (t > maxTokens()) throw new IllegalArgumentException(t + " tokens is above the curve's last row " + maxTokens());
        return interpolate(t, 0);
    }

    /** Graph replay latency of a size inside [minTokens, maxTokens] (interpolated between rows). */
    public double graphMs(int size) {
        return interpolate(size, 1);
    }

    public double graphMib(int size) {
        return interpolate(size, 2);
    }

    public double captureMs(int size) {
        return interpolate(size, 3);
    }

    private double interpolate(int t, int column) {
        if (t <= tokens[0]) return value(rows[0], column);
        int i = Arrays.binarySearch(tokens, t);
        if (i >= 0) return value(rows[i], column);
        int hi = -i - 1;
        if (hi >= rows.length) return value(rows[rows.length - 1], column);
        Row a = rows[hi - 1], b = rows[hi];
        double f = (double) (t - a.tokens()) / (b.tokens() - a.tokens());
        return value(a, column) + f * (value(b, column) - value(a, column));
    }

    private static double value(Row r, int column) {
        return switch (column) {
            case 0 -> r.eagerMs();
            case 1 -> r.graphMs();
            case 2 -> r.graphMib();
            default -> r.captureMs();
        };
    }
}
