package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.model.WeightInit;
import io.prefillbench.model.WeightSpec;
import io.prefillbench.reference.KernelReference;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The gate/up row interleave: a permutation of the natural rows that the fused SiLU epilogue reads. */
class WeightLayoutTest {
    static final int G = KernelConstants.GATE_UP_GROUP;

    @Test
    void deviceRowsFollowTheKernelContract() {
        // prefill_kernels.h: device row 2g*b + i holds gate row g*b + i, device row 2g*b + g + i up row half + g*b + i
        var ri = new WeightLayout.RowInterleave(64, G);
        assertEquals(8, G);
        assertEquals(0, ri.sourceRow(0));
        assertEquals(7, ri.sourceRow(7));
        assertEquals(64, ri.sourceRow(8)); // up row 0
        assertEquals(71, ri.sourceRow(15));
        assertEquals(8, ri.sourceRow(16)); // gate row 8
        assertEquals(64 + 63, ri.sourceRow(127));
        boolean[] seen = new boolean[ri.rows()];
        for (int r = 0; r < ri.rows(); r++) {
            int s = ri.sourceRow(r);
            assertEquals(r, ri.deviceRow(s));
            seen[s] = true;
        }
        for (boolean b : seen) assertEquals(true, b);
        assertThrows(IllegalArgumentException.class, () -> new WeightLayout.RowInterleave(60, G));
    }

    @Test
    void permuteThenUnpermuteIsTheIdentityAndKeepsTheValues() {
        int ffn = 48, k = 24;
        var ri = new WeightLayout.RowInterleave(ffn, G);
        float[] natural = new float[2 * ffn * k];
        WeightInit.fill(natural, 1234, 105, 0, 0.5f, 0f);
        float[] device = ri.apply(natural, k);
        assertNotEquals(Arrays.toString(natural), Arrays.toString(device)); // rows did move
        assertArrayEquals(natural, ri.invert(device, k));
        float[] a = natural.clone(), b = device.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        assertArrayEquals(a, b); // same values, only where they sit changed
        for (int r = 0; r < 2 * ffn; r++) {
            assertArrayEquals(Arrays.copyOfRange(natural, ri.sourceRow(r) * k, (ri.sourceRow(r) + 1) * k),
                    Arrays.copyOfRange(device, r * k, (r + 1) * k), "device row " + r);
        }
    }

    @Test
    void fusedGemmOnInterleavedWeightsEqualsGemmThenSiluMulOnNaturalWeights() {
        int ffn = 64, k = 96, rows = 5;
        var ri = new WeightLayout.RowInterleave(ffn, G);
        float[] w = new float[2 * ffn * k];
        WeightInit.fill(w, 7, 105, 0, (float) Math.sqrt(3.0 / k), 0f);
        SplittableRandom rnd = new SplittableRandom(3);
        float[] a = new float[rows * k];
        for (int i = 0; i < a.length; i++) a[i] = WeightInit.roundBf16((float) rnd.nextDouble(-2, 2));
        float[] unfused = KernelReference.siluMul(KernelReference.gemm(a, w, rows, 2 * ffn, k), rows, ffn);
        float[] fused = KernelReference.gemmSiluMul(a, ri.apply(w, k), rows, k, ri);
        assertArrayEquals(unfused, fused); // bit for bit (float equality of bf16 values)
        // the natural weights read as if interleaved give something else: the test can tell layouts apart
        assertNotEquals(Arrays.toString(unfused), Arrays.toString(KernelReference.gemmSiluMul(a, w, rows, k, ri)));
    }

    @Test
    void loweringInterleavesEveryGateUpWeightAndNothingElse() {
        var program = ForwardProgram.of(Presets.byName("tiny"));
        WeightLayout layout = Lowering.layoutWeights(program);
        int ffn = program.dims().ffn();
        for (int l = 0; l < program.dims().layers(); l++) {
            assertEquals(new WeightLayout.RowInterleave(ffn, G), layout.of(WeightSpec.layer(l).gateUp()));
            assertNull(layout.of(WeightSpec.layer(l).qkv()));
        }
        assertEquals(program.dims().layers(), layout.interleaved().size());
        // an ffn the epilogue cannot pair in groups keeps the natural layout
        var d = program.dims();
        var odd = ForwardProgram.of(new ForwardProgram.Dims(d.hidden(), d.qHeads(), d.kvHeads(), d.headDim(), 500, d.vocab(),
                d.layers(), d.tied(), d.qkvBias(), d.eps()));
        assertEquals(WeightLayout.natural(), Lowering.layoutWeights(odd));
        // ... and stays unfused where the bundled rows switch the fusion on
        LoweredForward f = LoweredForward.of(odd, io.prefillbench.plan.CaptureSizes.parse("512", io.prefillbench.plan.CaptureSizes.HARD_CAP),
                32, 2048, 132, 90, ImplRegistry.standard(), ImplChoices.bundled());
        assertEquals("silu_mul", f.plan(512).op("L0.silu_mul").impl().name());
    }
}
