package io.prefillbench.engine;

import java.util.Objects;

/**
 * One sequence of a forward: the query tokens it adds now, how many of its tokens are already in
 * the KV cache (the prefix: earlier chunks), and which KV-cache slot holds it.
 */
public record SeqInput(int[] tokens, int prefixLen, int slot) {
    public SeqInput {
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.length == 0) throw new IllegalArgumentException("a sequence needs at least one query token");
        if (prefixLen < 0) throw new IllegalArgumentException("negative prefix length " + prefixLen);
        if (slot < 0) throw new IllegalArgumentException("negative cache slot " + slot);
    }

    public int kvLen() {
        return prefixLen + tokens.length;
    }
}
