package io.prefillbench.forward;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Int32 element offsets of the batch metadata fields inside the pinned {@code batch_meta} slice,
 * in {@link ForwardProgram#META_FIELDS} order, so one copy writes them all (build_tile_map's, from pinned host memory).
 */
public record MetaLayout(int maxTokens, int maxSeqs, int pagesPerSeq, Map<String, Long> offsets, long ints) {
    public static MetaLayout of(int maxTokens, int maxSeqs, int pagesPerSeq) {
        Map<String, Long> off = new LinkedHashMap<>();
        long i = 0;
        for (String f : ForwardProgram.META_FIELDS) {
            off.put(f, i);
            i += switch (f) {
                case ForwardProgram.NUM_TOKENS, ForwardProgram.NUM_SEQS -> 1;
                case ForwardProgram.QUERY_START -> maxSeqs + 1;
                case ForwardProgram.KV_LENS -> maxSeqs;
                case ForwardProgram.TOKEN_IDS, ForwardProgram.POSITIONS, ForwardProgram.SLOT_MAPPING -> maxTokens;
                case ForwardProgram.BLOCK_TABLES -> (long) maxSeqs * pagesPerSeq;
                default -> throw new IllegalStateException(f);
            };
        }
        return new MetaLayout(maxTokens, maxSeqs, pagesPerSeq, Map.copyOf(off), i);
    }

    /** Element index of a field's first int. */
    public long index(String field) {
        Long o = offsets.get(field);
        if (o == null) throw new IllegalArgumentException("no metadata field " + field);
        return o;
    }

    public long bytes() {
        return 4 * ints;
    }

    public String shape() {
        return "int32: counts, query_start [" + (maxSeqs + 1) + "], kv_lens [" + maxSeqs + "], ids/positions/slots 3 x ["
                + maxTokens + "], block tables [" + maxSeqs + ", " + pagesPerSeq + "]";
    }
}
