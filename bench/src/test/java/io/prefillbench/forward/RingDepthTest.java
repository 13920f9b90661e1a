package io.prefillbench.forward;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 16-row streaming kernels at other ring depths: GEMM rows put ERNIE-4.5-0.3B's gate_up and down at 1..16 on the nine-stage
 * half-width tile (v80, gemm_bf16_stream_m16_n32s9, 108 KB) and Llama-3.2-1B's on the five-stage plain tile (v81,
 * gemm_bf16_stream_m16s5, 50 KB), Llama's on the 128-deep four-stage plain tile (s38) and ERNIE's gate_up on the 256-deep
 * half-width tile (s39); silu_into_gate_up then fuses gate_up into the SiLU form, with the six-stage kernels' grids and splits;
 * never a default; a split SiLU form, and a split whose k slice is not whole stages, are refused.
 */
public class RingDepthTest {
    /** {@code base} with ERNIE's gate_up (SiLU fused) and down at 1..16 on the nine-stage tile at their bundled splits. */
    public static ImplChoices nineStageRows(ImplChoices base) {
        return ringRows(base, ImplRegistry.GEMM_STREAM_M16_N32S9, 6144, 1024, 3072, 8);
    }

    /** {@code base} with Llama-3.2-1B's gate_up (SiLU fused) and down at 1..16 on the five-stage plain tile at their bundled splits. */
    public static ImplChoices fiveStageRows(ImplChoices base) {
        return ringRows(base, ImplRegistry.GEMM_STREAM_M16S5, 2 * 8192, 2048, 8192, 8);
    }

    /** {@code base} with Llama-3.2-1B's gate_up (SiLU fused) and down at 1..16 on the 128-deep four-stage tile (s38) at their bundled splits. */
    public static ImplChoices k128Rows(ImplChoices base) {
        return ringRows(base, ImplRegistry.GEMM_STREAM_M16K128S4, 2 * 8192, 2048, 8192, 8);
    }

    /**
     * {@code base} with gate_up ({@code gateUpN} x {@code hidden}, unsplit, SiLU fused by a silu_into_gate_up row naming it) and
     * down ({@code hidden} x {@code ffn} at {@code downSplits}) at 1..16 on {@code impl}, ahead of the bundled rows.
     */
    private static ImplChoices ringRows(ImplChoices base, String impl, int gateUpN, int hidden, int ffn, int downSplits) {
        // base's own down rows at <= 16 go (since s38 Llama's down runs the 128-deep tile by a bundled row for prompt batches,
        // which a scoped row would keep ahead of ours)
        ImplChoices withGateUp = gateUpRows(base, impl, gateUpN, hidden);
        List<ImplChoices.GemmRow> gemm = new ArrayList<>(withGateUp.gemm().stream()
                .filter(r -> !(r.m() <= 16 && r.n() == hidden && r.k() == ffn)).toList());
        gemm.add(0, new ImplChoices.GemmRow(hidden, ffn, 1, 90, impl, downSplits, "test", null, 16));
        return withGateUp.withGemm(gemm);
    }

    /**
     * {@code base} with gate_up ({@code gateUpN} x {@code hidden}, unsplit) at 1..16 on {@code impl}, SiLU fused by a
     * silu_into_gate_up row naming it, in place of base's rows for that shape at <= 16 (since s38 Llama's gate_up runs the
     * 128-deep tile by a bundled row).
     */
    private static ImplChoices gateUpRows(ImplChoices base, String impl, int gateUpN, int hidden) {
        List<ImplChoices.GemmRow> gemm = new ArrayList<>(base.gemm().stream()
                .filter(r -> !(r.m() <= 16 && r.n() == gateUpN && r.k() == hidden)).toList());
        gemm.add(0, new ImplChoices.GemmRow(gateUpN, hidden, 1, 90, impl, 1, "test", null, 16));
        List<ImplChoices.FusionRow> fusions = new ArrayList<>(base.fusions().stream()
                .filter(r -> !(r.fusion().equals(ImplRegistry.SILU_INTO_GATE_UP) && r.m() <= 16 && Integer.valueOf(gateUpN).equals(r.n())
                        && Integer.valueOf(hidden).equals(r.k()))).toList());
        fusions.add(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 1, 90, "test", 16, impl, gateUpN, hidden, null));
        return base.withGemm(gemm).withFusions(fusions);
    }

    /**
     * {@code base} with ERNIE-4.5-0.3B's gate_up (6144 x 1024, unsplit, SiLU fused) at 1..16 on {@code impl}, one of the 256-deep
     * half-width kernels (s39); down keeps its bundled row (its 8 splits leave 384-deep k slices, not whole 256-deep steps).
     */
    public static ImplChoices ernieK256GateUpRows(ImplChoices base, String impl) {
        return gateUpRows(base, impl, 6144, 1024);
    }

    /**
     * {@code base} with Llama-3.2-1B's down (2048 x 8192) and o (2048 x 2048) at 1..16 on the half-width kernel {@code impl} at
     * {@code splits}, every graph (s39: the 256-deep half-width tile at half the 64-column tile's splits keeps its block count
     * and halves the planes the norms read; {@code gemm_bf16_stream_m16_n32} at the same splits is its bit reference).
     */
    public static ImplChoices llamaHalfWidthRows(ImplChoices base, String impl, int splits) {
        List<ImplChoices.GemmRow> gemm = new ArrayList<>(base.gemm().stream()
                .filter(r -> !(r.m() <= 16 && r.n() == 2048 && (r.k() == 8192 || r.k() == 2048))).toList());
        gemm.add(0, new ImplChoices.GemmRow(2048, 8192, 1, 90, impl, splits, "test", null, 16));
        gemm.add(0, new ImplChoices.GemmRow(2048, 2048, 1, 90, impl, splits, "test", null, 16));
        return base.withGemm(gemm);
    }

    /** Llama-3.2-1B's gate_up (SiLU fused) and down at 1..16 on the six-stage plain tile: the rows before s38, the reference. */
    static ImplChoices sixStageRows(ImplChoices base) {
        return ringRows(base, "gemm_bf16_stream_m16", 2 * 8192, 2048, 8192, 8);
    }

    /**
     * Llama-3.2-1B at 16 on {@code rows}: gate_up on {@code impl}'s SiLU form (silu_mul fused), down on {@code impl}, both of
     * {@code smem} bytes, with the six-stage kernel's grids and splits, and a layout that serves the plans; the plain plan.
     */
    private static LoweredPlan assertLlamaRingRows(ImplChoices rows, String impl, int smem) {
        LoweredForward f = ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), rows);
        LoweredPlan p = f.plan(16), q = ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(),
                sixStageRows(ImplChoices.bundled())).plan(16);
        assertEquals("gemm_bf16_stream_m16_silu", q.op("L0.gate_up").impl().name(), "the reference");
        assertEquals(impl + "_silu", p.op("L0.gate_up").impl().name());
        assertEquals(List.of("L0.silu_mul"), p.op("L0.gate_up").fused());
        assertEquals(impl, p.op("L0.down").impl().name());
        for (String op : List.of("L0.gate_up", "L0.down")) {
            assertEquals(smem, p.op(op).impl().dynamicSmem(), op);
            assertArrayEquals(q.op(op).grid().atCapacity(q.key()), p.op(op).grid().atCapacity(p.key()), op + ": the six-stage grid");
            assertEquals(q.op(op).splits(), p.op(op).splits(), op);
        }
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
        return p;
    }

    @Test
    void fiveStageRowsKeepLlamasGridsAndSplits() {
        assertLlamaRingRows(fiveStageRows(ImplChoices.bundled()), ImplRegistry.GEMM_STREAM_M16S5, 51200);
    }

    @Test
    void k128RowsKeepLlamasGridsAndSplitsAndRefuseAHalfStep() {
        LoweredPlan p = assertLlamaRingRows(k128Rows(ImplChoices.bundled()), ImplRegistry.GEMM_STREAM_M16K128S4, 81920);
        assertFalse(ImplRegistry.standard().defaultFor(p.op("L0.down").op(), p.key()).name().contains("k128"), "never a default");
        // down at 128 splits: a k slice of 64, half a 128-deep step — refused, naming the kernel
        List<ImplChoices.GemmRow> half = new ArrayList<>(k128Rows(ImplChoices.bundled()).gemm());
        half.set(0, new ImplChoices.GemmRow(2048, 8192, 1, 90, ImplRegistry.GEMM_STREAM_M16K128S4, 128, "test", null, 16));
        ImplChoices h = k128Rows(ImplChoices.bundled()).withGemm(half);
        RuntimeException e = assertThrows(RuntimeException.class, () -> ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, ImplRegistry.standard(), h));
        assertTrue(e.getMessage().contains(ImplRegistry.GEMM_STREAM_M16K128S4), e.getMessage());
    }

    @Test
    void rowsPutGateUpAndDownOnTheNineStageTile() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), nineStageRows(ImplChoices.bundled()));
        LoweredForward six = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, ImplRegistry.standard(), ImplChoices.bundled());
        LoweredPlan p = f.plan(16), q = six.plan(16);
        LoweredOp gu = p.op("L0.gate_up"), dn = p.op("L0.down");
        assertEquals(ImplRegistry.GEMM_STREAM_M16_N32S9_SILU, gu.impl().name());
        assertEquals(List.of("L0.silu_mul"), gu.fused());
        assertEquals(ImplRegistry.GEMM_STREAM_M16_N32S9, dn.impl().name());
        assertEquals(KernelConstants.GEMM_STREAM_N32S9_SMEM_M16, gu.impl().dynamicSmem());
        assertEquals(110592, KernelConstants.GEMM_STREAM_N32S9_SMEM_M16);
        for (String op : List.of("L0.gate_up", "L0.down")) {
            assertArrayEquals(q.op(op).grid().atCapacity(q.key()), p.op(op).grid().atCapacity(p.key()), op + ": the six-stage grid");
            assertEquals(q.op(op).splits(), p.op(op).splits(), op);
        }
        assertEquals(p.ops().size(), q.ops().size());
        assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
        ImplRegistry r = ImplRegistry.standard();
        assertFalse(r.defaultFor(gu.op(), p.key()).name().contains("s9"), "never a default");
        // the SiLU form at 2 splits: refused (never split), naming the split
        List<ImplChoices.GemmRow> split = new ArrayList<>(nineStageRows(ImplChoices.bundled()).gemm());
        split.set(1, new ImplChoices.GemmRow(6144, 1024, 1, 90, ImplRegistry.GEMM_STREAM_M16_N32S9, 2, "test", null, 16));
        ImplChoices s = nineStageRows(ImplChoices.bundled()).withGemm(split);
        RuntimeException e = assertThrows(RuntimeException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, r, s));
        assertTrue(e.getMessage().contains("gemm_bf16_stream_m16_n32s9_silu"), e.getMessage());
    }

    @Test
    void k256RowsKeepTheHalfWidthGridsAndRefuseAPartStep() {
        ImplRegistry r = ImplRegistry.standard();
        LoweredPlan q = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, r, ImplChoices.bundled()).plan(16);
        assertEquals("gemm_bf16_stream_m16_n32_silu", q.op("L0.gate_up").impl().name(), "the reference");
        for (String impl : List.of(ImplRegistry.GEMM_STREAM_M16_N32K256S3, ImplRegistry.GEMM_STREAM_M16_N32K256S4)) {
            LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, r, ernieK256GateUpRows(ImplChoices.bundled(), impl));
            LoweredPlan p = f.plan(16);
            LoweredOp gu = p.op("L0.gate_up");
            assertEquals(impl + "_silu", gu.impl().name());
            assertEquals(List.of("L0.silu_mul"), gu.fused());
            assertEquals(impl.endsWith("s3") ? 73728 : 98304, gu.impl().dynamicSmem());
            assertArrayEquals(q.op("L0.gate_up").grid().atCapacity(q.key()), gu.grid().atCapacity(p.key()), "the six-stage grid");
            assertEquals(q.op("L0.down").impl().name(), p.op("L0.down").impl().name(), "down keeps its row");
            assertEquals(List.of(), LayoutCheck.violations(f.everyPlan(), f.layout()));
            assertFalse(r.defaultFor(gu.op(), p.key()).name().contains("k256"), "never a default");
        }
        // Llama's down and o at 4 splits: 64 half-width column tiles x 4 = the 64-column tile's 256 blocks at 8 splits
        LoweredPlan l = ForwardTestSupport.lower("llama-3.2-1b", "16", 16, 132, r,
                llamaHalfWidthRows(ImplChoices.bundled(), ImplRegistry.GEMM_STREAM_M16_N32K256S4, 4)).plan(16);
        for (String op : List.of("L0.down", "L0.o")) {
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N32K256S4, l.op(op).impl().name(), op);
            assertEquals(4, l.op(op).splits(), op);
            assertArrayEquals(new int[] {64, 1, 4}, l.op(op).grid().atCapacity(l.key()), op);
        }
        // ERNIE's down at its bundled 8 splits: 384-deep slices, not whole 256-deep steps — refused, naming the kernel
        List<ImplChoices.GemmRow> part = new ArrayList<>(ImplChoices.bundled().gemm());
        part.add(0, new ImplChoices.GemmRow(1024, 3072, 1, 90, ImplRegistry.GEMM_STREAM_M16_N32K256S3, 8, "test", null, 16));
        ImplChoices bad = ImplChoices.bundled().withGemm(part);
        RuntimeException e = assertThrows(RuntimeException.class, () -> ForwardTestSupport.lower("ernie-4.5-0.3b", "16", 16, 132, r, bad));
        assertTrue(e.getMessage().contains(ImplRegistry.GEMM_STREAM_M16_N32K256S3) && e.getMessage().contains("256"), e.getMessage());
    }
}
