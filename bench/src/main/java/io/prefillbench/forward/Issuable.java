package io.prefillbench.forward;

import io.prefillbench.cuda.CudaStream;

/** A bound lowered op: its grid set from counts, then issued on a stream (eagerly or under capture). */
public interface Issuable {
    /** Grid for these counts (capacities when capturing, real counts when eager); no-op for library calls. */
    void grid(int tokens, int seqs, int tiles);

    void issue(CudaStream stream);

    /** A library call's pinned algorithm (as the library describes it); null for our kernels. */
    default String pinned() {
        return null;
    }
}
