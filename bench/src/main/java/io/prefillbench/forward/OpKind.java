package io.prefillbench.forward;

import java.util.List;

/**
 * The operations a forward is made of. Each kind names the roles of the tensors it reads and
 * writes; an {@link Op} binds those roles to logical tensors. Ops whose kind is marked
 * {@code loweringOnly} never appear in a {@link ForwardProgram}: lowering inserts them.
 */
public enum OpKind {
    EMBED(List.of("ids", "num_tokens"), List.of("out"), false),
    /** The attention tile map; with embed folded in ({@code Lowering.foldEmbed}) also embed's ids, num_tokens and out. */
    TILE_MAP(List.of("query_start", "num_seqs", "ids", "num_tokens"), List.of("num_blocks", "batch_ids", "tile_ids", "out"), false),
    /** residual += x (when bound), out = rmsnorm(residual) * weight. */
    ADD_RMSNORM(List.of("x", "residual", "num_rows"), List.of("residual", "out"), false),
    /**
     * c = a * weight^T over {@code rows} (tokens or sequences). The other roles are bound only on a fused
     * GEMM: the consumer's inputs and outputs it takes over (rope's metadata and caches), and
     * {@code partial}, the fp32 split-K workspace of a GEMM that sums its own partials (split-K fixup); {@code q} and the
     * batch metadata after it on an o GEMM that took over its layer's attention ({@code Lowering.foldAttentionIntoO}: it
     * computes its A from the qkv rows, {@code a} unbound); {@code keys} on an LM head that folds its rows' argmax keys
     * ({@code Lowering.foldArgmax}).
     */
    GEMM(List.of("a", "m_dev", "cos_sin", "positions", "slot_mapping", "num_tokens", "q", "query_start", "kv_lens", "num_seqs"),
            List.of("c", "partial", "k_cache", "v_cache", "keys"), false),
    /** bias, RoPE on q and k in place; k and v into this layer's paged cache. */
    ROPE_KV(List.of("qkv", "cos_sin", "positions", "slot_mapping", "num_tokens"), List.of("qkv", "k_cache", "v_cache"), false),
    /**
     * out = attention(q, the layer's paged caches). The roles after {@code num_blocks} (reads) and after {@code out}
     * (writes) are bound only on an attention that took over its layer's rope_kv op ({@link Impl.Attr#ROPE_IN},
     * {@code Lowering.foldRopeIntoAttention}): rope's input {@code qkv} (bf16, or the qkv GEMM's split-K workspace), its
     * metadata, and the caches it writes; {@code q} is then unbound.
     */
    ATTENTION(List.of("q", "k_cache", "v_cache", "query_start", "kv_lens", "block_tables", "batch_ids", "tile_ids", "num_blocks",
            "qkv", "cos_sin", "positions", "slot_mapping", "num_tokens"), List.of("out", "k_cache", "v_cache"), false),
    SILU_MUL(List.of("gate_up", "num_tokens"), List.of("out"), false),
    /** The last token of each sequence: residual + x, rmsnorm. */
    FINAL_NORM_GATHER(List.of("x", "residual", "query_start", "num_seqs"), List.of("out"), false),
    /** {@code keys} instead of {@code logits} where the LM head folds the argmax keys ({@code Lowering.foldArgmax}); it resets them. */
    ARGMAX(List.of("logits", "num_seqs", "keys"), List.of("out", "keys"), false),
    /**
     * a_out[s] = a[query_start[s+1] - 1], b_out[s] = b[query_start[s+1] - 1]: each sequence's last row of two tensors,
     * packed by sequence. Only in a program rewritten by {@link ForwardProgram#lastLayerOnLastRows} (the last layer's attention
     * output and the residual, so the layer's o and MLP run on the rows that reach the logits).
     */
    GATHER_LAST_ROWS(List.of("a", "b", "query_start", "num_seqs"), List.of("a_out", "b_out"), false),
    /** c = bf16(sum of split-K partials); inserted where a consumer cannot read partials. */
    SPLITK_REDUCE(List.of("partial", "m_dev"), List.of("c"), true),
    /** Touches a weight so it sits in L2 when its GEMM runs; reads weights only (side stream). */
    L2_PREFETCH(List.of(), List.of(), true),
    /**
     * Pulls the first {@code k} columns of each of the {@code n} rows of one GEMM's weight into L2, in the main chain
     * before ops that leave DRAM idle (attention, the norms), so the GEMM a few ops later finds them there
     * ({@code Lowering.prefetchAhead}, where a measurements row asks for it). Reads weights only, writes nothing.
     */
    L2_PREFETCH_AHEAD(List.of(), List.of(), true),
    /**
     * One whole decoder layer in one kernel (the ops input_norm .. down of a layer, replaced by
     * {@code Lowering.persistLayers}); roles named as the fields of {@code LayerParams}. The residual is read and
     * updated in place; {@code branch_out} is bound on the last layer only (its down output, which final_norm
     * adds); qkv, attn_out and act are scratch; {@code barrier} is the grid barrier the kernel's blocks share.
     */
    LAYER(List.of("residual", "cos_sin", "positions", "slot_mapping", "query_start", "kv_lens", "block_tables", "num_tokens",
            "num_seqs"), List.of("residual", "branch_out", "qkv", "attn_out", "act", "k_cache", "v_cache", "barrier"), true);

    private final List<String> readRoles;
    private final List<String> writeRoles;
    private final boolean loweringOnly;

    OpKind(List<String> readRoles, List<String> writeRoles, boolean loweringOnly) {
        this.readRoles = readRoles;
        this.writeRoles = writeRoles;
        this.loweringOnly = loweringOnly;
    }

    public List<String> readRoles() {
        return readRoles;
    }

    public List<String> writeRoles() {
        return writeRoles;
    }

    public boolean loweringOnly() {
        return loweringOnly;
    }
}
