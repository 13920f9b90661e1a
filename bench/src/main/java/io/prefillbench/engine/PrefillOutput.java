package io.prefillbench.engine;

/**
 * Result of one forward.
 *
 * @param firstTokens greedy next token of each sequence
 * @param tokens      real tokens in the batch
 * @param paddedSize  the bucket the forward ran in (graph: the captured size replayed)
 * @param graph       whether a graph replay produced it
 * @param plan        which of the size's plans ran it: the plain one, the decode plan (a uniform-decode batch at a size
 *                    with a decode graph) or the fresh-prompt plan (a batch without a cached prefix at a size with one)
 */
public record PrefillOutput(int[] firstTokens, int tokens, int paddedSize, boolean graph, io.prefillbench.forward.CaptureKey.Batch plan) {
    public PrefillOutput(int[] firstTokens, int tokens, int paddedSize, boolean graph) {
        this(firstTokens, tokens, paddedSize, graph, io.prefillbench.forward.CaptureKey.Batch.PLAIN);
    }

    /** Whether the size's decode plan ran it. */
    public boolean decodePlan() {
        return plan == io.prefillbench.forward.CaptureKey.Batch.DECODE;
    }

    /** Whether the size's fresh-prompt plan ran it. */
    public boolean freshPlan() {
        return plan == io.prefillbench.forward.CaptureKey.Batch.FRESH;
    }
}
