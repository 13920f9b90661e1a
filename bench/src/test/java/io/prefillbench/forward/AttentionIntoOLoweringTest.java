package io.prefillbench.forward;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attention_into_o (v74, v79): in a size's fresh-prompt plan each layer's attention folds into its o GEMM, which runs
 * gemm_bf16_stream_m16_n32_attn at k / 128 splits (o on the half-width tile) or gemm_bf16_stream_m16_k256_attn at k / 256
 * (o on the plain 16-row tile) and reads the qkv rows and the batch metadata instead of the attention output; the plain plan
 * keeps both ops. Refused, naming the row, where the plan is not a fresh one or o cannot take it.
 */
class AttentionIntoOLoweringTest {
    private static final String ERNIE = "ernie-4.5-0.3b";

    /** The bundled rows plus one attention_into_o row at 1..16 ({@code batch} and the GEMM it names as given). */
    private static ImplChoices withRow(String batch, String producer, Integer n, Integer k) {
        return ForwardTestSupport.withAttentionIntoO(ImplChoices.bundled(), batch, producer, n, k);
    }

    @Test
    void freshPlansFoldEachLayersAttentionIntoO() {
        ImplChoices rows = withRow("fresh", "gemm_bf16_stream_m16_n32", 1024, 1024);
        LoweredForward f = ForwardTestSupport.lower(ERNIE, "16,64", 16, 132, ImplRegistry.standard(), rows);
        LoweredPlan plain = f.plan(16), fresh = f.freshPlan(16).orElseThrow();
        assertTrue(fresh.key().fresh());
        int layers = plain.program().dims().layers();
        assertEquals(layers, plain.ops().stream().filter(o -> o.op().kind() == OpKind.ATTENTION).count(), "the plain plan keeps attention");
        assertEquals("gemm_bf16_stream_m16_n32", plain.op("L0.o").impl().name());
        assertEquals(0, fresh.ops().stream().filter(o -> o.op().kind() == OpKind.ATTENTION).count(), "no attention op in the fresh plan");
        assertEquals(plain.ops().size() - layers, fresh.ops().size());
        for (int l = 0; l < layers; l++) {
            LoweredOp o = fresh.op("L" + l + ".o");
            Op att = plain.op("L" + l + ".attention").op();
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N32_ATTN, o.impl().name());
            assertEquals(List.of("L" + l + ".attention"), o.fused());
            assertEquals(8, o.splits(), "k / 128");
            assertNull(o.op().in("a"), "o computes its A");
            assertEquals(att.in("q"), o.op().in("q"));
            assertEquals(att.in("query_start"), o.op().in("query_start"));
            assertEquals(att.in("kv_lens"), o.op().in("kv_lens"));
            assertEquals(ForwardProgram.NUM_SEQS, o.op().in("num_seqs"));
            assertEquals("splitk.o", o.op().out("c"), "its partials, as the plain o's");
            assertEquals(8, fresh.op("L" + l + ".post_norm").partialSplits(), "the norm reads o's 8 planes");
            int[] g = o.grid().atCapacity(fresh.key());
            assertEquals(List.of(32, 1, 8), List.of(g[0], g[1], g[2]));
        }
        assertTrue(f.freshPlan(64).isEmpty(), "no row covers 64");
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
        assertTrue(f.everyPlan().contains(fresh), "the engine binds it");
    }

    @Test
    void anOOnThePlainTileFoldsFourHeadsPerBlock() {
        // Llama-3.2-1B's o (2048 x 2048) runs the plain 16-row kernel at 8 splits: k / 256, its kv head's four q heads per block
        ImplChoices rows = ForwardTestSupport.withAttentionIntoO(ForwardTestSupport.withPlainLlamaO(ImplChoices.bundled()), "fresh",
                "gemm_bf16_stream_m16", 2048, 2048);
        LoweredForward f = ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), rows);
        LoweredPlan plain = f.plan(16), fresh = f.freshPlan(16).orElseThrow();
        assertEquals("gemm_bf16_stream_m16", plain.op("L0.o").impl().name());
        int layers = plain.program().dims().layers();
        assertEquals(0, fresh.ops().stream().filter(o -> o.op().kind() == OpKind.ATTENTION).count(), "no attention op in the fresh plan");
        for (int l = 0; l < layers; l++) {
            LoweredOp o = fresh.op("L" + l + ".o");
            assertEquals(ImplRegistry.GEMM_STREAM_M16_K256_ATTN, o.impl().name());
            assertEquals(List.of("L" + l + ".attention"), o.fused());
            assertEquals(plain.op("L" + l + ".o").splits(), o.splits(), "the plain o's own splits");
            assertEquals(8, o.splits(), "k / 256");
            assertNull(o.op().in("a"), "o computes its A");
            assertEquals(plain.op("L" + l + ".attention").op().in("q"), o.op().in("q"));
            assertEquals(8, fresh.op("L" + l + ".post_norm").partialSplits(), "the norm reads o's 8 planes");
            int[] g = o.grid().atCapacity(fresh.key());
            assertEquals(List.of(32, 1, 8), List.of(g[0], g[1], g[2]), "the plain o's 256 blocks");
        }
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
        // ERNIE's o on the plain tile by a GEMM row at k / 256 = 4 splits (its group of 8 holds two blocks' four heads)
        ImplChoices ernie = withRow("fresh", "gemm_bf16_stream_m16", 1024, 1024).withGemm(List.of(
                new ImplChoices.GemmRow(1024, 1024, 1, 90, "gemm_bf16_stream_m16", 4, "test", null, 16)));
        LoweredOp eo = ForwardTestSupport.lower(ERNIE, "16", 16, 132, ImplRegistry.standard(), ernie).freshPlan(16).orElseThrow().op("L0.o");
        assertEquals(ImplRegistry.GEMM_STREAM_M16_K256_ATTN, eo.impl().name());
        assertEquals(4, eo.splits());
        // ... and at 8 splits (k / 128) it is refused, naming the splits
        ImplChoices ernie8 = withRow("fresh", "gemm_bf16_stream_m16", 1024, 1024).withGemm(List.of(
                new ImplChoices.GemmRow(1024, 1024, 1, 90, "gemm_bf16_stream_m16", 8, "test", null, 16)));
        IllegalStateException e8 = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower(ERNIE, "16", 16, 132, ImplRegistry.standard(), ernie8));
        assertTrue(e8.getMessage().contains("k / 256 = 4 splits, its GEMM row asks 8"), e8.getMessage());
    }

    @Test
    void aRowThatReachesPlansWithCachedPrefixesIsRefused() {
        for (String batch : new String[] {null, ImplChoices.FusionRow.PREFILL}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ForwardTestSupport.lower(ERNIE, "16", 16, 132, ImplRegistry.standard(), withRow(batch, null, null, null)));
            assertTrue(e.getMessage().contains("cached prefix") && e.getMessage().contains("\"batch\": \"fresh\""), e.getMessage());
        }
        // a row for ERNIE's o shape reaches no o of Llama-3.2-1B (2048 x 2048): nothing to refuse, nothing folded
        LoweredForward llama = ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), withRow(null, null, 1024, 1024));
        assertTrue(llama.plan(16).ops().stream().anyMatch(o -> o.op().kind() == OpKind.ATTENTION));
    }

    @Test
    void aPrefetchBeforeTheFoldedAttentionGoesBeforeTheOThatRunsIt() {
        ImplChoices rows = withRow("fresh", "gemm_bf16_stream_m16_n32", 1024, 1024).withPrefetchAhead(List.of(
                new ImplChoices.PrefetchRow("gate_up", "attention", 0.5, 6144, 1024, 1, 16, 0, "test")));
        LoweredForward f = ForwardTestSupport.lower(ERNIE, "16", 16, 132, ImplRegistry.standard(), rows);
        for (LoweredPlan p : List.of(f.plan(16), f.freshPlan(16).orElseThrow())) {
            List<String> names = p.ops().stream().map(o -> o.op().name()).toList();
            int pre = names.indexOf("L3.prefetch.gate_up");
            assertEquals(p.key().fresh() ? "L3.o" : "L3.attention", names.get(pre + 1), "the prefetch's next op, " + p.key().batch());
        }
    }

    @Test
    void anOThatCannotTakeItsAttentionIsRefusedNamingTheRow() {
        // Llama-3.2-1B's o on the 16-column tile by a GEMM row: neither fold form's kernel
        ImplChoices n16 = withRow("fresh", null, null, null).withGemm(List.of(
                new ImplChoices.GemmRow(2048, 2048, 1, 90, "gemm_bf16_stream_m16_n16", 8, "test", null, 16)));
        IllegalStateException otherTile = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), n16));
        assertTrue(otherTile.getMessage().contains("gemm_bf16_stream_m16_n32 or gemm_bf16_stream_m16 only")
                && otherTile.getMessage().contains("drop the attention_into_o fusion row for m=16"), otherTile.getMessage());
        // tiny (4 q / 2 kv heads) with o on the plain tile: a block's four heads would span two kv heads
        ImplChoices tiny = withRow("fresh", null, null, null).withGemm(List.of(
                new ImplChoices.GemmRow(256, 256, 1, 90, "gemm_bf16_stream_m16", 1, "test", null, 16)));
        IllegalStateException group = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower("tiny", "16", 8, 132, ImplRegistry.standard(), tiny));
        assertTrue(group.getMessage().contains(ImplRegistry.GEMM_STREAM_M16_K256_ATTN) && group.getMessage().contains("a multiple of 4"),
                group.getMessage());
        // tiny-g5: head dim 128, o on the half-width tile by a GEMM row
        ImplChoices g5 = withRow("fresh", null, null, null).withGemm(List.of(
                new ImplChoices.GemmRow(640, 640, 1, 90, "gemm_bf16_stream_m16_n32", 5, "test", null, 16)));
        IllegalStateException d128 = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower("tiny-g5", "16", 8, 132, ImplRegistry.standard(), g5));
        assertTrue(d128.getMessage().contains("needs head_dim 64"), d128.getMessage());
        // the t32 form doing rope itself leaves no rotated q in the qkv rows
        ImplChoices ropeIn = withRow("fresh", null, null, null).withAttention(List.of(
                new ImplChoices.AttentionRow(ImplRegistry.ATTENTION_WG_EARLY_T32_ROPE, 16, 2, 64, 1, 16, 90, "test")));
        ropeIn = ropeIn.withFusions(ropeIn.fusions().stream().filter(r -> !r.fusion().equals(ImplRegistry.ROPE_INTO_QKV)).toList());
        final ImplChoices ri = ropeIn;
        IllegalStateException rope = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower(ERNIE, "16", 16, 132, ImplRegistry.standard(), ri));
        assertTrue(rope.getMessage().contains("computes rope's q itself"), rope.getMessage());
    }

    @Test
    void aGemmRowCannotNameTheFoldedKernel() {
        ImplChoices direct = ImplChoices.bundled().withGemm(List.of(
                new ImplChoices.GemmRow(1024, 1024, 1, 90, ImplRegistry.GEMM_STREAM_M16_N32_ATTN, 8, "test", null, 16)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ForwardTestSupport.lower(ERNIE, "16", 16, 132, ImplRegistry.standard(), direct));
        assertTrue(e.getMessage().contains("not a GEMM row"), e.getMessage());
        assertFalse(ImplRegistry.standard().defaultFor(ForwardTestSupport.lower(ERNIE, "16").plan(16).op("L0.o").op(),
                ForwardTestSupport.lower(ERNIE, "16").plan(16).key()).name().equals(ImplRegistry.GEMM_STREAM_M16_N32_ATTN), "never a default");
    }
}
