package io.prefillbench.results;

/** eager p50 / graph p50 with a 95% bootstrap interval; above 1 means the graph was faster. */
public record Speedup(double p50Ratio, double ci95Low, double ci95High) {
}
