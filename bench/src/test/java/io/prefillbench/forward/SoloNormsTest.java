package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * s39 (kernels/NOTES-forward.md v85): where a solo_norms row is on, each norm followed by one of our GEMMs whose blocks all fit
 * on the SMs the norm leaves runs its solo twin — the same kernel, block and grid with 160000 bytes of unused shared memory —
 * and nowhere else: not without the row, not on sm_80, not where the next GEMM's blocks would need the norm's SMs (Llama's
 * gate_up at 16: 256 blocks of 80 KB, two per SM, on 132 - 16 SMs), not before a library call.
 */
public class SoloNormsTest {
    /** {@code base} with a solo_norms row for sizes {@code m..mMax} on sm_90. */
    public static ImplChoices soloRows(ImplChoices base, int m, int mMax) {
        return ForwardTestSupport.withSwitchRow(base, ImplRegistry.SOLO_NORMS, m, mMax);
    }

    private static LoweredForward lower(String preset, String sizes, int arch, ImplChoices choices) {
        return LoweredForward.of(ForwardProgram.of(Presets.byName(preset)), CaptureSizes.parse(sizes, CaptureSizes.HARD_CAP), 16, 2048,
                132, arch, ImplRegistry.standard(), choices);
    }

    @Test
    void normsBeforeStreamingGemmsThatFitElsewhereRunSolo() {
        ImplChoices solo = soloRows(ImplChoices.bundled(), 1, 16);
        LoweredPlan e = lower("ernie-4.5-0.3b", "16", 90, solo).plan(16), e0 = lower("ernie-4.5-0.3b", "16", 90, ImplChoices.bundled()).plan(16);
        int soloOps = 0;
        for (int i = 0; i < e.ops().size(); i++) {
            LoweredOp o = e.ops().get(i), o0 = e0.ops().get(i);
            assertEquals(o0.op().name(), o.op().name(), "the same ops");
            if (o.op().kind() != OpKind.ADD_RMSNORM) {
                assertEquals(o0.impl().name(), o.impl().name(), o.op().name());
                continue;
            }
            assertEquals("add_rmsnorm_solo", o.impl().name(), o.op().name());
            assertEquals(o0.impl().kernel(), o.impl().kernel(), "the same kernel");
            assertEquals(o0.impl().threads(), o.impl().threads());
            assertArrayEquals(o0.grid().atCapacity(e0.key()), o.grid().atCapacity(e.key()), o.op().name());
            assertEquals(160000, o.impl().dynamicSmem());
            soloOps++;
        }
        assertEquals(36, soloOps, "ERNIE's 18 input and 18 post norms");
        assertEquals("final_norm_gather", e.op("final_norm").impl().name(), "the final norm is not an add_rmsnorm");
        // Llama: the input norms (qkv: 192 pair-tile blocks of 72 KB, three per SM) run solo, the post norms (gate_up: 256
        // blocks of 80 KB, two per SM: 232 on the 116 SMs the norm leaves) do not
        LoweredPlan l = lower("llama-3.2-1b", "16", 90, solo).plan(16);
        assertEquals("add_rmsnorm_256_solo", l.op("L3.input_norm").impl().name());
        assertEquals("add_rmsnorm_256", l.op("L3.post_norm").impl().name());
        assertEquals(256, l.op("L3.gate_up").grid().atCapacity(l.key())[0], "the reason");
        // the row's sizes only, sm_90 only, and nothing without the row
        LoweredForward both = lower("ernie-4.5-0.3b", "16,32", 90, solo);
        assertEquals("add_rmsnorm", both.plan(32).op("L0.post_norm").impl().name());
        assertEquals("add_rmsnorm", lower("ernie-4.5-0.3b", "16", 80, solo).plan(16).op("L0.post_norm").impl().name());
        assertTrue(e0.ops().stream().noneMatch(o -> o.impl().name().endsWith(ImplRegistry.SOLO_SUFFIX)), "without the row");
        // at 512 a norm runs 512 blocks, one per row: none is solo but the last layer's post norm, which runs on the 16
        // sequences' last rows (v78) before gate_up on the 16-row streaming tile
        LoweredPlan big = lower("ernie-4.5-0.3b", "512", 90, soloRows(ImplChoices.bundled(), 1, 512)).plan(512);
        assertEquals(List.of("L17.post_norm"), big.ops().stream().filter(o -> o.impl().name().endsWith(ImplRegistry.SOLO_SUFFIX))
                .map(o -> o.op().name()).toList());
        assertEquals(16, big.op("L17.post_norm").grid().atCapacity(big.key())[0]);
    }
}
