package io.prefillbench.forward;

import io.prefillbench.plan.StreamTiling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers the {@link ForwardProgram} for one {@link CaptureKey} into a {@link LoweredPlan}, in small
 * passes, each a static method testable on its own:
 * <ol>
 *   <li>{@link #lastRowsOnly}: where a {@code last_rows} fusion row asks, the program's last layer runs its o and MLP on
 *       each sequence's last row only ({@link ForwardProgram#lastLayerOnLastRows}), so every later pass sees those ops at
 *       the sequence capacity;</li>
 *   <li>{@link #layoutWeights}: the device layout of the weights (gate/up rows interleaved), the same at every bucket;</li>
 *   <li>{@link #selectImplementations}: a measurements row, else the registry's rule-based default;</li>
 *   <li>{@link #persistLayers}: where the measurements file switches persistent layers on for this bucket, each
 *       decoder layer's ops become one {@link OpKind#LAYER} op run by the registry's persistent layer kernel, and
 *       {@link #oneLaunch} makes those one op, one launch for every layer;</li>
 *   <li>{@link #dropDeadOps}: ops whose every output is a scratch tensor nothing reads any more are dropped (never the
 *       tile map: it copies the batch metadata in);</li>
 *   <li>{@link #fuse}: fusion rewrites switched on for this bucket by the measurements file;</li>
 *   <li>{@link #foldEmbed}: embed folded into the tile map's kernel, where a fusion row switches it on;</li>
 *   <li>{@link #foldRopeIntoAttention}: each layer's rope_kv op folded into its attention op, where the attention row
 *       picked a form that does rope itself ({@link Impl.Attr#ROPE_IN}); before split-K, so the qkv GEMM's partials
 *       feed that attention directly;</li>
 *   <li>{@link #foldAttentionIntoO}: in fresh-prompt plans where a fusion row asks, each layer's attention folded into
 *       its o GEMM, whose kernel computes its A from the qkv rows; before split-K, which then splits o k / 128 ways;</li>
 *   <li>{@link #assignSplitK}: split-K and its fp32 workspace (a rope-fused streaming GEMM left at one split on its unsplit form); partial sums fused into a consumer
 *       that can read them, else a {@code splitk_reduce} op; refused for a non-linear epilogue;</li>
 *   <li>{@link #prefetchAhead}: optional L2 prefetch ops in the main chain, where measurements rows ask for them;</li>
 *   <li>{@link #assignStreams}: optional side-branch ops (L2 weight prefetch), forked and joined by events;</li>
 *   <li>{@link #foldArgmax}: where a fusion row asks, the LM head folds its rows' argmax keys into its epilogue and argmax
 *       reads the keys, not the logits;</li>
 *   <li>{@link #grids}: each op's grid from its implementation, as a function of the counts;</li>
 *   <li>{@link #serializeAfterTileMap}: build_tile_map first, the op after it without PDL unless it reads the metadata after its wait ({@link #checkTileMapFirst}
 *       refuses any other order).</li>
 * </ol>
 * The buffer layout is derived afterwards from the plans of all buckets ({@link BufferLayout}).
 * Nothing here reads a real token count.
 */
public final class Lowering {
    private Lowering() {
    }

    public static LoweredPlan lower(ForwardProgram program, CaptureKey key, ImplRegistry registry, ImplChoices choices) {
        program = lastRowsOnly(program, key, choices);
        WeightLayout weights = layoutWeights(program);
        List<LoweredOp> ops = selectImplementations(program, key, registry, choices);
        ops = oneLaunch(persistLayers(ops, program, key, registry, choices));
        ops = dropDeadOps(ops, program);
        ops = fuse(ops, key, registry, choices, program.dims());
        ops = foldEmbed(ops, key, registry, choices);
        ops = foldRopeIntoAttention(ops, key, choices, program.dims());
        ops = foldAttentionIntoO(ops, key, registry, choices, program.dims());
        Map<String, TensorSpec> workspaces = new LinkedHashMap<>();
        ops = assignSplitK(ops, key, registry, workspaces);
        ops = prefetchAhead(ops, key, registry, choices);
        ops = assignStreams(ops, program, key, registry, choices);
        ops = foldArgmax(ops, key, registry, choices);
        ops = grids(ops, key, program.dims());
        ops = soloNorms(ops, key, registry, choices);
        ops = serializeAfterTileMap(ops);
        checkTileMapFirst(ops, key);
        return new LoweredPlan(program, key, ops, workspaces, weights, choices.smemCarveout(key, program.dims()));
    }

    /**
     * Pass 0a: where an {@link ImplRegistry#LAST_ROWS} fusion row is on for this key, the program with its last layer's o,
     * post_norm, gate_up, silu_mul and down on each sequence's last row ({@link ForwardProgram#lastLayerOnLastRows}); the
     * implementations, fusions and splits of those ops are then chosen at the sequence capacity. Refused with persistent
     * layers at the same key (their one kernel runs whole layers over the tokens).
     */
    public static ForwardProgram lastRowsOnly(ForwardProgram program, CaptureKey key, ImplChoices choices) {
        if (!choices.fusion(ImplRegistry.LAST_ROWS, key) || program.lastRowsOnly()) return program;
        if (choices.persistentLayers(key)) {
            throw new IllegalStateException("size " + key.size() + ": a " + ImplRegistry.LAST_ROWS + " fusion row and a persistentLayers row"
                    + " both reach it, but the persistent layer kernel runs every layer over the tokens; drop one of the two rows");
        }
        return program.lastLayerOnLastRows();
    }

    /** Whether an op of the plan reads the tile map before its PDL wait ({@link Impl.Attr#TILE_MAP_BEFORE_WAIT}). */
    static boolean readsTileMapEarly(List<LoweredOp> ops) {
        return ops.stream().anyMatch(o -> o.impl().attrs().contains(Impl.Attr.TILE_MAP_BEFORE_WAIT));
    }

    /**
     * build_tile_map moves to the front of every plan and the main-stream op after it launches without PDL (but see below). The kernel
     * copies the forward's batch metadata in from pinned host memory before it builds the map (a forward issues no copy
     * node: s16 measured the two copy nodes at 11-15 us of a forward's fixed cost, kernels/check/launch_cost.cu), and
     * later kernels read the metadata before their PDL wait (rope's positions and slots; the early attention forms the map
     * itself, kernels/NOTES-forward.md v39), so the op after it starts only once the copy and the map are complete and
     * visible, and so does every kernel after that one. Costs that one link's overlap (s14 call 7: bucket 16 0.4-0.6 %
     * with the moved order alone), except where that op reads the metadata and triggers its dependents only after its own
     * wait ({@link Impl.Attr#META_AFTER_WAIT}, embed_gather since v63): it keeps PDL, and the kernels after it still start
     * after the copy.
     */
    static List<LoweredOp> serializeAfterTileMap(List<LoweredOp> ops) {
        int at = indexOfTileMap(ops);
        if (at < 0) return ops;
        List<LoweredOp> out = new ArrayList<>(ops);
        out.add(0, out.remove(at));
        for (int i = 1; i < out.size(); i++) {
            LoweredOp o = out.get(i);
            if (o.stream() == 0) {
                if (startsBeforeTheCopy(o)) out.set(i, o.withImpl(o.impl().without(Impl.Attr.PDL), o.fused()));
                break;
            }
        }
        return out;
    }

    /**
     * Whether this op, launched right after build_tile_map, could let a later kernel read the metadata before the copy-in:
     * it launches with PDL and triggers its dependents before its own wait (no {@link Impl.Attr#META_AFTER_WAIT}).
     */
    private static boolean startsBeforeTheCopy(LoweredOp o) {
        var attrs = o.impl().attrs();
        return attrs.contains(Impl.Attr.PDL) && !attrs.contains(Impl.Attr.META_AFTER_WAIT);
    }

    private static int indexOfTileMap(List<LoweredOp> ops) {
        for (int i = 0; i < ops.size(); i++) if (ops.get(i).op().kind() == OpKind.TILE_MAP) return i;
        return -1;
    }

    /**
     * Refuses a plan whose build_tile_map is not the first kernel, or whose next kernel launches with PDL without reading
     * the metadata and triggering only after its wait ({@link Impl.Attr#META_AFTER_WAIT}): a kernel could then read the
     * batch metadata before the copy in, or the tile map before it is written.
     */
    static void checkTileMapFirst(List<LoweredOp> ops, CaptureKey key) {
        List<LoweredOp> main = ops.stream().filter(o -> o.stream() == 0).toList();
        int at = indexOfTileMap(main);
        if (at < 0) {
            throw new IllegalStateException("bucket " + key.size() + ": the plan has no build_tile_map, which copies the batch metadata"
                    + " in; keep the program's tile_map op (dropDeadOps keeps it)");
        }
        if (at != 0 || main.size() < 2 || startsBeforeTheCopy(main.get(1))) {
            throw new IllegalStateException("bucket " + key.size() + ": build_tile_map copies the batch metadata in and "
                    + (readsTileMapEarly(ops) ? "an op reads the tile map before its PDL wait" : "later ops read the metadata before their PDL wait")
                    + ", so the tile map must be the first kernel and the next one ("
                    + (main.size() > 1 ? main.get(at == 0 ? 1 : 0).impl().name() : "none")
                    + ") must launch without PDL; keep serializeAfterTileMap in the lowering");
        }
    }

    /**
     * Pass 0: the device layout of the weights. The weight of a GEMM whose output only silu_mul reads
     * gets its gate and up rows interleaved in groups of {@link KernelConstants#GATE_UP_GROUP}, at every
     * bucket: the fused SiLU epilogue needs exactly that layout and silu_mul reads any group, so one device
     * layout serves the fused and the unfused buckets of an engine (the GEMM's per-element arithmetic does
     * not depend on where a weight row sits, so unfused results keep their bits). An ffn that is not a
     * multiple of the group keeps the natural layout (and cannot be fused).
     */
    public static WeightLayout layoutWeights(ForwardProgram program) {
        Map<String, WeightLayout.RowInterleave> interleaved = new LinkedHashMap<>();
        List<Op> ops = program.ops();
        int group = KernelConstants.GATE_UP_GROUP;
        for (int i = 0; i < ops.size(); i++) {
            Op g = ops.get(i);
            if (g.kind() != OpKind.GEMM || g.n() % (2 * group) != 0) continue;
            String c = g.out("c");
            List<Op> readers = new ArrayList<>();
            for (int j = i + 1; j < ops.size(); j++) {
                if (ops.get(j).reads().containsValue(c)) readers.add(ops.get(j));
                if (ops.get(j).writes().containsValue(c)) break;
            }
            if (readers.size() == 1 && readers.get(0).kind() == OpKind.SILU_MUL && c.equals(readers.get(0).in("gate_up"))) {
                interleaved.put(g.weight("weight"), new WeightLayout.RowInterleave(g.n() / 2, group));
            }
        }
        return new WeightLayout(interleaved);
    }

    /** Pass 1: one implementation per op; {@code splits} 0 = the implementation's default, decided in pass 3. */
    public static List<LoweredOp> selectImplementations(ForwardProgram program, CaptureKey key, ImplRegistry registry,
                                                        ImplChoices choices) {
        List<LoweredOp> out = new ArrayList<>();
        for (Op op : program.ops()) {
            if (op.kind().loweringOnly()) throw new IllegalArgumentException(op.name() + ": " + op.kind() + " is inserted by lowering only");
            var row = op.kind() == OpKind.GEMM ? choices.gemm(op, key) : java.util.Optional.<ImplChoices.GemmRow>empty();
            var attentionRow = op.kind() == OpKind.ATTENTION ? choices.attention(key, program.dims())
                    : java.util.Optional.<ImplChoices.AttentionRow>empty();
            if (row.isPresent()) {
                Impl impl = registry.byName(row.get().impl());
                if (impl.kind() != OpKind.GEMM) throw new IllegalArgumentException("measurements row names " + impl.name() + ", not a GEMM");
                if (registry.fusionTarget(impl.name())) {
                    throw new IllegalArgumentException("measurements row names " + impl.name() + " for " + op.name()
                            + ": a fused implementation, selected through a fusions row only");
                }
                if (row.get().algo() != null && !impl.library()) {
                    throw new IllegalArgumentException("measurements row for " + op.name() + " pins algo '" + row.get().algo()
                            + "' but " + impl.name() + " is not a library call: only library GEMMs take an algo");
                }
                if (row.get().algo() != null) io.prefillbench.cuda.CublasLtMatmul.Algo.parse(row.get().algo()); // malformed: refused here
                out.add(LoweredOp.of(op, impl).withSplits(row.get().splits()).withAlgo(row.get().algo()));
            } else if (attentionRow.isPresent()) {
                out.add(LoweredOp.of(op, attentionFromRow(op, key, registry, attentionRow.get(), program.dims())).withSplits(0));
            } else {
                out.add(LoweredOp.of(op, registry.defaultFor(op, key, program.dims())).withSplits(0));
            }
            Impl chosen = out.getLast().impl();
            if (op.kind() == OpKind.ATTENTION && ImplRegistry.tileRows(chosen) != key.tileRows()) {
                // the key's tile capacity and the tile map are counted in the kernel's tiles (LoweredForward.tiled)
                throw new IllegalStateException(op.name() + " at size " + key.size() + ": " + chosen.name() + " runs tiles of "
                        + ImplRegistry.tileRows(chosen) + " rows but the capture key counts tiles of " + key.tileRows());
            }
        }
        return out;
    }

    /** The implementation an attention row names, refused with the row to drop where it cannot run. */
    private static Impl attentionFromRow(Op op, CaptureKey key, ImplRegistry registry, ImplChoices.AttentionRow row, ForwardProgram.Dims dims) {
        Impl impl = registry.byName(row.impl());
        String fix = "; drop the attention row " + row.impl() + " for " + rowSizes(row.m(), row.mMax());
        if (impl.kind() != OpKind.ATTENTION) throw new IllegalArgumentException("attention row names " + impl.name() + ", not an attention kernel" + fix);
        String why = impl.supports().refusal(op, key, dims);
        if (why != null) throw new IllegalArgumentException(op.name() + " at size " + key.size() + ": " + impl.name() + " " + why + fix);
        return impl;
    }

    /** The ops of one decoder layer in the program, by name suffix, in order: what a persistent layer replaces. */
    static final List<String> LAYER_OPS = List.of("input_norm", "qkv", "rope_kv", "attention", "o", "post_norm", "gate_up", "silu_mul", "down");

    /**
     * Pass 1b: where {@code choices} switches persistent layers on for this key, the ops of each decoder layer
     * ({@link #LAYER_OPS}) become one op {@code L<l>.layer} of kind {@link OpKind#LAYER}, run by the registry's
     * implementation of that kind, one split. Its roles are bound to what the replaced ops read and wrote (the
     * residual updated in place, the scratch qkv, attn_out and act, the layer's caches, the metadata, the seven
     * weights) plus the {@link ForwardProgram#GRID_BARRIER}; the last layer's op also writes {@code branch_out}, its
     * down output, which final_norm adds (every other layer adds its own into the residual). The ops it replaces
     * are listed as its {@code fused} ops. A key or model the implementation does not support is refused, naming
     * the row to drop.
     */
    public static List<LoweredOp> persistLayers(List<LoweredOp> in, ForwardProgram program, CaptureKey key, ImplRegistry registry,
                                                ImplChoices choices) {
        if (!choices.persistentLayers(key)) return in;
        String row = "drop the persistentLayers row for m=" + key.size();
        Impl impl = registry.impls().stream().filter(x -> x.kind() == OpKind.LAYER).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("persistent layers switched on for size " + key.size()
                        + " but no LAYER implementation is registered: " + row));
        ForwardProgram.Dims dims = program.dims();
        List<LoweredOp> out = new ArrayList<>();
        int i = 0;
        while (i < in.size()) {
            int layer = in.get(i).op().layer();
            if (layer < 0) {
                out.add(in.get(i++));
                continue;
            }
            Map<String, Op> bySuffix = new LinkedHashMap<>();
            for (String suffix : LAYER_OPS) {
                Op o = i < in.size() ? in.get(i).op() : null;
                if (o == null || o.layer() != layer || !suffix(o.name()).equals(suffix)) {
                    throw new IllegalStateException("layer " + layer + ": expected L" + layer + "." + suffix + " next, found "
                            + (o == null ? "the end" : o.name()) + "; a persistent layer replaces exactly " + LAYER_OPS);
                }
                bySuffix.put(suffix, o);
                i++;
            }
            Op layerOp = layerOp(layer, bySuffix, layer == dims.layers() - 1);
            if (!impl.supports().test(layerOp, key, dims)) {
                String why = ImplRegistry.layerRefusal(dims, key.capacity(layerOp.rows()));
                throw new IllegalArgumentException("persistent layers switched on for size " + key.size() + " but " + impl.name() + " "
                        + (why == null ? "does not support it" : why) + ": " + row);
            }
            out.add(LoweredOp.of(layerOp, impl).withSplits(1).withImpl(impl, bySuffix.values().stream().map(Op::name).toList()));
        }
        return out;
    }

    /** Name of the op that runs every decoder layer in one persistent launch. */
    public static final String LAYERS_OP = "layers";

    /**
     * The consecutive per-layer LAYER ops as one op, {@link #LAYERS_OP}: one launch runs every layer, with a grid
     * barrier between layers (the kernel's {@code LayerParams.layers}), so the weight ring streams across layers and
     * no launch boundary drains it (s5: the engine's 18 launches cost ~90 µs of GPU time more than the harness's one).
     * Its roles are layer 0's (the last layer's {@code branch_out} added), its weights layer 0's under the usual roles
     * and layer l's under {@code role.l}; the binder derives the per-layer strides from them and checks they are
     * constant. Its fused ops are every layer's.
     */
    public static List<LoweredOp> oneLaunch(List<LoweredOp> in) {
        List<LoweredOp> layers = in.stream().filter(o -> o.op().kind() == OpKind.LAYER).toList();
        if (layers.size() < 2) return in;
        Op first = layers.get(0).op(), last = layers.get(layers.size() - 1).op();
        Map<String, String> writes = new LinkedHashMap<>(first.writes());
        if (last.out("branch_out") != null) writes.put("branch_out", last.out("branch_out"));
        Map<String, String> weights = new LinkedHashMap<>(first.weights());
        List<String> fused = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            Op o = layers.get(l).op();
            if (o.layer() != first.layer() + l) throw new IllegalStateException("layer ops out of order: " + o.name() + " at " + l);
            if (l > 0) for (Map.Entry<String, String> w : o.weights().entrySet()) weights.put(w.getKey() + "." + l, w.getValue());
            fused.addAll(layers.get(l).fused());
        }
        Op merged = new Op(LAYERS_OP, OpKind.LAYER, first.layer(), first.reads(), writes, weights, 0, 0, first.rows());
        List<LoweredOp> out = new ArrayList<>();
        for (LoweredOp o : in) {
            if (o.op().kind() != OpKind.LAYER) out.add(o);
            else if (o == layers.get(0)) out.add(LoweredOp.of(merged, o.impl()).withSplits(1).withImpl(o.impl(), fused));
        }
        return out;
    }

    /** Layers one LAYER op runs: 1 + the layers whose weights it carries under {@code role.l}. */
    public static int layerSpan(Op op) {
        int n = 1;
        while (op.weights().containsKey("w_qkv." + n)) n++;
        return n;
    }

    /** The LAYER op standing for one layer's ops (by suffix), its roles bound to their tensors and weights. */
    private static Op layerOp(int layer, Map<String, Op> ops, boolean last) {
        Op norm = ops.get("input_norm"), rope = ops.get("rope_kv"), att = ops.get("attention"), down = ops.get("down");
        Map<String, String> reads = new LinkedHashMap<>();
        reads.put("residual", norm.in("residual"));
        for (String r : List.of("cos_sin", "positions", "slot_mapping", "num_tokens")) reads.put(r, rope.in(r));
        for (String r : List.of("query_start", "kv_lens", "block_tables")) reads.put(r, att.in(r));
        reads.put("num_seqs", ForwardProgram.NUM_SEQS); // the tile map read it; the kernel walks the sequences itself
        Map<String, String> writes = new LinkedHashMap<>();
        writes.put("residual", norm.out("residual"));
        if (last) writes.put("branch_out", down.out("c"));
        writes.put("qkv", rope.out("qkv"));
        writes.put("attn_out", att.out("out"));
        writes.put("act", ops.get("silu_mul").out("out"));
        writes.put("k_cache", rope.out("k_cache"));
        writes.put("v_cache", rope.out("v_cache"));
        writes.put("barrier", ForwardProgram.GRID_BARRIER);
        Map<String, String> weights = new LinkedHashMap<>();
        weights.put("input_norm", norm.weight("weight"));
        weights.put("w_qkv", ops.get("qkv").weight("weight"));
        if (rope.weight("bias") != null) weights.put("qkv_bias", rope.weight("bias"));
        weights.put("w_o", ops.get("o").weight("weight"));
        weights.put("post_norm", ops.get("post_norm").weight("weight"));
        weights.put("w_gate_up", ops.get("gate_up").weight("weight"));
        weights.put("w_down", down.weight("weight"));
        return new Op("L" + layer + ".layer", OpKind.LAYER, layer, reads, writes, weights, 0, 0, Count.TOKENS);
    }

    /**
     * Pass 1c: drops ops with no effect left: every tensor the op writes is a scratch activation (not pinned, not
     * the KV cache, not an output) and no later op reads the version it wrote. An op that writes
     * nothing (the L2 prefetch: a cache hint) is kept. Repeated until nothing changes, so a chain of dead ops goes.
     * In the program as written no op is dead. The tile map is never dropped, even with persistent layers where no op
     * reads it: it copies the batch metadata in.
     */
    public static List<LoweredOp> dropDeadOps(List<LoweredOp> in, ForwardProgram program) {
        List<LoweredOp> ops = new ArrayList<>(in);
        boolean dropped = true;
        while (dropped) {
            dropped = false;
            for (int i = ops.size() - 1; i >= 0; i--) {
                if (dead(ops, i, program)) {
                    ops.remove(i);
                    dropped = true;
                }
            }
        }
        return ops;
    }

    private static boolean dead(List<LoweredOp> ops, int i, ForwardProgram program) {
        Op op = ops.get(i).op();
        if (op.writes().isEmpty()) return false;
        // build_tile_map also copies the batch metadata in (serializeAfterTileMap): live where no op reads the map (the
        // persistent layers), since every plan needs the copy
        if (op.kind() == OpKind.TILE_MAP) return false;
        for (String t : op.writes().values()) {
            TensorSpec spec = ForwardProgram.isPinned(t) ? null : program.tensors().get(t);
            if (spec == null || spec.role() != TensorSpec.Role.ACTIVATION) return false; // pinned, KV, output: an effect
            if (!readersOfVersion(ops, i, t).isEmpty()) return false;
        }
        return true;
    }

    /**
     * Pass 2: each fusion rule switched on at this key folds a GEMM and its sole consumer into one op, run
     * by the rule's fused form of the GEMM's implementation (e.g. the 128 x 128 tile keeps its tile); a GEMM
     * the fused form does not support (its {@code supports}) stays unfused. The
     * GEMM's splits stay what pass 1 chose: a measurements row asking for split-K together with a fusion
     * whose epilogue is not linear is refused in pass 3 (unless the fused form sums its own partials). The
     * fused op takes over the consumer's other inputs, outputs and weights under the same roles (rope's
     * metadata, caches and bias); a consumer role the GEMM kind has no slot for is refused.
     */
    public static List<LoweredOp> fuse(List<LoweredOp> in, CaptureKey key, ImplRegistry registry, ImplChoices choices,
                                       ForwardProgram.Dims dims) {
        List<LoweredOp> ops = new ArrayList<>(in);
        for (ImplRegistry.Fusion f : registry.fusions()) {
            if (!f.fits().test(dims)) continue; // the rows are matched per GEMM, at its row capacity
            for (int i = 0; i < ops.size(); i++) {
                LoweredOp g = ops.get(i);
                if (g.op().kind() != OpKind.GEMM || !suffix(g.op().name()).equals(f.producerGemm())) continue;
                if (!choices.fusion(f.name(), key, g.impl().name(), g.op())) continue; // a row for another implementation or shape
                Impl fused = registry.byName(f.implFor(g.impl(), choices.fusionNamesProducer(f.name(), key, g.impl().name(), g.op())));
                if (!fused.supports().test(g.op(), key)) continue; // e.g. an ffn its epilogue cannot pair: stays unfused
                String c = g.op().out("c");
                List<Integer> readers = readersOfVersion(ops, i, c);
                if (readers.size() != 1 || ops.get(readers.get(0)).op().kind() != f.consumer()) {
                    throw new IllegalStateException("fusion " + f.name() + " at " + g.op().name() + ": its output " + c
                            + " must have exactly one reader of kind " + f.consumer() + ", found " + readers.size());
                }
                int j = readers.get(0);
                LoweredOp consumer = ops.get(j);
                Op co = consumer.op();
                String result = co.writes().values().iterator().next();
                Op merged = g.op().withWrite("c", result);
                for (var r : co.reads().entrySet()) {
                    if (r.getValue().equals(c)) continue;
                    merged = merged.withRead(takeOver(f, co, r.getKey(), merged.reads()), r.getValue());
                }
                for (var w : co.writes().entrySet()) {
                    if (w.getValue().equals(result) && w.getKey().equals(co.writes().keySet().iterator().next())) continue;
                    merged = merged.withWrite(takeOver(f, co, w.getKey(), merged.writes()), w.getValue());
                }
                for (var w : co.weights().entrySet()) {
                    if (merged.weight(w.getKey()) != null) throw new IllegalStateException("fusion " + f.name() + ": weight role " + w.getKey() + " taken twice");
                    merged = merged.withWeight(w.getKey(), w.getValue());
                }
                List<String> names = new ArrayList<>(g.fused());
                names.add(co.name());
                ops.set(i, g.withOp(merged).withImpl(fused, names));
                ops.remove(j);
            }
        }
        return ops;
    }

    /** A consumer role the fused GEMM takes over: the GEMM kind must have it, and it must still be free. */
    private static String takeOver(ImplRegistry.Fusion f, Op consumer, String role, Map<String, String> bound) {
        boolean slot = OpKind.GEMM.readRoles().contains(role) || OpKind.GEMM.writeRoles().contains(role);
        if (!slot || bound.containsKey(role)) {
            throw new IllegalStateException("fusion " + f.name() + ": the GEMM cannot take over " + consumer.name() + "'s role " + role
                    + (slot ? " (already bound)" : " (no such GEMM role: add it to OpKind.GEMM)"));
        }
        return role;
    }

    /**
     * Pass 3: split-K. A GEMM with splits > 1 writes fp32 partials into a workspace tensor named
     * {@code splitk.<gemm>}; its sole reader sums them while loading when its implementation has a
     * partial role bound to that tensor, otherwise a {@code splitk_reduce} op is inserted. Splitting a
     * GEMM whose epilogue is not linear (or that has a norm prologue) is refused: the partials would
     * each go through the non-linear step; except for an implementation with the split-K fixup
     * ({@link Impl.Attr#SPLIT_FIXUP}), which gets the workspace bound to its {@code partial} role at
     * any splits and keeps its output.
     */
    public static List<LoweredOp> assignSplitK(List<LoweredOp> in, CaptureKey key, ImplRegistry registry,
                                               Map<String, TensorSpec> workspaces) {
        List<LoweredOp> ops = new ArrayList<>(in);
        for (int i = 0; i < ops.size(); i++) {
            LoweredOp g = ops.get(i);
            int s = g.splits() == 0 ? g.impl().defaultSplits().of(g.op(), key) : g.splits();
            if (g.op().kind() != OpKind.GEMM) {
                ops.set(i, g.withSplits(1));
                continue;
            }
            // any count that cuts k into whole steps (a measured row may ask for 12); the rules pick powers of two
            if (s < 1) throw new IllegalArgumentException(g.op().name() + ": splits must be >= 1, got " + s);
            if (g.impl().splitFixup()) {
                var unsplit = s == 1 ? registry.unsplitForm(g.impl()) : java.util.Optional.<Impl>empty();
                if (unsplit.isPresent()) { // one split: the form that neither stores nor re-reads a partial (v49)
                    ops.set(i, g.withImpl(unsplit.get(), g.fused()).withSplits(1));
                    continue;
                }
                requireWholeKSteps(g.op(), s);
                ops.set(i, g.withSplits(s).withOp(g.op().withWrite("partial", workspace(g.op(), s, key, workspaces))));
                continue;
            }
            if (s > 1 && (!g.impl().linearEpilogue() || g.impl().library())) {
                throw new IllegalStateException(g.op().name() + ": split-K " + s + " refused for " + g.impl().name()
                        + (g.impl().library() ? " (a library call does its own k split)"
                        : " (non-linear epilogue or norm prologue: each partial would go through it)"));
            }
            if (s > 1) requireWholeKSteps(g.op(), s);
            g = g.withSplits(s);
            ops.set(i, g);
            if (s == 1) continue;
            String c = g.op().out("c");
            String ws = workspace(g.op(), s, key, workspaces);
            int cap = key.capacity(g.op().rows());
            // what the consumer reads: every split's plane, or the one plane a cluster-reduced GEMM leaves
            int planes = g.impl().attrs().contains(Impl.Attr.CLUSTER_SPLITK) ? 1 : s;
            List<Integer> readers = readersOfVersion(ops, i, c);
            ops.set(i, g.withOp(g.op().withWrite("c", ws)));
            if (readers.size() == 1) {
                LoweredOp consumer = ops.get(readers.get(0));
                String role = consumer.impl().partialRole();
                if (role != null && c.equals(consumer.op().in(role))) {
                    ops.set(readers.get(0), consumer.withOp(consumer.op().withRead(role, ws)).withPartialInput(planes, cap));
                    continue;
                }
            }
            Op reduce = new Op(g.op().name() + ".reduce", OpKind.SPLITK_REDUCE, g.op().layer(),
                    Map.of("partial", ws, "m_dev", g.op().in("m_dev")), Map.of("c", c), Map.of(), g.op().n(), g.op().k(), g.op().rows());
            LoweredOp r = LoweredOp.of(reduce, registry.defaultFor(reduce, key)).withPartialInput(planes, cap);
            ops.add(i + 1, r);
            i++;
        }
        return ops;
    }

    private static void requireWholeKSteps(Op gemm, int s) {
        if (gemm.k() % (s * KernelConstants.GEMM_BK) != 0) {
            throw new IllegalArgumentException(gemm.name() + ": k " + gemm.k() + " does not split " + s + " ways in steps of " + KernelConstants.GEMM_BK);
        }
    }

    /**
     * The GEMM's fp32 split-K workspace {@code splitk.<gemm>} of {@code s} planes, shared by every layer's GEMM of that name:
     * the largest at this key (a last layer on its last rows splits its sequence rows another way than the other layers
     * split their tokens); the buffer layout keeps the largest over the buckets.
     */
    private static String workspace(Op gemm, int s, CaptureKey key, Map<String, TensorSpec> workspaces) {
        String ws = "splitk." + suffix(gemm.name());
        workspaces.merge(ws, new TensorSpec(ws, 4, gemm.rows(), (long) s * gemm.n(), TensorSpec.Role.WORKSPACE,
                "[" + s + ", " + gemm.rows().name().toLowerCase() + ", " + gemm.n() + "] fp32"),
                (a, b) -> a.bytes(key.capacity(a.rows())) >= b.bytes(key.capacity(b.rows())) ? a : b);
        return ws;
    }

    /**
     * Pass 4: when the measurements file switches L2 prefetch on for this key, each layer l < L-1
     * gets an {@code L(l+1).prefetch} op on the side stream, forked after the last op before layer
     * l and joined before layer l+1's first op; it reads the next layer's GEMM weights only.
     */
    public static List<LoweredOp> assignStreams(List<LoweredOp> in, ForwardProgram program, CaptureKey key, ImplRegistry registry,
                                                ImplChoices choices) {
        if (!choices.l2Prefetch(key)) return in;
        if (in.stream().anyMatch(o -> o.op().kind() == OpKind.LAYER)) {
            // a persistent layer needs all its blocks resident at once: a side branch would hold SMs it waits for
            throw new IllegalArgumentException("L2 prefetch and persistent layers are both switched on for size " + key.size()
                    + ": the persistent layer kernel needs every SM it spans while the prefetch branch runs beside it; drop the"
                    + " l2Prefetch or the persistentLayers row for m=" + key.size());
        }
        int layers = program.dims().layers();
        List<LoweredOp> ops = new ArrayList<>(in);
        for (int l = 0; l + 1 < layers; l++) {
            int first = firstOfLayer(ops, l), next = firstOfLayer(ops, l + 1);
            if (first <= 0 || next < 0) throw new IllegalStateException("layer " + l + " has no ops to overlap");
            Map<String, String> weights = new LinkedHashMap<>();
            for (LoweredOp o : ops) {
                if (o.op().layer() == l + 1 && o.op().kind() == OpKind.GEMM) weights.put(suffix(o.op().name()), o.op().weight("weight"));
            }
            Op prefetch = new Op("L" + (l + 1) + ".prefetch", OpKind.L2_PREFETCH, l, Map.of(), Map.of(), weights, 0, 0, Count.ONE);
            Impl impl = registry.impls().stream().filter(x -> x.kind() == OpKind.L2_PREFETCH).findFirst()
                    .orElseThrow(() -> new IllegalStateException("L2 prefetch switched on for size " + key.size()
                            + " but no L2_PREFETCH implementation is registered"));
            LoweredOp side = LoweredOp.of(prefetch, impl).withSplits(1)
                    .onSideStream(ops.get(first - 1).op().name(), ops.get(next).op().name());
            ops.add(first, side);
        }
        for (LoweredOp o : ops) {
            if (o.stream() != 0 && (!o.op().reads().isEmpty() || !o.op().writes().isEmpty())) {
                throw new IllegalStateException(o.op().name() + ": a side-stream op may read weights only");
            }
        }
        return ops;
    }

    /**
     * Where a fusion row {@link ImplRegistry#EMBED_INTO_TILE_MAP} is on for this key, embed's op folds into the tile map's:
     * one {@code build_tile_map_embed} op that builds the map, then gathers embed's rows from the ids it has just copied in,
     * taking over embed's roles (ids, num_tokens, out, the table); the embed op goes, so a small forward has one link fewer
     * (kernels/NOTES-forward.md v50). The rows are embed_gather's bytes.
     */
    public static List<LoweredOp> foldEmbed(List<LoweredOp> in, CaptureKey key, ImplRegistry registry, ImplChoices choices) {
        if (!choices.fusion(ImplRegistry.EMBED_INTO_TILE_MAP, key)) return in;
        List<LoweredOp> ops = new ArrayList<>(in);
        int map = -1, embed = -1;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).op().kind() == OpKind.TILE_MAP) map = i;
            if (ops.get(i).op().kind() == OpKind.EMBED) embed = i;
        }
        if (map < 0 || embed < 0) {
            throw new IllegalStateException(ImplRegistry.EMBED_INTO_TILE_MAP + " at size " + key.size() + " needs a tile map and an embed op, the plan has "
                    + (map < 0 ? "no tile map" : "no embed"));
        }
        Op e = ops.get(embed).op();
        Op folded = ops.get(map).op().withRead("ids", e.in("ids")).withRead("num_tokens", e.in("num_tokens")).withWrite("out", e.out("out"))
                .withWeight("table", e.weight("table"));
        Impl fold = registry.byName(ImplRegistry.TILE_MAP_EMBED);
        ops.set(map, LoweredOp.of(folded, fold).withImpl(fold, List.of(e.name())));
        ops.remove(embed);
        return ops;
    }

    /**
     * Where a layer's attention runs a form that does its layer's rope_kv op too ({@link Impl.Attr#ROPE_IN}: an attention
     * row chose it for this key), that rope op folds into the attention op: the attention drops its {@code q} read (the
     * kernel computes q from rope's input itself) and takes over rope's reads ({@code qkv}, the metadata), its cache writes
     * (the caches stay reads too) and its bias; rope's name joins the attention's fused ops and the rope op goes. Runs after
     * {@link #fuse} (a rope already fused into the qkv GEMM is refused: both rows claim it) and before
     * {@link #assignSplitK}, so the qkv GEMM's only reader is then the attention, whose partial role {@code qkv} takes its
     * split-K partials. Applies per plan: a decode plan whose attention row names another form keeps its rope op.
     */
    public static List<LoweredOp> foldRopeIntoAttention(List<LoweredOp> in, CaptureKey key, ImplChoices choices, ForwardProgram.Dims dims) {
        if (in.stream().noneMatch(Lowering::takesRope)) return in;
        List<LoweredOp> ops = new ArrayList<>(in);
        for (int a = 0; a < ops.size(); a++) {
            LoweredOp att = ops.get(a);
            if (!takesRope(att)) continue;
            int r = ropeFeeding(ops, a, key, choices, dims);
            LoweredOp rope = ops.get(r);
            List<String> names = new ArrayList<>(att.fused());
            names.add(rope.op().name());
            ops.set(a, att.withOp(withRope(att.op(), rope.op())).withImpl(att.impl(), names));
            ops.remove(r);
            a--; // the rope op ran before the attention: the attention moved one place back
        }
        return ops;
    }

    private static boolean takesRope(LoweredOp o) {
        return o.op().kind() == OpKind.ATTENTION && o.impl().attrs().contains(Impl.Attr.ROPE_IN);
    }

    /**
     * Index of the layer's rope_kv op that writes the version of q the attention at {@code a} reads; refused, naming both
     * rows, where there is none (rope fused into the qkv GEMM by a rope_into_qkv row at this size) or another op stands
     * between them.
     */
    private static int ropeFeeding(List<LoweredOp> ops, int a, CaptureKey key, ImplChoices choices, ForwardProgram.Dims dims) {
        Op att = ops.get(a).op();
        String q = att.in("q");
        for (int i = a - 1; i >= 0 && q != null; i--) {
            Op o = ops.get(i).op();
            if (!o.writes().containsValue(q)) continue;
            if (o.kind() == OpKind.ROPE_KV && o.layer() == att.layer() && readersOfVersion(ops, i, q).equals(List.of(a))) return i;
            boolean fused = ops.get(i).fused().stream().anyMatch(n -> suffix(n).equals("rope_kv"));
            throw new IllegalStateException(att.name() + " at size " + key.size() + ": " + ops.get(a).impl().name() + " does its layer's "
                    + "rope_kv itself, but its q (" + q + ") comes from " + o.name() + " (" + ops.get(i).impl().name() + ")"
                    + (fused ? ", which took rope over already (" + fusionRow(choices, key, o) + ")" : "")
                    + "; rope can fold into one of them only: drop " + (fused ? "the " + fusionRow(choices, key, o) + " or " : "")
                    + attentionRow(choices, key, dims));
        }
        throw new IllegalStateException(att.name() + " at size " + key.size() + ": " + ops.get(a).impl().name()
                + " does its layer's rope_kv itself, but no rope_kv op of layer " + att.layer() + " writes its q (" + q + "); drop "
                + attentionRow(choices, key, dims));
    }

    /**
     * Where an {@link ImplRegistry#ATTENTION_INTO_O} fusion row is on for this key (a fresh-prompt plan: the kernel takes every
     * key from the batch's own rows), each layer's attention folds into the o GEMM that alone reads its output: o on the
     * half-width 16-row kernel runs {@link ImplRegistry#GEMM_STREAM_M16_N32_ATTN} at k / 128 splits, o on the plain 16-row
     * kernel {@link ImplRegistry#GEMM_STREAM_M16_K256_ATTN} at k / 256 (v79); it drops its {@code a} read and takes the attention's
     * {@code q} (the qkv rows rope wrote), {@code query_start}, {@code kv_lens} and {@code num_seqs}; the attention's name
     * joins o's fused ops and the attention op goes (kernels/NOTES-forward.md v74: one link and o's A round trip fewer per
     * layer). Only o ops the row covers (its producer, shape) fold, and not the o of a last layer on its last rows
     * ({@link #lastRowsOnly}: it reads the gathered rows of its attention's output); refused, naming the row, where a covered o is not on the
     * 16-row half-width or plain kernel, its attention does rope itself or has another reader, or the model's heads do not fit.
     */
    public static List<LoweredOp> foldAttentionIntoO(List<LoweredOp> in, CaptureKey key, ImplRegistry registry, ImplChoices choices,
                                                     ForwardProgram.Dims dims) {
        String name = ImplRegistry.ATTENTION_INTO_O;
        if (!choices.fusion(name, key)) return in;
        String row = "the " + name + " fusion row for m=" + key.size();
        String n32 = StreamTiling.Variant.M16.kernel() + ImplRegistry.STREAM_N32, m16 = StreamTiling.Variant.M16.kernel();
        List<LoweredOp> ops = new ArrayList<>(in);
        for (int g = 0; g < ops.size(); g++) {
            LoweredOp o = ops.get(g);
            Op oo = o.op();
            if (oo.kind() != OpKind.GEMM || !suffix(oo.name()).equals("o") || o.stream() != 0 || !choices.fusion(name, key, o.impl().name(), oo)) continue;
            // the last layer on its last rows (lastRowsOnly): its attention keeps every row for the gather, its o runs after it
            if (oo.rows() == Count.SEQS) continue;
            String where = oo.name() + " at size " + key.size() + ": ";
            if (!key.fresh()) {
                throw new IllegalStateException(where + name + " reaches a plan that batches with a cached prefix replay, but its kernels "
                        + "take every key from the batch's own rows: give " + row + " \"batch\": \"" + ImplChoices.AttentionRow.FRESH + "\"");
            }
            boolean half = o.impl().name().equals(n32);
            if (!half && !o.impl().name().equals(m16)) {
                throw new IllegalStateException(where + name + " folds attention into " + n32 + " or " + m16 + " only, o runs " + o.impl().name()
                        + "; drop " + row + " or give o a GEMM row on one of them");
            }
            Impl fold = registry.byName(half ? ImplRegistry.GEMM_STREAM_M16_N32_ATTN : ImplRegistry.GEMM_STREAM_M16_K256_ATTN);
            int bk = half ? StreamTiling.N32_BK : StreamTiling.K256_BK;
            int a = -1;
            for (int i = g - 1; i >= 0 && oo.in("a") != null; i--) {
                if (ops.get(i).op().writes().containsValue(oo.in("a"))) {
                    a = i;
                    break;
                }
            }
            LoweredOp att = a < 0 ? null : ops.get(a);
            if (att == null || att.op().kind() != OpKind.ATTENTION || att.op().layer() != oo.layer() || att.stream() != 0
                    || !readersOfVersion(ops, a, oo.in("a")).equals(List.of(g))) {
                throw new IllegalStateException(where + name + " needs o's input to be its layer's attention output, read by o alone; it comes from "
                        + (att == null ? "no op" : att.op().name()) + "; drop " + row);
            }
            if (att.impl().attrs().contains(Impl.Attr.ROPE_IN) || att.op().in("q") == null) {
                throw new IllegalStateException(where + att.impl().name() + " computes rope's q itself, so the qkv rows hold no rotated q for "
                        + fold.name() + "; drop " + row + " or " + attentionRow(choices, key, dims));
            }
            int splits = oo.k() / bk;
            String why = ImplRegistry.attentionIntoORefusal(oo, dims, splits, bk);
            if (why == null && o.splits() != 0 && o.splits() != splits) {
                why = "runs o at k / " + bk + " = " + splits + " splits, its GEMM row asks " + o.splits();
            }
            if (why != null) throw new IllegalStateException(where + fold.name() + " " + why + "; drop " + row);
            Op at = att.op();
            Op merged = oo.withRead("a", null).withRead("q", at.in("q")).withRead("query_start", at.in("query_start"))
                    .withRead("kv_lens", at.in("kv_lens")).withRead("num_seqs", ForwardProgram.NUM_SEQS);
            List<String> names = new ArrayList<>(o.fused());
            names.add(at.name());
            ops.set(g, o.withOp(merged).withImpl(fold, names).withSplits(splits));
            ops.remove(a);
            g--; // the attention ran before o: o moved one place back
        }
        return ops;
    }

    /** The attention row that chose the plan's attention form, as a refusal names it. */
    private static String attentionRow(ImplChoices choices, CaptureKey key, ForwardProgram.Dims dims) {
        return choices.attention(key, dims).map(r -> "the attention row " + r.impl() + " for " + rowSizes(r.m(), r.mMax())
                + (r.decodeOnly() ? " (decode)" : "")).orElse("the attention row for m=" + key.size());
    }

    /** A measurements row's sizes as refusals name them: {@code m=16}, or {@code m=1..16} for a range. */
    private static String rowSizes(int m, Integer mMax) {
        return "m=" + m + (mMax == null ? "" : ".." + mMax);
    }

    /** The rope_into_qkv fusion row that fused rope into {@code gemm} at this key, as a refusal names it. */
    private static String fusionRow(ImplChoices choices, CaptureKey key, Op gemm) {
        return choices.fusions().stream()
                .filter(r -> r.fusion().equals(ImplRegistry.ROPE_INTO_QKV) && r.covers(key.size())
                        && (r.n() == null || r.n() == gemm.n() && r.k() == gemm.k()))
                .findFirst()
                .map(r -> ImplRegistry.ROPE_INTO_QKV + " fusion row for " + rowSizes(r.m(), r.mMax())
                        + (r.n() == null ? "" : " (n=" + r.n() + " k=" + r.k() + ")"))
                .orElse(ImplRegistry.ROPE_INTO_QKV + " fusion row for m=" + key.size());
    }

    /** The attention op with the rope op's roles: its input, metadata, cache writes and bias; no {@code q}. */
    private static Op withRope(Op att, Op rope) {
        Op merged = att.withRead("q", null);
        for (String r : List.of("qkv", "cos_sin", "positions", "slot_mapping", "num_tokens")) merged = merged.withRead(r, rope.in(r));
        for (String w : List.of("k_cache", "v_cache")) {
            if (!rope.out(w).equals(att.in(w))) {
                throw new IllegalStateException(att.name() + " reads " + att.in(w) + " but " + rope.name() + " writes " + rope.out(w)
                        + ": a folded rope must write the caches its attention reads");
            }
            merged = merged.withWrite(w, rope.out(w));
        }
        for (var w : rope.weights().entrySet()) merged = merged.withWeight(w.getKey(), w.getValue());
        return merged;
    }

    /**
     * Pass 3b: for each prefetch row of this key, in every decoder layer whose GEMM the row names (by name and weight
     * shape), an {@code L<l>.prefetch.<weight>} op right before that layer's op {@code before}, pulling the first
     * {@link ImplChoices.PrefetchRow#columns} columns of every row of the weight into L2: its n is the GEMM's, its k those
     * columns; the row's {@code early} and {@code lines} choose its kernel. The op sits in the main chain (PDL on both sides), where the ops between it and the GEMM leave DRAM idle
     * (kernels/NOTES-forward.md v48); where {@code before} was folded into another op (attention into o), right before
     * that op. Refused when {@code before} is not an op of the layer (misspelt, or fused into the GEMM itself) or does not
     * come before the GEMM.
     */
    public static List<LoweredOp> prefetchAhead(List<LoweredOp> in, CaptureKey key, ImplRegistry registry, ImplChoices choices) {
        List<ImplChoices.PrefetchRow> rows = choices.prefetchAhead(key);
        if (rows.isEmpty()) return in;
        List<LoweredOp> ops = new ArrayList<>(in);
        for (ImplChoices.PrefetchRow r : rows) {
            Impl impl = registry.find(r.kernel()).filter(x -> x.kind() == OpKind.L2_PREFETCH_AHEAD)
                    .orElseThrow(() -> new IllegalStateException("prefetch rows at size " + key.size() + " but no " + r.kernel() + " implementation is registered"));
            for (int g = 0; g < ops.size(); g++) {
                Op gemm = ops.get(g).op();
                if (gemm.kind() != OpKind.GEMM || gemm.layer() < 0 || ops.get(g).stream() != 0 || !r.prefetches(gemm)) continue;
                String target = "L" + gemm.layer() + "." + r.before();
                int at = -1;
                for (int i = 0; i < ops.size(); i++) if (ops.get(i).stream() == 0 && ops.get(i).op().name().equals(target)) at = i;
                // an op folded into another (attention into o in a fresh-prompt plan): before the op that runs it
                for (int i = 0; i < ops.size() && at < 0; i++) if (ops.get(i).stream() == 0 && ops.get(i).fused().contains(target)) at = i;
                if (at < 0 || at > g) {
                    throw new IllegalArgumentException("prefetch row for " + r.weight() + " at size " + key.size() + ": " + target
                            + (at < 0 ? " is not an op of this plan nor folded into one (misspelt?)" : " runs after " + gemm.name())
                            + "; name an op of the layer that runs before the GEMM in the row's before");
                }
                Op prefetch = new Op("L" + gemm.layer() + ".prefetch." + r.weight(), OpKind.L2_PREFETCH_AHEAD, gemm.layer(),
                        Map.of(), Map.of(), Map.of("weight", gemm.weight("weight")), gemm.n(), r.columns(), Count.ONE);
                ops.add(at, LoweredOp.of(prefetch, impl));
                g++; // the GEMM moved one place on
            }
        }
        return ops;
    }

    /**
     * Pass 4c (kernels/NOTES-forward.md v87): where an {@link ImplRegistry#ARGMAX_INTO_LM_HEAD} fusion row is on for the LM head
     * (matched at its row capacity, as GEMM rows are) and the LM head runs a plain streaming kernel at one split, it runs that
     * kernel's argmax-key form ({@link ImplRegistry#amaxForm}), which also folds each row's largest stored logit, lowest column
     * on ties, into {@link ForwardProgram#ARGMAX_KEYS}; argmax then runs {@link ImplRegistry#ARGMAX_KEYS}, reading a key a row
     * instead of the vocabulary, and resets the keys. The logits are still stored (the host reads them). A split LM head, or one
     * on a kernel without the form, keeps the plain argmax. After split-K (the splits decide) and before the grids.
     */
    public static List<LoweredOp> foldArgmax(List<LoweredOp> in, CaptureKey key, ImplRegistry registry, ImplChoices choices) {
        int head = -1, arg = -1;
        for (int i = 0; i < in.size(); i++) {
            Op o = in.get(i).op();
            if (o.kind() == OpKind.GEMM && ForwardProgram.LOGITS.equals(o.out("c"))) head = i;
            if (o.kind() == OpKind.ARGMAX) arg = i;
        }
        if (head < 0 || arg < 0) return in;
        LoweredOp h = in.get(head), a = in.get(arg);
        if (!choices.fusion(ImplRegistry.ARGMAX_INTO_LM_HEAD, key, h.impl().name(), h.op()) || h.splits() != 1) return in;
        Impl form = registry.amaxForm(h.impl()).orElse(null);
        if (form == null) return in;
        if (!readersOfVersion(in, head, ForwardProgram.LOGITS).equals(List.of(arg))) {
            throw new IllegalStateException(ImplRegistry.ARGMAX_INTO_LM_HEAD + " at size " + key.size() + ": argmax must be the logits' only reader");
        }
        List<LoweredOp> out = new ArrayList<>(in);
        out.set(head, h.withOp(h.op().withWrite("keys", ForwardProgram.ARGMAX_KEYS)).withImpl(form, h.fused()));
        Op keys = a.op().withRead("logits", null).withRead("keys", ForwardProgram.ARGMAX_KEYS).withWrite("keys", ForwardProgram.ARGMAX_KEYS);
        Impl fromKeys = registry.byName(ImplRegistry.ARGMAX_KEYS);
        out.set(arg, a.withOp(keys).withImpl(fromKeys, a.fused()));
        return out;
    }

    /** Pass 5: grids from the implementations (null for library calls). */
    public static List<LoweredOp> grids(List<LoweredOp> in, CaptureKey key, ForwardProgram.Dims dims) {
        List<LoweredOp> out = new ArrayList<>();
        for (LoweredOp o : in) out.add(o.withGrid(o.impl().library() ? null : o.impl().grid().of(o.op(), key, o.splits(), dims)));
        return out;
    }

    /**
     * Pass 5a (s39, kernels/NOTES-forward.md v85): where an {@link ImplRegistry#SOLO_NORMS} fusion row is on for this key (sm_90
     * only: the SM's shared memory is sm_90's), each add_rmsnorm whose next main-stream op is one of our GEMMs runs its solo
     * twin: the same kernel with {@link ImplRegistry#SOLO_NORM_SMEM} bytes of shared memory it never touches. At the norm's
     * entry the GEMM launches (PDL) and its blocks fill the free shared memory of every SM to stream weights before their wait
     * — the norm's SMs too, where those copies queue ahead of the norm's partial-sum reads; a solo norm's SMs take none. Only
     * where that GEMM's blocks all fit on the other SMs at once (none starts after the norm instead of beside it) and no block
     * of it fits beside the solo norm anyway.
     */
    public static List<LoweredOp> soloNorms(List<LoweredOp> in, CaptureKey key, ImplRegistry registry, ImplChoices choices) {
        if (key.arch() != 90 || !choices.fusion(ImplRegistry.SOLO_NORMS, key)) return in;
        // room an SM has beside a solo norm: a block of the next GEMM that fits there would still share the norm's SM
        int besideSolo = ImplRegistry.SM_SMEM_BYTES - ImplRegistry.SOLO_NORM_SMEM - 2 * ImplRegistry.BLOCK_SMEM_RESERVE;
        List<LoweredOp> out = new ArrayList<>(in);
        for (int i = 0; i < out.size(); i++) {
            LoweredOp norm = out.get(i);
            if (norm.op().kind() != OpKind.ADD_RMSNORM || norm.stream() != 0) continue;
            int j = i + 1;
            while (j < out.size() && out.get(j).stream() != 0) j++;
            if (j == out.size()) continue;
            LoweredOp gemm = out.get(j);
            if (gemm.op().kind() != OpKind.GEMM || gemm.impl().library()) continue;
            int gemmSlot = gemm.impl().dynamicSmem() + ImplRegistry.BLOCK_SMEM_RESERVE;
            if (gemmSlot <= besideSolo) continue;
            int[] ng = norm.grid().atCapacity(key), gg = gemm.grid().atCapacity(key);
            long gemmBlocks = (long) gg[0] * gg[1] * gg[2];
            long perSm = ImplRegistry.SM_SMEM_BYTES / gemmSlot;
            if (gemmBlocks > (long) (key.smCount() - ng[0] * ng[1] * ng[2]) * perSm) continue;  // some would start only after the norm
            int at = i;  // a norm form without a solo twin in this registry keeps its SMs
            registry.find(norm.impl().name() + ImplRegistry.SOLO_SUFFIX).ifPresent(solo -> out.set(at, norm.withImpl(solo, norm.fused())));
        }
        return out;
    }

    /** Indices of the ops after {@code from} that read the version of {@code tensor} op {@code from} wrote. */
    static List<Integer> readersOfVersion(List<LoweredOp> ops, int from, String tensor) {
        List<Integer> readers = new ArrayList<>();
        for (int j = from + 1; j < ops.size(); j++) {
            Op o = ops.get(j).op();
            if (o.reads().containsValue(tensor)) readers.add(j);
            if (o.writes().containsValue(tensor)) break;
        }
        return readers;
    }

    private static int firstOfLayer(List<LoweredOp> ops, int layer) {
        for (int i = 0; i < ops.size(); i++) if (ops.get(i).op().layer() == layer && ops.get(i).stream() == 0) return i;
        return -1;
    }

    /** {@code "L3.qkv" -> "qkv"}, {@code "lm_head" -> "lm_head"}. */
    static String suffix(String opName) {
        int dot = opName.indexOf('.');
        return dot < 0 ? opName : opName.substring(dot + 1);
    }
}
