package io.prefillbench.engine;

import java.util.Objects;

/**
 * One sequence of a forward: the query tokens it adds now, how many of its tokens are already in
 * the KV cache (the prefix: earlier chunks, or the whole context of a decode token), and where its
 * KV lives: either a fixed cache slot ({@code slot} s owns pages [s*pagesPerSeq, (s+1)*pagesPerSeq))
 * or, when {@code pages} is not null, its own page list from a {@link KvBlockAllocator} ({@code slot}
 * is then -1). A decode token is a sequence of one query token with a prefix.
 */
public record SeqInput(int[] tokens, int prefixLen, int slot, int[] pages) {
    public SeqInput {
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.length == 0) throw new IllegalArgumentException("a sequence needs at least one query token");
        if (prefixLen < 0) throw new IllegalArgumentException("negative prefix length " + prefixLen);
        if (pages == null && slot < 0) throw new IllegalArgumentException("negative cache slot " + slot);
        if (pages != null && slot != -1) throw new IllegalArgumentException("a sequence with its own pages has no slot (-1), got " + slot);
    }

    /** A sequence in a fixed cache slot. */
    public SeqInput(int[] tokens, int prefixLen, int slot) {
        this(tokens, prefixLen, slot, null);
    }

    /** A sequence whose KV lives in {@code pages} (token j at page pages[j / PAGE_SIZE]). */
    public static SeqInput paged(int[] tokens, int prefixLen, int[] pages) {
        return new SeqInput(tokens, prefixLen, -1, Objects.requireNonNull(pages, "pages"));
    }

    public int kvLen() {
        return prefixLen + tokens.length;
    }

    /**
     * Whether a batch is only decode steps (every sequence one new token after a cached prefix): such a batch replays
     * its size's decode graph where the size has one ({@code LoweredForward.decodePlan}), as vLLM keeps full graphs for
     * uniform-decode batches next to those of mixed ones.
     */
    public static boolean uniformDecode(java.util.List<SeqInput> seqs) {
        if (seqs.isEmpty()) return false;
        for (SeqInput s : seqs) if (s.tokens.length != 1 || s.prefixLen == 0) return false;
        return true;
    }

    /**
     * Whether a batch is only fresh prompts (no sequence with a cached prefix): such a batch replays its size's fresh-prompt
     * graph where the size has one ({@code LoweredForward.freshPlan}); any batch with a prefix replays the plain graph.
     */
    public static boolean fresh(java.util.List<SeqInput> seqs) {
        if (seqs.isEmpty()) return false;
        for (SeqInput s : seqs) if (s.prefixLen != 0) return false;
        return true;
    }
}
