package io.prefillbench.profile;

import io.prefillbench.forward.ForwardProgram;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.forward.LoweredForward;
import io.prefillbench.forward.LoweredOp;
import io.prefillbench.forward.LoweredPlan;
import io.prefillbench.forward.OpKind;
import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The profile arithmetic against hand-computed values for ERNIE-4.5-0.3B (hidden 1024, 16 q heads, 2 kv heads,
 * head dim 64, ffn 3072, vocab 103424, 18 layers) lowered for bucket 16 on 132 SMs without a measurements file:
 * qkv n = (16 + 2*2) * 64 = 1280, k = 1024, split 8 ways at bucket 16.
 */
class ForwardProfileTest {
    static LoweredPlan ernie16() {
        LoweredForward lf = LoweredForward.of(ForwardProgram.of(Presets.byName("ernie-4.5-0.3b")), CaptureSizes.parse("16", CaptureSizes.HARD_CAP),
                32, 2048, 132, 90, ImplRegistry.standard(), ImplChoices.none());
        return lf.plan(16);
    }

    /** Every op 1 us, GEMMs 10 us: one prompt of 10 tokens. */
    static StepTimes times(LoweredPlan plan) {
        double[] us = new double[plan.ops().size()];
        for (int i = 0; i < us.length; i++) us[i] = plan.ops().get(i).op().kind() == OpKind.GEMM ? 10 : 1;
        return new StepTimes(plan, 10, 1, 1, us, 5, false);
    }

    @Test
    void qkvBytesAndFlopsMatchTheHandComputedValues() {
        // weights 1280*1024*2 = 2,621,440; A 10*1024*2 = 20,480; 8 fp32 partials 8*10*1280*4 = 409,600
        assertEquals(3_051_520L, GemmCost.bytes(1280, 1024, 10, 8));
        // unsplit: output bf16 10*1280*2 = 25,600
        assertEquals(2_667_520L, GemmCost.bytes(1280, 1024, 10, 1));
        assertEquals(26_214_400.0, GemmCost.flops(1280, 1024, 10));
        assertEquals(0.305152, GemmCost.tbPerS(3_051_520L, 10), 1e-12);
        assertEquals(2.62144, GemmCost.tflopPerS(26_214_400.0, 10), 1e-12);
    }

    @Test
    void gemmRowsUseRealRowsForBytesAndBothRowCountsForFlops() {
        LoweredPlan plan = ernie16();
        ForwardProfile p = ForwardProfile.of(List.of(times(plan)));
        List<ForwardProfile.GemmRow> gemms = p.gemms();
        assertEquals(18 * 4 + 1, gemms.size(), "four GEMMs per layer and the LM head");
        ForwardProfile.GemmRow qkv = gemms.getFirst();
        assertEquals("L0.qkv", qkv.op());
        assertEquals(1280, qkv.n());
        assertEquals(1024, qkv.k());
        assertEquals(16, qkv.m());
        assertEquals(10, qkv.mReal());
        assertEquals(8, qkv.splits(), "README: qkv of ERNIE-4.5-0.3B splits 8 ways at 16");
        assertEquals(3_051_520L, qkv.bytes());
        assertEquals(0.305152, qkv.tbPerS(), 1e-12);
        assertEquals(2.62144, qkv.tflopPerS(), 1e-12);
        assertEquals(2.0 * 16 * 1280 * 1024 / 10e-6 / 1e12, qkv.tflopPerSAtCapacity(), 1e-12); // 4.194304
        ForwardProfile.GemmRow lm = gemms.getLast();
        assertEquals("lm_head", lm.op());
        assertEquals(1, lm.mReal(), "the LM head runs over sequences: one prompt");
        // weights 103424*1024*2 + A 1*1024*2 + out 1*103424*2 (unsplit)
        assertEquals(211_812_352L + 2_048L + 206_848L, lm.bytes());
    }

    @Test
    void familiesSumPerKindAndLayer() {
        LoweredPlan plan = ernie16();
        ForwardProfile p = ForwardProfile.of(List.of(times(plan)));
        Map<OpFamily, Double> us = p.familyUs();
        assertEquals(List.of(OpFamily.EMBED, OpFamily.NORM, OpFamily.QKV_GEMM, OpFamily.ROPE_KV, OpFamily.ATTENTION, OpFamily.O_GEMM,
                OpFamily.GATE_UP_GEMM, OpFamily.ACT, OpFamily.DOWN_GEMM, OpFamily.FINAL_NORM, OpFamily.LM_HEAD, OpFamily.ARGMAX,
                OpFamily.OTHER), List.copyOf(us.keySet()));
        assertEquals(1.0, us.get(OpFamily.EMBED));
        assertEquals(36.0, us.get(OpFamily.NORM), "input and post norm of 18 layers");
        assertEquals(180.0, us.get(OpFamily.QKV_GEMM));
        assertEquals(18.0, us.get(OpFamily.ROPE_KV));
        assertEquals(18.0, us.get(OpFamily.ATTENTION));
        assertEquals(180.0, us.get(OpFamily.O_GEMM));
        assertEquals(180.0, us.get(OpFamily.GATE_UP_GEMM));
        assertEquals(18.0, us.get(OpFamily.ACT));
        assertEquals(180.0, us.get(OpFamily.DOWN_GEMM));
        assertEquals(1.0, us.get(OpFamily.FINAL_NORM));
        assertEquals(10.0, us.get(OpFamily.LM_HEAD));
        assertEquals(1.0, us.get(OpFamily.ARGMAX));
        assertEquals(1.0, us.get(OpFamily.OTHER), "the tile map");
        double total = 94 + 73 * 10;
        assertEquals(total, p.totalUs(), 1e-9);
        double shares = p.familyShares().values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(1.0, shares, 1e-12);
        assertEquals(180.0 / total, p.familyShares().get(OpFamily.QKV_GEMM), 1e-12);
    }

    /** Persistent layers at 16: one "layer" family for the layers, the LM head the only GEMM row, nothing missing or failing. */
    @Test
    void persistentLayersAreOneFamilyAndHaveNoGemmRows() {
        ImplChoices persist = new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), List.of(), List.of(), List.of(),
                List.of(new ImplChoices.KeyRow(16, 0, "test")));
        LoweredPlan plan = LoweredForward.of(ForwardProgram.of(Presets.byName("ernie-4.5-0.3b")), CaptureSizes.parse("16", CaptureSizes.HARD_CAP),
                32, 2048, 132, 90, ImplRegistry.standard(), persist).plan(16);
        ForwardProfile p = ForwardProfile.of(List.of(times(plan)));
        Map<OpFamily, Double> us = p.familyUs();
        // OTHER: build_tile_map, kept to copy the batch metadata in
        assertEquals(List.of(OpFamily.EMBED, OpFamily.LAYER, OpFamily.FINAL_NORM, OpFamily.LM_HEAD, OpFamily.ARGMAX, OpFamily.OTHER), List.copyOf(us.keySet()));
        assertEquals(1.0, us.get(OpFamily.LAYER), "one op of 1 us runs the 18 layers");
        assertEquals("layer", OpFamily.LAYER.label());
        assertEquals(OpFamily.LAYER, OpFamily.of(plan.op(io.prefillbench.forward.Lowering.LAYERS_OP)));
        assertEquals(List.of("lm_head"), p.gemms().stream().map(ForwardProfile.GemmRow::op).toList());
        assertEquals(1, p.gemmShapes().size());
        assertEquals(1.0, p.familyShares().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
    }

    @Test
    void splitKReduceCountsToItsGemmAndUnknownNamesToOther() {
        assertEquals(OpFamily.QKV_GEMM, OpFamily.gemmFamily("L3.qkv.reduce"));
        assertEquals(OpFamily.DOWN_GEMM, OpFamily.gemmFamily("L17.down"));
        assertEquals(OpFamily.LM_HEAD, OpFamily.gemmFamily("lm_head.reduce"));
        assertEquals(OpFamily.OTHER, OpFamily.gemmFamily("L0.experts"));
    }

    @Test
    void shapesGroupTheLayersAndRateTotalWorkOverTotalTime() {
        LoweredPlan plan = ernie16();
        StepTimes st = times(plan);
        double[] us = st.opUs();
        // layer 0's qkv takes 30 us instead of 10: the shape's rate is total bytes / total time, not a mean of rates
        for (int i = 0; i < us.length; i++) if (plan.ops().get(i).op().name().equals("L0.qkv")) us[i] = 30;
        ForwardProfile p = ForwardProfile.of(List.of(new StepTimes(plan, 10, 1, 1, us, 5, false)));
        List<ForwardProfile.ShapeRow> shapes = p.gemmShapes();
        ForwardProfile.ShapeRow qkv = shapes.getFirst();
        assertEquals(1280, qkv.n());
        assertEquals(18, qkv.count());
        assertEquals(30 + 17 * 10, qkv.gpuUs(), 1e-9);
        assertEquals(18 * 3_051_520L, qkv.bytes());
        assertEquals(18 * 3_051_520.0 / 200e-6 / 1e12, qkv.tbPerS(), 1e-12);
        assertEquals(18 * 26_214_400.0 / 200e-6 / 1e12, qkv.tflopPerS(), 1e-12);
        int ops = shapes.stream().mapToInt(ForwardProfile.ShapeRow::count).sum();
        assertEquals(73, ops);
    }

    @Test
    void severalStepsPrefixTheirOpNames() {
        LoweredPlan plan = ernie16();
        ForwardProfile p = ForwardProfile.of(List.of(times(plan), times(plan)));
        assertEquals(2 * plan.ops().size(), p.ops().size());
        assertEquals("step 1/L0.qkv", p.gemms().get(73).op());
    }

    @Test
    void stepTimesNeedOneTimePerOp() {
        LoweredPlan plan = ernie16();
        assertThrows(IllegalArgumentException.class, () -> new StepTimes(plan, 10, 1, 1, new double[3], 5, false));
        // build_tile_map first (it copies the batch metadata in: Lowering.serializeAfterTileMap), the embedding second
        assertEquals(OpFamily.OTHER, OpFamily.of(plan.ops().get(0)));
        assertEquals(OpFamily.EMBED, OpFamily.of(plan.ops().get(1)));
    }
}
