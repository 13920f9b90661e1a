package io.prefillbench.results;

/**
 * One token count of a sweep: eager at exactly {@code tokens} tokens against the graph captured for that size.
 *
 * @param sequences  equal sequences the tokens were split into (1 = one prompt)
 * @param captureMs  capture + instantiate + upload of this size's graph (and of its decode graph, where the size has one),
 *                   host wall clock
 * @param graphBytes device memory the graph (and its decode graph) took (free memory before minus after capture)
 * @param graphMiB   graphBytes / 2^20, for readers
 * @param speedupP50 eager host p50 / graph host p50
 */
public record SweepPoint(int tokens, int sequences, double captureMs, long graphBytes, double graphMiB, long graphNodes,
                         SweepTiming eager, SweepTiming graph, double speedupP50) {
}
