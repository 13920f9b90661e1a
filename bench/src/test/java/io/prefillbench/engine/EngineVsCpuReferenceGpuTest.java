package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.reference.CpuReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The full forward on the GPU against the CPU reference: logits within 2e-2 relative, same first tokens where the top-2 margin is clear.
 * Buckets 64 and 128 run silu_mul fused into the gate/up GEMM (a test-local measurements override; the CPU reference runs GEMM then
 * silu_mul on the natural weights), bucket 16 the unfused ops on the same interleaved device weights; buckets 16 and 64 run
 * rope_kv_write fused into the qkv GEMM where head_dim divides its 64-column tiles (not tiny-g5: head dim 128).
 */
@Tag("gpu")
class EngineVsCpuReferenceGpuTest {
    static final ImplChoices FUSED_AT_64_128 = new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), List.of(),
            List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 64, 0, "test"),
                    new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 128, 0, "test"),
                    new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 16, 0, "test"),
                    new ImplChoices.FusionRow(ImplRegistry.ROPE_INTO_QKV, 64, 0, "test")), List.of());

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-g5", "tiny-bias"})
    void logitsAndFirstTokensMatchReference(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,64,128", 8, 512);
        CpuReference ref = new CpuReference(cfg.model(), cfg.seed());
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(FUSED_AT_64_128))) {
            assertEquals("gemm_bf16_stream_m64_silu", e.lowered().plan(64).op("L0.gate_up").impl().name());
            assertEquals("silu_mul", e.lowered().plan(16).op("L0.silu_mul").impl().name());
            assertEquals(preset.equals("tiny-g5") ? "rope_kv_write" : "gemm_bf16_stream_m16_rope",
                    e.lowered().plan(16).ops().stream().filter(o -> o.fused().contains("L0.rope_kv") || o.op().name().equals("L0.rope_kv"))
                            .findFirst().orElseThrow().impl().name());
            for (int s : cfg.sizes().sizes()) e.capture(s);
            PrefillRunner runner = new PrefillRunner(e, PaddingGuard.DEFAULT);
            Random rnd = new Random(3);
            for (int trial = 0; trial < 6; trial++) {
                List<int[]> prompts = new ArrayList<>();
                int n = 1 + rnd.nextInt(5);
                for (int i = 0; i < n; i++) prompts.add(EngineTestSupport.randomTokens(rnd, 1 + rnd.nextInt(trial < 3 ? 60 : 300), cfg.model().vocab()));
                EngineTestSupport.assertMatchesReference(e, runner, ref, prompts, true, preset);
            }
        }
    }

    /**
     * The bundled rows (the engine's default) against the CPU reference: at 16 tiny's layer GEMMs run the 16-column streaming
     * kernel (v75, s34: qkv on the pair tiles with rope fused, o and down plain), above it the rule's kernels.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-bias"})
    void theBundledRowsMatchReference(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,64", 8, 512);
        CpuReference ref = new CpuReference(cfg.model(), cfg.seed());
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(e.device().ccMajor() == 9, "the bundled rows are sm_90 rows");
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N16_ROPE1, e.lowered().plan(16).op("L0.qkv").impl().name());
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N16, e.lowered().plan(16).op("L0.o").impl().name());
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N16, e.lowered().plan(16).op("L0.down").impl().name());
            for (int s : cfg.sizes().sizes()) e.capture(s);
            PrefillRunner runner = new PrefillRunner(e, PaddingGuard.DEFAULT);
            Random rnd = new Random(75);
            for (int trial = 0; trial < 6; trial++) {
                List<int[]> prompts = new ArrayList<>();
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) prompts.add(EngineTestSupport.randomTokens(rnd, 1 + rnd.nextInt(trial < 4 ? 16 / n : 60), cfg.model().vocab()));
                EngineTestSupport.assertMatchesReference(e, runner, ref, prompts, true, preset + " bundled");
            }
        }
    }

    static double relError(float[] got, float[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(got[i])) return Double.POSITIVE_INFINITY;
            num += (got[i] - want[i]) * (double) (got[i] - want[i]);
            den += want[i] * (double) want[i];
        }
        return Math.sqrt(num / den);
    }

    /** Gap between the largest and second-largest logit. */
    static double margin(float[] v) {
        float a = Float.NEGATIVE_INFINITY, b = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            if (x > a) { b = a; a = x; } else if (x > b) b = x;
        }
        return a - b;
    }
}
