package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * v87 (kernels/NOTES-forward.md): where an argmax_into_lm_head row is on at the LM head's row capacity and the LM head runs a
 * plain streaming kernel at one split, it runs that kernel's _amax form (same grid, one split, the keys as an extra output)
 * and argmax runs argmax_keys on the keys instead of the logits; every other op is untouched, the keys get a pinned slice of
 * one uint64 per LM head row. Nowhere else: not without the row, not at sizes the row leaves out, not on a tile without the
 * form (tiny's 16-column LM head) or a split one (tiny's at 32 rows).
 */
public class ArgmaxFoldTest {
    /** {@code base} with an argmax_into_lm_head row for LM head row capacities {@code m..mMax} on sm_90. */
    public static ImplChoices argmaxRows(ImplChoices base, int m, int mMax) {
        return ForwardTestSupport.withSwitchRow(base, ImplRegistry.ARGMAX_INTO_LM_HEAD, m, mMax);
    }

    private static LoweredForward lower(String preset, String sizes, ImplChoices choices) {
        return lower(preset, sizes, 16, choices);
    }

    private static LoweredForward lower(String preset, String sizes, int maxNumSeqs, ImplChoices choices) {
        return LoweredForward.of(ForwardProgram.of(Presets.byName(preset)), CaptureSizes.parse(sizes, CaptureSizes.HARD_CAP), maxNumSeqs, 2048,
                132, 90, ImplRegistry.standard(), choices);
    }

    @Test
    void theLmHeadFoldsTheKeysAndArgmaxReadsThem() {
        for (String preset : List.of("ernie-4.5-0.3b", "llama-3.2-1b")) {
            LoweredForward f = lower(preset, "16,64", argmaxRows(ImplChoices.bundled(), 1, 64)), f0 = lower(preset, "16,64", ImplChoices.bundled());
            for (int size : List.of(16, 64)) {
                LoweredPlan p = f.plan(size), p0 = f0.plan(size);
                assertEquals(p0.ops().size(), p.ops().size(), preset + " at " + size + ": no op added or removed");
                for (int i = 0; i < p.ops().size(); i++) {
                    LoweredOp o = p.ops().get(i), o0 = p0.ops().get(i);
                    assertEquals(o0.op().name(), o.op().name());
                    if (o.op().name().equals("lm_head")) {
                        assertEquals(o0.impl().name() + "_amax", o.impl().name(), preset + " at " + size);
                        assertEquals(1, o.splits());
                        assertArrayEquals(o0.grid().atCapacity(p0.key()), o.grid().atCapacity(p.key()), "the plain kernel's grid");
                        assertEquals(o0.impl().dynamicSmem(), o.impl().dynamicSmem());
                        assertEquals(ForwardProgram.LOGITS, o.op().out("c"), "the logits are still stored");
                        assertEquals(ForwardProgram.ARGMAX_KEYS, o.op().out("keys"));
                    } else if (o.op().kind() == OpKind.ARGMAX) {
                        assertEquals(ImplRegistry.ARGMAX_KEYS, o.impl().name());
                        assertEquals(ForwardProgram.ARGMAX_KEYS, o.op().in("keys"));
                        assertNull(o.op().in("logits"), "no logit read");
                        assertEquals(ForwardProgram.OUT_TOKENS, o.op().out("out"));
                        assertArrayEquals(new int[] {1, 1, 1}, o.grid().atCapacity(p.key()));
                    } else {
                        assertEquals(o0.impl().name(), o.impl().name(), o.op().name());
                        assertEquals(o0.op(), o.op(), o.op().name());
                    }
                }
            }
            // one key per LM head row of the largest plan, pinned (never shared, never poisoned)
            BufferLayout.Slice keys = f.layout().slice(ForwardProgram.ARGMAX_KEYS);
            assertEquals(8L * 16, keys.bytes(), preset + ": 16 sequences");
            assertEquals(TensorSpec.Role.PINNED, keys.role());
            assertTrue(keys.end() <= f.layout().activationStart());
            assertFalse(f0.layout().has(ForwardProgram.ARGMAX_KEYS), "no slice without the fold");
        }
    }

    @Test
    void onlyWhereTheRowIsAndTheLmHeadHasAnUnsplitForm() {
        // the row's capacities only: at 64 (LM head at 16 rows with 16 sequences) the row 1..8 does not match
        LoweredForward narrow = lower("ernie-4.5-0.3b", "8,64", argmaxRows(ImplChoices.bundled(), 1, 8));
        assertEquals("gemm_bf16_stream_m16_amax", narrow.plan(8).op("lm_head").impl().name());
        assertEquals("gemm_bf16_stream_m16", narrow.plan(64).op("lm_head").impl().name());
        assertEquals(ImplRegistry.ARGMAX_CLUSTER, narrow.plan(64).op("argmax").impl().name());
        // tiny with 32 sequences: a 16-column LM head (no _amax form) at 16, the 32-row kernel split 4 ways at 64: both keep the
        // plain argmax
        LoweredForward tiny = lower("tiny", "16,64", 32, argmaxRows(ImplChoices.bundled(), 1, 64));
        LoweredForward tiny0 = lower("tiny", "16,64", 32, ImplChoices.bundled());
        for (int size : List.of(16, 64)) {
            assertEquals(tiny0.plan(size).op("lm_head").impl().name(), tiny.plan(size).op("lm_head").impl().name());
            assertEquals(tiny0.plan(size).op("argmax").impl().name(), tiny.plan(size).op("argmax").impl().name());
        }
        assertEquals("gemm_bf16_stream_m16_n16", tiny0.plan(16).op("lm_head").impl().name(), "the reason at 16");
        assertEquals("gemm_bf16_stream_m32", tiny0.plan(64).op("lm_head").impl().name());
        assertTrue(tiny0.plan(64).op("lm_head").splits() > 1, "the reason at 64");
        assertFalse(tiny.layout().has(ForwardProgram.ARGMAX_KEYS));
        // without a row nothing changes (the bundled file has none today)
        for (LoweredPlan p : lower("ernie-4.5-0.3b", "16,512", ImplChoices.bundled()).everyPlan())
            assertTrue(p.ops().stream().noneMatch(o -> o.impl().name().endsWith("_amax") || o.impl().name().equals(ImplRegistry.ARGMAX_KEYS)));
    }
}
