package io.prefillbench.forward;

import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.WeightSpec;
import io.prefillbench.plan.PlanShape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prefill forward, written once: the op sequence over named logical tensors. Everything else
 * (the engine's launches, {@code bench.jar plan}, the buffer layout, the CPU reference, the C++
 * harness via {@code plan --dump-ops}) reads this program or its lowering ({@link Lowering}).
 *
 * <pre>
 * residual = embed(token_ids)
 * tile map = build_tile_map(query_start)     (moved first by the lowering: it also copies the batch metadata in)
 * per layer l:
 *   hidden   = add_rmsnorm(x = branch_out (l > 0), residual, input_norm)
 *   qkv      = gemm(hidden, qkv)
 *   qkv, kv  = rope_kv(qkv, bias)            k, v into the layer's cache
 *   attn_out = attention(qkv, kv cache)
 *   branch_out = gemm(attn_out, o)
 *   hidden   = add_rmsnorm(x = branch_out, residual, post_norm)
 *   gate_up  = gemm(hidden, gate_up)
 *   act      = silu_mul(gate_up)
 *   branch_out = gemm(act, down)
 * last_hidden = final_norm_gather(branch_out, residual)
 * logits      = gemm(last_hidden, lm_head)
 * out_tokens  = argmax(logits)
 * </pre>
 */
public final class ForwardProgram {
    /**
     * The model dimensions the program needs.
     *
     * @param qkvBias rope_kv adds a q/k/v bias
     * @param tied    the LM head is the embedding table
     */
    public record Dims(int hidden, int qHeads, int kvHeads, int headDim, int ffn, int vocab, int layers, boolean tied,
                       boolean qkvBias, float eps) {
        public int group() {
            return qHeads / kvHeads;
        }

        public int qkvDim() {
            return (qHeads + 2 * kvHeads) * headDim;
        }

        public int attnDim() {
            return qHeads * headDim;
        }

        public static Dims of(ModelConfig m) {
            return new Dims(m.hidden(), m.qHeads(), m.kvHeads(), m.headDim(), m.ffn(), m.vocab(), m.layers(),
                    m.tieWordEmbeddings(), m.qkvBias(), m.rmsNormEps());
        }

        /** A planner shape (no bias: a bias changes no launch, buffer or tiling). */
        public static Dims of(PlanShape s) {
            return new Dims(s.hidden(), s.qHeads(), s.kvHeads(), s.headDim(), s.ffn(), s.vocab(), s.layers(),
                    s.tiedEmbeddings(), false, 1e-6f);
        }
    }

    /** Names of the batch metadata fields (one pinned int32 slice, copied in by build_tile_map once per forward). */
    public static final String NUM_TOKENS = "num_tokens", NUM_SEQS = "num_seqs", QUERY_START = "query_start",
            KV_LENS = "kv_lens", TOKEN_IDS = "token_ids", POSITIONS = "positions", SLOT_MAPPING = "slot_mapping",
            BLOCK_TABLES = "block_tables";
    /** The metadata fields in their order inside {@code batch_meta}. */
    public static final List<String> META_FIELDS = List.of(NUM_TOKENS, NUM_SEQS, QUERY_START, KV_LENS, TOKEN_IDS,
            POSITIONS, SLOT_MAPPING, BLOCK_TABLES);
    public static final String BATCH_META = "batch_meta", ROPE = "rope_cos_sin";
    /**
     * The split-K fixup's arrival counters (uint32 per column tile): pinned, zeroed once when the buffers are
     * allocated, reset by the kernels that use them; only plans with a fixup GEMM have the slice.
     */
    public static final String TILE_COUNTERS = "tile_counters";
    /**
     * The persistent layer kernel's grid barrier (one uint64 arrival count): pinned, zeroed once when the
     * buffers are allocated, left consistent by every launch, never reset by the host; only plans with a LAYER op have it.
     */
    public static final String GRID_BARRIER = "grid_barrier";
    public static final String NUM_BLOCKS = "num_blocks", BATCH_IDS = "batch_ids", TILE_IDS = "tile_ids";
    public static final String RESIDUAL = "residual", HIDDEN = "hidden", QKV = "qkv", ATTN_OUT = "attn_out",
            BRANCH_OUT = "branch_out", GATE_UP = "gate_up", ACT = "act", LAST_HIDDEN = "last_hidden", LOGITS = "logits",
            OUT_TOKENS = "out_tokens";

    private final Dims dims;
    private final List<Op> ops;
    private final Map<String, TensorSpec> tensors;

    private ForwardProgram(Dims dims, List<Op> ops, Map<String, TensorSpec> tensors) {
        this.dims = dims;
        this.ops = List.copyOf(ops);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static ForwardProgram of(ModelConfig m) {
        return of(Dims.of(m));
    }

    public static ForwardProgram of(Dims d) {
        Map<String, TensorSpec> t = new LinkedHashMap<>();
        int h = d.hidden();
        t.put(RESIDUAL, TensorSpec.bf16(RESIDUAL, Count.TOKENS, h, "[tokens, hidden]"));
        t.put(HIDDEN, TensorSpec.bf16(HIDDEN, Count.TOKENS, h, "[tokens, hidden] normed"));
        t.put(QKV, TensorSpec.bf16(QKV, Count.TOKENS, d.qkvDim(), "[tokens, (q+2kv)*head_dim]"));
        t.put(ATTN_OUT, TensorSpec.bf16(ATTN_OUT, Count.TOKENS, d.attnDim(), "[tokens, q*head_dim]"));
        t.put(BRANCH_OUT, TensorSpec.bf16(BRANCH_OUT, Count.TOKENS, h, "[tokens, hidden] o/down proj out"));
        t.put(GATE_UP, TensorSpec.bf16(GATE_UP, Count.TOKENS, 2L * d.ffn(), "[tokens, 2*ffn]"));
        t.put(ACT, TensorSpec.bf16(ACT, Count.TOKENS, d.ffn(), "[tokens, ffn] silu(gate)*up"));
        t.put(LAST_HIDDEN, TensorSpec.bf16(LAST_HIDDEN, Count.SEQS, h, "[seqs, hidden]"));
        t.put(LOGITS, new TensorSpec(LOGITS, 2, Count.SEQS, d.vocab(), TensorSpec.Role.OUTPUT, "[seqs, vocab]"));
        t.put(OUT_TOKENS, new TensorSpec(OUT_TOKENS, 4, Count.SEQS, 1, TensorSpec.Role.OUTPUT, "[seqs] int32"));
        t.put(NUM_BLOCKS, new TensorSpec(NUM_BLOCKS, 4, Count.ONE, 1, TensorSpec.Role.ACTIVATION, "int32 scalar"));
        t.put(BATCH_IDS, new TensorSpec(BATCH_IDS, 4, Count.TILES, 1, TensorSpec.Role.ACTIVATION, "[tiles] int32"));
        t.put(TILE_IDS, new TensorSpec(TILE_IDS, 4, Count.TILES, 1, TensorSpec.Role.ACTIVATION, "[tiles] int32"));
        for (int l = 0; l < d.layers(); l++) {
            t.put(kCache(l), new TensorSpec(kCache(l), 2, Count.ONE, 0, TensorSpec.Role.KV, "paged"));
            t.put(vCache(l), new TensorSpec(vCache(l), 2, Count.ONE, 0, TensorSpec.Role.KV, "paged"));
        }

        List<Op> ops = new ArrayList<>();
        ops.add(op("embed", OpKind.EMBED, -1, Map.of("ids", TOKEN_IDS, "num_tokens", NUM_TOKENS), Map.of("out", RESIDUAL),
                Map.of("table", WeightSpec.EMBEDDING), 0, 0, Count.TOKENS));
        ops.add(op("tile_map", OpKind.TILE_MAP, -1, Map.of("query_start", QUERY_START, "num_seqs", NUM_SEQS),
                Map.of("num_blocks", NUM_BLOCKS, "batch_ids", BATCH_IDS, "tile_ids", TILE_IDS), Map.of(), 0, 0, Count.ONE));
        for (int l = 0; l < d.layers(); l++) {
            WeightSpec.LayerNames w = WeightSpec.layer(l);
            String p = "L" + l + ".";
            Map<String, String> normIn = new LinkedHashMap<>();
            if (l > 0) normIn.put("x", BRANCH_OUT);
            normIn.put("residual", RESIDUAL);
            normIn.put("num_rows", NUM_TOKENS);
            ops.add(op(p + "input_norm", OpKind.ADD_RMSNORM, l, normIn, Map.of("residual", RESIDUAL, "out", HIDDEN),
                    Map.of("weight", w.inputNorm()), 0, 0, Count.TOKENS));
            ops.add(gemm(p + "qkv", l, HIDDEN, QKV, w.qkv(), d.qkvDim(), h, Count.TOKENS));
            ops.add(op(p + "rope_kv", OpKind.ROPE_KV, l,
                    Map.of("qkv", QKV, "cos_sin", ROPE, "positions", POSITIONS, "slot_mapping", SLOT_MAPPING, "num_tokens", NUM_TOKENS),
                    Map.of("qkv", QKV, "k_cache", kCache(l), "v_cache", vCache(l)),
                    d.qkvBias() ? Map.of("bias", w.qkvBias()) : Map.of(), 0, 0, Count.TOKENS));
            ops.add(op(p + "attention", OpKind.ATTENTION, l,
                    orderedMap("q", QKV, "k_cache", kCache(l), "v_cache", vCache(l), "query_start", QUERY_START, "kv_lens", KV_LENS,
                            "block_tables", BLOCK_TABLES, "batch_ids", BATCH_IDS, "tile_ids", TILE_IDS, "num_blocks", NUM_BLOCKS),
                    Map.of("out", ATTN_OUT), Map.of(), 0, 0, Count.TILES));
            ops.add(gemm(p + "o", l, ATTN_OUT, BRANCH_OUT, w.o(), h, d.attnDim(), Count.TOKENS));
            ops.add(op(p + "post_norm", OpKind.ADD_RMSNORM, l, orderedMap("x", BRANCH_OUT, "residual", RESIDUAL, "num_rows", NUM_TOKENS),
                    Map.of("residual", RESIDUAL, "out", HIDDEN), Map.of("weight", w.postNorm()), 0, 0, Count.TOKENS));
            ops.add(gemm(p + "gate_up", l, HIDDEN, GATE_UP, w.gateUp(), 2 * d.ffn(), h, Count.TOKENS));
            ops.add(op(p + "silu_mul", OpKind.SILU_MUL, l, Map.of("gate_up", GATE_UP, "num_tokens", NUM_TOKENS), Map.of("out", ACT),
                    Map.of(), 0, 0, Count.TOKENS));
            ops.add(gemm(p + "down", l, ACT, BRANCH_OUT, w.down(), h, d.ffn(), Count.TOKENS));
        }
        ops.add(op("final_norm", OpKind.FINAL_NORM_GATHER, -1,
                orderedMap("x", BRANCH_OUT, "residual", RESIDUAL, "query_start", QUERY_START, "num_seqs", NUM_SEQS),
                Map.of("out", LAST_HIDDEN), Map.of("weight", WeightSpec.FINAL_NORM), 0, 0, Count.SEQS));
        ops.add(gemm("lm_head", -1, LAST_HIDDEN, LOGITS, d.tied() ? WeightSpec.EMBEDDING : WeightSpec.LM_HEAD, d.vocab(), h, Count.SEQS));
        ops.add(op("argmax", OpKind.ARGMAX, -1, Map.of("logits", LOGITS, "num_seqs", NUM_SEQS), Map.of("out", OUT_TOKENS),
                Map.of(), 0, 0, Count.SEQS));
        return new ForwardProgram(d, ops, t);
    }

    private static Op gemm(String name, int layer, String a, String c, String weight, int n, int k, Count rows) {
        return op(name, OpKind.GEMM, layer, Map.of("a", a, "m_dev", rows == Count.SEQS ? NUM_SEQS : NUM_TOKENS), Map.of("c", c),
                Map.of("weight", weight), n, k, rows);
    }

    private static Op op(String name, OpKind kind, int layer, Map<String, String> reads, Map<String, String> writes,
                         Map<String, String> weights, int n, int k, Count rows) {
        return new Op(name, kind, layer, reads, writes, weights, n, k, rows);
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    public static String kCache(int layer) {
        return "k_cache." + layer;
    }

    public static String vCache(int layer) {
        return "v_cache." + layer;
    }

    /**
     * A metadata field (int32 inside {@link #BATCH_META}), the RoPE table, the tile counters or the grid barrier: pinned,
     * addressed by the layout.
     */
    public static boolean isPinned(String tensor) {
        return META_FIELDS.contains(tensor) || ROPE.equals(tensor) || TILE_COUNTERS.equals(tensor) || GRID_BARRIER.equals(tensor);
    }

    public Dims dims() {
        return dims;
    }

    public List<Op> ops() {
        return ops;
    }

    /** Activation, output and KV tensors by name (metadata fields and the RoPE table are pinned, see {@link #isPinned}). */
    public Map<String, TensorSpec> tensors() {
        return tensors;
    }

    public TensorSpec tensor(String name) {
        TensorSpec t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name + " in the program");
        return t;
    }
}
