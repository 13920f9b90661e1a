package io.prefillbench.forward;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.kernels.LayerParams;
import io.prefillbench.cuda.CublasLtMatmul;
import io.prefillbench.cuda.Kernel;
import io.prefillbench.model.WeightSpec;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.prefillbench.forward.ForwardTestSupport.lower;
import static io.prefillbench.forward.ForwardTestSupport.persistentAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lowering.persistLayers: a persistentLayers row at a bucket turns each decoder layer into one layer_persistent op
 * (ERNIE-4.5-0.3B: hidden 1024, 16 q / 2 kv heads of 64, ffn 3072, 18 layers; all within the kernel's limits), the
 * tile map goes as a dead op, the grid barrier gets its pinned slice; where the kernel does not fit the row is refused
 * naming it; the binder fills LayerParams from the op's roles and refuses a GPU with fewer SMs than its blocks.
 */
class PersistLayersTest {
    private static final String ERNIE = "ernie-4.5-0.3b";

    private static LoweredForward ernie(ImplChoices c) {
        return lower(ERNIE, "16,64", 32, 132, ImplRegistry.standard(), c);
    }

    /** The per-layer LAYER op {@code name} of bucket 16 as persistLayers writes it, before oneLaunch merges them. */
    private static LoweredOp perLayer(LoweredForward f, String name) {
        CaptureKey key = f.plan(16).key();
        ImplChoices c = persistentAt(16);
        List<LoweredOp> ops = Lowering.persistLayers(Lowering.selectImplementations(f.program(), key, ImplRegistry.standard(), c), f.program(), key,
                ImplRegistry.standard(), c);
        return ops.stream().filter(o -> o.op().name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void ernieAt16RunsEveryLayerInOneOpAndKeepsTheOpsAroundTheLayers() {
        LoweredPlan p = ernie(persistentAt(16)).plan(16);
        // tile_map stays first although no op reads the map: it copies the batch metadata in (Lowering.dropDeadOps)
        assertEquals(List.of("tile_map", "embed", Lowering.LAYERS_OP, "final_norm", "lm_head", "argmax"), p.ops().stream().map(o -> o.op().name()).toList(),
                "nothing else of the layers left");
        assertEquals(6, p.launchCount());
        assertEquals(18, Lowering.layerSpan(p.op(Lowering.LAYERS_OP).op()));
        for (LoweredOp o : p.ops()) {
            OpKind k = o.op().kind();
            assertFalse(Set.of(OpKind.ADD_RMSNORM, OpKind.ROPE_KV, OpKind.ATTENTION, OpKind.SILU_MUL, OpKind.SPLITK_REDUCE)
                    .contains(k), o.op().name() + " " + k);
            if (k == OpKind.GEMM) assertEquals("lm_head", o.op().name());
            if (k != OpKind.LAYER) continue;
            assertEquals("layer_persistent", o.impl().name());
            assertEquals("layer_persistent", o.impl().kernel());
            assertEquals(1, o.splits());
            assertEquals(0, o.partialSplits());
            assertEquals(0, o.stream());
            assertEquals(List.of(128, 1, 1), List.of(o.grid().atCapacity(p.key())[0], o.grid().atCapacity(p.key())[1], o.grid().atCapacity(p.key())[2]));
            assertEquals(128, o.grid().blocks(1, 1, 1)[0], "the same grid eagerly: every block must be resident, whatever the batch");
            assertEquals(256, o.impl().threads());
            assertEquals(KernelConstants.LAYER_SMEM, o.impl().dynamicSmem());
            assertEquals(Set.of(Impl.Attr.PDL, Impl.Attr.SMEM_OPT_IN), o.impl().attrs());
            List<String> fused = new ArrayList<>();
            for (int l = 0; l < 18; l++) {
                fused.addAll(List.of("L" + l + ".input_norm", "L" + l + ".qkv", "L" + l + ".rope_kv", "L" + l + ".attention", "L" + l + ".o",
                        "L" + l + ".post_norm", "L" + l + ".gate_up", "L" + l + ".silu_mul", "L" + l + ".down"));
            }
            assertEquals(fused, o.fused(), "every layer's ops, in order");
        }
        // the ops around the layers keep their implementations
        assertEquals("embed_gather", p.op("embed").impl().name());
        assertEquals("final_norm_gather", p.op("final_norm").impl().name());
        assertEquals("gemm_bf16_stream_m16", p.op("lm_head").impl().name());
        assertEquals(ImplRegistry.ARGMAX_CLUSTER, p.op("argmax").impl().name()); // v77: ERNIE's vocab over a cluster
        assertTrue(p.workspaces().isEmpty(), "no split-K left at 16: " + p.workspaces().keySet());
    }

    @Test
    void theLayerOpsRolesAreWhatTheReplacedOpsBoundAndOnlyTheLastWritesBranchOut() {
        LoweredForward f = ernie(persistentAt(16));
        LoweredPlan p = f.plan(16);
        for (int l = 0; l < 18; l++) {
            Op op = perLayer(f, "L" + l + ".layer").op();
            assertEquals(l == 17, op.writes().containsKey("branch_out"), op.name() + " writes " + op.writes());
            assertFalse(op.reads().containsValue(ForwardProgram.BRANCH_OUT), op.name() + ": the residual already holds the last layer's down");
            assertEquals(Map.of("residual", ForwardProgram.RESIDUAL, "cos_sin", ForwardProgram.ROPE, "positions", ForwardProgram.POSITIONS,
                    "slot_mapping", ForwardProgram.SLOT_MAPPING, "query_start", ForwardProgram.QUERY_START, "kv_lens", ForwardProgram.KV_LENS,
                    "block_tables", ForwardProgram.BLOCK_TABLES, "num_tokens", ForwardProgram.NUM_TOKENS, "num_seqs", ForwardProgram.NUM_SEQS),
                    op.reads());
            assertEquals(ForwardProgram.RESIDUAL, op.out("residual"));
            assertEquals(ForwardProgram.QKV, op.out("qkv"));
            assertEquals(ForwardProgram.ATTN_OUT, op.out("attn_out"));
            assertEquals(ForwardProgram.ACT, op.out("act"));
            assertEquals(ForwardProgram.kCache(l), op.out("k_cache"));
            assertEquals(ForwardProgram.vCache(l), op.out("v_cache"));
            assertEquals(ForwardProgram.GRID_BARRIER, op.out("barrier"));
            WeightSpec.LayerNames w = WeightSpec.layer(l);
            assertEquals(Map.of("input_norm", w.inputNorm(), "w_qkv", w.qkv(), "w_o", w.o(), "post_norm", w.postNorm(), "w_gate_up", w.gateUp(),
                    "w_down", w.down()), op.weights(), "ERNIE has no qkv bias");
        }
        assertEquals(ForwardProgram.BRANCH_OUT, perLayer(f, "L17.layer").op().out("branch_out"));
        // the one op of every layer: layer 0's roles, the last layer's branch_out, each layer's weights
        Op all = p.op(Lowering.LAYERS_OP).op();
        Op l0 = perLayer(f, "L0.layer").op();
        assertEquals(0, all.layer());
        assertEquals(l0.reads(), all.reads());
        Map<String, String> writes = new java.util.LinkedHashMap<>(l0.writes());
        writes.put("branch_out", ForwardProgram.BRANCH_OUT);
        assertEquals(writes, all.writes());
        for (int layer = 0; layer < 18; layer++) {
            final int l = layer;
            WeightSpec.LayerNames w = WeightSpec.layer(l);
            String sfx = l == 0 ? "" : "." + l;
            assertEquals(Map.of("input_norm" + sfx, w.inputNorm(), "w_qkv" + sfx, w.qkv(), "w_o" + sfx, w.o(), "post_norm" + sfx, w.postNorm(),
                    "w_gate_up" + sfx, w.gateUp(), "w_down" + sfx, w.down()), all.weights().entrySet().stream().filter(e -> l == 0
                    ? !e.getKey().contains(".") : e.getKey().endsWith(sfx)).collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                    "layer " + l);
        }
        assertEquals(18 * 6, all.weights().size());
        assertEquals(ForwardProgram.BRANCH_OUT, p.op("final_norm").op().in("x"), "final_norm adds the last layer's down, unchanged");
        assertEquals(ForwardProgram.RESIDUAL, p.op("final_norm").op().in("residual"));
    }

    @Test
    void aBucketWithoutARowKeepsItsPlanAndOnlyAPersistentPlanGetsTheGridBarrier() {
        LoweredForward on = ernie(persistentAt(16)), off = ernie(ImplChoices.none());
        assertEquals(describe(off.plan(64)), describe(on.plan(64)));
        assertEquals(167, on.plan(64).launchCount());
        assertEquals(describe(off.plan(16)), describe(ernie(persistentAt(32)).plan(16)), "a row at another bucket changes nothing at 16");
        BufferLayout.Slice barrier = on.layout().slice(ForwardProgram.GRID_BARRIER);
        assertEquals(8, barrier.bytes(), "one uint64 arrival count");
        assertEquals(TensorSpec.Role.PINNED, barrier.role());
        assertTrue(barrier.end() <= on.layout().activationStart(), "pinned ahead of the activations: never poisoned, zeroed once");
        assertEquals(List.of(), LayoutCheck.violations(on.all(), on.layout()));
        assertFalse(off.layout().has(ForwardProgram.GRID_BARRIER));
        assertFalse(lower(ERNIE, "16,64", 32, 132, ImplRegistry.standard(), ImplChoices.bundled()).layout().has(ForwardProgram.GRID_BARRIER));
        // the persistent plan no longer touches the tensors the replaced ops needed (the tile map's stay: build_tile_map
        // copies the metadata in)
        Set<String> used = BufferLayout.tensorsOf(on.plan(16));
        for (String t : List.of(ForwardProgram.HIDDEN, ForwardProgram.GATE_UP)) {
            assertFalse(used.contains(t), t + " in " + used);
        }
        // a row that is off, or for another arch, switches nothing on
        ImplChoices offRow = new ImplChoices(new ImplChoices.Provenance("t", "-", "-", "-"), List.of(), List.of(), List.of(),
                List.of(new ImplChoices.KeyRow(16, 0, false, "candidate"), new ImplChoices.KeyRow(16, 80, "sm_80 only")));
        assertEquals(describe(off.plan(16)), describe(ernie(offRow).plan(16)));
    }

    @Test
    void aRowTheKernelCannotRunIsRefusedNamingTheRowToDrop() {
        IllegalArgumentException at64 = assertThrows(IllegalArgumentException.class, () -> ernie(persistentAt(64)));
        assertEquals("persistent layers switched on for size 64 but layer_persistent takes row capacities <= 16: drop the persistentLayers row"
                + " for m=64", at64.getMessage());
        IllegalArgumentException llama = assertThrows(IllegalArgumentException.class,
                () -> lower("llama-3.2-1b", "16", 32, 132, ImplRegistry.standard(), persistentAt(16)));
        assertEquals("persistent layers switched on for size 16 but layer_persistent needs ffn a multiple of 512 and <= 3072, the model has 8192:"
                + " drop the persistentLayers row for m=16", llama.getMessage());
        IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class,
                () -> lower("tiny", "16", 8, 132, ImplRegistry.standard(), persistentAt(16)));
        assertTrue(tiny.getMessage().contains("needs hidden a multiple of 512 and <= 3072, the model has 256"), tiny.getMessage());
        // the 21B's attention shape (hidden 2560): the norm holds two rows of at most 1024 per warp in registers
        IllegalArgumentException a21 = assertThrows(IllegalArgumentException.class,
                () -> lower("ernie-4.5-21b-a3b-attn", "16", 32, 132, ImplRegistry.standard(), persistentAt(16)));
        assertTrue(a21.getMessage().contains("needs hidden <= 1024"), a21.getMessage());
    }

    @Test
    void theSupportsRuleReadsTheModelAndTheBucketOnly() {
        ForwardProgram.Dims ernie = ForwardProgram.Dims.of(io.prefillbench.model.Presets.byName(ERNIE));
        assertEquals(null, ImplRegistry.layerRefusal(ernie, 16));
        assertEquals(null, ImplRegistry.layerRefusal(ernie, 1));
        assertEquals("takes row capacities <= 16", ImplRegistry.layerRefusal(ernie, 17));
        assertEquals("needs head_dim 64 or 128, the model has 32", ImplRegistry.layerRefusal(dims(ernie, 1024, 32, 32, 2, 3072), 16));
        assertEquals("needs q_heads * head_dim a multiple of 512 and <= 3072, the model has 3584",
                ImplRegistry.layerRefusal(dims(ernie, 1024, 28, 128, 4, 3072), 16));
        assertEquals("needs hidden a multiple of 512 and <= 3072, the model has 4096", ImplRegistry.layerRefusal(dims(ernie, 4096, 16, 64, 2, 3072), 16));
        assertEquals("needs q_heads / kv_heads dividing 8 (the group's heads across 8 warps), the model has 16 / 3",
                ImplRegistry.layerRefusal(dims(ernie, 1024, 16, 64, 3, 3072), 16));
        assertEquals("needs q_heads / kv_heads dividing 8 (the group's heads across 8 warps), the model has 16 / 1",
                ImplRegistry.layerRefusal(dims(ernie, 1024, 16, 64, 1, 3072), 16));
        assertEquals("needs hidden <= 1024 (a warp holds two norm rows in registers), the model has 2048",
                ImplRegistry.layerRefusal(dims(ernie, 2048, 16, 64, 2, 3072), 16));
        assertEquals(null, ImplRegistry.layerRefusal(dims(ernie, 512, 8, 64, 2, 1024), 16));
        // never a default: the rule needs the dims, and no program op has its kind
        Impl impl = ImplRegistry.standard().byName("layer_persistent");
        assertFalse(impl.supports().test(null, new CaptureKey(16, 16, 16, 132, 90)));
        assertTrue(ForwardProgram.of(ernie).ops().stream().noneMatch(o -> o.kind() == OpKind.LAYER));
        assertTrue(OpKind.LAYER.loweringOnly());
    }

    private static ForwardProgram.Dims dims(ForwardProgram.Dims d, int hidden, int qHeads, int headDim, int kvHeads, int ffn) {
        return new ForwardProgram.Dims(hidden, qHeads, kvHeads, headDim, ffn, d.vocab(), d.layers(), d.tied(), d.qkvBias(), d.eps());
    }

    @Test
    void otherPassesLeaveTheLayerOpsAlone() {
        // fusion rows at the same bucket find no GEMM to fuse; GEMM rows of the layers are replaced with them
        ImplChoices c = new ImplChoices(new ImplChoices.Provenance("t", "-", "-", "-"), ImplChoices.bundled().gemm(),
                List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 16, 90, "t"), new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 16, 90, "t")),
                List.of(), List.of(new ImplChoices.KeyRow(16, 90, "t")));
        LoweredForward f = ernie(c);
        assertEquals(describe(ernie(persistentAt(16)).plan(16)), describe(f.plan(16)));
        assertEquals(List.of(), LayoutCheck.violations(f.all(), f.layout()));
        // split-K off for the layer op even where a rule would split
        assertTrue(f.plan(16).ops().stream().filter(o -> o.op().kind() == OpKind.LAYER).allMatch(o -> o.splits() == 1));
    }

    @Test
    void l2PrefetchAndPersistentLayersAtOneBucketAreRefused() {
        ImplChoices both = new ImplChoices(new ImplChoices.Provenance("t", "-", "-", "-"), List.of(), List.of(),
                List.of(new ImplChoices.KeyRow(16, 0, "t")), List.of(new ImplChoices.KeyRow(16, 0, "t")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ernie(both));
        assertTrue(e.getMessage().startsWith("L2 prefetch and persistent layers are both switched on for size 16"), e.getMessage());
        assertTrue(e.getMessage().endsWith("drop the l2Prefetch or the persistentLayers row for m=16"), e.getMessage());
        // at different buckets both run
        ImplChoices apart = new ImplChoices(new ImplChoices.Provenance("t", "-", "-", "-"), List.of(), List.of(),
                List.of(new ImplChoices.KeyRow(64, 0, "t")), List.of(new ImplChoices.KeyRow(16, 0, "t")));
        LoweredForward f = ernie(apart);
        assertEquals(17, f.plan(64).ops().stream().filter(o -> o.stream() == 1).count());
        assertEquals(1, f.plan(16).ops().stream().filter(o -> o.op().kind() == OpKind.LAYER).count());
    }

    @Test
    void deadOpsAreScratchWritesNobodyReads() {
        ForwardProgram prog = ForwardProgram.of(io.prefillbench.model.Presets.byName(ERNIE));
        CaptureKey key = new CaptureKey(16, 16, 16, 132, 90);
        List<LoweredOp> ops = Lowering.selectImplementations(prog, key, ImplRegistry.standard(), ImplChoices.none());
        assertEquals(ops, Lowering.dropDeadOps(ops, prog), "the program as written has no dead op");
        // without the attention ops nothing reads the tile map's outputs, yet it stays: it copies the batch metadata in
        List<LoweredOp> noAttention = ops.stream().filter(o -> o.op().kind() != OpKind.ATTENTION).toList();
        List<LoweredOp> kept = Lowering.dropDeadOps(noAttention, prog);
        assertEquals(noAttention, kept);
        // outputs and the KV cache are effects: without argmax the logits still stay; rope's cache writes keep it
        List<LoweredOp> noArgmax = ops.stream().filter(o -> o.op().kind() != OpKind.ARGMAX).toList();
        assertEquals(noArgmax, Lowering.dropDeadOps(noArgmax, prog));
        // a chain goes as a whole: without the layers' o projections nothing reads attn_out, so the attention goes (the
        // tile map stays, as above)
        List<LoweredOp> chain = ops.stream().filter(o -> !(o.op().kind() == OpKind.GEMM && o.op().name().endsWith(".o"))).toList();
        List<LoweredOp> pruned = Lowering.dropDeadOps(chain, prog);
        assertTrue(pruned.stream().noneMatch(o -> o.op().kind() == OpKind.ATTENTION), pruned.stream().map(o -> o.op().name()).toList().toString());
        assertEquals(1, pruned.stream().filter(o -> o.op().kind() == OpKind.TILE_MAP).count());
        assertTrue(pruned.stream().anyMatch(o -> o.op().kind() == OpKind.ROPE_KV), "rope writes the KV cache: kept");
    }

    @Test
    void theDumpPrintsTheLayersOpInTheUsualFormatWithItsLayerCount() {
        String dump = OpDump.of(ernie(persistentAt(16)));
        String line = dump.lines().filter(l -> l.contains(" op=" + Lowering.LAYERS_OP + " ")).findFirst().orElseThrow();
        List<String> fused = new ArrayList<>();
        for (int l = 0; l < 18; l++) {
            for (String sfx : Lowering.LAYER_OPS) fused.add("L" + l + "." + sfx);
        }
        assertEquals("size=16 seqs=16 tiles=16 sms=132 arch=90 op=layers kind=LAYER layer=0 impl=layer_persistent kernel=layer_persistent"
                + " n=0 k=0 m=16 splits=1 partial_in=0 grid=128x1x1 threads=256 smem=" + KernelConstants.LAYER_SMEM + " stream=0"
                + " fused=" + String.join("+", fused) + " fork=- join=- algo=- pdl=1 layers=18", line);
        assertEquals(1, dump.lines().filter(l -> l.contains(" kind=LAYER ")).count());
        assertTrue(dump.lines().filter(l -> l.startsWith("size=") && !l.contains(" kind=LAYER ")).noneMatch(l -> l.contains(" layers=")), "only the layer op has the field");
        assertTrue(dump.lines().filter(l -> l.startsWith("size=64 ")).noneMatch(l -> l.contains(" kind=LAYER ")));
        assertEquals(1, dump.lines().filter(l -> l.startsWith("size=16 ")).filter(l -> l.contains(" op=tile_map ")).count(), "the metadata copy's kernel stays");
    }

    @Test
    void theSampleChoicesFileSwitchesItOnAt16() throws URISyntaxException {
        Path sample = Path.of(PersistLayersTest.class.getResource("choices-persist16.json").toURI());
        ImplChoices c = ImplChoices.read(sample);
        assertEquals(1, c.persistentLayers().size());
        assertTrue(c.persistentLayers(new CaptureKey(16, 16, 16, 132, 90)));
        assertFalse(c.persistentLayers(new CaptureKey(64, 32, 20, 132, 90)));
        assertEquals(describe(ernie(persistentAt(16)).plan(16)), describe(ernie(c).plan(16)));
    }

    // ------------------------------------------------------------------ the binder

    @Test
    void theBinderRefusesAGpuWithFewerSmsThanItsBlocks() {
        LoweredForward f = ernie(persistentAt(16));
        LoweredOp op = perLayer(f, "L0.layer");
        try (Arena a = Arena.ofConfined()) {
            BenchException e = assertThrows(BenchException.class, () -> op.impl().binder().bind(new FakeContext(f, f.plan(16).key(), 108, a), op));
            assertEquals("L0.layer: layer_persistent needs its 128 blocks resident at once (one per SM) and this GPU has 108 SMs: drop the"
                    + " persistentLayers rows (pass --impl-choices with a file without them)", e.getMessage());
            assertEquals(BenchException.EXIT_BAD_INPUT, e.exitCode());
            MemorySegment p = ImplRegistry.layerParams(new FakeContext(f, f.plan(16).key(), 128, a), op); // 128 SMs suffice
            assertEquals(16, LayerParams.rows(p));
        }
    }

    @Test
    void theBinderFillsLayerParamsFromTheRolesAndTheOtherBindersScalars() {
        LoweredForward f = ernie(persistentAt(16));
        CaptureKey key = f.plan(16).key();
        try (Arena a = Arena.ofConfined()) {
            FakeContext c = new FakeContext(f, key, 132, a);
            MemorySegment p0 = ImplRegistry.layerParams(c, perLayer(f, "L0.layer"));
            MemorySegment last = ImplRegistry.layerParams(c, perLayer(f, "L17.layer"));
            assertEquals(1, LayerParams.layers(p0), "one layer per op: no strides");
            assertEquals(c.tensor(ForwardProgram.RESIDUAL).address(), LayerParams.residual(p0).address());
            assertEquals(0, LayerParams.branch_out(p0).address(), "only the last layer writes branch_out");
            assertEquals(c.tensor(ForwardProgram.BRANCH_OUT).address(), LayerParams.branch_out(last).address());
            assertEquals(c.tensor(ForwardProgram.QKV).address(), LayerParams.qkv(p0).address());
            assertEquals(c.tensor(ForwardProgram.ATTN_OUT).address(), LayerParams.attn_out(p0).address());
            assertEquals(c.tensor(ForwardProgram.ACT).address(), LayerParams.act(p0).address());
            assertEquals(c.tensor(ForwardProgram.kCache(17)).address(), LayerParams.k_cache(last).address());
            assertEquals(c.tensor(ForwardProgram.vCache(17)).address(), LayerParams.v_cache(last).address());
            assertEquals(c.tensor(ForwardProgram.GRID_BARRIER).address(), LayerParams.barrier(p0).address());
            assertEquals(LayerParams.barrier(p0).address(), LayerParams.barrier(last).address(), "one barrier for every launch");
            for (var e : Map.of(ForwardProgram.ROPE, LayerParams.cos_sin(p0), ForwardProgram.POSITIONS, LayerParams.positions(p0),
                    ForwardProgram.SLOT_MAPPING, LayerParams.slot_mapping(p0), ForwardProgram.QUERY_START, LayerParams.query_start(p0),
                    ForwardProgram.KV_LENS, LayerParams.kv_lens(p0), ForwardProgram.BLOCK_TABLES, LayerParams.block_tables(p0),
                    ForwardProgram.NUM_TOKENS, LayerParams.num_tokens(p0), ForwardProgram.NUM_SEQS, LayerParams.num_seqs(p0)).entrySet()) {
                assertEquals(c.tensor(e.getKey()).address(), e.getValue().address(), e.getKey());
            }
            WeightSpec.LayerNames w = WeightSpec.layer(17);
            assertEquals(c.weight(w.inputNorm()).address(), LayerParams.input_norm(last).address());
            assertEquals(c.weight(w.qkv()).address(), LayerParams.w_qkv(last).address());
            assertEquals(0, LayerParams.qkv_bias(last).address());
            assertEquals(c.weight(w.o()).address(), LayerParams.w_o(last).address());
            assertEquals(c.weight(w.postNorm()).address(), LayerParams.post_norm(last).address());
            assertEquals(c.weight(w.gateUp()).address(), LayerParams.w_gate_up(last).address());
            assertEquals(c.weight(w.down()).address(), LayerParams.w_down(last).address());
            assertEquals(16, LayerParams.rows(p0));
            assertEquals(1024, LayerParams.hidden(p0));
            assertEquals(16, LayerParams.q_heads(p0));
            assertEquals(2, LayerParams.kv_heads(p0));
            assertEquals(64, LayerParams.head_dim(p0));
            assertEquals(3072, LayerParams.ffn(p0));
            assertEquals(2048, LayerParams.max_positions(p0), "the max model len, as rope_kv_write's");
            assertEquals(FakeContext.PAGES_PER_SEQ, LayerParams.max_pages_per_seq(p0), "as the attention's");
            assertEquals(1e-5f, LayerParams.eps(p0), "ERNIE's rms norm eps, as add_rmsnorm's");
            assertEquals((float) (0.125 / Math.log(2)), LayerParams.scale_log2(p0), "1/sqrt(64) * log2(e)");
            assertEquals(ImplRegistry.softmaxScaleLog2(64), LayerParams.scale_log2(p0));
            // the gate/up weight must sit interleaved on the device: refused otherwise
            FakeContext natural = new FakeContext(f, key, 132, a) {
                @Override
                public WeightLayout weightLayout() {
                    return WeightLayout.natural();
                }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ImplRegistry.layerParams(natural, perLayer(f, "L0.layer")));
            assertTrue(e.getMessage().contains("interleaved in groups of " + KernelConstants.GATE_UP_GROUP), e.getMessage());
        }
    }

    @Test
    void aQkvBiasIsBoundAndPassed() {
        ForwardProgram.Dims d = ForwardProgram.Dims.of(io.prefillbench.model.Presets.byName(ERNIE));
        ForwardProgram.Dims biased = new ForwardProgram.Dims(d.hidden(), d.qHeads(), d.kvHeads(), d.headDim(), d.ffn(), d.vocab(), 2, d.tied(), true, d.eps());
        LoweredForward f = LoweredForward.of(ForwardProgram.of(biased), CaptureSizes.parse("16", CaptureSizes.HARD_CAP), 16, 2048, 132, 90,
                ImplRegistry.standard(), persistentAt(16));
        LoweredOp all = f.plan(16).op(Lowering.LAYERS_OP);
        assertEquals(WeightSpec.layer(0).qkvBias(), all.op().weight("qkv_bias"));
        assertEquals(WeightSpec.layer(1).qkvBias(), all.op().weight("qkv_bias.1"));
        try (Arena a = Arena.ofConfined()) {
            FakeContext c = new LayeredContext(f, f.plan(16).key(), a);
            MemorySegment p = ImplRegistry.layerParams(c, all);
            assertEquals(c.weight(WeightSpec.layer(0).qkvBias()).address(), LayerParams.qkv_bias(p).address());
            assertEquals(LayeredContext.LAYER_BYTES / 2, LayerParams.qkv_bias_stride(p));
        }
    }

    @Test
    void theLayerIsLaunchedInClustersOnlyWhereEveryBlocksClusterFits() {
        LoweredForward f = ernie(persistentAt(16));
        Impl impl = f.plan(16).op(Lowering.LAYERS_OP).impl();
        int size = KernelConstants.LAYER_CLUSTER, need = KernelConstants.LAYER_BLOCKS / size;
        assertEquals(2, size, "the header's cluster size (the measured form: pairs)");
        try (Arena a = Arena.ofConfined()) {
            FakeContext c = new FakeContext(f, f.plan(16).key(), 132, a);
            c.clusters = 66; // the H200 of s5 call 1: 66 pairs, 30 fours, 15 eights
            assertEquals(size, ImplRegistry.layerCluster(c, impl));
            c.clusters = need;
            assertEquals(size, ImplRegistry.layerCluster(c, impl), "exactly enough clusters for every block");
            c.clusters = need - 1; // one pair short: two blocks would never start and the grid barrier would wait for them
            assertEquals(1, ImplRegistry.layerCluster(c, impl));
            c.clusters = 0; // before sm_90
            assertEquals(1, ImplRegistry.layerCluster(c, impl));
            assertEquals(List.of(impl.name() + " x" + size), c.clusterQueries.stream().distinct().toList(), "asked for the layer kernel's own clusters");
        }
    }

    @Test
    void theOneLaunchBinderDerivesEachLayersStrideAndRefusesALayoutWithout() {
        LoweredForward f = ernie(persistentAt(16));
        LoweredOp all = f.plan(16).op(Lowering.LAYERS_OP);
        try (Arena a = Arena.ofConfined()) {
            LayeredContext c = new LayeredContext(f, f.plan(16).key(), a);
            MemorySegment p = ImplRegistry.layerParams(c, all);
            assertEquals(18, LayerParams.layers(p));
            WeightSpec.LayerNames w0 = WeightSpec.layer(0);
            assertEquals(c.weight(w0.qkv()).address(), LayerParams.w_qkv(p).address(), "layer 0's addresses");
            assertEquals(c.weight(w0.down()).address(), LayerParams.w_down(p).address());
            assertEquals(c.tensor(ForwardProgram.kCache(0)).address(), LayerParams.k_cache(p).address());
            assertEquals(c.tensor(ForwardProgram.vCache(0)).address(), LayerParams.v_cache(p).address());
            assertEquals(c.tensor(ForwardProgram.BRANCH_OUT).address(), LayerParams.branch_out(p).address(), "the launch's last layer writes it");
            long ws = LayeredContext.LAYER_BYTES / 2;
            for (long stride : new long[] {LayerParams.input_norm_stride(p), LayerParams.w_qkv_stride(p), LayerParams.w_o_stride(p),
                    LayerParams.post_norm_stride(p), LayerParams.w_gate_up_stride(p), LayerParams.w_down_stride(p)}) {
                assertEquals(ws, stride);
            }
            assertEquals(0, LayerParams.qkv_bias_stride(p), "ERNIE has no bias");
            assertEquals(LayeredContext.KV_BYTES, LayerParams.kv_stride(p), "K and V of a layer interleave: k_cache.l advances by both, 2 x KV_BYTES bytes");
            // a weight of one layer elsewhere: refused, naming the weight and the row to drop
            LayeredContext moved = new LayeredContext(f, f.plan(16).key(), a) {
                @Override
                public MemorySegment weight(String name) {
                    MemorySegment s = super.weight(name);
                    return name.equals(WeightSpec.layer(5).down()) ? MemorySegment.ofAddress(s.address() + 4096) : s;
                }
            };
            BenchException e = assertThrows(BenchException.class, () -> ImplRegistry.layerParams(moved, all));
            assertTrue(e.getMessage().startsWith("layers w_down: layer 5 is not at layer 0 + 5 x "), e.getMessage());
            assertTrue(e.getMessage().endsWith("drop the persistentLayers row"), e.getMessage());
        }
    }

    @Test
    void theEnginesWeightLayoutHasTheConstantLayerStrideOneLaunchNeeds() {
        LoweredForward f = ernie(persistentAt(16));
        WeightSpec spec = WeightSpec.of(io.prefillbench.model.Presets.byName(ERNIE));
        try (Arena a = Arena.ofConfined()) {
            LayeredContext c = new LayeredContext(f, f.plan(16).key(), a) {
                @Override
                public MemorySegment weight(String name) { // ModelWeights: one buffer, each tensor at its spec offset
                    return MemorySegment.ofAddress((1L << 40) + spec.tensor(name).offsetBytes());
                }
            };
            MemorySegment p = ImplRegistry.layerParams(c, f.plan(16).op(Lowering.LAYERS_OP));
            long layerBytes = spec.tensor(WeightSpec.layer(1).qkv()).offsetBytes() - spec.tensor(WeightSpec.layer(0).qkv()).offsetBytes();
            assertEquals(layerBytes / 2, LayerParams.w_down_stride(p));
            assertEquals(layerBytes / 2, LayerParams.input_norm_stride(p));
        }
    }

    /** FakeContext with per-layer weights and caches at a constant stride, as the engine allocates them. */
    private static class LayeredContext extends FakeContext {
        static final long LAYER_BYTES = 1L << 24, KV_BYTES = 1L << 20;

        LayeredContext(LoweredForward f, CaptureKey key, Arena arena) {
            super(f, key, 132, arena);
        }

        @Override
        public MemorySegment weight(String name) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("layers\\.(\\d+)\\.(.+)").matcher(name);
            if (!m.matches()) return super.weight(name);
            long role = List.of("input_norm", "qkv", "qkv_bias", "o", "post_norm", "gate_up", "down").indexOf(m.group(2));
            return MemorySegment.ofAddress((1L << 40) + role * (1L << 32) + Integer.parseInt(m.group(1)) * LAYER_BYTES);
        }

        @Override
        public MemorySegment tensor(String name) {
            if (name.startsWith("k_cache.")) return MemorySegment.ofAddress((1L << 44) + 2 * Integer.parseInt(name.substring(8)) * KV_BYTES);
            if (name.startsWith("v_cache.")) return MemorySegment.ofAddress((1L << 44) + (2 * Integer.parseInt(name.substring(8)) + 1) * KV_BYTES);
            return super.tensor(name);
        }
    }

    /** A BindContext without a GPU: each tensor and weight a distinct fake address; kernels and library calls refused. */
    private static class FakeContext implements BindContext {
        static final int PAGES_PER_SEQ = 128;
        private final LoweredForward f;
        private final CaptureKey key;
        private final int sms;
        private final Arena arena;
        private final List<String> names = new ArrayList<>();
        int clusters; // what maxActiveClusters answers
        final List<String> clusterQueries = new ArrayList<>();

        FakeContext(LoweredForward f, CaptureKey key, int sms, Arena arena) {
            this.f = f;
            this.key = key;
            this.sms = sms;
            this.arena = arena;
        }

        private MemorySegment address(String name) {
            if (!names.contains(name)) names.add(name);
            return MemorySegment.ofAddress(0x1000L * (1 + names.indexOf(name)));
        }

        @Override public Arena arena() { return arena; }
        @Override public MemorySegment tensor(String name) { return address("tensor " + name); }
        @Override public MemorySegment weight(String name) { return address("weight " + name); }
        @Override public long weightBytes(String name) { throw new UnsupportedOperationException(); }
        @Override public WeightLayout weightLayout() { return f.weightLayout(); }
        @Override public Kernel kernel(String name) { throw new UnsupportedOperationException("no GPU in this test"); }
        @Override public ForwardProgram.Dims dims() { return f.program().dims(); }
        @Override public CaptureKey key() { return key; }
        @Override public int maxModelLen() { return 2048; }
        @Override public int pagesPerSeq() { return PAGES_PER_SEQ; }
        @Override public int multiprocessors() { return sms; }
        @Override public boolean pdl() { return true; }
        @Override public int maxActiveClusters(Impl impl, int size) {
            clusterQueries.add(impl.name() + " x" + size);
            return clusters;
        }
        @Override public CublasLtMatmul cublasLt(int m, int n, int k, String algo) { throw new UnsupportedOperationException(); }
    }

    private static List<String> describe(LoweredPlan p) {
        return p.ops().stream().map(o -> o.describe(p.key()) + " " + o.op()).toList();
    }
}
