package io.prefillbench.results;

/**
 * Cost of capturing the graph of one padded size.
 *
 * @param graphBytes      device memory the instantiated graph holds
 * @param exactWorstTiles nullable: worst-case tile count from the exact planner
 * @param heuristicTiles  nullable: tile count the heuristic planner chose
 */
public record Capture(int size, double captureMs, int graphNodes, long graphBytes, Long exactWorstTiles,
                      Long heuristicTiles) {
    public double graphMiB() {
        return graphBytes / (1024.0 * 1024.0);
    }
}
