package io.prefillbench.engine;

import io.prefillbench.BenchException;
import io.prefillbench.plan.TileMath;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Writes a batch's metadata into the pinned host image of the device metadata slice (layout of
 * {@link StaticBuffers}): counts, cumulative query starts, kv lengths, token ids, positions,
 * cache slots and block tables; rejects what the kernels cannot take (token ids outside the
 * vocabulary, sequences longer than the KV cache, slots past it). Sequence slot s owns pages [s*pagesPerSeq, (s+1)*pagesPerSeq).
 */
final class BatchMetadata {
    private BatchMetadata() {
    }

    /** Fills {@code host}; returns the real attention tile count of this split. */
    static int write(MemorySegment host, StaticBuffers b, List<SeqInput> seqs, int group) {
        int S = seqs.size();
        if (S == 0) throw new IllegalArgumentException("empty batch");
        if (S > b.maxSeqs) throw new IllegalArgumentException(S + " sequences exceed the engine's capacity of " + b.maxSeqs);
        int T = 0;
        for (SeqInput s : seqs) T += s.tokens().length;
        if (T > b.maxTokens) throw new IllegalArgumentException(T + " tokens exceed the largest capture size " + b.maxTokens + " (chunk the batch)");
        int maxLen = b.config.maxModelLen();
        int vocab = b.config.model().vocab();
        int tiles = 0;
        put(host, b.numTokens, T);
        put(host, b.numSeqs, S);
        int start = 0;
        for (int i = 0; i < S; i++) {
            SeqInput s = seqs.get(i);
            if (s.kvLen() > maxLen) {
                throw new BenchException("a sequence of " + s.kvLen() + " tokens is longer than --max-model-len " + maxLen);
            }
            if (s.slot() >= b.config.maxNumSeqs()) throw new IllegalArgumentException("cache slot " + s.slot() + " >= " + b.config.maxNumSeqs());
            put(host, b.queryStart + i, start);
            put(host, b.kvLens + i, s.kvLen());
            int[] toks = s.tokens();
            for (int j = 0; j < toks.length; j++) {
                if (toks[j] < 0 || toks[j] >= vocab) throw new BenchException("token id " + toks[j] + " outside the vocabulary [0, " + vocab + ")");
                int t = start + j;
                int pos = s.prefixLen() + j;
                put(host, b.tokenIds + t, toks[j]);
                put(host, b.positions + t, pos);
                put(host, b.slotMapping + t, (s.slot() * b.pagesPerSeq + pos / Layout.PAGE_SIZE) * Layout.PAGE_SIZE + pos % Layout.PAGE_SIZE);
            }
            for (int pg = 0; pg < b.pagesPerSeq; pg++) put(host, b.blockTables + (long) i * b.pagesPerSeq + pg, s.slot() * b.pagesPerSeq + pg);
            start += toks.length;
            tiles += TileMath.tiles(toks.length, group, Layout.ROWS_PER_TILE);
        }
        put(host, b.queryStart + S, start);
        return tiles;
    }

    private static void put(MemorySegment host, long index, int value) {
        host.setAtIndex(ValueLayout.JAVA_INT, index, value);
    }
}
