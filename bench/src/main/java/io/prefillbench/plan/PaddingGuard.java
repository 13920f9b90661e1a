package io.prefillbench.plan;

/**
 * Decides whether a batch of T tokens replays a graph padded to P tokens or runs eager. Graph
 * replay computes all P rows, so heavy padding can cost more than the launches it saves.
 *
 * <p>Rule: run eager only when the padding is large in both senses, {@code P > maxPadRatio * T}
 * <em>and</em> {@code P - T > slackTokens}. The absolute slack keeps small batches on graphs
 * (there launch overhead dominates and a few padded rows are nearly free: 1 token padded to 8 is
 * fine); the ratio keeps large batches on graphs when the next size is close (200 -> 256). The
 * default {@code (2.0, 64)} sends e.g. 65 tokens padded to 512 eager. Every decision carries a
 * reason string so reports show it; the fallback is never silent.
 *
 * @param maxPadRatio largest allowed P / T before the slack check applies, >= 1
 * @param slackTokens padding always accepted, in tokens, >= 0
 */
public record PaddingGuard(double maxPadRatio, int slackTokens) {
    /** Ratio 2.0 and slack 64 tokens. */
    public static final PaddingGuard DEFAULT = new PaddingGuard(2.0, 64);

    public PaddingGuard {
        if (!(maxPadRatio >= 1.0) || Double.isInfinite(maxPadRatio)) {
            throw new IllegalArgumentException("maxPadRatio must be a finite number >= 1, got " + maxPadRatio);
        }
        if (slackTokens < 0) {
            throw new IllegalArgumentException("slackTokens must be >= 0, got " + slackTokens);
        }
    }

    /** How a batch runs. */
    public enum Mode { GRAPH, EAGER }

    /**
     * One decision.
     *
     * @param paddedTokens tokens computed: the graph size for GRAPH, the real count for EAGER
     * @param reason       one line saying why, for reports
     */
    public record Decision(Mode mode, int tokens, int paddedTokens, String reason) {
        /** Padding share of the computed rows, in percent (0 for eager). */
        public double wastePercent() {
            return paddedTokens == 0 ? 0 : 100.0 * (paddedTokens - tokens) / paddedTokens;
        }
    }

    /** Decision for {@code tokens} against the capture sizes; eager when no size fits. */
    public Decision decide(int tokens, CaptureSizes sizes) {
        var bucket = sizes.bucketFor(tokens);
        if (bucket.isEmpty()) {
            return new Decision(Mode.EAGER, tokens, tokens,
                    "no capture size >= " + tokens + " (largest " + sizes.largest() + "): eager");
        }
        return decide(tokens, bucket.getAsInt());
    }

    /** Decision for {@code tokens} padded to the graph size {@code padded} (>= tokens). */
    public Decision decide(int tokens, int padded) {
        if (tokens < 1 || padded < tokens) {
            throw new IllegalArgumentException("need 1 <= tokens <= padded, got " + tokens + " and " + padded);
        }
        int pad = padded - tokens;
        double ratio = (double) padded / tokens;
        String what = String.format("%d -> graph %d pads %d tokens (%.2fx)", tokens, padded, pad, ratio);
        if (pad > slackTokens && ratio > maxPadRatio) {
            return new Decision(Mode.EAGER, tokens, tokens, String.format(
                    "%s: above %.2fx and %d tokens slack, eager", what, maxPadRatio, slackTokens));
        }
        String why = pad <= slackTokens
                ? String.format("within %d tokens slack", slackTokens)
                : String.format("within %.2fx", maxPadRatio);
        return new Decision(Mode.GRAPH, tokens, padded, what + ": " + why + ", graph");
    }
}
