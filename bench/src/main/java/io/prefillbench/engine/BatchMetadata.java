package io.prefillbench.engine;

import io.prefillbench.BenchException;
import io.prefillbench.forward.KernelConstants;
import io.prefillbench.forward.MetaLayout;
import io.prefillbench.plan.TileMath;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static io.prefillbench.forward.ForwardProgram.BLOCK_TABLES;
import static io.prefillbench.forward.ForwardProgram.KV_LENS;
import static io.prefillbench.forward.ForwardProgram.NUM_SEQS;
import static io.prefillbench.forward.ForwardProgram.NUM_TOKENS;
import static io.prefillbench.forward.ForwardProgram.POSITIONS;
import static io.prefillbench.forward.ForwardProgram.QUERY_START;
import static io.prefillbench.forward.ForwardProgram.SLOT_MAPPING;
import static io.prefillbench.forward.ForwardProgram.TOKEN_IDS;

/**
 * Writes a batch's metadata into the pinned host image of the {@code batch_meta} slice (fields of
 * {@link MetaLayout}): counts, cumulative query starts, kv lengths, token ids, positions, cache
 * slots and block tables; rejects what the kernels cannot take (token ids outside the vocabulary,
 * sequences longer than the KV cache, slots past it, page lists too short for the sequence or
 * naming pages outside the cache). Sequence slot s owns pages [s*pagesPerSeq, (s+1)*pagesPerSeq);
 * a sequence with its own page list uses those pages, its unused block-table entries hold page 0
 * (never read: the kernels stop at kv_len).
 */
final class BatchMetadata {
    private BatchMetadata() {
    }

    /** Fills {@code host}; returns the real attention tile count of this split in tiles of {@code tileRows} rows (the plan's). */
    static int write(MemorySegment host, MetaLayout meta, EngineConfig config, List<SeqInput> seqs, int group, int tileRows) {
        int S = seqs.size();
        if (S == 0) throw new IllegalArgumentException("empty batch");
        if (S > meta.maxSeqs()) throw new IllegalArgumentException(S + " sequences exceed the engine's capacity of " + meta.maxSeqs());
        int T = 0;
        for (SeqInput s : seqs) T += s.tokens().length;
        if (T > meta.maxTokens()) throw new IllegalArgumentException(T + " tokens exceed the largest capture size " + meta.maxTokens() + " (chunk the batch)");
        int maxLen = config.maxModelLen();
        int vocab = config.model().vocab();
        int pagesPerSeq = meta.pagesPerSeq();
        int page = KernelConstants.PAGE_SIZE;
        long queryStart = meta.index(QUERY_START), kvLens = meta.index(KV_LENS), tokenIds = meta.index(TOKEN_IDS),
                positions = meta.index(POSITIONS), slotMapping = meta.index(SLOT_MAPPING), blockTables = meta.index(BLOCK_TABLES);
        int tiles = 0;
        put(host, meta.index(NUM_TOKENS), T);
        put(host, meta.index(NUM_SEQS), S);
        int start = 0;
        for (int i = 0; i < S; i++) {
            SeqInput s = seqs.get(i);
            if (s.kvLen() > maxLen) {
                throw new BenchException("a sequence of " + s.kvLen() + " tokens is longer than --max-model-len " + maxLen);
            }
            int[] pages = pagesOf(s, config, pagesPerSeq);
            put(host, queryStart + i, start);
            put(host, kvLens + i, s.kvLen());
            int[] toks = s.tokens();
            for (int j = 0; j < toks.length; j++) {
                if (toks[j] < 0 || toks[j] >= vocab) throw new BenchException("token id " + toks[j] + " outside the vocabulary [0, " + vocab + ")");
                int t = start + j;
                int pos = s.prefixLen() + j;
                put(host, tokenIds + t, toks[j]);
                put(host, positions + t, pos);
                put(host, slotMapping + t, pages[pos / page] * page + pos % page);
            }
            for (int pg = 0; pg < pagesPerSeq; pg++) put(host, blockTables + (long) i * pagesPerSeq + pg, pg < pages.length ? pages[pg] : 0);
            start += toks.length;
            tiles += TileMath.tiles(toks.length, group, tileRows);
        }
        put(host, queryStart + S, start);
        return tiles;
    }

    /** The sequence's pages: its slot's fixed range, or its own list, checked against the cache. */
    static int[] pagesOf(SeqInput s, EngineConfig config, int pagesPerSeq) {
        int totalPages = config.maxNumSeqs() * pagesPerSeq;
        if (s.pages() == null) {
            if (s.slot() >= config.maxNumSeqs()) throw new IllegalArgumentException("cache slot " + s.slot() + " >= " + config.maxNumSeqs());
            int[] pages = new int[pagesPerSeq];
            for (int pg = 0; pg < pages.length; pg++) pages[pg] = s.slot() * pagesPerSeq + pg;
            return pages;
        }
        int[] pages = s.pages();
        int need = (s.kvLen() + KernelConstants.PAGE_SIZE - 1) / KernelConstants.PAGE_SIZE;
        if (pages.length < need) throw new IllegalArgumentException("a sequence of " + s.kvLen() + " tokens needs " + need + " pages, its list has " + pages.length);
        if (pages.length > pagesPerSeq) throw new IllegalArgumentException(pages.length + " pages exceed the block table's " + pagesPerSeq + " per sequence");
        for (int p : pages) {
            if (p < 0 || p >= totalPages) throw new IllegalArgumentException("page " + p + " outside the KV cache [0, " + totalPages + ")");
        }
        return pages;
    }

    private static void put(MemorySegment host, long index, int value) {
        host.setAtIndex(ValueLayout.JAVA_INT, index, value);
    }
}
