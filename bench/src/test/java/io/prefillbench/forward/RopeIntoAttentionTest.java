package io.prefillbench.forward;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.prefillbench.forward.ForwardTestSupport.lower;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attention_prefill_wg_early_t32_rope ({@link Impl.Attr#ROPE_IN}): an attention row naming it folds the layer's rope_kv op
 * into the attention op ({@link Lowering#foldRopeIntoAttention}), the qkv GEMM's split-K partials feed it directly, the
 * decode plan beside it keeps its own form and rope op; refused above 64 tokens and where rope_into_qkv already took rope.
 */
class RopeIntoAttentionTest {
    private static final String ROPE = ImplRegistry.ATTENTION_WG_EARLY_T32_ROPE;

    /**
     * {@code base} with its non-decode attention rows for {@code qHeads} q heads that start at {@code m} naming
     * {@code impl} instead (what the s21 candidate files do).
     */
    static ImplChoices switched(ImplChoices base, int qHeads, int m, String impl) {
        List<ImplChoices.AttentionRow> rows = new ArrayList<>();
        boolean hit = false;
        for (ImplChoices.AttentionRow r : base.attention()) {
            if (r.qHeads() == qHeads && r.m() == m && !r.decodeOnly()) {
                rows.add(new ImplChoices.AttentionRow(impl, r.qHeads(), r.kvHeads(), r.headDim(), r.m(), r.mMax(), r.arch(), "test"));
                hit = true;
            } else {
                rows.add(r);
            }
        }
        assertTrue(hit, "no attention row for " + qHeads + " q heads at m=" + m);
        return base.withAttention(rows);
    }

    /**
     * The bundled file without its GEMM and fusion rows scoped to a batch kind (s25, v65: ERNIE's and Llama's qkv at 1..16 in
     * the plain graph on the half-width tiles with rope fused): rope folds into the GEMM or into the attention, never both,
     * and these tests measure the attention's fold against the forward as it was before those rows (and before v75's pair-tile
     * rows, s34, which fold rope into qkv in every graph).
     */
    static ImplChoices base() {
        ImplChoices b = ForwardTestSupport.withoutPairTiles(ImplChoices.bundled());
        return b.withGemm(b.gemm().stream().filter(r -> r.batch() == null).toList())
                .withFusions(b.fusions().stream().filter(r -> r.batch() == null).toList());
    }

    /** {@code base} without its rope_into_qkv rows (the bundled file fuses rope into tiny's and Llama's qkv at 1..16). */
    static ImplChoices withoutRopeIntoQkv(ImplChoices base) {
        return base.withFusions(base.fusions().stream().filter(r -> !r.fusion().equals(ImplRegistry.ROPE_INTO_QKV)).toList());
    }

    @Test
    void theAttentionTakesOverErniesRopeOpAndTheQkvPartialsAtSixteen() {
        ImplChoices bundled = base();
        LoweredForward before = lower("ernie-4.5-0.3b", "16,64", 16, 132, ImplRegistry.standard(), bundled);
        LoweredForward f = lower("ernie-4.5-0.3b", "16,64", 16, 132, ImplRegistry.standard(), switched(bundled, 16, 1, ROPE));
        LoweredPlan p = f.plan(16);
        int splits = p.op("L0.qkv").splits();
        assertEquals(4, splits, "ERNIE's qkv GEMM at 16 splits 4 ways");
        for (int l = 0; l < 18; l++) {
            int layer = l;
            assertTrue(p.ops().stream().noneMatch(o -> o.op().name().equals("L" + layer + ".rope_kv")), "L" + l + ".rope_kv folded");
        }
        assertTrue(p.ops().stream().noneMatch(o -> o.op().kind() == OpKind.ROPE_KV || o.op().kind() == OpKind.SPLITK_REDUCE), "no rope, no reduce");
        LoweredOp att = p.op("L0.attention");
        assertEquals(ROPE, att.impl().name());
        assertEquals(splits, att.partialSplits(), "the qkv GEMM's partials feed the attention");
        assertEquals(16, att.partialRows());
        assertEquals(List.of("L0.rope_kv"), att.fused());
        Op op = att.op();
        assertEquals("splitk.qkv", op.in("qkv"));
        assertEquals("splitk.qkv", p.op("L0.qkv").op().out("c"));
        assertNull(op.in("q"), "the kernel computes q itself");
        assertEquals(ForwardProgram.kCache(0), op.out("k_cache"));
        assertEquals(ForwardProgram.vCache(0), op.out("v_cache"));
        assertEquals(ForwardProgram.kCache(0), op.in("k_cache"), "the caches stay reads");
        for (String r : List.of("cos_sin", "positions", "slot_mapping", "num_tokens")) assertTrue(op.in(r) != null, r + " taken over: " + op.reads());
        assertNull(op.weight("bias"), "ERNIE has no qkv bias");
        assertEquals(32, p.key().tileRows());
        assertEquals(ImplRegistry.tileRows(att.impl()), 32);
        assertEquals(before.plan(16).key(), p.key(), "the same tiles and capacities as the t32 row");
        assertEquals(before.plan(16).launchesPerLayer(0) - 1, p.launchesPerLayer(0), "one launch fewer per layer");
        // the plan order of the early forms: build_tile_map first, the op after it serialized behind it (without PDL, or
        // reading the metadata after its wait: embed since v63); the attention keeps PDL
        assertTrue(att.impl().attrs().containsAll(List.of(Impl.Attr.PDL, Impl.Attr.TILE_MAP_BEFORE_WAIT, Impl.Attr.HALF_TILES, Impl.Attr.ROPE_IN)));
        assertEquals(KernelConstants.ATTN_WG_SMEM, att.impl().dynamicSmem());
        assertEquals(KernelConstants.ATTN_KH_THREADS, att.impl().threads());
        assertEquals(before.plan(16).op("L0.attention").grid().atCapacity(p.key())[0], att.grid().atCapacity(p.key())[0]);
        // the decode graph keeps the wg form (ERNIE's decode row) and its rope op, fed the partials as before
        LoweredPlan d = f.decodePlan(16).orElseThrow();
        assertEquals(ImplRegistry.ATTENTION_WG, d.op("L0.attention").impl().name());
        assertEquals("rope_kv_write", d.op("L0.rope_kv").impl().name());
        assertEquals(splits, d.op("L0.rope_kv").partialSplits());
        assertEquals(ForwardProgram.QKV, d.op("L0.attention").op().in("q"));
        // 64 keeps the bundled t32 row: unchanged
        assertEquals(ImplRegistry.ATTENTION_WG_EARLY_T32, f.plan(64).op("L0.attention").impl().name());
        assertEquals("rope_kv_write", f.plan(64).op("L0.rope_kv").impl().name());
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
    }

    /** The op dump the C++ harness replays: the fused op's line names its impl, its partial input and the rope op it took. */
    @Test
    void theDumpLineOfTheFusedAttention() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), switched(base(), 16, 1, ROPE));
        String dump = OpDump.of(f);
        String line = dump.lines().filter(l -> l.startsWith("size=16 ") && l.contains(" op=L0.attention ")).findFirst().orElseThrow();
        assertTrue(line.contains(" kind=ATTENTION layer=0 impl=" + ROPE + " kernel=" + ROPE + " "), line);
        assertTrue(line.contains(" partial_in=4 "), line);
        assertTrue(line.contains(" fused=L0.rope_kv "), line);
        assertTrue(line.contains(" threads=256 smem=" + KernelConstants.ATTN_WG_SMEM + " "), line);
        assertTrue(line.endsWith(" tile_rows=32"), line);
        assertTrue(dump.lines().noneMatch(l -> l.startsWith("size=16 ") && l.contains(" op=L0.rope_kv ")), "no rope line in the plain plan");
        assertTrue(dump.lines().anyMatch(l -> l.startsWith("# decode graph: size=16 ") && l.contains(" op=L0.rope_kv ")), "the decode graph's rope");
        assertTrue(f.plan(16).op("L0.attention").describe(f.plan(16).key()).contains(" partial_in=4 fused=L0.rope_kv"));
    }

    /**
     * ERNIE at 64 (its 17..64 row switched too): the qkv GEMM splits 4 ways there as well, so the partials feed the
     * attention; tiny-bias at 16 runs its qkv unsplit: the attention then reads the bf16 qkv tensor, no partial input.
     */
    @Test
    void theAttentionReadsPartialsOrTheBf16QkvAsTheGemmWritesThem() {
        ImplChoices both = switched(switched(base(), 16, 1, ROPE), 16, 17, ROPE);
        LoweredPlan p = lower("ernie-4.5-0.3b", "16,64", 16, 132, ImplRegistry.standard(), both).plan(64);
        assertEquals(ROPE, p.op("L0.attention").impl().name());
        assertEquals(4, p.op("L0.qkv").splits());
        assertEquals(4, p.op("L0.attention").partialSplits());
        assertEquals(64, p.op("L0.attention").partialRows());
        assertEquals("splitk.qkv", p.op("L0.attention").op().in("qkv"));
        assertTrue(p.ops().stream().noneMatch(o -> o.op().kind() == OpKind.ROPE_KV || o.op().kind() == OpKind.SPLITK_REDUCE));
        LoweredPlan tiny = lower("tiny-bias", "16", 16, 132, ImplRegistry.standard(), withoutRopeIntoQkv(switched(base(), 4, 1, ROPE)))
                .plan(16);
        LoweredOp att = tiny.op("L0.attention");
        assertEquals(1, tiny.op("L0.qkv").splits());
        assertEquals(0, att.partialSplits());
        assertEquals(ForwardProgram.QKV, att.op().in("qkv"));
        assertEquals(ForwardProgram.QKV, tiny.op("L0.qkv").op().out("c"));
    }

    /** Above 64 tokens a sequence's query could exceed what the kernel takes: a row reaching 128 is refused, naming why. */
    @Test
    void refusedWhereTheCaptureSizeHoldsMoreThanSixtyFourTokens() {
        ImplChoices rows = ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "fusions": [], "l2Prefetch": [],
                 "attention": [{"impl": "attention_prefill_wg_early_t32_rope", "qHeads": 16, "kvHeads": 2, "headDim": 64, "m": 1, "mMax": 128,
                                "arch": 90, "source": "t"}]}""");
        assertEquals(ROPE, lower("ernie-4.5-0.3b", "64", 16, 132, ImplRegistry.standard(), rows).plan(64).op("L0.attention").impl().name());
        var e = assertThrows(IllegalArgumentException.class, () -> lower("ernie-4.5-0.3b", "16,128", 16, 132, ImplRegistry.standard(), rows));
        assertTrue(e.getMessage().contains("L0.attention at size 128: " + ROPE + " takes at most 64 new tokens per sequence"), e.getMessage());
        assertTrue(e.getMessage().contains("the capture size holds 128") && e.getMessage().contains("drop the attention row " + ROPE + " for m=1..128"),
                e.getMessage());
        assertEquals(64, KernelConstants.ATTN_ROPE_MAX_NEW);
        // the wgmma forms' own refusals first: head dim 128
        var g5 = assertThrows(IllegalArgumentException.class, () -> lower("tiny-g5", "16", 8, 132, ImplRegistry.standard(),
                ImplChoices.parse("""
                        {"provenance": {"card": "c", "date": "d", "source": "s", "note": "n"}, "gemm": [], "fusions": [], "l2Prefetch": [],
                         "attention": [{"impl": "attention_prefill_wg_early_t32_rope", "m": 16, "arch": 90, "source": "t"}]}""")));
        assertTrue(g5.getMessage().contains("head dim 64"), g5.getMessage());
        // never a default: the rule does not pick it
        assertTrue(lower("ernie-4.5-0.3b", "16").all().stream().flatMap(p -> p.ops().stream()).noneMatch(o -> o.impl().name().equals(ROPE)));
    }

    /** Llama-3.2-1B at 16: the bundled rope_into_qkv row fused rope into the qkv GEMM; the row naming the fold is refused, naming both. */
    @Test
    void refusedWhereRopeIntoQkvAlreadyTookTheRopeOp() {
        ImplChoices c = switched(base(), 32, 1, ROPE);
        var e = assertThrows(IllegalStateException.class, () -> lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), c));
        String m = e.getMessage();
        assertTrue(m.contains("L0.attention at size 16: " + ROPE + " does its layer's rope_kv itself"), m);
        assertTrue(m.contains("comes from L0.qkv (gemm_bf16_stream_m16_rope)"), m);
        assertTrue(m.contains("drop the rope_into_qkv fusion row for m=1..16 (n=3072 k=2048) or the attention row " + ROPE + " for m=1..16"), m);
        // without the fusion row, the fold goes through
        LoweredPlan p = lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), withoutRopeIntoQkv(c)).plan(16);
        assertEquals(List.of("L0.rope_kv"), p.op("L0.attention").fused());
        assertEquals("gemm_bf16_stream_m16", p.op("L0.qkv").impl().name());
    }

    /** tiny-bias: the qkv bias moves with the rope op onto the attention (tiny's bundled rope_into_qkv row dropped). */
    @Test
    void theQkvBiasMovesToTheAttention() {
        ImplChoices c = withoutRopeIntoQkv(switched(base(), 4, 1, ROPE));
        LoweredForward f = lower("tiny-bias", "16,64", 16, 132, ImplRegistry.standard(), c);
        for (int l = 0; l < 2; l++) {
            LoweredOp att = f.plan(16).op("L" + l + ".attention");
            assertEquals(ROPE, att.impl().name());
            assertEquals("layers." + l + ".qkv_bias", att.op().weight("bias"));
            assertEquals(List.of("L" + l + ".rope_kv"), att.fused());
            assertEquals(f.plan(16).op("L" + l + ".qkv").splits() > 1 ? f.plan(16).op("L" + l + ".qkv").splits() : 0, att.partialSplits());
        }
        assertEquals(32, f.plan(16).key().tileRows(), "tiny's 1..16 row had 64-row tiles; the new form counts 32");
        assertEquals("rope_kv_write", f.plan(64).op("L0.rope_kv").impl().name(), "64: tiny's rule, rope its own op");
        assertEquals("layers.0.qkv_bias", f.plan(64).op("L0.rope_kv").op().weight("bias"));
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
        // with the bundled rope_into_qkv row kept, tiny's rows contradict each other as Llama's do
        var e = assertThrows(IllegalStateException.class, () -> lower("tiny-bias", "16", 16, 132, ImplRegistry.standard(),
                switched(base(), 4, 1, ROPE)));
        assertTrue(e.getMessage().contains("drop the rope_into_qkv fusion row for m=1..16 (n=512 k=256)"), e.getMessage());
    }

    /** The pass alone: a planted plan whose attention takes rope but whose q no rope op writes is refused. */
    @Test
    void aRopeTakingAttentionWithoutARopeOpIsRefused() {
        LoweredForward f = lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), base());
        LoweredPlan p = f.plan(16);
        Impl rope = ImplRegistry.standard().byName(ROPE);
        List<LoweredOp> planted = new ArrayList<>();
        for (LoweredOp o : p.ops()) {
            if (o.op().kind() == OpKind.ROPE_KV) continue;
            planted.add(o.op().kind() == OpKind.ATTENTION ? o.withImpl(rope, o.fused()) : o);
        }
        var e = assertThrows(IllegalStateException.class, () -> Lowering.foldRopeIntoAttention(planted, p.key(), base(),
                f.program().dims()));
        // (the lowered qkv GEMM writes its split-K workspace: nothing writes qkv once rope is gone)
        assertTrue(e.getMessage().contains("L0.attention at size 16: " + ROPE + " does its layer's rope_kv itself, but no rope_kv op of layer 0 "
                + "writes its q (qkv)"), e.getMessage());
        // a plan without such an attention is left alone
        assertEquals(p.ops(), Lowering.foldRopeIntoAttention(p.ops(), p.key(), base(), f.program().dims()));
    }
}
