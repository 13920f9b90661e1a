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
 * vocabulary, sequences longer than the KV cache, slots past it, page lists too short for the
 * sequence or naming pages outside the cache). Sequence slot s owns pages [s*pagesPerSeq,
 * (s+1)*pagesPerSeq); a sequence with its own page list uses those pages, its unused block-table
 * entries hold page 0 (never read: the kernels stop at kv_len).
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
            int[] pages = pagesOf(s, b);
            put(host, b.queryStart + i, start);
            put(host, b.kvLens + i, s.kvLen());
            int[] toks = s.tokens();
            for (int j = 0; j < toks.length; j++) {
                if (toks[j] < 0 || toks[j] >= vocab) throw new BenchException("token id " + toks[j] + " outside the vocabulary [0, " + vocab + ")");
                int t = start + j;
                int pos = s.prefixLen() + j;
                put(host, b.tokenIds + t, toks[j]);
                put(host, b.positions + t, pos);
                put(host, b.slotMapping + t, pages[pos / Layout.PAGE_SIZE] * Layout.PAGE_SIZE + pos % Layout.PAGE_SIZE);
            }
            for (int pg = 0; pg < b.pagesPerSeq; pg++) put(host, b.blockTables + (long) i * b.pagesPerSeq + pg, pg < pages.length ? pages[pg] : 0);
            start += toks.length;
            tiles += TileMath.tiles(toks.length, group, Layout.ROWS_PER_TILE);
        }
        put(host, b.queryStart + S, start);
        return tiles;
    }

    /** The sequence's pages: its slot's fixed range, or its own list, checked against the cache. */
    static int[] pagesOf(SeqInput s, StaticBuffers b) {
        int totalPages = b.config.maxNumSeqs() * b.pagesPerSeq;
        if (s.pages() == null) {
            if (s.slot() >= b.config.maxNumSeqs()) throw new IllegalArgumentException("cache slot " + s.slot() + " >= " + b.config.maxNumSeqs());
            int[] pages = new int[b.pagesPerSeq];
            for (int pg = 0; pg < pages.length; pg++) pages[pg] = s.slot() * b.pagesPerSeq + pg;
            return pages;
        }
        int[] pages = s.pages();
        int need = (s.kvLen() + Layout.PAGE_SIZE - 1) / Layout.PAGE_SIZE;
        if (pages.length < need) throw new IllegalArgumentException("a sequence of " + s.kvLen() + " tokens needs " + need + " pages, its list has " + pages.length);
        if (pages.length > b.pagesPerSeq) throw new IllegalArgumentException(pages.length + " pages exceed the block table's " + b.pagesPerSeq + " per sequence");
        for (int p : pages) {
            if (p < 0 || p >= totalPages) throw new IllegalArgumentException("page " + p + " outside the KV cache [0, " + totalPages + ")");
        }
        return pages;
    }

    private static void put(MemorySegment host, long index, int value) {
        host.setAtIndex(ValueLayout.JAVA_INT, index, value);
    }
}
