package io.prefillbench.forward;

import io.prefillbench.cuda.CudaStream;

/** A bound lowered op: its grid set from counts, then issued on a stream (eagerly or under capture). */
public interface Issuable {
    /** Grid for these counts (capacities when capturing, real counts when eager); no-op for library calls. */
    void grid(int tokens, int seqs, int tiles);

    void issue(CudaStream stream);

    /** Whether this is a library call (its kernels neither trigger nor wait for programmatic launches). */
    default boolean library() {
        return false;
    }

    /**
     * Whether this is one of our kernels launched with programmatic dependent launch: it reads nothing a previous
     * kernel wrote before griddepcontrol.wait, so it may be launched before its predecessors complete.
     */
    default boolean waitsOnGrid() {
        return false;
    }

    /**
     * Issues it under capture after the caller set the stream's dependency edges itself (programmatic ones): a kernel
     * with PDL goes without its launch attribute, which would set them again.
     */
    default void issueBehindSetEdges(CudaStream stream) {
        issue(stream);
    }

    /** A library call's pinned algorithm (as the library describes it); null for our kernels. */
    default String pinned() {
        return null;
    }
}
