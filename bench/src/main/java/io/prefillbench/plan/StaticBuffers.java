package io.prefillbench.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Device buffers a graph-captured prefill allocates once and every graph shares, sized for the
 * largest capture size and {@code maxNumSeqs}. Excludes weights (see {@link PlanShape#weightBytes})
 * and the KV cache (sized from free memory at run time).
 */
public final class StaticBuffers {
    /** Page size of the paged KV cache ({@code PREFILL_PAGE_SIZE}). */
    public static final int PAGE_SIZE = 64;

    /** GEMM names in the order of {@link #gemms}. */
    static final String[] GEMM_NAMES = {"qkv", "o", "gate_up", "down", "lm_head"};

    private StaticBuffers() {
    }

    /**
     * One buffer.
     *
     * @param name  buffer name as in the engine
     * @param shape shape in words, e.g. {@code [512, 1024] bf16}
     * @param bytes size
     */
    public record Buffer(String name, String shape, long bytes) {
    }

    /**
     * The buffer list.
     *
     * @param maxTiles attention tile capacity: the exact worst case of the largest size
     */
    public static List<Buffer> estimate(PlanShape m, CaptureSizes sizes, int maxNumSeqs, int smCount,
                                        int maxModelLen, int maxTiles) {
        long t = sizes.largest();
        long s = maxNumSeqs;
        long pagesPerSeq = (maxModelLen + PAGE_SIZE - 1) / PAGE_SIZE;
        List<Buffer> out = new ArrayList<>();
        out.add(bf16("residual", t, m.hidden()));
        out.add(bf16("hidden (norm out)", t, m.hidden()));
        out.add(bf16("x (branch out)", t, m.hidden()));
        out.add(bf16("qkv", t, m.qkvWidth()));
        out.add(bf16("attn out", t, m.attnWidth()));
        out.add(bf16("gate_up", t, 2L * m.ffn()));
        out.add(bf16("act", t, m.ffn()));
        out.add(bf16("final norm out", s, m.hidden()));
        out.add(bf16("logits", s, m.vocab()));
        out.add(splitKPartial(m, sizes, maxNumSeqs, smCount));
        out.add(new Buffer("tile map (batch_ids, tile_ids)", "2 x [" + maxTiles + "] int32", 2L * maxTiles * 4));
        out.add(new Buffer("token metadata (ids, positions, slot_mapping)", "3 x [" + t + "] int32", 3 * t * 4));
        out.add(new Buffer("sequence metadata (query_start, kv_lens, argmax out)",
                "[" + (s + 1) + "] + 2 x [" + s + "] int32", (3 * s + 1) * 4));
        out.add(new Buffer("scalars (num_tokens, num_seqs, num_blocks)", "3 int32", 12));
        out.add(new Buffer("block tables", "[" + s + ", " + pagesPerSeq + "] int32", s * pagesPerSeq * 4));
        out.add(new Buffer("rope cos/sin", "[" + maxModelLen + ", " + m.headDim() + "] fp32", (long) maxModelLen * m.headDim() * 4));
        return out;
    }

    /**
     * One fp32 split-K workspace shared by all GEMMs: the largest {@code splits * m * n} over
     * every capture size and projection (the LM head runs on {@code min(maxNumSeqs, size)} rows).
     */
    public static Buffer splitKPartial(PlanShape m, CaptureSizes sizes, int maxNumSeqs, int smCount) {
        long best = 0;
        String where = "none (no GEMM splits k)";
        for (int size : sizes.sizes()) {
            int seqRows = Math.min(maxNumSeqs, size);
            int[][] gemms = gemms(m, size, seqRows);
            for (int g = 0; g < gemms.length; g++) {
                long bytes = GemmTiling.partialBytes(gemms[g][0], gemms[g][1], gemms[g][2], smCount);
                if (bytes > best) {
                    best = bytes;
                    int splits = GemmTiling.splits(gemms[g][0], gemms[g][1], gemms[g][2], smCount);
                    where = "[" + splits + ", " + gemms[g][2] + ", " + gemms[g][0] + "] fp32 (" + GEMM_NAMES[g] + " at " + size + ")";
                }
            }
        }
        return new Buffer("split-K partial", where, best);
    }

    /** {n, k, mCapacity} of each projection for one capture size. */
    static int[][] gemms(PlanShape m, int size, int seqRows) {
        return new int[][] {
                {m.qkvWidth(), m.hidden(), size},
                {m.hidden(), m.attnWidth(), size},
                {2 * m.ffn(), m.hidden(), size},
                {m.hidden(), m.ffn(), size},
                {m.vocab(), m.hidden(), seqRows},
        };
    }

    private static Buffer bf16(String name, long rows, long cols) {
        return new Buffer(name, "[" + rows + ", " + cols + "] bf16", rows * cols * 2);
    }
}
