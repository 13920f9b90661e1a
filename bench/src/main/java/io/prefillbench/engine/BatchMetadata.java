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
 * sequences longer than the KV cache, slots past it). Sequence slot s owns pages [s*pagesPerSeq, (s+1)*pagesPerSeq).
 */
final class BatchMetadata {
    private BatchMetadata() {
    }

    /** Fills {@code host}; returns the real attention tile count of this split. */
    static int write(MemorySegment host, MetaLayout meta, EngineConfig config, List<SeqInput> seqs, int group) {
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
            if (s.slot() >= config.maxNumSeqs()) throw new IllegalArgumentException("cache slot " + s.slot() + " >= " + config.maxNumSeqs());
            put(host, queryStart + i, start);
            put(host, kvLens + i, s.kvLen());
            int[] toks = s.tokens();
            for (int j = 0; j < toks.length; j++) {
                if (toks[j] < 0 || toks[j] >= vocab) throw new BenchException("token id " + toks[j] + " outside the vocabulary [0, " + vocab + ")");
                int t = start + j;
                int pos = s.prefixLen() + j;
                put(host, tokenIds + t, toks[j]);
                put(host, positions + t, pos);
                put(host, slotMapping + t, (s.slot() * pagesPerSeq + pos / page) * page + pos % page);
            }
            for (int pg = 0; pg < pagesPerSeq; pg++) put(host, blockTables + (long) i * pagesPerSeq + pg, s.slot() * pagesPerSeq + pg);
            start += toks.length;
            tiles += TileMath.tiles(toks.length, group, KernelConstants.ROWS_PER_TILE);
        }
        put(host, queryStart + S, start);
        return tiles;
    }

    private static void put(MemorySegment host, long index, int value) {
        host.setAtIndex(ValueLayout.JAVA_INT, index, value);
    }
}
