package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.GemmTiling;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.prefillbench.forward.ForwardTestSupport.choices;
import static io.prefillbench.forward.ForwardTestSupport.lower;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoweringTest {
    /**
     * build_tile_map copies the batch metadata in from pinned host memory, later kernels read the metadata before their
     * PDL wait, and attention_prefill_wg_early reads the tile map before its wait (kernels/NOTES-forward.md v39): in every
     * plan build_tile_map is the first kernel, and the one after it (embed) either launches without PDL or reads the
     * metadata and triggers its dependents only after its wait (META_AFTER_WAIT: embed_gather since v63, which so keeps
     * PDL), for every model and with either attention form; every other kernel keeps PDL. A plan whose embed kept PDL
     * without reading late, or whose tile map is not first, is refused; serializeAfterTileMap mends both.
     */
    @Test
    void theTileMapIsCompleteBeforeAnyLaterKernelStarts() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16,64,128,512", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        LoweredForward llama = lower("llama-3.2-1b", "16,64", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        LoweredForward tiny = lower("tiny", "16,64", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        for (LoweredForward lf : List.of(f, llama, tiny)) {
            String dump = OpDump.of(lf);
            for (LoweredPlan p : lf.all()) {
                List<LoweredOp> main = p.ops().stream().filter(o -> o.stream() == 0).toList();
                String where = lf.program().dims() + " bucket " + p.key().size();
                assertEquals(List.of("tile_map", "embed"), List.of(main.get(0).op().name(), main.get(1).op().name()), where);
                assertTrue(main.get(1).impl().attrs().containsAll(List.of(Impl.Attr.PDL, Impl.Attr.META_AFTER_WAIT)),
                        where + ": embed keeps PDL, reading the metadata after its wait");
                assertTrue(main.stream().filter(o -> !o.impl().library()).allMatch(o -> o.impl().attrs().contains(Impl.Attr.PDL)),
                        where + ": every kernel keeps PDL");
                String embedLine = dump.lines().filter(l -> l.startsWith("size=" + p.key().size() + " ") && l.contains(" op=embed "))
                        .findFirst().orElseThrow();
                assertTrue(embedLine.contains(" pdl=1"), embedLine);
            }
        }
        for (LoweredPlan p : f.all())  // the bundled attention rows: the early form at every size (s19: at 1..16 too; s20: over 32-row tiles at 1..64)
            assertEquals(p.key().size() <= 64 ? ImplRegistry.ATTENTION_WG_EARLY_T32 : ImplRegistry.ATTENTION_WG_EARLY, p.op("L0.attention").impl().name());
        // the decode graph at 16 runs the late wg form; its plan keeps the same order (tile map, then embed)
        LoweredPlan decode16 = f.decodePlan(16).orElseThrow();
        assertEquals(ImplRegistry.ATTENTION_WG, decode16.op("L0.attention").impl().name());
        assertEquals(List.of("tile_map", "embed"), List.of(decode16.ops().get(0).op().name(), decode16.ops().get(1).op().name()));
        assertTrue(decode16.ops().get(1).impl().attrs().contains(Impl.Attr.META_AFTER_WAIT));
        // the check refuses a plan whose embed kept PDL but reads the metadata before its wait (planted: the attribute
        // taken away), with or without the early form; serializeAfterTileMap then drops its PDL
        for (LoweredPlan at : List.of(f.plan(16), f.plan(64), decode16)) {
            boolean early = at.op("L0.attention").impl().attrs().contains(Impl.Attr.TILE_MAP_BEFORE_WAIT);
            Lowering.checkTileMapFirst(at.ops(), at.key());
            List<LoweredOp> planted = new java.util.ArrayList<>(at.ops());
            assertEquals("embed", planted.get(1).op().name());
            LoweredOp embed = planted.get(1);
            planted.set(1, embed.withImpl(embed.impl().without(Impl.Attr.META_AFTER_WAIT), embed.fused()));
            assertTrue(planted.get(1).impl().attrs().contains(Impl.Attr.PDL));
            var e = assertThrows(IllegalStateException.class, () -> Lowering.checkTileMapFirst(planted, at.key()));
            assertTrue(e.getMessage().contains("the next one (embed_gather) must launch without PDL"), e.getMessage());
            assertTrue(e.getMessage().contains(early ? "an op reads the tile map before its PDL wait" : "later ops read the metadata"),
                    e.getMessage());
            List<LoweredOp> serialized = Lowering.serializeAfterTileMap(planted);
            assertFalse(serialized.get(1).impl().attrs().contains(Impl.Attr.PDL), "the early reader loses its PDL");
            Lowering.checkTileMapFirst(serialized, at.key());
            // the program's order (tile_map after embed) is refused too, and serializeAfterTileMap mends it
            List<LoweredOp> programOrder = new java.util.ArrayList<>(planted);
            programOrder.add(0, programOrder.remove(1));
            assertEquals("embed", programOrder.get(0).op().name());
            assertThrows(IllegalStateException.class, () -> Lowering.checkTileMapFirst(programOrder, at.key()));
            List<LoweredOp> mended = Lowering.serializeAfterTileMap(programOrder);
            assertEquals(List.of("tile_map", "embed"), List.of(mended.get(0).op().name(), mended.get(1).op().name()));
            Lowering.checkTileMapFirst(mended, at.key());
        }
    }

    @Test
    void kernelsPerLayerAtBuckets16And512() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16,512");
        for (int size : new int[] {16, 512}) {
            LoweredPlan p = f.plan(size);
            assertEquals(9, p.launchesPerLayer(0), "size " + size);
            assertEquals(9, p.launchesPerLayer(17), "size " + size);
            // embed, tile map, 18 x 9, final norm, LM head, argmax
            assertEquals(167, p.launchCount(), "size " + size);
        }
    }

    @Test
    void gemmChoiceFollowsTheRuleFromTheKeyOnly() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16,128,512");
        assertEquals(8, f.plan(16).op("L0.qkv").splits()); // qkv splits 8 ways at 16 ...
        assertEquals(4, f.plan(512).op("L0.qkv").splits()); // ... and 4 at 512: bucket-invariant, not batch-invariant
        for (LoweredPlan p : f.all()) {
            for (LoweredOp o : p.ops()) {
                if (o.op().kind() != OpKind.GEMM) continue;
                int cap = p.key().capacity(o.op().rows());
                if (cap <= 64) { // weight-streaming kernel (rule checked in ruleBasedStreamDefault...)
                    assertTrue(o.impl().kernel().startsWith("gemm_bf16_stream_m"), o.op().name() + " at " + cap);
                    continue;
                }
                GemmTiling.Choice c = GemmTiling.choose(o.op().n(), o.op().k(), cap, 132);
                assertEquals(c.kernel(), o.impl().kernel(), o.op().name());
                assertEquals(c.splits(), o.splits(), o.op().name());
            }
        }
    }

    /**
     * The bundled streaming rows: ERNIE's layer GEMMs at 1..64 on the half-width kernels at the A/B's splits (grid n / 32),
     * gate_up at 1..64 in its SiLU form (v40 at 17..64, s24 at 1..16), its LM head at 16 on the CSV's plain kernel; GemmTiling or a measured row
     * above 64.
     */
    @Test
    void measuredStreamRowsSelectTheCsvSplitsAtSmallBuckets() throws IOException {
        Map<String, String[]> csv = recommendations(); // "n,k,bucket" -> row
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "8,16,32,48,64,128,512", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        int checked = 0;
        int[][] want = {{8, 16, 1, 8}, {16, 16, 1, 8}, {32, 32, 1, 8}, {48, 64, 1, 6}, {64, 64, 1, 6}}; // size, variant, gate_up / down splits
        for (int[] w : want) {
            for (String gemm : new String[] {"L0.gate_up", "L0.down"}) { // layer 0: the last one runs the last rows from 33 (v78)
                LoweredOp o = f.plan(w[0]).op(gemm);
                int splits = gemm.equals("L0.gate_up") ? w[2] : w[3];
                boolean silu = gemm.equals("L0.gate_up");
                assertEquals("gemm_bf16_stream_m" + w[1] + "_n32" + (silu ? "_silu" : ""), o.impl().kernel(), gemm + " at " + w[0]);
                assertEquals(silu ? List.of("L0.silu_mul") : List.of(), o.fused(), gemm + " at " + w[0]);
                assertEquals(splits, o.splits(), gemm + " at " + w[0]);
                assertEquals(new Grid(Grid.fixed(o.op().n() / 32), Grid.fixed(1), Grid.fixed(splits)), o.grid(), gemm);
                checked++;
            }
        }
        LoweredOp head = f.plan(16).op("lm_head"); // seq capacity 16
        assertEquals(csv.get("103424,1024,16")[3], head.impl().kernel());
        assertEquals(1, head.splits());
        assertEquals(Integer.parseInt(csv.get("103424,1024,16")[6]), head.impl().dynamicSmem());
        assertEquals(10, checked);
        for (int size : new int[] {128, 512}) {
            for (String gemm : new String[] {"L0.gate_up", "L0.down", "L0.qkv"}) {
                LoweredOp o = f.plan(size).op(gemm);
                var row = ImplChoices.bundled().gemm().stream()
                        .filter(r -> r.n() == o.op().n() && r.k() == o.op().k() && r.m() == size).findFirst();
                if (row.isPresent()) { // a measured row (cuBLASLt, or our TMA tile with SiLU fused where a fusion row says so)
                    boolean fused = gemm.equals("L0.gate_up") && ImplChoices.bundled().fusions().stream().anyMatch(r -> r.covers(size));
                    assertEquals(row.get().impl() + (fused ? "_silu" : ""), o.impl().name(), gemm + " at " + size);
                    continue;
                }
                GemmTiling.Choice c = GemmTiling.choose(o.op().n(), o.op().k(), size, 132);
                // gate_up at 512: the bundled fusion row runs the fused form of the same tile
                assertEquals(o.fused().isEmpty() ? c.kernel() : c.kernel() + "_silu", o.impl().kernel(), gemm + " at " + size);
                assertEquals(c.splits(), o.splits(), gemm + " at " + size);
            }
        }
        // every bundled row names the CSV and agrees with it
        for (ImplChoices.GemmRow r : ImplChoices.bundled().gemm()) {
            if (r.impl().equals("cublaslt_gemm")) { // measured end to end: the row names the committed A/B results file
                String file = r.source().substring(0, r.source().indexOf(' '));
                assertTrue(Files.exists(Path.of("..").resolve(file)), "the row's results file is in the repository: " + file);
                continue;
            }
            if (r.impl().startsWith("gemm_bf16_tma_") || r.impl().endsWith("_n32") || !r.source().startsWith("kernels/results-stream/")) {
                // measured end to end (TMA, half-width and, since s17, tiny's unsplit rows): the row names the committed A/B results folder
                String dir = r.source().substring(r.source().indexOf("results/"), r.source().indexOf(' ', r.source().indexOf("results/")));
                assertTrue(Files.isDirectory(Path.of("..").resolve(dir)), "the row's results folder is in the repository: " + dir);
                continue;
            }
            assertTrue(r.source().startsWith("kernels/results-stream/stream-recommendations.csv (H200, 2026-11-29)"), r.source());
            String[] row = csv.get(r.n() + "," + r.k() + "," + r.m());
            assertTrue(row != null, "no CSV row for " + r);
            assertEquals(row[3], r.impl());
            assertEquals(Integer.parseInt(row[4]), r.splits(), r.toString());
            assertEquals(90, r.arch());
        }
    }

    /**
     * Every other GEMM with capacity <= 64 gets the stream kernel by the rule: splits = the smallest
     * power of two with ceil(n/64) * s >= SMs, k / s a multiple of 64, s <= 16. Expected values are
     * worked out by hand here, not by calling the rule.
     */
    @Test
    void ruleBasedStreamDefaultForUnmeasuredShapesAndBuckets() {
        // without rows (the bundled file gives ERNIE's layer GEMMs at <= 64 and Llama's at 32 the half-width rows, tiny's
        // unsplit rows at <= 16)
        LoweredForward ernie = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64", 32, 132, ImplRegistry.standard(), ImplChoices.none());
        for (int size : new int[] {16, 64}) {
            assertStream(ernie.plan(size).op("L0.qkv"), size <= 16 ? 16 : 64, 8);  // n 1280: 20 blocks, 8 -> 160 >= 132
            assertStream(ernie.plan(size).op("L0.o"), size <= 16 ? 16 : 64, 16); // n 1024: 16 blocks, 16 -> 256
        }
        assertStream(ernie.plan(64).op("lm_head"), 32, 1); // seq capacity 32: no row, the rule (1616 blocks)
        LoweredForward llama = ForwardTestSupport.lower("llama-3.2-1b", "8,24,48", 32, 132, ImplRegistry.standard(), ImplChoices.none());
        int[][] want = {{8, 16}, {24, 32}, {48, 64}};
        for (int[] w : want) {
            LoweredPlan p = llama.plan(w[0]);
            assertStream(p.op("L0.qkv"), w[1], 4);      // n 3072: 48 blocks, 4 -> 192
            assertStream(p.op("L0.o"), w[1], 8);   // n 2048: 32 blocks, 4 -> 128 < 132, 8 -> 256
            assertStream(p.op("L0.gate_up"), w[1], 1);  // n 16384: 256 blocks
            assertStream(p.op("L0.down"), w[1], 8);     // n 2048, k 8192
            assertStream(p.op("lm_head"), w[1] == 64 ? 32 : w[1], 1);
        }
        // k caps the split: tiny's qkv (n 512, k 256) can split 4 ways at most in steps of 64
        assertStream(ForwardTestSupport.lower("tiny", "16", 8, 132, ImplRegistry.standard(), ImplChoices.none()).plan(16).op("L0.qkv"), 16, 4);
        // 108 SMs: o_proj 16 blocks -> 8 splits (128 >= 108)
        assertStream(ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 108, ImplRegistry.standard(), ImplChoices.none()).plan(16).op("L0.o"), 16, 8);
        // sm_80: not measured there, the default stays gemm_bf16 (the kernel is still in the fatbin for rows)
        LoweredForward sm80 = LoweredForward.of(ForwardProgram.of(Presets.byName("ernie-4.5-0.3b")), CaptureSizes.parse("16", CaptureSizes.HARD_CAP),
                32, 2048, 108, 80, ImplRegistry.standard(), ImplChoices.bundled());
        assertEquals("gemm_bf16", sm80.plan(16).op("L0.qkv").impl().name());
        assertEquals("gemm_bf16", sm80.plan(16).op("L0.gate_up").impl().name());
    }

    private static void assertStream(LoweredOp o, int variantRows, int splits) {
        assertEquals("gemm_bf16_stream_m" + variantRows, o.impl().kernel(), o.op().name());
        assertEquals(splits, o.splits(), o.op().name());
    }

    /** A row the kernel could not run is refused at lowering, not trapped on the device. */
    @Test
    void streamRowsTheKernelCannotRunAreRefused() {
        ImplChoices tooMany = choices(List.of(new ImplChoices.GemmRow(1024, 3072, 64, 90, "gemm_bf16_stream_m16", 2, "test")), List.of(), List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "64", 32, 132, ImplRegistry.standard(), tooMany));
        assertTrue(e.getMessage().contains("holds 16 rows, capacity 64"), e.getMessage());
        // 3072 / 32 = 96: whole 32-steps for gemm_bf16, not whole 64-steps for the stream kernel
        ImplChoices badK = choices(List.of(new ImplChoices.GemmRow(1024, 3072, 16, 90, "gemm_bf16_stream_m16", 32, "test")), List.of(), List.of());
        e = assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), badK));
        assertTrue(e.getMessage().contains("does not split 32 ways in steps of 64"), e.getMessage());
        // a smaller capacity than the variant holds is fine (the kernel takes p.m <= its rows)
        ImplChoices wider = choices(List.of(new ImplChoices.GemmRow(1024, 3072, 16, 90, "gemm_bf16_stream_m64", 12, "test")), List.of(), List.of());
        assertEquals(12, ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), wider).plan(16).op("L0.down").splits());
    }

    /**
     * The PDL argument of common.cuh: kernels trigger their dependents at entry and read their
     * scalar counts before griddepcontrol.wait, which is only right if no kernel writes them: every
     * such role is bound to batch metadata written by the host copy.
     */
    @Test
    void scalarsReadBeforeThePdlWaitAreHostWritten() {
        for (String preset : new String[] {"ernie-4.5-0.3b", "tiny-bias"}) {
            LoweredForward f = ForwardTestSupport.lower(preset, "16,128,512", 32, 132, ImplRegistry.standard(), ImplChoices.bundled());
            for (LoweredPlan p : f.all()) {
                for (LoweredOp o : p.ops()) {
                    if (o.op().kind() == OpKind.ATTENTION || o.op().kind() == OpKind.L2_PREFETCH) continue; // waits at entry / reads weights only
                    int seen = 0;
                    for (String role : List.of("m_dev", "num_tokens", "num_rows", "num_seqs")) {
                        String t = o.op().in(role);
                        if (t == null) continue;
                        assertTrue(ForwardProgram.META_FIELDS.contains(t), o.op().name() + " reads " + role + " = " + t + " before its wait");
                        seen++;
                    }
                    // a fused op (gate_up with SiLU at 128 and 512) carries the counts of the ops it absorbed, each host-written
                    assertTrue(seen >= 1 && seen <= 1 + o.fused().size(), o.op().name() + ": " + seen + " scalar counts, fused " + o.fused());
                }
            }
        }
    }

    /** stream-recommendations.csv keyed by "n,k,bucket" (the test runs in bench/ or the repository root). */
    private static Map<String, String[]> recommendations() throws IOException {
        Path csv = Path.of("../kernels/results-stream/stream-recommendations.csv");
        if (!Files.exists(csv)) csv = Path.of("kernels/results-stream/stream-recommendations.csv");
        Map<String, String[]> rows = new HashMap<>();
        for (String line : Files.readAllLines(csv)) {
            if (line.startsWith("#") || line.startsWith("n,")) continue;
            String[] f = line.split(",");
            rows.put(f[0] + "," + f[1] + "," + f[2], f);
        }
        assertEquals(13, rows.size());
        return rows;
    }

    @Test
    void splitKPartialsAreSummedByTheirConsumerOrReduced() {
        LoweredPlan p = lower("ernie-4.5-0.3b", "16").plan(16);
        LoweredOp qkv = p.op("L0.qkv"), rope = p.op("L0.rope_kv");
        assertEquals("splitk.qkv", qkv.op().out("c"));
        assertEquals("splitk.qkv", rope.op().in("qkv"));
        assertEquals(ForwardProgram.QKV, rope.op().out("qkv"));
        assertEquals(qkv.splits(), rope.partialSplits());
        assertEquals(16, rope.partialRows());
        // argmax cannot read partials: forcing a split LM head inserts splitk_reduce
        ImplChoices split = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 16, 90, "gemm_bf16", 2, "test")), List.of(), List.of());
        LoweredPlan q = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), split).plan(16);
        LoweredOp reduce = q.op("lm_head.reduce");
        assertEquals(OpKind.SPLITK_REDUCE, reduce.op().kind());
        assertEquals(ForwardProgram.LOGITS, reduce.op().out("c"));
        assertEquals(2, reduce.partialSplits());
        assertEquals(168, q.launchCount());
    }

    @Test
    void alternativeGemmIsSelectedPerBucketFromTheMeasurementsFile() {
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 32, 90, "cublaslt_gemm", 0, "test")), List.of(), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ImplRegistry.standard(), c);
        assertEquals("cublaslt_gemm", f.plan(512).op("lm_head").impl().name()); // seq capacity 32 at 512
        assertNull(f.plan(512).op("lm_head").grid());
        assertEquals("gemm_bf16_stream_m16", f.plan(16).op("lm_head").impl().name()); // seq capacity 16: no row, the rule
        // an unknown implementation and a non-GEMM are rejected
        ImplChoices bad = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 16, 90, "no_such_gemm", 0, "test")), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), bad));
        // another arch does not match
        ImplChoices sm80 = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 32, 80, "cublaslt_gemm", 0, "test")), List.of(), List.of());
        assertEquals("gemm_bf16_stream_m32", ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), sm80)
                .plan(512).op("lm_head").impl().name());
    }

    @Test
    void fusionRewriteIsSelectedPerBucket() {
        ImplChoices c = choices(List.of(), List.of(new ImplChoices.FusionRow("silu_into_gate_up", 512, 90, "test")), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ForwardTestSupport.withFusedSilu(false), c);
        LoweredPlan big = f.plan(512), small = f.plan(16);
        assertEquals(8, big.launchesPerLayer(0));
        LoweredOp gu = big.op("L0.gate_up");
        assertEquals("gemm_silu_test", gu.impl().name());
        assertEquals(List.of("L0.silu_mul"), gu.fused());
        assertEquals(ForwardProgram.ACT, gu.op().out("c"));
        assertEquals(1, gu.splits());
        assertTrue(big.ops().stream().noneMatch(o -> o.op().kind() == OpKind.SILU_MUL));
        assertEquals(9, small.launchesPerLayer(0));
        assertEquals("silu_mul", small.op("L0.silu_mul").impl().name());
    }

    @Test
    void splitKIsRefusedForANonLinearEpilogue() {
        // the measurements file asks for 2 splits of gate_up at 512 while the SiLU fusion is on
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 512, 90, "gemm_bf16_large", 2, "test")),
                List.of(new ImplChoices.FusionRow("silu_into_gate_up", 512, 90, "test")), List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ForwardTestSupport.withFusedSilu(false), c));
        assertTrue(e.getMessage().contains("split-K 2 refused"), e.getMessage());
        // the same request on an implementation that declares a linear epilogue is lowered (what the check guards)
        LoweredPlan p = ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ForwardTestSupport.withFusedSilu(true), c).plan(512);
        assertEquals(2, p.op("L0.gate_up").splits());
    }

    @Test
    void aFusionRowFusesSiluIntoGateUpAtItsBucketOnly() {
        // rules for the GEMMs (no measured rows) and the fusion switched on at 512 only
        ImplChoices fused = choices(List.of(), List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test")), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ImplRegistry.standard(), fused);
        LoweredPlan big = f.plan(512), small = f.plan(16);
        assertEquals(8, big.launchesPerLayer(0));
        assertEquals(8, big.launchesPerLayer(17));
        assertEquals(18 * 8 + 5, big.launchCount());
        LoweredOp gu = big.op("L0.gate_up");
        assertEquals("gemm_bf16_large_silu", gu.impl().name()); // the 128 x 128 tile gate_up had keeps its tile
        assertEquals(List.of("L0.silu_mul"), gu.fused());
        assertEquals(ForwardProgram.ACT, gu.op().out("c"));
        assertEquals(1, gu.splits());
        assertEquals(ForwardProgram.ACT, big.op("L0.down").op().in("a"));
        assertTrue(big.ops().stream().noneMatch(o -> o.op().kind() == OpKind.SILU_MUL));
        assertEquals(9, small.launchesPerLayer(0));
        assertEquals(167, small.launchCount());
        assertEquals("silu_mul", small.op("L0.silu_mul").impl().name());
        // one device layout for both buckets: gate/up rows interleaved whether fused or not
        assertEquals(new WeightLayout.RowInterleave(3072, KernelConstants.GATE_UP_GROUP), f.weightLayout().of("layers.0.gate_up"));
        assertEquals(small.weightLayout(), big.weightLayout());
        // the bundled file fuses only where gate_up runs our TMA tile (65..128, and 416..512 since the staged epilogue) or
        // the half-width streaming kernel at 1..64 (v40 at 17..64; s24 at 1..16, after s15 had lost it there): measured, cuBLASLt + silu_mul beats the
        // fused mma.sync 128 x 128 kernel at 512, and every bundled fusion names its producer; on the plain streaming kernel
        // (1..16, s17) only for the tiny and Llama-3.2-1B shapes it was measured on, each row naming its GEMM's shape
        // since s25 (v65, batch "prefill") rope also on the half-width qkv at 1..16, for the shapes measured (ERNIE's, Llama's),
        // since s34 (v75) on the 16-column pair tiles instead (ERNIE's and tiny's in every graph, Llama's for prompt batches);
        // since s33 (v74.1, batch "fresh") attention into ERNIE's o at 1..16, since s35 (v76) into tiny's
        var measuredShapes = java.util.Set.of(List.of(512, 256), List.of(1024, 256), List.of(3072, 2048), List.of(16384, 2048));
        var ropePairShapes = java.util.Set.of(List.of(1280, 1024), List.of(3072, 2048), List.of(512, 256));
        var foldShapes = java.util.Set.of(List.of(1024, 1024), List.of(256, 256));
        // since s36 (v78) the last layer on the last rows at 33..512, for every producer and shape (a program rewrite)
        assertTrue(ImplChoices.bundled().fusions().stream().allMatch(r -> r.fusion().equals(ImplRegistry.LAST_ROWS)
                ? r.producer() == null && r.m() == 33 && r.mMax() == 512 && r.n() == null
                : r.producer() != null
                && (r.fusion().equals(ImplRegistry.ATTENTION_INTO_O) ? r.batch().equals(ImplChoices.AttentionRow.FRESH)
                        && r.producer().equals("gemm_bf16_stream_m16_n32") && r.m() == 1 && r.mMax() == 16 && r.n() != null
                        && foldShapes.contains(List.of(r.n(), r.k()))
                : r.producer().equals(ImplRegistry.GEMM_STREAM_M16_N16) ? r.fusion().equals(ImplRegistry.ROPE_INTO_QKV)
                        && (r.batch() == null || r.batch().equals(ImplChoices.FusionRow.PREFILL)) && r.m() == 1 && r.mMax() == 16
                        && r.n() != null && ropePairShapes.contains(List.of(r.n(), r.k()))
                : r.producer().equals("gemm_bf16_stream_m16")
                        ? r.m() == 1 && r.mMax() == 16 && r.n() != null && measuredShapes.contains(List.of(r.n(), r.k()))
                // since s38 Llama-3.2-1B's gate_up on the 128-deep four-stage tile at 1..16, its shape named
                : r.producer().equals(ImplRegistry.GEMM_STREAM_M16K128S4)
                        ? r.fusion().equals(ImplRegistry.SILU_INTO_GATE_UP) && r.m() == 1 && r.mMax() == 16 && List.of(16384, 2048).equals(List.of(r.n(), r.k()))
                        : r.n() == null && (r.producer().startsWith("gemm_bf16_tma_")
                                && ((r.m() == 65 && r.mMax() == 128) || (r.m() == 416 && r.mMax() == 511) || (r.m() == 512 && r.mMax() == null))
                            || r.producer().equals("gemm_bf16_stream_m16_n32") && r.m() == 1 && r.mMax() == 16
                            || r.producer().equals("gemm_bf16_stream_m32_n32") && r.m() == 17 && r.mMax() == 32
                            || r.producer().equals("gemm_bf16_stream_m64_n32") && r.m() == 33 && r.mMax() == 64))),
                "bundled fusions: " + ImplChoices.bundled().fusions());
        assertTrue(ImplChoices.bundled().provenance().note().contains("fusion row at 512 was dropped"), ImplChoices.bundled().provenance().note());
    }

    @Test
    void theStreamingSiluFusionKeepsSplitKThroughTheFixup() {
        // gate_up at 16 splits 2 ways by default (the streaming kernel)
        LoweredPlan unfused = lower("ernie-4.5-0.3b", "16").plan(16);
        assertEquals(2, unfused.op("L0.gate_up").splits());
        assertEquals(2, unfused.op("L0.silu_mul").partialSplits());
        ImplChoices c = choices(List.of(), List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 16, 90, "test")), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), c);
        LoweredPlan fused = f.plan(16);
        LoweredOp gu = fused.op("L0.gate_up");
        assertEquals("gemm_bf16_stream_m16_silu", gu.impl().name()); // the streaming kernel keeps its kernel and its splits
        assertTrue(gu.impl().splitFixup());
        assertEquals(2, gu.splits());
        assertEquals(ForwardProgram.ACT, gu.op().out("c"));
        assertEquals("splitk.gate_up", gu.op().out("partial")); // its own partials: the workspace bound to it, read by no other op
        assertEquals(8, fused.launchesPerLayer(0));
        int[] grid = gu.grid().atCapacity(fused.key());
        assertEquals(6144 / 64, grid[0]);
        assertEquals(2, grid[2]);
        // one counter per column tile of the widest fixup GEMM, pinned ahead of the activations (never poisoned)
        BufferLayout.Slice counters = f.layout().slice(ForwardProgram.TILE_COUNTERS);
        assertEquals(4L * (6144 / 64), counters.bytes());
        assertEquals(TensorSpec.Role.PINNED, counters.role());
        assertTrue(counters.end() <= f.layout().activationStart());
        assertEquals(List.of(), LayoutCheck.violations(f.all(), f.layout()));
        // without a fixup GEMM there is no counter slice
        assertTrue(!lower("ernie-4.5-0.3b", "16").layout().has(ForwardProgram.TILE_COUNTERS));
    }

    /**
     * add_rmsnorm_256 (s17): rows wider than 1024 up to 2048 (Llama-3.2-1B's 2048) in buckets whose rows fit one wave of
     * 256-thread blocks at two per SM (264 on 132 SMs, 216 on 108); 1024-wide rows (ERNIE-4.5-0.3B) and 2560-wide ones
     * (unmeasured) keep the 128-thread kernel. The final norm is not part of the rule.
     */
    @Test
    void wideRowsInSmallBucketsTakeTheTwoHundredFiftySixThreadNorm() {
        LoweredForward llama = ForwardTestSupport.lower("llama-3.2-1b", "16,256,512", 32, 132, ImplRegistry.standard(), ImplChoices.none());
        for (int size : new int[] {16, 256}) {
            for (String op : List.of("L0.input_norm", "L0.post_norm", "L15.post_norm")) {
                assertEquals("add_rmsnorm_256", llama.plan(size).op(op).impl().name(), op + " at " + size);
                assertEquals(256, llama.plan(size).op(op).impl().threads());
            }
        }
        assertEquals("add_rmsnorm", llama.plan(512).op("L0.post_norm").impl().name());
        LoweredForward fewerSms = ForwardTestSupport.lower("llama-3.2-1b", "208,256", 32, 108, ImplRegistry.standard(), ImplChoices.none());
        assertEquals("add_rmsnorm_256", fewerSms.plan(208).op("L0.post_norm").impl().name());
        assertEquals("add_rmsnorm", fewerSms.plan(256).op("L0.post_norm").impl().name());
        for (String preset : List.of("ernie-4.5-0.3b", "ernie-4.5-21b-a3b-attn", "tiny")) {
            LoweredPlan p = ForwardTestSupport.lower(preset, "16", 16, 132, ImplRegistry.standard(), ImplChoices.bundled()).plan(16);
            assertTrue(p.ops().stream().filter(o -> o.op().kind() == OpKind.ADD_RMSNORM).allMatch(o -> o.impl().name().equals("add_rmsnorm")), preset);
        }
    }

    /**
     * A fusion row naming a GEMM shape (n, k) fuses only GEMMs of that shape: the plain streaming kernel runs every model's
     * GEMMs at 16 where no row says otherwise, so rows measured on tiny must leave tiny-g5 (another shape, the same
     * producer) unfused; a row without a shape fuses both; half a shape is refused.
     */
    @Test
    void aFusionRowNamingAShapeFusesOnlyThatShape() {
        List<ImplChoices.FusionRow> scoped = List.of(
                new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 1, 90, "test", 16, "gemm_bf16_stream_m16", 1024, 256),
                new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 1, 90, "test", 16, "gemm_bf16_stream_m16", 512, 256));
        LoweredPlan tiny = ForwardTestSupport.lower("tiny", "16", 16, 132, ImplRegistry.standard(), choices(List.of(), scoped, List.of())).plan(16);
        assertEquals("gemm_bf16_stream_m16_silu", tiny.op("L0.gate_up").impl().name());
        assertEquals("gemm_bf16_stream_m16_rope", tiny.op("L0.qkv").impl().name());
        assertTrue(tiny.ops().stream().noneMatch(o -> o.op().kind() == OpKind.SILU_MUL || o.op().kind() == OpKind.ROPE_KV));
        LoweredPlan g5 = ForwardTestSupport.lower("tiny-g5", "16", 16, 132, ImplRegistry.standard(), choices(List.of(), scoped, List.of())).plan(16);
        assertEquals("gemm_bf16_stream_m16", g5.op("L0.gate_up").impl().name());
        assertEquals("gemm_bf16_stream_m16", g5.op("L0.qkv").impl().name());
        assertEquals("silu_mul", g5.op("L0.silu_mul").impl().name());
        assertEquals("rope_kv_write", g5.op("L0.rope_kv").impl().name());
        List<ImplChoices.FusionRow> any = List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 1, 90, "test", 16, "gemm_bf16_stream_m16"));
        assertEquals("gemm_bf16_stream_m16_silu", ForwardTestSupport.lower("tiny-g5", "16", 16, 132, ImplRegistry.standard(), choices(List.of(), any, List.of()))
                .plan(16).op("L0.gate_up").impl().name());
        var half = assertThrows(IllegalArgumentException.class,
                () -> new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 16, 90, "test", null, "gemm_bf16_stream_m16", 1024, null));
        assertTrue(half.getMessage().contains("give both n and k"), half.getMessage());
    }

    /**
     * The bundled rows (s17): tiny's and Llama-3.2-1B's qkv and gate_up fused at 16 by rows naming their shapes, Qwen2.5-0.5B's
     * (the same plain producer, unmeasured) not. ERNIE-4.5-0.3B's gate_up (the n32 kernel) takes SiLU * up by the n32 row at
     * 1..16 (s24). Tiny's qkv is unsplit there, so it runs the unsplit rope form (v49). Since s25 (v65, rows with "batch":
     * "prefill") Llama's and ERNIE's qkv in the plain graph ran the half-width tiles with rope through the fixup; since s34 (v75)
     * they run the 16-column pair tiles unsplit with rope on their own sums, as tiny's does; Llama's decode graph keeps its plain
     * split-4 fixup form, ERNIE's runs the pair tiles too.
     */
    @Test
    void theBundledShapeRowsFuseTinyAndLlamaAtSixteenOnly() {
        for (String preset : List.of("tiny", "tiny-bias", "llama-3.2-1b")) {
            LoweredPlan p = ForwardTestSupport.lower(preset, "16", 16, 132, ImplRegistry.standard(), ImplChoices.bundled()).plan(16);
            assertTrue(p.op("L0.gate_up").impl().name().endsWith("_silu"), preset);
            LoweredOp qkv = p.op("L0.qkv");
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N16_ROPE1, qkv.impl().name(), preset);
            assertEquals(1, qkv.splits(), preset);
            assertTrue(qkv.fused().contains("L0.rope_kv"), preset);
        }
        LoweredForward llama = ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        LoweredOp decodeQkv = llama.decodePlan(16).orElseThrow().op("L0.qkv");
        assertEquals("gemm_bf16_stream_m16_rope", decodeQkv.impl().name());
        assertEquals(4, decodeQkv.splits());
        LoweredForward ernie = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        assertEquals(ImplRegistry.GEMM_STREAM_M16_N16_ROPE1, ernie.plan(16).op("L0.qkv").impl().name());
        assertEquals(ImplRegistry.GEMM_STREAM_M16_N16_ROPE1, ernie.decodePlan(16).orElseThrow().op("L0.qkv").impl().name(), "ERNIE's decode graph too (s34)");
        for (String preset : List.of("qwen2.5-0.5b", "ernie-4.5-0.3b", "tiny-g5")) {
            LoweredPlan p = ForwardTestSupport.lower(preset, "16", 16, 132, ImplRegistry.standard(), ImplChoices.bundled()).plan(16);
            if (preset.startsWith("ernie")) {
                assertEquals("gemm_bf16_stream_m16_n32_silu", p.op("L0.gate_up").impl().name(), preset);
                assertEquals(List.of("L0.silu_mul"), p.op("L0.gate_up").fused(), preset);
            } else {
                assertEquals("silu_mul", p.op("L0.silu_mul").impl().name(), preset);
            }
            if (!preset.startsWith("ernie")) assertEquals("rope_kv_write", p.op("L0.rope_kv").impl().name(), preset);
        }
    }

    /**
     * embed_into_tile_map (v50): at its sizes the plan's first op is build_tile_map_embed, which takes over embed's roles
     * (ids, num_tokens, out, the table) and lists embed as fused; no embed op is left, the op after it (the first norm)
     * launches without PDL, and the plan has one kernel fewer; elsewhere embed stays.
     */
    @Test
    void embedFoldsIntoTheTileMapWhereARowAsks() {
        ImplChoices c = choices(List.of(), List.of(new ImplChoices.FusionRow(ImplRegistry.EMBED_INTO_TILE_MAP, 1, 90, "test", 16, null)), List.of());
        for (String preset : List.of("tiny", "ernie-4.5-0.3b", "llama-3.2-1b")) {
            LoweredForward plain = ForwardTestSupport.lower(preset, "16,64", 16, 132, ImplRegistry.standard(), ImplChoices.none());
            LoweredForward f = ForwardTestSupport.lower(preset, "16,64", 16, 132, ImplRegistry.standard(), c);
            LoweredPlan p = f.plan(16);
            LoweredOp first = p.ops().getFirst();
            assertEquals("build_tile_map_embed", first.impl().name(), preset);
            assertEquals(List.of("embed"), first.fused());
            assertArrayEquals(new int[] {2, 1, 1}, first.grid().atCapacity(p.key()), "block 0 the map, block 1 the rows (v62)");
            Op embed = plain.plan(16).op("embed").op();
            assertEquals(embed.in("ids"), first.op().in("ids"));
            assertEquals(embed.in("num_tokens"), first.op().in("num_tokens"));
            assertEquals(embed.out("out"), first.op().out("out"));
            assertEquals(embed.weight("table"), first.op().weight("table"));
            assertTrue(p.ops().stream().noneMatch(o -> o.op().kind() == OpKind.EMBED), preset);
            assertEquals("L0.input_norm", p.ops().get(1).op().name());
            assertFalse(p.ops().get(1).impl().attrs().contains(Impl.Attr.PDL), "the op after the tile map launches without PDL");
            assertEquals(plain.plan(16).launchCount() - 1, p.launchCount(), preset);
            assertEquals("embed_gather", f.plan(64).op("embed").impl().name(), "no row at 64");
        }
        assertFalse(ImplRegistry.standard().byName("build_tile_map_embed").supports().test(null, null), "never a rule's default");
    }

    /**
     * A rope-fused streaming GEMM left at one split runs the unsplit rope form (v49: no partial, no counter; never a default
     * or a fusion target, only this swap reaches it), with no partial workspace; at two splits the fixup form keeps its
     * workspace; the unsplit form refuses a split.
     */
    @Test
    void aRopeFusedStreamingGemmAtOneSplitRunsTheUnsplitForm() {
        List<ImplChoices.FusionRow> rope = List.of(new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 16, 90, "test"));
        for (int splits : new int[]{1, 2}) {
            ImplChoices c = choices(List.of(new ImplChoices.GemmRow(512, 256, 16, 90, "gemm_bf16_stream_m16", splits, "test")), rope, List.of());
            LoweredOp qkv = ForwardTestSupport.lower("tiny", "16", 16, 132, ImplRegistry.standard(), c).plan(16).op("L0.qkv");
            assertEquals(splits == 1 ? "gemm_bf16_stream_m16_rope1" : "gemm_bf16_stream_m16_rope", qkv.impl().name());
            assertEquals(splits, qkv.splits());
            assertEquals(splits == 1, qkv.op().out("partial") == null, "a partial workspace only for the fixup form");
        }
        ImplRegistry r = ImplRegistry.standard();
        assertTrue(r.unsplitForm(r.byName("gemm_bf16_stream_m16_silu")).isEmpty(), "the SiLU fixup has no unsplit form of its own");
        assertFalse(r.fusionTarget("gemm_bf16_stream_m16_rope1"));
        assertFalse(r.byName("gemm_bf16_stream_m16_rope1").supports().test(null, null), "never a rule's default");
    }

    /**
     * silu_into_gate_up where a row puts gate_up on the half-width streaming kernel (v40): its SiLU form, unsplit, 32-column
     * tiles, silu_mul gone; a split row with the fusion is refused (no fixup on the two-k-warp tile); a fusion row naming
     * that producer leaves a model whose gate_up runs another kernel unfused.
     */
    @Test
    void theHalfWidthGateUpTakesItsSiluFormUnsplit() {
        List<ImplChoices.GemmRow> gemm = new java.util.ArrayList<>();
        List<ImplChoices.FusionRow> fusions = new java.util.ArrayList<>();
        for (int size : new int[] {16, 32, 64}) {
            gemm.add(new ImplChoices.GemmRow(6144, 1024, size, 90, "gemm_bf16_stream_m" + size + "_n32", 1, "test"));
            fusions.add(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, size, 90, "test", null, "gemm_bf16_stream_m" + size + "_n32"));
        }
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,32,64", 32, 132, ImplRegistry.standard(), choices(gemm, fusions, List.of()));
        for (int size : new int[] {16, 32, 64}) {
            LoweredPlan p = f.plan(size);
            LoweredOp gu = p.op("L0.gate_up");
            assertEquals("gemm_bf16_stream_m" + size + "_n32_silu", gu.impl().name());
            assertEquals(1, gu.splits());
            assertEquals(List.of("L0.silu_mul"), gu.fused());
            assertEquals(ForwardProgram.ACT, gu.op().out("c"));
            assertArrayEquals(new int[] {6144 / 32, 1, 1}, gu.grid().atCapacity(p.key()));
            assertEquals(8, p.launchesPerLayer(0));
            assertTrue(p.ops().stream().noneMatch(o -> o.op().kind() == OpKind.SILU_MUL));
        }
        assertEquals(new WeightLayout.RowInterleave(3072, KernelConstants.GATE_UP_GROUP), f.weightLayout().of("layers.0.gate_up"));
        // split: refused with the fusion
        ImplChoices split = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 16, 90, "gemm_bf16_stream_m16_n32", 2, "test")),
                List.of(fusions.get(0)), List.of());
        var e = assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), split));
        assertTrue(e.getMessage().contains("split-K 2 refused for gemm_bf16_stream_m16_n32_silu"), e.getMessage());
        // a row naming a producer without a fused form of its own is refused, not given the generic 64 x 64 fused kernel (as
        // a jar older than the row's file would have run for it; planted: cuBLASLt, whose only fused form is the generic
        // one); without a producer the generic form is still taken
        ImplChoices named = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 512, 90, "cublaslt_gemm", 0, "test")),
                List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test", null, "cublaslt_gemm")), List.of());
        var own = assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), named));
        assertTrue(own.getMessage().contains("no fused form of cublaslt_gemm (a row names that producer"), own.getMessage());
        ImplChoices generic = choices(named.gemm(), List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test")), List.of());
        assertEquals("gemm_bf16_silu", ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), generic)
                .plan(512).op("L0.gate_up").impl().name());
        // the row names its producer: gate_up on the plain streaming kernel (no n32 row) keeps silu_mul
        LoweredPlan plain = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), choices(List.of(), List.of(fusions.get(0)), List.of())).plan(16);
        assertEquals("silu_mul", plain.op("L0.silu_mul").impl().name());
    }

    /** A TMA GEMM's A tensor map covers whole row tiles only where the allocation holds them past the tensor. */
    @Test
    void tmaRowsRoundUpToWholeTilesOnlyInsideTheAllocation() {
        assertEquals(512, ImplRegistry.tmaRows(512L * 1024 * 2, 1024, 496, 128));
        assertEquals(496, ImplRegistry.tmaRows(512L * 1024 * 2 - 1, 1024, 496, 128)); // one byte short: the capacity
        assertEquals(512, ImplRegistry.tmaRows(1L << 40, 1024, 512, 128));          // already whole tiles
        assertEquals(128, ImplRegistry.tmaRows(1L << 40, 3072, 96, 64));
        assertEquals(96, ImplRegistry.tmaRows(0, 3072, 96, 64));                   // unknown (no engine): nothing past the slice
    }

    /**
     * rope_into_qkv where a row puts qkv on the half-width streaming kernel (v65): its rope form at the row's splits, 32-column
     * tiles (two per 64-column head group, which shares a counter: the counters sized by the grid cover them), rope gone,
     * the fixup's partial workspace kept at every split (no unsplit form of the half-width tile).
     */
    @Test
    void theHalfWidthQkvTakesItsRopeFormThroughTheFixup() {
        for (int splits : new int[] {1, 2}) {
            ImplChoices c = choices(List.of(new ImplChoices.GemmRow(3072, 2048, 16, 90, "gemm_bf16_stream_m16_n32", splits, "test")),
                    List.of(new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 16, 90, "test", null, "gemm_bf16_stream_m16_n32")), List.of());
            LoweredForward f = ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), c);
            LoweredOp qkv = f.plan(16).op("L0.qkv");
            assertEquals("gemm_bf16_stream_m16_n32_rope", qkv.impl().name());
            assertEquals(splits, qkv.splits());
            assertEquals(List.of("L0.rope_kv"), qkv.fused());
            assertTrue(qkv.op().out("partial") != null, "the fixup's workspace at " + splits + " splits");
            assertArrayEquals(new int[] {96, 1, splits}, qkv.grid().atCapacity(f.plan(16).key()));
            assertTrue(f.plan(16).ops().stream().noneMatch(o -> o.op().kind() == OpKind.ROPE_KV));
            assertTrue(BufferLayout.fixupTiles(List.of(f.plan(16))) >= 96 / 2, "a counter per head group");
        }
        ImplRegistry r = ImplRegistry.standard();
        assertTrue(r.unsplitForm(r.byName("gemm_bf16_stream_m16_n32_rope")).isEmpty(), "no unsplit half-width rope form");
    }

    /** rope_into_qkv on a TMA tile (a producer row): the _rope form, never split, rope gone; a split row is refused. */
    @Test
    void theRopeFusionOnATmaTileIsUnsplitAndRefusesSplitK() {
        int n = 1280, k = 1024; // ERNIE-4.5-0.3B's qkv
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(n, k, 512, 90, "gemm_bf16_tma_128x64s9", 1, "test")),
                List.of(new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 512, 90, "test", null, "gemm_bf16_tma_128x64s9")), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "128,512", 32, 132, ImplRegistry.standard(), c);
        LoweredOp qkv = f.plan(512).op("L0.qkv");
        assertEquals("gemm_bf16_tma_128x64s9_rope", qkv.impl().name());
        assertEquals(1, qkv.splits());
        assertEquals(List.of("L0.rope_kv"), qkv.fused());
        assertNull(qkv.op().out("partial"));
        assertTrue(f.plan(512).ops().stream().noneMatch(o -> o.op().kind() == OpKind.ROPE_KV));
        assertEquals("rope_kv_write", f.plan(128).op("L0.rope_kv").impl().name()); // no row at 128
        // a tile without a _rope form stays unfused; split-K with the fusion is refused
        ImplChoices wide = choices(List.of(new ImplChoices.GemmRow(n, k, 512, 90, "gemm_bf16_tma_64x80s8", 1, "test")),
                List.of(new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 512, 90, "test", null, "gemm_bf16_tma_64x80s8")), List.of());
        var e = assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), wide));
        assertTrue(e.getMessage().contains("no fused form of gemm_bf16_tma_64x80s8"), e.getMessage());
        ImplChoices split = choices(List.of(new ImplChoices.GemmRow(n, k, 512, 90, "gemm_bf16_tma_128x64s9", 2, "test")),
                List.of(new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 512, 90, "test", null, "gemm_bf16_tma_128x64s9")), List.of());
        var s = assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), split));
        assertTrue(s.getMessage().contains("split-K 2 refused for gemm_bf16_tma_128x64s9_rope"), s.getMessage());
    }

    @Test
    void theRopeFusionFoldsRopeIntoTheQkvGemmAndTakesOverItsRoles() {
        LoweredPlan unfused = lower("qwen2.5-0.5b", "16,64").plan(16);
        int splits = unfused.op("L0.qkv").splits();
        assertTrue(splits > 1, "the streaming qkv GEMM splits at 16: " + splits);
        ImplChoices c = choices(List.of(), List.of(new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 16, 90, "test"),
                new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 16, 90, "test")), List.of());
        LoweredForward f = ForwardTestSupport.lower("qwen2.5-0.5b", "16,64", 32, 132, ImplRegistry.standard(), c);
        LoweredPlan fused = f.plan(16);
        LoweredOp qkv = fused.op("L3.qkv");
        assertEquals("gemm_bf16_stream_m16_rope", qkv.impl().name());
        assertEquals(splits, qkv.splits());
        assertEquals(List.of("L3.rope_kv"), qkv.fused());
        Op op = qkv.op();
        assertEquals(ForwardProgram.QKV, op.out("c"));
        assertEquals("splitk.qkv", op.out("partial"));
        assertEquals(ForwardProgram.kCache(3), op.out("k_cache"));
        assertEquals(ForwardProgram.vCache(3), op.out("v_cache"));
        for (String r : List.of("cos_sin", "positions", "slot_mapping", "num_tokens")) assertTrue(op.in(r) != null, r + " taken over: " + op.reads());
        assertEquals("layers.3.qkv_bias", op.weight("bias")); // qwen has a qkv bias: the fused epilogue adds it
        assertTrue(fused.ops().stream().noneMatch(o -> o.op().kind() == OpKind.ROPE_KV));
        assertEquals(7, fused.launchesPerLayer(0));
        // the attention still reads what the fused GEMM wrote; the other bucket stays unfused
        assertEquals(ForwardProgram.QKV, fused.op("L3.attention").op().in("q"));
        assertEquals("rope_kv_write", f.plan(64).op("L3.rope_kv").impl().name());
        assertEquals(List.of(), LayoutCheck.violations(f.all(), f.layout()));
        // head dim 128 spans two 64-column tiles: the fusion does not fit, rope stays its own kernel
        LoweredPlan g5 = ForwardTestSupport.lower("tiny-g5", "16", 8, 132, ImplRegistry.standard(), c).plan(16);
        assertEquals("rope_kv_write", g5.op("L0.rope_kv").impl().name());
        assertTrue(!ImplRegistry.ropeTiles(ForwardProgram.Dims.of(io.prefillbench.model.Presets.byName("tiny-g5"))));
    }

    @Test
    void aDecodeRowGivesItsSizesASecondPlanThatOnlyUniformDecodeBatchesRun() {
        ImplChoices rows = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "fusions": [], "l2Prefetch": [],
                 "attention": [{"impl": "attention_prefill_wg_early", "m": 1, "mMax": 64, "arch": 90, "source": "t"},
                               {"impl": "attention_prefill_wg", "m": 1, "mMax": 16, "arch": 90, "source": "t", "batch": "decode"},
                               {"impl": "attention_prefill_wg_early", "m": 64, "arch": 90, "source": "t", "batch": "decode"}]}""");
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,32,64", 32, 132, ImplRegistry.standard(), rows);
        for (int s : new int[] {16, 32, 64})  // the plain plans never take a decode row
            assertEquals(ImplRegistry.ATTENTION_WG_EARLY, f.plan(s).op("L0.attention").impl().name(), "plain plan at " + s);
        LoweredPlan d16 = f.decodePlan(16).orElseThrow();
        assertTrue(d16.key().uniformDecode() && !f.plan(16).key().uniformDecode());
        assertEquals(ImplRegistry.ATTENTION_WG, d16.op("L0.attention").impl().name());
        // the decode plan differs in the attention ops only: same op list, same GEMMs, same capacities
        assertEquals(f.plan(16).ops().size(), d16.ops().size());
        for (int i = 0; i < d16.ops().size(); i++) {
            LoweredOp a = f.plan(16).ops().get(i), b = d16.ops().get(i);
            assertEquals(a.op().name(), b.op().name());
            if (a.op().kind() != OpKind.ATTENTION) assertEquals(a.impl().name(), b.impl().name(), a.op().name());
        }
        assertEquals(f.plan(16).key().tileCapacity(), d16.key().tileCapacity());
        assertTrue(f.decodePlan(32).isEmpty(), "no decode row covers 32");
        assertTrue(f.decodePlan(64).isEmpty(), "a decode row naming what the plain plan runs gives no second graph");
        // what a run records: the decode row only where a decode plan used it
        assertEquals(List.of(rows.attention().get(0), rows.attention().get(1)), rows.appliedTo(f).attention());
        // the op dump lists the decode plan as comments (the harness reads the plain plans)
        String dump = OpDump.of(f);
        assertTrue(dump.lines().anyMatch(l -> l.startsWith("# decode graph: size=16 ") && l.contains(" impl=attention_prefill_wg ")), dump);
        assertTrue(dump.lines().noneMatch(l -> l.startsWith("size=16 ") && l.contains(" impl=attention_prefill_wg ")));
        // a batch value other than "decode" is refused, naming the fix
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new ImplChoices.AttentionRow(
                ImplRegistry.ATTENTION_WG, 0, 0, 0, 1, 16, 90, "t", "prefill"));
        assertTrue(bad.getMessage().contains("omit it"), bad.getMessage());
        // rows without "batch" keep their JSON, so files written before it keep their identity
        assertFalse(new ImplChoices.AttentionRow(ImplRegistry.ATTENTION_WG, 0, 0, 0, 1, 16, 90, "t").toString().contains("decode"));
        assertFalse(ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "fusions": [], "l2Prefetch": [],
                 "attention": [{"impl": "attention_prefill_wg", "m": 1, "arch": 90, "source": "t"}]}""").toJson().contains("batch"));
    }

    /**
     * A fusion row with {@code "batch": "prefill"} serves a size's plain graph only: the size gets a decode plan without the
     * fusion (here tiny, which has no decode attention row, so the row alone makes the second plan); {@code "decode"} the
     * other way round; a row without it serves both, and no second plan appears. GEMM rows take {@code batch} alike. Other
     * values are refused naming the fix.
     */
    @Test
    void batchScopedFusionAndGemmRowsGiveTheOtherGraphItsOwnOps() {
        String head = """
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "l2Prefetch": [], "fusions": [""";
        ImplChoices prefill = ImplChoices.parse(head + """
                {"fusion": "silu_into_gate_up", "m": 1, "mMax": 16, "arch": 90, "source": "t", "batch": "prefill"}]}""");
        LoweredForward f = ForwardTestSupport.lower("tiny", "16,32", 16, 132, ImplRegistry.standard(), prefill);
        assertTrue(f.plan(16).ops().stream().noneMatch(o -> o.op().kind() == OpKind.SILU_MUL), "fused in the plain plan");
        LoweredPlan d16 = f.decodePlan(16).orElseThrow();
        assertTrue(d16.key().uniformDecode());
        assertEquals("silu_mul", d16.op("L0.silu_mul").impl().name(), "the decode plan keeps silu_mul");
        assertTrue(f.decodePlan(32).isEmpty(), "no row covers 32");
        assertEquals(List.of(), LayoutCheck.violations(f.all(), f.layout()));
        ImplChoices decode = ImplChoices.parse(head + """
                {"fusion": "silu_into_gate_up", "m": 1, "mMax": 16, "arch": 90, "source": "t", "batch": "decode"}]}""");
        LoweredForward g = ForwardTestSupport.lower("tiny", "16", 16, 132, ImplRegistry.standard(), decode);
        assertEquals("silu_mul", g.plan(16).op("L0.silu_mul").impl().name(), "the plain plan keeps silu_mul");
        assertTrue(g.decodePlan(16).orElseThrow().ops().stream().noneMatch(o -> o.op().kind() == OpKind.SILU_MUL));
        ImplChoices both = ImplChoices.parse(head + """
                {"fusion": "silu_into_gate_up", "m": 1, "mMax": 16, "arch": 90, "source": "t"}]}""");
        LoweredForward h = ForwardTestSupport.lower("tiny", "16", 16, 132, ImplRegistry.standard(), both);
        assertTrue(h.decodePlan(16).isEmpty(), "a row for every batch gives one graph");
        assertFalse(both.toJson().contains("batch"), "rows without it keep their JSON (and identity)");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new ImplChoices.FusionRow(
                ImplRegistry.SILU_INTO_GATE_UP, 1, 90, "t", 16, null, null, null, "mixed"));
        assertTrue(bad.getMessage().contains("omit it"), bad.getMessage());
        // a GEMM row scoped to the plain graph: the decode plan takes the row for every batch (or the rule); the scoped row
        // wins over an unscoped one in its graph, whatever the file order
        ImplChoices gemm = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "l2Prefetch": [], "fusions": [], "gemm": [
                {"n": 512, "k": 256, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16", "splits": 2, "source": "t"},
                {"n": 512, "k": 256, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n32", "splits": 2, "source": "t", "batch": "prefill"}]}""");
        LoweredForward q = ForwardTestSupport.lower("tiny", "16", 16, 132, ImplRegistry.standard(), gemm);
        assertEquals("gemm_bf16_stream_m16_n32", q.plan(16).op("L0.qkv").impl().name());
        assertEquals("gemm_bf16_stream_m16", q.decodePlan(16).orElseThrow().op("L0.qkv").impl().name());
        assertEquals(2, q.decodePlan(16).orElseThrow().op("L0.qkv").splits());
        assertThrows(IllegalArgumentException.class, () -> new ImplChoices.GemmRow(512, 256, 1, 90, "gemm_bf16_stream_m16", 2, "t", null, 16, "all"));
    }

    @Test
    void anAttentionRowSelectsTheWgmmaFormWhereItRunsAndIsRefusedWhereItCannot() {
        ImplChoices rows = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "fusions": [], "l2Prefetch": [],
                 "attention": [{"impl": "attention_prefill_wg", "m": 100, "mMax": 512, "arch": 90, "source": "t"},
                               {"impl": "attention_prefill", "m": 512, "arch": 90, "source": "t"}]}""");
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,128,256,512", 32, 132, ImplRegistry.standard(), rows);
        assertEquals("attention_prefill_kh", f.plan(16).op("L0.attention").impl().name(), "outside the range: the rule");
        assertEquals(ImplRegistry.ATTENTION_WG, f.plan(128).op("L0.attention").impl().name());
        assertEquals(ImplRegistry.ATTENTION_WG, f.plan(256).op("L0.attention").impl().name());
        assertEquals("attention_prefill", f.plan(512).op("L0.attention").impl().name(), "the exact row wins over the range");
        assertEquals(KernelConstants.ATTN_WG_SMEM, f.plan(128).op("L0.attention").impl().dynamicSmem());
        // what a run records: only the rows its sizes used
        LoweredForward only16 = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,128", 32, 132, ImplRegistry.standard(), rows);
        assertEquals(List.of(rows.attention().get(0)), rows.appliedTo(only16).attention());
        assertEquals(List.of(), rows.appliedTo(ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), rows)).attention());
        assertTrue(!ImplChoices.none().toJson().contains("attention"), "a file without rows keeps its JSON (and identity)");
        // head dim 128 and a device other than 9.0 are refused with the row to drop
        IllegalArgumentException d128 = assertThrows(IllegalArgumentException.class,
                () -> ForwardTestSupport.lower("tiny-g5", "128", 8, 132, ImplRegistry.standard(), rows));
        assertTrue(d128.getMessage().contains("head dim 64") && d128.getMessage().contains("drop the attention row attention_prefill_wg for m=100..512"),
                d128.getMessage());
        ImplChoices anyArch = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "fusions": [], "l2Prefetch": [],
                 "attention": [{"impl": "attention_prefill_wg", "m": 16, "arch": 0, "source": "t"}]}""");
        IllegalArgumentException a80 = assertThrows(IllegalArgumentException.class,
                () -> LoweredForward.of(ForwardProgram.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b")),
                        CaptureSizes.parse("16", CaptureSizes.HARD_CAP), 32, 2048, 132, 80, ImplRegistry.standard(), anyArch));
        assertTrue(a80.getMessage().contains("compute capability 9.0"), a80.getMessage());
        // a row keyed by an attention shape applies to that shape only: ERNIE's (16 q, 2 kv, 64) leaves Llama's rule alone
        ImplChoices keyed = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "fusions": [], "l2Prefetch": [],
                 "attention": [{"impl": "attention_prefill_wg", "qHeads": 16, "kvHeads": 2, "headDim": 64, "m": 1, "mMax": 64, "arch": 90,
                                "source": "t"}]}""");
        assertEquals(ImplRegistry.ATTENTION_WG, ForwardTestSupport.lower("ernie-4.5-0.3b", "64", 32, 132, ImplRegistry.standard(), keyed)
                .plan(64).op("L0.attention").impl().name());
        for (String preset : List.of("llama-3.2-1b", "tiny-g5")) { // tiny-g5: head dim 128, so nothing is refused either
            assertEquals(ForwardTestSupport.lower(preset, "64", 8, 132, ImplRegistry.standard(), ImplChoices.none()).plan(64).op("L0.attention").impl().name(),
                    ForwardTestSupport.lower(preset, "64", 8, 132, ImplRegistry.standard(), keyed).plan(64).op("L0.attention").impl().name(), preset);
        }
        // a row naming a GEMM is refused
        ImplChoices gemm = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "fusions": [], "l2Prefetch": [],
                 "attention": [{"impl": "gemm_bf16", "m": 16, "arch": 90, "source": "t"}]}""");
        assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), gemm));
    }

    @Test
    void ropeSpreadsAFewTokensOverMoreBlocksFromTheKeyOnly() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16,64,128,512");
        // ceil(132 SMs / capacity) blocks per token, at most 8: 16 -> 8, 64 -> 3, 128 -> 2, 512 -> 1
        int[][] want = {{16, 8}, {64, 3}, {128, 2}, {512, 1}};
        for (int[] w : want) {
            LoweredPlan p = f.plan(w[0]);
            assertArrayEquals(new int[] {w[0], w[1], 1}, p.op("L0.rope_kv").grid().atCapacity(p.key()), "size " + w[0]);
        }
        // eager at 10 tokens in the 16 bucket launches the bucket's blocks per token: the key decides, never the token count
        assertArrayEquals(new int[] {10, 8, 1}, f.plan(16).op("L0.rope_kv").grid().blocks(10, 1, 1));
        // fewer SMs, fewer blocks per token at the same bucket
        LoweredForward small = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 66, ImplRegistry.standard(), ImplChoices.none());
        assertArrayEquals(new int[] {16, 5, 1}, small.plan(16).op("L0.rope_kv").grid().atCapacity(small.plan(16).key()));
    }

    @Test
    void attentionTakesTheKeyHalvesFormWhereItsBlocksFitOneWaveOfTheFourWarpForm() {
        // ERNIE-4.5-0.3B (2 kv heads): 92 tiles x 2 at 512 <= 2 x 132 -> the 8-warp form at every bucket
        LoweredForward ernie = lower("ernie-4.5-0.3b", "16,512");
        assertEquals("attention_prefill_kh", ernie.plan(512).op("L0.attention").impl().name());
        assertEquals(KernelConstants.ATTN_KH_THREADS, ernie.plan(512).op("L0.attention").impl().threads());
        // Llama-3.2-1B (8 kv heads): 16 tiles x 8 fit, 62 x 8 at 512 do not -> the 4-warp form there
        LoweredForward llama = lower("llama-3.2-1b", "16,512");
        assertEquals("attention_prefill_kh", llama.plan(16).op("L0.attention").impl().name());
        assertEquals("attention_prefill", llama.plan(512).op("L0.attention").impl().name());
        int tiles = llama.plan(512).key().tileCapacity();
        assertTrue(tiles * 8 > 2 * 132 && ernie.plan(512).key().tileCapacity() * 2 <= 2 * 132, "tiles " + tiles);
        // on fewer SMs the same ERNIE bucket no longer fits: the rule reads the key, never a token count
        LoweredForward small = ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 66, ImplRegistry.standard(), ImplChoices.none());
        assertEquals("attention_prefill", small.plan(512).op("L0.attention").impl().name());
        // a caller without the model's dimensions gets the 4-warp form (the rule needs the kv heads)
        Op att = ernie.program().ops().stream().filter(o -> o.kind() == OpKind.ATTENTION).findFirst().orElseThrow();
        assertEquals("attention_prefill", ImplRegistry.standard().defaultFor(att, ernie.plan(512).key()).name());
    }

    @Test
    void splitKIsRefusedForTheFusedSiluEpilogue() {
        assertTrue(!ImplRegistry.standard().byName("gemm_bf16_silu").linearEpilogue());
        assertTrue(!ImplRegistry.standard().byName("gemm_bf16_large_silu").linearEpilogue());
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 512, 90, "gemm_bf16_large", 2, "test")),
                List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test")), List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), c));
        assertTrue(e.getMessage().contains("split-K 2 refused for gemm_bf16_large_silu"), e.getMessage());
        // the same split request without the fusion row lowers (unfused, split-K partials summed by silu_mul)
        ImplChoices split = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 512, 90, "gemm_bf16_large", 2, "test")), List.of(), List.of());
        LoweredPlan p = ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), split).plan(512);
        assertEquals(2, p.op("L0.gate_up").splits());
        assertEquals(2, p.op("L0.silu_mul").partialSplits());
        // a fused implementation is reached through its fusion row only, never as a plain GEMM
        ImplChoices direct = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 512, 90, "gemm_bf16_large_silu", 0, "test")), List.of(), List.of());
        assertThrows(IllegalArgumentException.class,
                () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), direct));
        // a GEMM the rule has no own fused form of (cuBLASLt here) becomes the 64 x 64 fused kernel
        ImplChoices cublas = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 512, 90, "cublaslt_gemm", 0, "test")),
                List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test")), List.of());
        assertEquals("gemm_bf16_silu", ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), cublas)
                .plan(512).op("L0.gate_up").impl().name());
    }

    @Test
    void tmaGemmsAreSelectedByRowsSplitAndFusedAndRefusedWhereTheTileCannotRun() {
        // ERNIE's layer GEMMs at 512: qkv (1280 x 1024) on 64 x 80, o (1024 x 1024) on 64 x 64 at 2 splits, gate_up
        // (6144 x 1024) on 128 x 192 with SiLU fused, down (1024 x 3072) on 64 x 64
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 512, 90, "gemm_bf16_tma_64x80s8", 0, "test"),
                new ImplChoices.GemmRow(1024, 1024, 512, 90, "gemm_bf16_tma_64x64s8", 2, "test"),
                new ImplChoices.GemmRow(6144, 1024, 512, 90, "gemm_bf16_tma_128x192s4", 0, "test"),
                new ImplChoices.GemmRow(1024, 3072, 512, 90, "gemm_bf16_tma_64x64s8", 0, "test")),
                List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test")), List.of());
        LoweredPlan p = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ImplRegistry.standard(), c).plan(512);
        LoweredOp qkv = p.op("L0.qkv"), o = p.op("L0.o"), gu = p.op("L0.gate_up"), down = p.op("L0.down");
        assertEquals("gemm_bf16_tma_64x80s8", qkv.impl().name());
        assertArrayEquals(new int[] {16, 8, 1}, qkv.grid().blocks(512, 32, 1));
        assertEquals(128 + 2 * 64, qkv.impl().threads());
        assertEquals(8 * (64 + 80) * 128 + 1024 + 16 * 8, qkv.impl().dynamicSmem());
        assertEquals(2, o.splits());
        assertArrayEquals(new int[] {16, 8, 2}, o.grid().blocks(512, 32, 1));
        assertEquals(2, p.op("L0.post_norm").partialSplits(), "the norm sums o's partials");
        assertEquals("gemm_bf16_tma_128x192s4_silu", gu.impl().name());
        assertEquals(List.of("L0.silu_mul"), gu.fused());
        assertArrayEquals(new int[] {32, 4, 1}, gu.grid().blocks(512, 32, 1));
        assertEquals("gemm_bf16_tma_64x64s8", down.impl().name());
        // the eager grid of a batch of 100 tokens: fewer row tiles, the same tile
        assertArrayEquals(new int[] {16, 2, 1}, qkv.grid().blocks(100, 32, 1));
        // never a default
        assertTrue(ForwardTestSupport.lower("ernie-4.5-0.3b", "512").plan(512).ops().stream().noneMatch(x -> x.impl().name().contains("tma")));
        // refused, naming why: 1280 columns do not split into tiles of 192 ...
        ImplChoices wide = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 512, 90, "gemm_bf16_tma_128x192s4", 0, "test")), List.of(), List.of());
        var e1 = assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), wide));
        assertTrue(e1.getMessage().contains("n % 192 == 0"), e1.getMessage());
        // ... 1024 / 32 splits is not a multiple of 64 ...
        ImplChoices split = choices(List.of(new ImplChoices.GemmRow(1024, 1024, 512, 90, "gemm_bf16_tma_64x64s8", 32, "test")), List.of(), List.of());
        var e2 = assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), split));
        assertTrue(e2.getMessage().contains("(k / splits) % 64"), e2.getMessage());
        // ... and an sm_80 device has no sm_90a code (a row for any arch, arch 0, still reaches the check)
        ImplChoices any = choices(List.of(new ImplChoices.GemmRow(1024, 1024, 512, 0, "gemm_bf16_tma_64x64s8", 0, "test")), List.of(), List.of());
        var e3 = assertThrows(IllegalArgumentException.class, () -> LoweredForward.of(ForwardProgram.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b")),
                io.prefillbench.plan.CaptureSizes.parse("512", io.prefillbench.plan.CaptureSizes.HARD_CAP), 32, 2048, 108, 80, ImplRegistry.standard(), any));
        assertTrue(e3.getMessage().contains("compute capability 9.0"), e3.getMessage());
        // every tile's pair is registered with the tile's kernel, block and shared memory; a depth that does not fit is refused
        for (TmaTile t : TmaTile.ALL) {
            assertEquals(t.kernel(), ImplRegistry.standard().byName(t.name()).kernel());
            assertEquals(t.kernel() + "_silu", ImplRegistry.standard().byName(t.name() + "_silu").kernel());
            assertEquals(t.smem(), ImplRegistry.standard().byName(t.name() + "_silu").dynamicSmem());
            assertTrue(t.smem() <= TmaTile.MAX_SMEM);
        }
        assertThrows(IllegalArgumentException.class, () -> new TmaTile(128, 192, 6));
    }

    @Test
    void aClusterReducedGemmHandsItsConsumerOnePlane() {
        // ERNIE at 16: o and down at 16 splits, qkv at 8, gate_up at 2, every one reduced in its cluster
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 16, 90, "gemm_bf16_stream_m16_csum", 8, "test"),
                new ImplChoices.GemmRow(1024, 1024, 16, 90, "gemm_bf16_stream_m16_csum", 16, "test"),
                new ImplChoices.GemmRow(6144, 1024, 16, 90, "gemm_bf16_stream_m16_csum", 2, "test"),
                new ImplChoices.GemmRow(1024, 3072, 16, 90, "gemm_bf16_stream_m16_csum", 16, "test")), List.of(), List.of());
        LoweredPlan p = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64", 32, 132, ImplRegistry.standard(), c).plan(16);
        LoweredOp o = p.op("L3.o"), down = p.op("L3.down");
        assertEquals("gemm_bf16_stream_m16_csum", o.impl().name());
        assertTrue(o.impl().attrs().contains(Impl.Attr.CLUSTER_SPLITK));
        assertEquals(16, o.splits());
        assertArrayEquals(new int[] {16, 1, 16}, o.grid().atCapacity(p.key()), "one cluster of 16 splits per column tile");
        assertEquals(1, p.op("L3.post_norm").partialSplits(), "the norm reads the one reduced plane");
        assertEquals(1, p.op("L4.input_norm").partialSplits());
        assertEquals(1, p.op("L3.rope_kv").partialSplits());
        assertEquals(1, p.op("L3.silu_mul").partialSplits());
        assertEquals(o.op().out("c"), p.op("L3.post_norm").op().in("x"), "through the GEMM's workspace");
        assertEquals(9, p.launchesPerLayer(3), "no reduce op");
        assertEquals(16, down.splits());
        // the plain streaming kernel hands it all 16 planes, as before
        LoweredPlan plain = ForwardTestSupport.lower("ernie-4.5-0.3b", "16").plan(16);
        assertEquals(16, plain.op("L3.post_norm").partialSplits());
        // never a default
        assertTrue(plain.ops().stream().noneMatch(x -> x.impl().name().endsWith("_csum")));
        // refused, naming why: more splits than one cluster holds, and a device without clusters
        ImplChoices many = choices(List.of(new ImplChoices.GemmRow(1024, 1024, 16, 90, "gemm_bf16_stream_m16_csum", 32, "test")), List.of(), List.of());
        var e1 = assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), many));
        assertTrue(e1.getMessage().contains("at most 16 splits"), e1.getMessage());
        ImplChoices any = choices(List.of(new ImplChoices.GemmRow(1024, 1024, 16, 0, "gemm_bf16_stream_m16_csum", 16, "test")), List.of(), List.of());
        var e2 = assertThrows(IllegalArgumentException.class, () -> LoweredForward.of(ForwardProgram.of(io.prefillbench.model.Presets.byName("ernie-4.5-0.3b")),
                io.prefillbench.plan.CaptureSizes.parse("16", io.prefillbench.plan.CaptureSizes.HARD_CAP), 32, 2048, 108, 80, ImplRegistry.standard(), any));
        assertTrue(e2.getMessage().contains("thread-block clusters"), e2.getMessage());
    }

    @Test
    void aHalfWidthStreamingGemmKeepsItsBlocksAtHalfTheSplits() {
        // ERNIE at 16: o and down at 8 splits on 32-column tiles (256 blocks, as the plain kernel's 16 x 16), gate_up unsplit
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(1024, 1024, 16, 90, "gemm_bf16_stream_m16_n32", 8, "test"),
                new ImplChoices.GemmRow(6144, 1024, 16, 90, "gemm_bf16_stream_m16_n32", 1, "test"),
                new ImplChoices.GemmRow(1024, 3072, 16, 90, "gemm_bf16_stream_m16_n32", 8, "test")), List.of(), List.of());
        LoweredPlan p = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64", 32, 132, ImplRegistry.standard(), c).plan(16);
        LoweredOp o = p.op("L3.o");
        assertEquals("gemm_bf16_stream_m16_n32", o.impl().name());
        assertEquals(8, o.splits());
        assertArrayEquals(new int[] {32, 1, 8}, o.grid().atCapacity(p.key()), "n / 32 column tiles, 8 splits");
        assertEquals(KernelConstants.GEMM_STREAM_N32_SMEM_M16, o.impl().dynamicSmem());
        assertEquals(8, p.op("L3.post_norm").partialSplits(), "the norm sums 8 planes, not 16");
        assertEquals(8, p.op("L4.input_norm").partialSplits());
        assertEquals(1, p.op("L3.gate_up").splits());
        assertEquals(0, p.op("L3.silu_mul").partialSplits(), "unsplit gate_up: silu_mul reads bf16 rows");
        assertEquals("gemm_bf16_stream_m16", p.op("L3.qkv").impl().name(), "no row: the plain kernel");
        // never a default
        assertTrue(ForwardTestSupport.lower("ernie-4.5-0.3b", "16").plan(16).ops().stream().noneMatch(x -> x.impl().name().endsWith("_n32")));
        // refused, naming why: k / splits not in whole 128 steps, and a variant that does not hold the bucket
        ImplChoices odd = choices(List.of(new ImplChoices.GemmRow(1024, 1024, 16, 90, "gemm_bf16_stream_m16_n32", 16, "test")), List.of(), List.of());
        var e1 = assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), odd));
        assertTrue(e1.getMessage().contains("whole 128 steps"), e1.getMessage());
        ImplChoices small = choices(List.of(new ImplChoices.GemmRow(1024, 1024, 64, 90, "gemm_bf16_stream_m16_n32", 8, "test")), List.of(), List.of());
        var e2 = assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "64", 32, 132, ImplRegistry.standard(), small));
        assertTrue(e2.getMessage().contains("holds 16 rows"), e2.getMessage());
    }

    @Test
    void l2PrefetchRunsOnASideBranchWhenSwitchedOn() {
        ImplChoices c = choices(List.of(), List.of(), List.of(new ImplChoices.KeyRow(16, 90, "test")));
        LoweredForward f = ForwardTestSupport.lower("tiny", "16,64", 8, 132, ForwardTestSupport.withPrefetch(), c);
        int layers = f.program().dims().layers();
        List<LoweredOp> side = f.plan(16).ops().stream().filter(o -> o.stream() != 0).toList();
        assertEquals(layers - 1, side.size());
        LoweredOp first = side.getFirst();
        assertEquals("L1.prefetch", first.op().name());
        assertEquals("tile_map", first.forkAfter());
        assertEquals("L1.input_norm", first.joinBefore());
        assertTrue(first.op().weights().containsValue("layers.1.qkv.weight") || !first.op().weights().isEmpty());
        assertTrue(f.plan(64).ops().stream().allMatch(o -> o.stream() == 0), "off where the file has no row");
        // switched on without an implementation: refused with a reason
        ImplRegistry none = new ImplRegistry(ImplRegistry.standard().impls().stream().filter(i -> i.kind() != OpKind.L2_PREFETCH).toList(),
                ImplRegistry.standard().fusions());
        assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower("tiny", "16", 8, 132, none, c));
    }

    /**
     * A prefetch row (v48) puts one l2_prefetch_rows op in the main chain of every layer, right before the op it names,
     * with PDL like its neighbours, pulling the row's fraction of each row of that layer's GEMM weight; only for the
     * weight shape it names (not ERNIE's gate_up) and only at its sizes. A row naming an op that is fused away, or one
     * that runs after the GEMM, is refused with the fix.
     */
    @Test
    void aPrefetchRowPutsOnePrefetchOpPerLayerBeforeTheOpItNames() {
        ImplChoices.PrefetchRow gateUp = new ImplChoices.PrefetchRow("gate_up", "attention", 0.6, 16384, 2048, 1, 16, 90, "test");
        ImplChoices.PrefetchRow qkv = new ImplChoices.PrefetchRow("qkv", "input_norm", 1.0, 3072, 2048, 16, 32, 90, "test");
        ImplChoices c = new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(gateUp, qkv));
        LoweredForward f = ForwardTestSupport.lower("llama-3.2-1b", "16,32", 16, 132, ImplRegistry.standard(), c);
        LoweredPlan p = f.plan(16);
        int layers = f.program().dims().layers();
        List<String> names = p.ops().stream().map(o -> o.op().name()).toList();
        for (int l = 0; l < layers; l++) {
            int pf = names.indexOf("L" + l + ".prefetch.gate_up");
            assertEquals(names.indexOf("L" + l + ".attention") - 1, pf, "right before attention in layer " + l);
            int pq = names.indexOf("L" + l + ".prefetch.qkv");
            assertEquals(names.indexOf("L" + l + ".input_norm") - 1, pq, "right before input_norm in layer " + l);
        }
        LoweredOp op = p.op("L3.prefetch.gate_up");
        assertEquals("l2_prefetch_rows", op.impl().name());
        assertEquals(0, op.stream());
        assertTrue(op.impl().attrs().contains(Impl.Attr.PDL), "PDL in the chain: " + op.impl().attrs());
        assertEquals(p.op("L3.gate_up").op().weight("weight"), op.op().weight("weight"));
        assertEquals(16384, op.op().n());
        assertEquals(1224, op.op().k(), "0.6 of 2048 columns, down to a multiple of 8");
        assertEquals(2048, p.op("L3.prefetch.qkv").op().k());
        assertEquals(ImplRegistry.PREFETCH_ROWS_BLOCKS, op.grid().atCapacity(p.key())[0]);
        ImplChoices early = new ImplChoices(c.provenance(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(new ImplChoices.PrefetchRow("gate_up", "attention", 0.6, 16384, 2048, 1, 16, 90, "test", true, null),
                        new ImplChoices.PrefetchRow("qkv", "input_norm", 0.5, 3072, 2048, 1, 16, 90, "test", true, true),
                        new ImplChoices.PrefetchRow("down", "post_norm", 0.5, 2048, 8192, 1, 16, 90, "test", null, true)));
        LoweredPlan pe = ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), early).plan(16);
        assertEquals("l2_prefetch_rows_early", pe.op("L3.prefetch.gate_up").impl().name());
        assertEquals("l2_prefetch_lines_early", pe.op("L3.prefetch.qkv").impl().name());
        assertEquals("l2_prefetch_lines", pe.op("L3.prefetch.down").impl().name());
        assertTrue(pe.ops().stream().filter(o -> o.op().kind() == OpKind.L2_PREFETCH_AHEAD).allMatch(o -> o.impl().attrs().contains(Impl.Attr.PDL)));
        assertEquals(0, f.plan(32).ops().stream().filter(o -> o.op().kind() == OpKind.L2_PREFETCH_AHEAD && o.op().name().contains("gate_up")).count(),
                "the gate_up row stops at 16");
        assertEquals(layers, f.plan(32).ops().stream().filter(o -> o.op().kind() == OpKind.L2_PREFETCH_AHEAD).count(), "the qkv row goes on at 32");
        // the same rows reach no other model's GEMMs
        LoweredPlan ernie = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), c).plan(16);
        assertTrue(ernie.ops().stream().noneMatch(o -> o.op().kind() == OpKind.L2_PREFETCH_AHEAD));
        // an op that is not in the plan, or that runs after the GEMM: refused, naming the fix
        for (String before : List.of("rope", "down")) {
            ImplChoices bad = new ImplChoices(c.provenance(), List.of(), List.of(), List.of(), List.of(), List.of(),
                    List.of(new ImplChoices.PrefetchRow("gate_up", before, 0.5, 16384, 2048, 16, null, 90, "test")));
            var e = assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), bad));
            assertTrue(e.getMessage().contains("L0." + before) && e.getMessage().contains("name an op of the layer"), e.getMessage());
        }
        var frac = assertThrows(IllegalArgumentException.class, () -> new ImplChoices.PrefetchRow("gate_up", "attention", 1.5, 16384, 2048, 16, null, 90, "t"));
        assertTrue(frac.getMessage().contains("not in (0, 1]"), frac.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> new ImplChoices.PrefetchRow("gate_up", "attention", 0.5, 0, 0, 16, null, 90, "t"));
        assertTrue(shape.getMessage().contains("weight shape"), shape.getMessage());
    }

    @Test
    void standardPrefetchTouchesTheNextLayersGemmWeightsWithFewBlocks() {
        ImplChoices c = choices(List.of(), List.of(), List.of(new ImplChoices.KeyRow(16, 90, "test")));
        LoweredPlan p = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), c).plan(16);
        LoweredOp pf = p.op("L5.prefetch");
        assertEquals("l2_prefetch", pf.impl().name());
        assertEquals(1, pf.stream());
        assertTrue(pf.impl().attrs().isEmpty(), "no PDL on the side branch: " + pf.impl().attrs());
        assertEquals(4, pf.op().weights().size());
        assertTrue(pf.op().weights().values().stream().allMatch(w -> w.equals(p.op("L5.qkv").op().weight("weight"))
                || w.equals(p.op("L5.o").op().weight("weight")) || w.equals(p.op("L5.gate_up").op().weight("weight"))
                || w.equals(p.op("L5.down").op().weight("weight"))), pf.op().weights().toString());
        assertTrue(pf.op().weights().size() <= KernelConstants.PREFETCH_MAX_TENSORS);
        int[] g = pf.grid().atCapacity(p.key());
        assertTrue(g[0] >= 8 && g[0] <= 16 && g[1] == 1 && g[2] == 1, "few blocks: " + java.util.Arrays.toString(g));
        // fork after the last op before layer 4, join before layer 5's first op
        assertEquals("L3.down", pf.forkAfter());
        assertEquals("L5.input_norm", pf.joinBefore());
        assertEquals(17, p.ops().stream().filter(o -> o.stream() == 1).count());
        assertEquals(167 + 17, p.launchCount());
    }

    @Test
    void cublasLtRowPinsItsAlgorithmAndTheDumpRecordsIt() {
        String algo = "id=66 tile=20 stages=35 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0";
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 16, 90, "cublaslt_gemm", 0, "test", algo),
                new ImplChoices.GemmRow(1024, 1024, 16, 90, "cublaslt_gemm", 0, "test")), List.of(), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), c);
        LoweredPlan p = f.plan(16);
        assertEquals(algo, p.op("L0.qkv").algo());
        assertNull(p.op("L0.o").algo());
        assertEquals(1, p.op("L0.qkv").splits());
        assertTrue(p.op("L0.qkv").describe(p.key()).contains("algo=[" + algo + "]"), p.op("L0.qkv").describe(p.key()));
        String dump = OpDump.of(f);
        String qkv = dump.lines().filter(l -> l.contains(" op=L0.qkv ")).findFirst().orElseThrow();
        assertTrue(qkv.endsWith(" algo=" + algo.replace(' ', ',') + " pdl=0"), qkv);
        String o = dump.lines().filter(l -> l.contains(" op=L0.o ")).findFirst().orElseThrow();
        assertTrue(o.endsWith(" algo=heuristic pdl=0"), o);
        String gu = dump.lines().filter(l -> l.contains(" op=L0.gate_up ")).findFirst().orElseThrow();
        assertTrue(gu.endsWith(" fork=- join=- algo=- pdl=1"), gu);
        // the dumped form reads back as the same algorithm
        assertEquals(io.prefillbench.cuda.CublasLtMatmul.Algo.parse(algo),
                io.prefillbench.cuda.CublasLtMatmul.Algo.parse(qkv.substring(qkv.indexOf(" algo=") + 6, qkv.indexOf(" pdl=")).replace(',', ' ')));
        // an algo on one of our kernels, or a malformed one, is refused at lowering
        ImplChoices onKernel = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 16, 90, "gemm_bf16", 0, "test", algo)), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), onKernel));
        ImplChoices bad = choices(List.of(new ImplChoices.GemmRow(1280, 1024, 16, 90, "cublaslt_gemm", 0, "test", "id=66 tile=20")), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), bad));
    }

    @Test
    void gemmRowsReadWithAndWithoutAnAlgo() {
        ImplChoices c = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "results/x", "note": "n"},
                 "gemm": [{"n": 1280, "k": 1024, "m": 16, "arch": 90, "impl": "cublaslt_gemm", "splits": 0, "source": "s",
                           "algo": "id=1 tile=2 stages=3 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0"},
                          {"n": 1024, "k": 1024, "m": 16, "arch": 90, "impl": "cublaslt_gemm", "splits": 0, "source": "s"}],
                 "fusions": [], "l2Prefetch": [{"m": 16, "arch": 90, "source": "unmeasured"}]}""");
        assertEquals("id=1 tile=2 stages=3 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0", c.gemm().get(0).algo());
        assertNull(c.gemm().get(1).algo());
        assertEquals(1, c.l2Prefetch().size());
        assertTrue(c.l2Prefetch().get(0).enabled(), "a row without \"on\" switches the op on");
    }

    /**
     * The t32 attention form (s20) runs 32-row tiles: a plan that picks it counts its tile capacity in them and says so in
     * the op dump (the harness builds its tile map from that), the decode plan beside it keeps the standard tiles, and a
     * key counted in the other tiles is refused rather than lowered into a grid that would leave tiles without blocks.
     */
    @Test
    void aHalfTileAttentionFormCountsItsOwnTiles() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16,64", 1, 132, ImplRegistry.standard(), ImplChoices.bundled());
        LoweredForward f128 = lower("ernie-4.5-0.3b", "128", 1, 132, ImplRegistry.standard(), ImplChoices.bundled());
        LoweredPlan p16 = f.plan(16), d16 = f.decodePlan(16).orElseThrow(), p128 = f128.plan(128);
        assertEquals(ImplRegistry.ATTENTION_WG_EARLY_T32, p16.op("L0.attention").impl().name());
        assertEquals(32, p16.key().tileRows());
        // one sequence of 16 tokens, group 8: 128 rows, 4 tiles of 32 (2 of 64)
        assertEquals(4, p16.key().tileCapacity());
        assertEquals(64, d16.key().tileRows());
        assertEquals(2, d16.key().tileCapacity());
        assertEquals(32, f.plan(64).key().tileRows());
        assertEquals(64, p128.key().tileRows());
        assertEquals(4, p16.op("L0.attention").grid().atCapacity(p16.key())[0], "one block per 32-row tile");
        String dump = OpDump.of(f);
        assertTrue(dump.lines().filter(l -> l.startsWith("size=16 ")).allMatch(l -> l.endsWith(" tile_rows=32")), dump);
        assertTrue(dump.lines().filter(l -> l.startsWith("# decode graph:")).noneMatch(l -> l.contains("tile_rows")));
        // at 128 the plain plan keeps the 64-row tiles; its fresh-prompt graph (s26) runs t32 and says so
        assertTrue(OpDump.of(f128).lines().filter(l -> l.startsWith("size=128 ")).noneMatch(l -> l.contains("tile_rows")));
        assertTrue(OpDump.of(f128).lines().filter(l -> l.startsWith("# fresh-prompt graph: ")).allMatch(l -> l.contains(" tile_rows=32")));
        assertEquals(32, f128.freshPlan(128).orElseThrow().key().tileRows());
        // planted: size 16's key in 64-row tiles, lowered with the t32 row
        CaptureKey wrong = new CaptureKey(16, 1, 2, 132, 90);
        var e = assertThrows(IllegalStateException.class, () -> Lowering.lower(f.program(), wrong, ImplRegistry.standard(), ImplChoices.bundled()));
        assertTrue(e.getMessage().contains("runs tiles of 32 rows but the capture key counts tiles of 64"), e.getMessage());
        assertEquals(64, ImplRegistry.tileRows(ImplRegistry.standard().byName(ImplRegistry.ATTENTION_WG_EARLY)));
        assertEquals(32, ImplRegistry.tileRows(ImplRegistry.standard().byName(ImplRegistry.ATTENTION_WG_EARLY_T32)));
    }

    @Test
    void theBundledAttentionRowPutsOnlyErniesShapeOnTheWgmmaForm() {
        // v31 at two blocks per SM was bundled and taken back in session 10 (decode-heavy steps 9-29 % slower); at one
        // block per SM it won every workload and decode mix measured in session 11 (results/h200-ab-20261130/s11/), so
        // the rows cover ERNIE-4.5-0.3B's attention shape (16 q / 2 kv heads of 64) at every size, the early form (v39) from
        // 17 on (results/h200-ab-20261130/s14/); tiny's shape (4 q / 2 kv heads of 64, tiny and tiny-bias) on the early form
        // at 1..16 (s17 call 3), Llama-3.2-1B's (32 q / 8 kv) at 17..512 (s17 call 5); other presets keep the rule
        // s19 (results/h200-ab-20261130/s19/call3/): ERNIE's prompts at 1..16 on the early form too, its uniform decode steps
        // on the wg form (decode rows); Llama's uniform decode steps at 1..16 on the early form, its prompts on the rule's
        // s20 (results/h200-ab-20261130/s20/): ERNIE's prompts at 1..16 and every batch at 17..64 on the early form over
        // 32-row tiles (t32), Llama's at 17..64 too; s21 (results/h200-ab-20261130/s21/call1/): Llama's prompts at 1..16 on t32;
        // s26 (results/h200-ab-20261130/s26/call10/): tiny's prompts at 1..16 on t32, its uniform decode steps on the early form
        // s26 (call 14): ERNIE's fresh prompts at 65..128 on t32 in a fresh-prompt graph
        ImplChoices b = ImplChoices.bundled();
        assertEquals(11, b.attention().size());
        assertEquals(3, b.attention().stream().filter(ImplChoices.AttentionRow::decodeOnly).count());
        assertEquals(1, b.attention().stream().filter(ImplChoices.AttentionRow::freshOnly).count());
        for (String preset : Presets.names()) {
            LoweredForward bundled = ForwardTestSupport.lower(preset, "16,17,64,512", 32, 132, ImplRegistry.standard(), b);
            LoweredForward rule = ForwardTestSupport.lower(preset, "16,17,64,512", 32, 132, ImplRegistry.standard(), ImplChoices.none());
            boolean tinyShape = preset.equals("tiny") || preset.equals("tiny-bias"), llama = preset.equals("llama-3.2-1b");
            boolean ernie = preset.equals("ernie-4.5-0.3b");
            for (int s : new int[] {16, 17, 64, 512}) {
                assertEquals((ernie || llama) && s <= 64 || tinyShape && s <= 16 ? ImplRegistry.ATTENTION_WG_EARLY_T32
                                : ernie || llama && s >= 17 ? ImplRegistry.ATTENTION_WG_EARLY
                                : rule.plan(s).op("L0.attention").impl().name(),
                        bundled.plan(s).op("L0.attention").impl().name(), preset + " at " + s);
                // the plan's tiles are its attention kernel's: 32 rows for t32 (its capacity counted in them), 64 otherwise
                assertEquals(ImplRegistry.tileRows(bundled.plan(s).op("L0.attention").impl()), bundled.plan(s).key().tileRows(), preset + " at " + s);
                // a decode graph only where a decode row changes the plan: ERNIE's, Llama's and tiny's size 16
                assertEquals((ernie || llama || tinyShape) && s == 16, bundled.decodePlan(s).isPresent(), preset + " decode graph at " + s);
                // a fresh-prompt graph only where a fresh row changes the plan: ERNIE's and tiny's size 16 (attention_into_o; ERNIE's
                // t32 row covers 65..128)
                assertEquals((ernie || tinyShape) && s == 16, bundled.freshPlan(s).isPresent(), preset + " fresh-prompt graph at " + s);
            }
            if (ernie) assertEquals(ImplRegistry.ATTENTION_WG, bundled.decodePlan(16).orElseThrow().op("L0.attention").impl().name());
            if (llama || tinyShape) assertEquals(ImplRegistry.ATTENTION_WG_EARLY, bundled.decodePlan(16).orElseThrow().op("L0.attention").impl().name());
        }
    }

    @Test
    void bundledMeasurementsFileHasProvenance() {
        ImplChoices b = ImplChoices.bundled();
        assertEquals("NVIDIA H200", b.provenance().card());
        assertEquals("kernels/results-stream/stream-recommendations.csv", b.provenance().source());
        assertTrue(Files.exists(Path.of("..").resolve(b.provenance().source())) || Files.exists(Path.of(b.provenance().source())),
                "the provenance names a file of the repository");
        assertTrue(b.l2Prefetch().stream().noneMatch(ImplChoices.KeyRow::enabled), "L2 prefetch is off until measured: " + b.l2Prefetch());
        assertTrue(b.l2Prefetch().stream().anyMatch(r -> r.m() == 16 && r.arch() == 90), "bucket 16 listed as a candidate");
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ImplRegistry.standard(), b);
        assertTrue(f.all().stream().allMatch(p -> p.ops().stream().allMatch(o -> o.stream() == 0)), "no side op from the bundled file");
        // the same rows flipped on switch the side branch on
        ImplChoices flipped = choices(List.of(), List.of(), b.l2Prefetch().stream()
                .map(r -> new ImplChoices.KeyRow(r.m(), r.arch(), true, r.source())).toList());
        assertTrue(ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), flipped).plan(16)
                .ops().stream().anyMatch(o -> o.stream() == 1));
    }
}
