package io.prefillbench.results;

/** Host-side launches per forward: kernels in eager mode, graph launches in graph mode. */
public record LaunchCounts(int eager, int graph) {
}
