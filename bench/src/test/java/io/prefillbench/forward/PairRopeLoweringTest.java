package io.prefillbench.forward;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 16-column streaming tiles (v75): a GEMM row puts ERNIE's qkv at 1..16 on gemm_bf16_stream_m16_n16, and rope_into_qkv
 * with that producer fuses rope into gemm_bf16_stream_m16_n16_rope1 — unsplit, n / 16 blocks, no rope op and no split-K
 * workspace; rows scoped to prompts leave the decode graph on its own rows (the bundled rows, s34, serve both). A split, a capacity above 16 or a head the pair
 * tile cannot hold is refused, naming why.
 */
class PairRopeLoweringTest {
    private static final String ERNIE = "ernie-4.5-0.3b";

    /** The bundled rows with ERNIE's qkv at 1..16 for prompt batches on the 16-column kernel at {@code splits}, rope fused into it. */
    private static ImplChoices pairRows(int splits, int mMax) {
        ImplChoices base = ForwardTestSupport.withoutPairTiles(ImplChoices.bundled());  // less the bundled v75 rows
        List<ImplChoices.GemmRow> gemm = new ArrayList<>(base.gemm());
        gemm.add(new ImplChoices.GemmRow(1280, 1024, 1, 90, ImplRegistry.GEMM_STREAM_M16_N16, splits, "test", null, mMax,
                ImplChoices.FusionRow.PREFILL));
        List<ImplChoices.FusionRow> fusions = new ArrayList<>(base.fusions());
        fusions.add(new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 1, 90, "test", mMax, ImplRegistry.GEMM_STREAM_M16_N16, 1280, 1024,
                ImplChoices.FusionRow.PREFILL));
        return base.withGemm(gemm).withFusions(fusions);
    }

    @Test
    void qkvRunsUnsplitOnPairTilesWithRopeFused() {
        LoweredForward f = ForwardTestSupport.lower(ERNIE, "16,64", 16, 132, ImplRegistry.standard(), pairRows(1, 16));
        for (LoweredPlan p : List.of(f.plan(16), f.freshPlan(16).orElseThrow())) {
            LoweredOp qkv = p.op("L0.qkv");
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N16_ROPE1, qkv.impl().name(), p.key().toString());
            assertEquals(1, qkv.splits());
            assertEquals(List.of("L0.rope_kv"), qkv.fused());
            assertTrue(qkv.op().out("partial") == null, "no split-K workspace");
            int[] g = qkv.grid().atCapacity(p.key());
            assertEquals(List.of(80, 1, 1), List.of(g[0], g[1], g[2]), "1280 / 16 blocks");
            assertTrue(p.ops().stream().noneMatch(o -> o.op().kind() == OpKind.ROPE_KV), "rope fused");
        }
        LoweredPlan decode = f.decodePlan(16).orElseThrow();
        assertEquals("gemm_bf16_stream_m16_n32", decode.op("L0.qkv").impl().name(), "the decode graph keeps its rows");
        assertEquals("gemm_bf16_stream_m64_n32", f.plan(64).op("L0.qkv").impl().name(), "64 keeps its rows");
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
    }

    @Test
    void aSplitACapacityAbove16OrAHeadThePairTileCannotHoldIsRefused() {
        IllegalStateException split = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower(ERNIE, "16", 16, 132, ImplRegistry.standard(), pairRows(2, 16)));
        assertTrue(split.getMessage().contains("split-K 2 refused") && split.getMessage().contains(ImplRegistry.GEMM_STREAM_M16_N16_ROPE1),
                split.getMessage());
        IllegalArgumentException cap = assertThrows(IllegalArgumentException.class,
                () -> ForwardTestSupport.lower(ERNIE, "32", 16, 132, ImplRegistry.standard(), pairRows(1, 32)));
        assertTrue(cap.getMessage().contains("holds 16 rows"), cap.getMessage());
        // a head of 8 columns: rope_into_qkv takes it (it divides the 64-column rope tile), the pair tile cannot (4 pairs a head)
        ForwardProgram.Dims d8 = new ForwardProgram.Dims(256, 16, 2, 8, 512, 1024, 1, true, false, 1e-5f);
        ImplChoices rows8 = ImplChoices.none().withGemm(List.of(new ImplChoices.GemmRow(d8.qkvDim(), d8.hidden(), 1, 90,
                ImplRegistry.GEMM_STREAM_M16_N16, 1, "test", null, 16))).withFusions(List.of(new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV,
                1, 90, "test", 16, ImplRegistry.GEMM_STREAM_M16_N16, d8.qkvDim(), d8.hidden(), null)));
        IllegalArgumentException head = assertThrows(IllegalArgumentException.class, () -> LoweredForward.of(ForwardProgram.of(d8),
                io.prefillbench.plan.CaptureSizes.parse("16", io.prefillbench.plan.CaptureSizes.HARD_CAP), 16, 2048, 132, 90,
                ImplRegistry.standard(), rows8));
        assertTrue(head.getMessage().contains("holds 8 rope pairs of one head") && head.getMessage().contains("head_dim 8,"), head.getMessage());
    }
}
