package io.prefillbench.results;

/** File names (relative to the results file) of the HdrHistogram logs of each mode. */
public record HistogramLogs(String eager, String graph) {
}
