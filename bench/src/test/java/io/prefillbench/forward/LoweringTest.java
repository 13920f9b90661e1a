package io.prefillbench.forward;

import io.prefillbench.plan.GemmTiling;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.prefillbench.forward.ForwardTestSupport.choices;
import static io.prefillbench.forward.ForwardTestSupport.lower;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoweringTest {
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
        LoweredForward f = lower("ernie-4.5-0.3b", "16,512");
        assertEquals(8, f.plan(16).op("L0.qkv").splits()); // qkv splits 8 ways at 16 ...
        assertEquals(4, f.plan(512).op("L0.qkv").splits()); // ... and 4 at 512: bucket-invariant, not batch-invariant
        for (LoweredPlan p : f.all()) {
            for (LoweredOp o : p.ops()) {
                if (o.op().kind() != OpKind.GEMM) continue;
                GemmTiling.Choice c = GemmTiling.choose(o.op().n(), o.op().k(), p.key().capacity(o.op().rows()), 132);
                assertEquals(c.kernel(), o.impl().kernel(), o.op().name());
                assertEquals(c.splits(), o.splits(), o.op().name());
            }
        }
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
        ImplChoices c = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 32, 90, "cublas_gemm", 0, "test")), List.of(), List.of());
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ImplRegistry.standard(), c);
        assertEquals("cublas_gemm", f.plan(512).op("lm_head").impl().name()); // seq capacity 32 at 512
        assertNull(f.plan(512).op("lm_head").grid());
        assertEquals("gemm_bf16", f.plan(16).op("lm_head").impl().name()); // seq capacity 16: no row
        // an unknown implementation and a non-GEMM are rejected
        ImplChoices bad = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 16, 90, "no_such_gemm", 0, "test")), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), bad));
        // another arch does not match
        ImplChoices sm80 = choices(List.of(new ImplChoices.GemmRow(103424, 1024, 32, 80, "cublas_gemm", 0, "test")), List.of(), List.of());
        assertEquals("gemm_bf16", ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), sm80)
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
    void bundledRowsFuseSiluIntoGateUpAt512Only() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512", 32, 132, ImplRegistry.standard(), ImplChoices.bundled());
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
        ImplChoices.FusionRow row = ImplChoices.bundled().fusions().stream()
                .filter(r -> r.fusion().equals(ImplRegistry.SILU_INTO_GATE_UP)).findFirst().orElseThrow();
        assertEquals("unmeasured default", row.source());
    }

    @Test
    void theFusionRowDecidesBetweenFusedWithoutSplitKAndUnfusedWithSplitK() {
        // gate_up at 16 splits 2 ways by default (96 blocks < 132 SMs)
        LoweredPlan unfused = lower("ernie-4.5-0.3b", "16").plan(16);
        assertEquals(2, unfused.op("L0.gate_up").splits());
        assertEquals(2, unfused.op("L0.silu_mul").partialSplits());
        ImplChoices c = choices(List.of(), List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 16, 90, "test")), List.of());
        LoweredPlan fused = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 32, 132, ImplRegistry.standard(), c).plan(16);
        LoweredOp gu = fused.op("L0.gate_up");
        assertEquals("gemm_bf16_silu", gu.impl().name());
        assertEquals(1, gu.splits());
        assertEquals(ForwardProgram.ACT, gu.op().out("c"));
        assertTrue(fused.workspaces().keySet().stream().noneMatch(w -> w.equals("splitk.gate_up")), fused.workspaces().toString());
        assertEquals(8, fused.launchesPerLayer(0));
        int[] grid = gu.grid().atCapacity(fused.key());
        assertEquals(6144 / 64, grid[0]);
        assertEquals(1, grid[2]);
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
        // and a GEMM implementation the rule has no fused form of is refused with the reason
        ImplChoices cublas = choices(List.of(new ImplChoices.GemmRow(6144, 1024, 512, 90, "cublas_gemm", 0, "test")),
                List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test")), List.of());
        IllegalStateException e2 = assertThrows(IllegalStateException.class,
                () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "512", 32, 132, ImplRegistry.standard(), cublas));
        assertTrue(e2.getMessage().contains("no fused form of cublas_gemm"), e2.getMessage());
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
        assertThrows(IllegalStateException.class, () -> ForwardTestSupport.lower("tiny", "16", 8, 132, ImplRegistry.standard(), c));
    }

    @Test
    void bundledMeasurementsFileHasProvenance() {
        ImplChoices b = ImplChoices.bundled();
        assertTrue(b.provenance().source().contains("results/"), b.provenance().source());
        assertTrue(b.l2Prefetch().isEmpty(), "L2 prefetch is off until measured");
    }
}
