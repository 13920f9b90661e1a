package io.prefillbench.results;

/** Whether the GPU reported clock throttling during measurement; details are free text. */
public record Throttling(boolean observed, String details) {
}
