package io.prefillbench.advise;

import java.util.List;

/**
 * What {@code advise} found (schema {@value #SCHEMA}), written by {@code --json}: the chosen sizes and their expected
 * latency, the same figures for the comparison sets, and each chosen size's marginal value.
 *
 * @param expectedMs  mean cost per request over the workload under the chosen sizes
 * @param p99Ms       99th percentile (nearest rank) of the per-request costs
 * @param comparisons the chosen set first, then --sizes (when given), powers of two, the engine ladders, no graphs
 * @param marginal    per chosen size: mean ms per request lost when it alone is removed (= gained adding it last)
 */
public record Advice(String schema, String curve, Workload workload, Guard guard, Limits budgets, List<Integer> sizes,
                     double expectedMs, double p99Ms, Double graphMib, Double captureMs, List<Row> comparisons,
                     List<Marginal> marginal) {
    public static final String SCHEMA = "prefillbench/advice/v1";

    /** @param source a file or a distribution spec with its seed */
    public record Workload(String source, int requests, int minTokens, int maxTokens, double meanTokens) {
    }

    public record Guard(double padRatio, int padSlack) {
    }

    /** Null where no limit was given. */
    public record Limits(Integer maxGraphs, Double maxGraphMib, Double maxCaptureMs) {
    }

    /** One set of sizes and what the model expects of it; graphMib and captureMs null when the curve lacks them. */
    public record Row(String name, List<Integer> sizes, double expectedMs, double p99Ms, Double graphMib, Double captureMs) {
    }

    public record Marginal(int size, double savedMs) {
    }
}
