package io.prefillbench.serve;

/**
 * One finished request: arrival, prompt and output lengths, time to first token, mean time per
 * output token after the first (null for one-token outputs), end-to-end latency; milliseconds.
 */
public record RequestRecord(int id, double arrivalMs, int promptTokens, int outputTokens, double ttftMs, Double tpotMs, double latencyMs) {
}
