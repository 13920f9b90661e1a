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
 * @param edgeKinds       the graph's edges by "type/from port" ({@code CudaGraph.edgeKinds}): 0/0 full dependencies,
 *                        1/1 programmatic (PDL: the next kernel starts at the trigger), 1/2 programmatic at launch
 *                        completion (library edges)
 * @param persistingBytes the bytes of each kernel node's persisting L2 access-policy window, in node order (as the graph holds
 *                        them, {@code CudaGraph.policyWindows}): the LM head's under --l2-persist, none otherwise
 */
public record CaptureReport(int size, int seqCapacity, int exactWorstTiles, int heuristicTiles, double captureMs,
                            long graphNodes, long kernelNodes, long graphBytes, java.util.Map<String, Integer> edgeKinds,
                            java.util.List<Long> persistingBytes) {
    public CaptureReport {
        edgeKinds = java.util.Map.copyOf(edgeKinds);
        persistingBytes = java.util.List.copyOf(persistingBytes);
    }

    /** Edges where the next node waits for this one's completion (type 0, port 0). */
    public int fullEdges() {
        return edgeKinds.getOrDefault("0/0", 0);
    }

    /** PDL edges: the next kernel launches at this kernel's trigger and waits in griddepcontrol.wait (type 1, port 1). */
    public int programmaticEdges() {
        return edgeKinds.getOrDefault("1/1", 0);
    }

    /** Library edges: the next kernel launches once this (library) kernel's blocks have all started (type 1, port 2). */
    public int launchCompletionEdges() {
        return edgeKinds.getOrDefault("1/2", 0);
    }
}
