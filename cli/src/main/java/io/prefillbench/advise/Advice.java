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
 * @param meta        where this advice comes from (argv, the jar's git SHA, timestamp); null in files written before it
 * @param devices the GPU(s) the latency curve was measured on (a sweep JSON's devices block); null for a CSV curve
 */
public record Advice(String schema, String curve, Workload workload, Guard guard, Limits budgets, List<Integer> sizes,
                     double expectedMs, double p99Ms, Double graphMib, Double captureMs, List<Row> comparisons,
                     List<Marginal> marginal, io.prefillbench.results.Meta meta, List<io.prefillbench.results.Device> devices) {
    public static final String SCHEMA = "prefillbench/advice/v1";

    /** The same advice with its provenance: the run that made it and the GPU its curve came from. */
    public Advice withProvenance(io.prefillbench.results.Meta m, List<io.prefillbench.results.Device> devices) {
        return new Advice(schema, curve, workload, guard, budgets, sizes, expectedMs, p99Ms, graphMib, captureMs, comparisons, marginal,
                m, devices == null ? null : List.copyOf(devices));
    }

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
