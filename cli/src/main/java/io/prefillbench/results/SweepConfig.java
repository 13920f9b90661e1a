package io.prefillbench.results;

import java.util.Map;

/**
 * What a sweep asked for: every size {@code from, from + step, ..., <= to} captured and timed.
 *
 * @param sequences          equal sequences per forward at every point ({@code --sweep-batch})
 * @param iterationsPerPoint timed forwards per mode at each point (interleaved eager, graph)
 * @param warmupPerPoint     untimed forwards per mode at each point before timing
 * @param hostTiming         nullable: where the host samples come from (--host-timing, {@link RunConfig#hostTiming}); null in
 *                           files written before the field: the event-timed forwards
 * @param firstTokens        nullable: how the host waited for a forward's first tokens (--first-tokens,
 *                           {@link RunConfig#firstTokens}); null in files written before the field: synchronized
 * @param warmupMs           nullable: --warmup-ms, the least warm-up time per point besides {@code warmupPerPoint}; null in
 *                           files written before the field: none
 * @param primeMs            nullable: --prime-ms, the least time heavy forwards ran before each point; null in files written
 *                           before the field: none
 */
public record SweepConfig(String model, Map<String, Object> modelShape, int from, int to, int step, int sequences,
                          int maxNumSeqs, int maxModelLen, int warmupPerPoint, int iterationsPerPoint, long seed, boolean pdl,
                          String gemm, String hostTiming, String firstTokens, Long warmupMs, Long primeMs) {
}
