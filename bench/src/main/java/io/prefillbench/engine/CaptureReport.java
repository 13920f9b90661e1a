package io.prefillbench.engine;

/**
 * What capturing one size cost and what it holds.
 *
 * @param size            captured token count
 * @param seqCapacity     sequences the graph serves
 * @param exactWorstTiles attention tiles the graph was captured with (exact worst case over all splits)
 * @param heuristicTiles  what the [1,...,1,rest] guess would have captured
 * @param captureMs       warm-up excluded: capture + instantiate + upload, host wall clock
 * @param graphNodes      nodes in the graph (kernels and the two copies)
 * @param kernelNodes     kernel nodes
 * @param graphBytes      device memory the graph took (free memory before minus after)
 */
public record CaptureReport(int size, int seqCapacity, int exactWorstTiles, int heuristicTiles, double captureMs,
                            long graphNodes, long kernelNodes, long graphBytes) {
}
