package io.prefillbench.engine;

/**
 * Result of one forward.
 *
 * @param firstTokens greedy next token of each sequence
 * @param tokens      real tokens in the batch
 * @param paddedSize  the bucket the forward ran in (graph: the captured size replayed)
 * @param graph       whether a graph replay produced it
 * @param decodePlan  whether the size's decode plan ran it (a uniform-decode batch at a size with a decode graph)
 * @param freshPlan   whether the size's fresh-prompt plan ran it (a batch without a cached prefix at a size with one)
 */
public record PrefillOutput(int[] firstTokens, int tokens, int paddedSize, boolean graph, boolean decodePlan, boolean freshPlan) {
    public PrefillOutput(int[] firstTokens, int tokens, int paddedSize, boolean graph) {
        this(firstTokens, tokens, paddedSize, graph, false, false);
    }
}
