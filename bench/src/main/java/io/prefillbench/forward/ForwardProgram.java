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
 * Where a {@code last_rows} row asks, lowering runs the last layer's o .. down and the final norm on each sequence's last
 * row only ({@link #lastLayerOnLastRows}: a gather after the last attention, those ops counting sequences).
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
    /**
     * The LM head's argmax keys (one uint64 per row of its row capacity; {@code Lowering.foldArgmax}): pinned, zeroed once when
     * the buffers are allocated, reset by argmax_keys after every read; only plans with the fold have the slice.
     */
    public static final String ARGMAX_KEYS = "argmax_keys";
    /** The LM head GEMM's op name (the one op whose launches an L2 set-aside's window covers, KernelIssuable.persistingWindow). */
    public static final String LM_HEAD = "lm_head";
    public static final String NUM_BLOCKS = "num_blocks", BATCH_IDS = "batch_ids", TILE_IDS = "tile_ids";
    public static final String RESIDUAL = "residual", HIDDEN = "hidden", QKV = "qkv", ATTN_OUT = "attn_out",
            BRANCH_OUT = "branch_out", GATE_UP = "gate_up", ACT = "act", LAST_HIDDEN = "last_hidden", LOGITS = "logits",
            OUT_TOKENS = "out_tokens";

    /** The last layer's tensors on each sequence's last row ({@link #lastLayerOnLastRows}): [seqs, ...]. */
    public static final String LAST_ATTN = "last_attn", LAST_RESIDUAL = "last_residual", LAST_BRANCH = "last_branch",
            LAST_NORMED = "last_normed", LAST_GATE_UP = "last_gate_up", LAST_ACT = "last_act";
    /** The gather op's name suffix in the rewritten last layer. */
    public static final String GATHER_LAST = "gather_last";

    private final Dims dims;
    private final List<Op> ops;
    private final Map<String, TensorSpec> tensors;

    ForwardProgram(Dims dims, List<Op> ops, Map<String, TensorSpec> tensors) {  // package: tests plant broken rewrites
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
        ops.add(gemm(LM_HEAD, -1, LAST_HIDDEN, LOGITS, d.tied() ? WeightSpec.EMBEDDING : WeightSpec.LM_HEAD, d.vocab(), h, Count.SEQS));
        ops.add(op("argmax", OpKind.ARGMAX, -1, Map.of("logits", LOGITS, "num_seqs", NUM_SEQS), Map.of("out", OUT_TOKENS),
                Map.of(), 0, 0, Count.SEQS));
        return new ForwardProgram(d, ops, t);
    }

    /**
     * This program with its last layer's o, post_norm, gate_up, silu_mul and down on each sequence's last row only
     * (llama.cpp's {@code inp_out_ids}): that layer's other rows feed nothing, since rope_kv writes their K and V before the
     * attention and only the last rows reach the final norm. A {@link OpKind#GATHER_LAST_ROWS} op after the last attention
     * packs those rows of attn_out and of the residual by sequence; the ops after it count sequences, and the final norm
     * becomes an add_rmsnorm over the packed rows (final_norm_gather's row arithmetic on the same values). Every logit row is
     * computed from the same values by the same per-row operations, so on the CPU reference it has the same bits; the
     * engine's kernels then run at the sequence capacity, with the tiling rows of that capacity. {@code Lowering.lastRowsOnly}
     * applies it where a {@code last_rows} fusion row asks (kernels/NOTES-forward.md v78).
     */
    public ForwardProgram lastLayerOnLastRows() {
        int last = dims.layers() - 1;
        String p = "L" + last + ".";
        Map<String, Op> byName = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.kind() == OpKind.GATHER_LAST_ROWS) throw new IllegalStateException("the program's last layer runs on the last rows already");
            byName.put(op.name(), op);
        }
        for (String n : List.of(p + "attention", p + "o", p + "post_norm", p + "gate_up", p + "silu_mul", p + "down", "final_norm")) {
            if (!byName.containsKey(n)) throw new IllegalStateException("the program has no " + n + ": lastLayerOnLastRows rewrites the written forward only");
        }
        if (!ATTN_OUT.equals(byName.get(p + "attention").out("out")) || !ATTN_OUT.equals(byName.get(p + "o").in("a"))) {
            throw new IllegalStateException(p + "o does not read its attention's output " + ATTN_OUT);
        }
        int h = dims.hidden();
        WeightSpec.LayerNames w = WeightSpec.layer(last);
        Map<String, TensorSpec> t = new LinkedHashMap<>(tensors);
        t.put(LAST_ATTN, TensorSpec.bf16(LAST_ATTN, Count.SEQS, dims.attnDim(), "[seqs, q*head_dim] last layer, last rows"));
        t.put(LAST_RESIDUAL, TensorSpec.bf16(LAST_RESIDUAL, Count.SEQS, h, "[seqs, hidden] last layer, last rows"));
        t.put(LAST_BRANCH, TensorSpec.bf16(LAST_BRANCH, Count.SEQS, h, "[seqs, hidden] last layer o/down out, last rows"));
        t.put(LAST_NORMED, TensorSpec.bf16(LAST_NORMED, Count.SEQS, h, "[seqs, hidden] last layer normed, last rows"));
        t.put(LAST_GATE_UP, TensorSpec.bf16(LAST_GATE_UP, Count.SEQS, 2L * dims.ffn(), "[seqs, 2*ffn] last layer, last rows"));
        t.put(LAST_ACT, TensorSpec.bf16(LAST_ACT, Count.SEQS, dims.ffn(), "[seqs, ffn] last layer silu(gate)*up, last rows"));
        Map<String, Op> replaced = new LinkedHashMap<>();
        replaced.put(p + "o", gemm(p + "o", last, LAST_ATTN, LAST_BRANCH, w.o(), h, dims.attnDim(), Count.SEQS));
        replaced.put(p + "post_norm", op(p + "post_norm", OpKind.ADD_RMSNORM, last,
                orderedMap("x", LAST_BRANCH, "residual", LAST_RESIDUAL, "num_rows", NUM_SEQS),
                orderedMap("residual", LAST_RESIDUAL, "out", LAST_NORMED), Map.of("weight", w.postNorm()), 0, 0, Count.SEQS));
        replaced.put(p + "gate_up", gemm(p + "gate_up", last, LAST_NORMED, LAST_GATE_UP, w.gateUp(), 2 * dims.ffn(), h, Count.SEQS));
        replaced.put(p + "silu_mul", op(p + "silu_mul", OpKind.SILU_MUL, last, Map.of("gate_up", LAST_GATE_UP, "num_tokens", NUM_SEQS),
                Map.of("out", LAST_ACT), Map.of(), 0, 0, Count.SEQS));
        replaced.put(p + "down", gemm(p + "down", last, LAST_ACT, LAST_BRANCH, w.down(), h, dims.ffn(), Count.SEQS));
        replaced.put("final_norm", op("final_norm", OpKind.ADD_RMSNORM, -1,
                orderedMap("x", LAST_BRANCH, "residual", LAST_RESIDUAL, "num_rows", NUM_SEQS),
                orderedMap("residual", LAST_RESIDUAL, "out", LAST_HIDDEN), Map.of("weight", WeightSpec.FINAL_NORM), 0, 0, Count.SEQS));
        List<Op> out = new ArrayList<>();
        for (Op op : ops) {
            out.add(replaced.getOrDefault(op.name(), op));
            if (op.name().equals(p + "attention")) {
                out.add(op(p + GATHER_LAST, OpKind.GATHER_LAST_ROWS, last,
                        orderedMap("a", ATTN_OUT, "b", RESIDUAL, "query_start", QUERY_START, "num_seqs", NUM_SEQS),
                        orderedMap("a_out", LAST_ATTN, "b_out", LAST_RESIDUAL), Map.of(), 0, 0, Count.SEQS));
            }
        }
        return new ForwardProgram(dims, out, t);
    }

    /** Whether this program runs its last layer's o and MLP on the last rows ({@link #lastLayerOnLastRows}). */
    public boolean lastRowsOnly() {
        return ops.stream().anyMatch(o -> o.kind() == OpKind.GATHER_LAST_ROWS);
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
     * A metadata field (int32 inside {@link #BATCH_META}), the RoPE table, the tile counters, the grid barrier or the argmax
     * keys: pinned, addressed by the layout.
     */
    public static boolean isPinned(String tensor) {
        return META_FIELDS.contains(tensor) || ROPE.equals(tensor) || TILE_COUNTERS.equals(tensor) || GRID_BARRIER.equals(tensor)
                || ARGMAX_KEYS.equals(tensor);
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
