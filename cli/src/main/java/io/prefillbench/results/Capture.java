package io.prefillbench.results;

/**
 * Cost of capturing the graph of one padded size.
 *
 * @param graphBytes      device memory the instantiated graph holds
 * @param exactWorstTiles nullable: worst-case tile count from the exact planner
 * @param heuristicTiles  nullable: tile count the heuristic planner chose
 * @param fullEdges       nullable (absent before session 7): graph edges where the next node waits for completion
 * @param pdlEdges        nullable: programmatic edges at the kernel's trigger (PDL between our kernels)
 * @param libraryEdges    nullable: programmatic edges at launch completion (a library kernel into ours)
 * @param decodeGraph     nullable: the size's second graph, the one uniform-decode batches replay, where a decode-only
 *                        attention row gave the size one (its cost is on top of this one's)
 * @param freshGraph      nullable: the size's fresh-prompt graph, the one batches without a cached prefix replay, where a
 *                        fresh-only row gave the size one (its cost is on top of this one's; since the twenty-sixth session)
 */
public record Capture(int size, double captureMs, int graphNodes, long graphBytes, Long exactWorstTiles,
                      Long heuristicTiles, Integer fullEdges, Integer pdlEdges, Integer libraryEdges,
                      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Capture decodeGraph,
                      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Capture freshGraph) {
    /** A size with one graph. */
    public Capture(int size, double captureMs, int graphNodes, long graphBytes, Long exactWorstTiles,
                   Long heuristicTiles, Integer fullEdges, Integer pdlEdges, Integer libraryEdges) {
        this(size, captureMs, graphNodes, graphBytes, exactWorstTiles, heuristicTiles, fullEdges, pdlEdges, libraryEdges, null, null);
    }

    /** A size with a decode graph and no fresh-prompt graph. */
    public Capture(int size, double captureMs, int graphNodes, long graphBytes, Long exactWorstTiles,
                   Long heuristicTiles, Integer fullEdges, Integer pdlEdges, Integer libraryEdges, Capture decodeGraph) {
        this(size, captureMs, graphNodes, graphBytes, exactWorstTiles, heuristicTiles, fullEdges, pdlEdges, libraryEdges, decodeGraph, null);
    }

    /** Without the edge census (results written before it). */
    public Capture(int size, double captureMs, int graphNodes, long graphBytes, Long exactWorstTiles, Long heuristicTiles) {
        this(size, captureMs, graphNodes, graphBytes, exactWorstTiles, heuristicTiles, null, null, null, null, null);
    }

    public double graphMiB() {
        return graphBytes / (1024.0 * 1024.0);
    }
}
