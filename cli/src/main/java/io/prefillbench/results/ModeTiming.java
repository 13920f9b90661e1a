package io.prefillbench.results;

/**
 * Timing of one mode (eager or graph) of one workload.
 *
 * @param hostNs        host wall time per forward, launch to synchronize
 * @param gpuNs         GPU time per forward from events
 * @param samplesHostNs every host sample in measurement order; pairs with the other mode's by index
 */
public record ModeTiming(LatencyStats hostNs, LatencyStats gpuNs, long[] samplesHostNs) {
}
