package io.prefillbench.plan;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanReportTest {
    /** Qwen2.5-7B-like: 28 q / 4 kv heads, group 7. */
    private static final PlanShape GROUP7 = new PlanShape(28, 4, 128, 3584, 28, 18944, 152064, false);

    /**
     * Rule-based implementations (no measured GEMM rows) with the SiLU fusion at bucket 512: the hand computations
     * below follow the rules, not whatever the bundled measurements file selects this month.
     */
    static final io.prefillbench.forward.ImplChoices RULES = new io.prefillbench.forward.ImplChoices(
            new io.prefillbench.forward.ImplChoices.Provenance("test", "-", "-", "rules + fusion at 512"), java.util.List.of(),
            java.util.List.of(new io.prefillbench.forward.ImplChoices.FusionRow(io.prefillbench.forward.ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test")),
            java.util.List.of());

    private static PlanReport ernie(String sizes, int... prompts) {
        return PlanReport.build(PlanShape.ernie45_03b(), CaptureSizes.parse(sizes, 4096), 32, 132, 4096, prompts,
                PaddingGuard.DEFAULT, RULES);
    }

    private static long bytesOf(PlanReport r, String name) {
        return r.buffers().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow().bytes();
    }

    @Test
    void ernieShapeHasNoUnderCountAndHandComputedTiles() {
        var r = ernie(CaptureSizes.DEFAULT_SPEC);
        assertEquals(13, r.sizes().size());
        assertTrue(r.underCounted().isEmpty());
        var last = r.sizes().getLast();
        // group 8: 31 single tokens (1 tile each) + 481 tokens = ceil(3848 / 64) = 61 tiles.
        assertEquals(512, last.size());
        assertEquals(92, last.exactTiles());
        assertEquals(92, last.heuristicTiles());
        assertEquals("31x1 + 481", last.worstSplit());
        assertTrue(r.toMarkdown().contains("The heuristic split reaches the worst case at every size."));
    }

    @Test
    void loweredOpsShowTheStreamAndTheForkAndJoinPoints() {
        var prefetch16 = new io.prefillbench.forward.ImplChoices(new io.prefillbench.forward.ImplChoices.Provenance("t", "-", "-", "-"),
                List.of(), List.of(), List.of(new io.prefillbench.forward.ImplChoices.KeyRow(16, 90, "test")));
        String md = PlanReport.build(PlanShape.ernie45_03b(), CaptureSizes.parse("16,512", 4096), 32, 132, 4096, new int[0],
                PaddingGuard.DEFAULT, prefetch16).toMarkdown();
        String at16 = md.substring(md.indexOf("### Lowered ops at size 16"), md.indexOf("### Lowered ops at size 512"));
        String at512 = md.substring(md.indexOf("### Lowered ops at size 512"));
        List<String> lines16 = at16.lines().filter(l -> l.startsWith("s0  ") || l.startsWith("  s1  ")).toList();
        assertEquals(167 + 17, lines16.size(), at16);
        assertTrue(lines16.stream().anyMatch(l -> l.startsWith("s0  tile_map ") && l.endsWith("  -> fork L1.prefetch")), at16);
        assertTrue(lines16.stream().anyMatch(l -> l.startsWith("  s1  L1.prefetch l2_prefetch grid=16x1x1")
                && l.contains("fork_after=tile_map join_before=L1.input_norm")), at16);
        assertTrue(lines16.stream().anyMatch(l -> l.startsWith("s0  L1.input_norm ") && l.endsWith("  <- join L1.prefetch")), at16);
        assertTrue(lines16.stream().anyMatch(l -> l.startsWith("s0  L0.down ") && l.endsWith("  -> fork L2.prefetch")), at16);
        assertEquals(17, lines16.stream().filter(l -> l.startsWith("  s1  ")).count());
        assertTrue(at512.lines().filter(l -> l.contains(" grid=")).allMatch(l -> l.startsWith("s0  ") && !l.contains("fork")), at512);
    }

    @Test
    void group7ShapeIsFlaggedUnder() {
        var r = PlanReport.build(GROUP7, CaptureSizes.parse("16,64,512", 4096), 32, 132, 4096, new int[0],
                PaddingGuard.DEFAULT);
        assertEquals(List.of(512), r.underCounted().stream().map(PlanReport.SizeRow::size).toList());
        var row = r.sizes().getLast();
        assertEquals(85, row.exactTiles());
        assertEquals(84, row.heuristicTiles());
        String md = r.toMarkdown();
        assertTrue(md.contains("| 512 | 32 | 64 | 85 | 84 | UNDER by 1 |"), md);
        assertTrue(md.contains("| 64 | 32 | 64 | 35 | 35 | ok |"), md);
        assertTrue(md.contains("1 size(s) UNDER"), md);
    }

    @Test
    void weightsAndBuffersMatchHandComputation() {
        var r = ernie(CaptureSizes.DEFAULT_SPEC);
        long perLayer = 1024L * 1280 + 1024L * 1024 + 3L * 3072 * 1024 + 2 * 1024;
        assertEquals(103424L * 1024 + 18 * perLayer + 1024, r.params());
        assertEquals(318_280_704L, r.params());
        assertEquals(2 * r.params(), r.weightBytes());
        assertEquals(512L * 1024 * 2, bytesOf(r, "residual"));
        assertEquals(512L * 1280 * 2, bytesOf(r, "qkv"));
        // bucket 512 fuses silu_mul into the gate/up GEMM (the fusion row of RULES): gate_up is written up to 448 rows only
        assertEquals(448L * 6144 * 2, bytesOf(r, "gate_up"));
        assertEquals(32L * 103424 * 2, bytesOf(r, "logits"));
        // gate_up (n 6144) at 256 rows: large tile, 96 blocks -> 2 splits -> [2, 256, 6144] fp32 = 12 MiB, its largest;
        // qkv at 512: [4, 512, 1280] = 10 MiB; down at 512: [4, 512, 1024] = 8 MiB. Each GEMM has its own workspace
        // tensor; the layout lets tensors that are never live together share memory.
        assertEquals(2L * 256 * 6144 * 4, bytesOf(r, "splitk.gate_up"));
        assertEquals(4L * 512 * 1280 * 4, bytesOf(r, "splitk.qkv"));
        assertEquals(4L * 512 * 1024 * 4, bytesOf(r, "splitk.down"));
        assertEquals(92L * 4, bytesOf(r, "batch_ids"));
        long sum = r.buffers().stream().mapToLong(b -> b.bytes()).sum();
        assertTrue(r.bufferBytes() < sum && r.bufferBytes() >= bytesOf(r, "splitk.gate_up") + bytesOf(r, "residual"), r.bufferBytes() + " vs " + sum);
    }

    @Test
    void splitKWorkspaceIsLargestOverSizes() {
        var shape = PlanShape.ernie45_03b();
        var sizes = CaptureSizes.stepped(8, 512);
        long max = 0;
        for (int size : sizes.sizes()) max = Math.max(max, GemmTiling.partialBytes(1024, 3072, size, 132));
        var r = PlanReport.build(shape, sizes, 32, 132, 4096, new int[0], new PaddingGuard(2.0, 64), RULES);
        assertEquals(max, bytesOf(r, "splitk.down"));
    }

    @Test
    void promptRows() {
        var r = ernie("16,64,512", 1, 65, 512, 600, 1100);
        var one = r.prompts().get(0);
        assertEquals("GRAPH", one.mode());
        assertEquals(16, one.bucket());
        assertEquals(100.0 * 15 / 16, one.wastePercent(), 1e-9);
        var eager = r.prompts().get(1);
        assertEquals("EAGER", eager.mode());
        assertEquals(65, eager.computedTokens());
        assertTrue(eager.reason().contains("eager"));
        assertEquals(0.0, r.prompts().get(2).wastePercent());
        var chunkedEagerTail = r.prompts().get(3); // 512 + 88 (88 -> 512 is too much padding)
        assertEquals("CHUNKED", chunkedEagerTail.mode());
        assertNull(chunkedEagerTail.bucket());
        assertEquals(2, chunkedEagerTail.steps());
        assertEquals(600, chunkedEagerTail.computedTokens());
        var chunked = r.prompts().get(4); // 512 + 512 + 76; 76 -> 512 pads 436 tokens (6.7x): eager
        assertEquals(3, chunked.steps());
        assertEquals(1100, chunked.computedTokens());
        var chunkedPadded = ernie(CaptureSizes.DEFAULT_SPEC, 1000).prompts().getFirst(); // 512 + 488 -> 512
        assertEquals(1024, chunkedPadded.computedTokens());
        assertEquals(100.0 * 24 / 1024, chunkedPadded.wastePercent(), 1e-9);
        assertTrue(r.toMarkdown().contains("| 65 | 512 | EAGER | 1 | 65 | 0.0 |"));
    }

    @Test
    void describeSplitGroupsRuns() {
        assertEquals("2x13 + 109", PlanReport.describeSplit(new int[] {13, 109, 13}));
        assertEquals("7", PlanReport.describeSplit(new int[] {7}));
    }

    @Test
    void rejectsBadInput() {
        var sizes = CaptureSizes.parse("16,64", 4096);
        var shape = PlanShape.ernie45_03b();
        var g = PaddingGuard.DEFAULT;
        assertThrows(BenchException.class, () -> PlanReport.build(shape, sizes, 0, 132, 4096, new int[0], g));
        assertThrows(BenchException.class, () -> PlanReport.build(shape, sizes, 2000, 132, 4096, new int[0], g));
        assertThrows(BenchException.class, () -> PlanReport.build(shape, sizes, 32, 0, 4096, new int[0], g));
        assertThrows(BenchException.class, () -> PlanReport.build(shape, sizes, 32, 132, 32, new int[0], g));
        var e = assertThrows(BenchException.class, () -> PlanReport.build(shape, sizes, 32, 132, 4096, new int[] {5, 0}, g));
        assertTrue(e.getMessage().contains("entry 2"), e.getMessage());
        assertThrows(BenchException.class, () -> PlanReport.build(shape, sizes, 32, 132, 4096, new int[] {5000}, g));
        assertThrows(BenchException.class, () -> new PlanShape(16, 3, 64, 1024, 18, 3072, 103424, true));
        assertThrows(BenchException.class, () -> new PlanShape(16, 2, 0, 1024, 18, 3072, 103424, true));
        assertFalse(shape.describe().isEmpty());
    }

    /**
     * Sizes whose layer GEMMs fall back to our mma.sync tiles above 64 rows (no implementation row for the shapes) get
     * a note naming them; the bundled ERNIE-4.5-0.3B rows cover 65..512, so its plan has none.
     */
    @Test
    void sizesOnTheMmaTilesAreNamedWithTheFix() {
        PlanShape ernie = PlanShape.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b"));
        PlanReport covered = PlanReport.build(ernie, CaptureSizes.parse("16,64,96,512", CaptureSizes.HARD_CAP), 32, 132, 4096, new int[0],
                PaddingGuard.DEFAULT);
        assertTrue(covered.lowered().stream().noneMatch(PlanReport.BucketRow::mmaTiles));
        assertFalse(covered.toMarkdown().contains("run our mma.sync tiles"));
        PlanShape qwen = PlanShape.of(io.prefillbench.model.Presets.byName("qwen2.5-0.5b"));
        PlanReport bare = PlanReport.build(qwen, CaptureSizes.parse("16,64,96,512", CaptureSizes.HARD_CAP), 32, 132, 4096, new int[0],
                PaddingGuard.DEFAULT);
        assertEquals(List.of(96, 512), bare.lowered().stream().filter(PlanReport.BucketRow::mmaTiles).map(PlanReport.BucketRow::size).toList());
        assertTrue(bare.toMarkdown().contains("Note: at sizes 96, 512 this model's layer GEMMs run our mma.sync tiles"), bare.toMarkdown());
    }

    /** The bundled smemCarveout row (s27: ERNIE-4.5-0.3B at 17..128) shows per size; a model it does not name has no such list. */
    @Test
    void sizesWithACarveoutRowAreListed() {
        PlanShape ernie = PlanShape.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b"));
        PlanReport r = PlanReport.build(ernie, CaptureSizes.parse("16,64,128,512", CaptureSizes.HARD_CAP), 32, 132, 4096, new int[0],
                PaddingGuard.DEFAULT);
        assertEquals(List.of(-1, 100, 100, -1), r.lowered().stream().map(PlanReport.BucketRow::smemCarveout).toList());
        String md = r.toMarkdown();
        assertTrue(md.contains("Shared memory split (smemCarveout rows") && md.contains("- size 64: 100 %\n- size 128: 100 %\n")
                && !md.contains("- size 16: 100 %"), md);
        PlanShape llama = PlanShape.of(io.prefillbench.model.Presets.byName("llama-3.2-1b"));
        PlanReport l = PlanReport.build(llama, CaptureSizes.parse("16,128", CaptureSizes.HARD_CAP), 32, 132, 4096, new int[0], PaddingGuard.DEFAULT);
        assertFalse(l.toMarkdown().contains("Shared memory split"));
    }

    /** A size whose attention runs the t32 form (s20) counts its tiles in 32 rows, and its row of the tile table says so. */
    @Test
    void halfTileSizesCountAndShowTheirOwnTiles() {
        PlanShape ernie = PlanShape.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b"));
        PlanReport r = PlanReport.build(ernie, CaptureSizes.parse("16,64,128", CaptureSizes.HARD_CAP), 1, 132, 4096, new int[0], PaddingGuard.DEFAULT);
        assertEquals(List.of(32, 32, 64), r.sizes().stream().map(PlanReport.SizeRow::tileRows).toList());
        // one sequence of 16 tokens, group 8: 128 rows = 4 tiles of 32; of 64 tokens 16; of 128 tokens 16 tiles of 64
        assertEquals(List.of(4, 16, 16), r.sizes().stream().map(PlanReport.SizeRow::exactTiles).toList());
        String md = r.toMarkdown();
        assertTrue(md.contains("| 16 | 1 | 32 | 4 |"), md);
        assertTrue(md.contains("| 128 | 1 | 64 | 16 |"), md);
    }

    /** The bundled decode rows (s19) give ERNIE-4.5-0.3B's size 16 a decode graph, and the report says what it runs differently. */
    @Test
    void decodeGraphsAreListedWithWhatTheyRunDifferently() {
        PlanShape ernie = PlanShape.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b"));
        PlanReport r = PlanReport.build(ernie, CaptureSizes.parse("16,64", CaptureSizes.HARD_CAP), 32, 132, 4096, new int[0], PaddingGuard.DEFAULT);
        // since s34 both graphs fold rope into qkv on the 16-column pair tiles (v75): only the attention form differs
        String differs = "attention attention_prefill_wg_early_t32 -> attention_prefill_wg";
        assertEquals(differs, r.lowered().stream().filter(b -> b.size() == 16).findFirst().orElseThrow().decodeGraph());
        assertNull(r.lowered().stream().filter(b -> b.size() == 64).findFirst().orElseThrow().decodeGraph(), "no decode row covers 64");
        assertTrue(r.toMarkdown().contains("- size 16: " + differs), r.toMarkdown());
        // since s33 the fresh-prompt graph at 16 folds each layer's attention into its o (attention_into_o, "batch": "fresh")
        String fresh = "gemm gemm_bf16_stream_m16_n32 -> gemm_bf16_stream_m16_n32_attn, attention attention_prefill_wg_early_t32 -> in "
                + "gemm_bf16_stream_m16_n32_attn";
        assertEquals(fresh, r.lowered().stream().filter(x -> x.size() == 16).findFirst().orElseThrow().freshGraph());
        assertTrue(r.toMarkdown().contains("- size 16: " + fresh), r.toMarkdown());
        // without the rows scoped to a batch kind (decode attention rows, s25's prefill GEMM and fusion rows): one graph per
        // size, and no such section
        var b = io.prefillbench.forward.ImplChoices.bundled();
        var plain = new io.prefillbench.forward.ImplChoices(b.provenance(), b.gemm().stream().filter(g -> g.batch() == null).toList(),
                b.fusions().stream().filter(f -> f.batch() == null).toList(), b.l2Prefetch(), b.persistentLayers(),
                b.attention().stream().filter(a -> !a.decodeOnly()).toList(), b.prefetchAhead());
        PlanReport one = PlanReport.build(ernie, CaptureSizes.parse("16,64", CaptureSizes.HARD_CAP), 32, 132, 4096, new int[0], PaddingGuard.DEFAULT, plain);
        assertTrue(one.lowered().stream().allMatch(x -> x.decodeGraph() == null));
        assertFalse(one.toMarkdown().contains("Decode graphs"));
        // a plain plan whose attention took over rope_kv has one op fewer per layer: the ops pair by name, not by place
        var rows = new java.util.ArrayList<io.prefillbench.forward.ImplChoices.AttentionRow>();
        for (var a : b.attention()) {
            rows.add(a.qHeads() == 16 && a.m() == 1 && !a.decodeOnly() ? new io.prefillbench.forward.ImplChoices.AttentionRow(
                    io.prefillbench.forward.ImplRegistry.ATTENTION_WG_EARLY_T32_ROPE, 16, 2, 64, 1, 16, 90, "test") : a);
        }
        // (without the rows scoped to the plain graph and the rope_into_qkv rows: rope folds into the qkv GEMM or the attention,
        // not both, and qkv keeps the decode graph's tile)
        var fusions = b.fusions().stream().filter(f -> f.batch() == null && !f.fusion().equals(io.prefillbench.forward.ImplRegistry.ROPE_INTO_QKV)).toList();
        var rope = new io.prefillbench.forward.ImplChoices(b.provenance(), b.gemm().stream().filter(g -> g.batch() == null).toList(), fusions, b.l2Prefetch(), b.persistentLayers(), rows,
                b.prefetchAhead());
        PlanReport folded = PlanReport.build(ernie, CaptureSizes.parse("16", CaptureSizes.HARD_CAP), 32, 132, 4096, new int[0], PaddingGuard.DEFAULT, rope);
        assertEquals("rope_kv in attention_prefill_wg_early_t32_rope -> rope_kv_write, attention attention_prefill_wg_early_t32_rope -> attention_prefill_wg",
                folded.lowered().getFirst().decodeGraph());
    }
}
