package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.reference.CpuReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wgmma + TMA GEMMs (kernels/src/gemm_wgmma.cu) in the forward, selected by measurement rows: every layer GEMM on
 * one of them at the larger buckets (o and down split into partials their norm sums, gate_up with SiLU fused), the
 * logits against the CPU reference in eager and graph mode, and graph == eager bit for bit over random batches. sm_90a
 * only (the tiles refuse any other device).
 */
@Tag("gpu")
class TmaGemmGpuTest {
    /**
     * 200: row tiles that cross the capacity (the A tensor map rounded up to whole tiles, ImplRegistry.tmaRows); 72: one
     * 128-row tile over 72 rows (the bundled gate_up tile at 65..128).
     */
    private static final String SIZES = "16,72,128,200,512";

    /**
     * Rows for a model's four layer GEMMs at 128 and 512: several tiles, o and down split at 128, and one kernel at two
     * depths in one plan (64 x 64 with 4 stages before 12: the shared memory limit must follow the larger).
     */
    static ImplChoices tmaChoices(ModelConfig m) {
        int h = m.hidden(), qkv = m.qkvDim(), gu = 2 * m.ffn(), ffn = m.ffn();
        List<ImplChoices.GemmRow> rows = List.of(
                new ImplChoices.GemmRow(qkv, h, 128, 90, "gemm_bf16_tma_64x128s6", 0, "test"),
                new ImplChoices.GemmRow(h, h, 128, 90, "gemm_bf16_tma_64x64s4", 2, "test"),
                new ImplChoices.GemmRow(gu, h, 128, 90, "gemm_bf16_tma_64x64s4", 0, "test"),
                new ImplChoices.GemmRow(h, ffn, 128, 90, "gemm_bf16_tma_64x64s12", 4, "test"),
                new ImplChoices.GemmRow(qkv, h, 512, 90, "gemm_bf16_tma_64x128s6", 0, "test"),
                new ImplChoices.GemmRow(h, h, 512, 90, "gemm_bf16_tma_64x64s12", 0, "test"),
                new ImplChoices.GemmRow(gu, h, 512, 90, "gemm_bf16_tma_128x256s4", 0, "test"),
                new ImplChoices.GemmRow(h, ffn, 512, 90, "gemm_bf16_tma_128x64s8", 0, "test"),
                new ImplChoices.GemmRow(qkv, h, 200, 90, "gemm_bf16_tma_128x64s9", 0, "test"),
                new ImplChoices.GemmRow(h, h, 200, 90, "gemm_bf16_tma_64x64s8", 0, "test"),
                new ImplChoices.GemmRow(gu, h, 200, 90, "gemm_bf16_tma_64x128s6", 0, "test"),
                new ImplChoices.GemmRow(h, ffn, 200, 90, "gemm_bf16_tma_128x64s8", 0, "test"),
                new ImplChoices.GemmRow(gu, h, 72, 90, "gemm_bf16_tma_128x64s8", 0, "test"));
        return new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), rows,
                List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 72, 90, "test"),
                        new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 128, 90, "test"),
                        new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 200, 90, "test"),
                        new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 512, 90, "test")), List.of());
    }

    @Test
    void tmaForwardMatchesTheCpuReferenceAndGraphEqualsEager() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("tiny", SIZES, 16, 1024);
        ModelConfig m = cfg.model();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(tmaChoices(m)))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the TMA GEMMs are sm_90a code");
            assertEquals("gemm_bf16_tma_64x128s6", e.lowered().plan(128).op("L0.qkv").impl().name());
            assertEquals(2, e.lowered().plan(128).op("L0.o").splits());
            assertEquals("gemm_bf16_tma_64x64s4_silu", e.lowered().plan(128).op("L0.gate_up").impl().name());
            assertEquals("gemm_bf16_tma_128x256s4_silu", e.lowered().plan(512).op("L0.gate_up").impl().name());
            assertTrue(e.lowered().plan(16).ops().stream().noneMatch(o -> o.impl().name().contains("tma")), "no row at 16");
            for (int s : cfg.sizes().sizes()) e.capture(s);
            CpuReference ref = new CpuReference(m, cfg.seed());
            PrefillRunner runner = new PrefillRunner(e, PaddingGuard.DEFAULT);
            Random rnd = new Random(90);
            for (int trial = 0; trial < 6; trial++) {
                List<int[]> prompts = new ArrayList<>();
                int n = 1 + rnd.nextInt(4);
                // 65..500 tokens in all: buckets 128 and 512
                for (int i = 0; i < n; i++) prompts.add(EngineTestSupport.randomTokens(rnd, 65 / n + 1 + rnd.nextInt(440 / n), m.vocab()));
                EngineTestSupport.assertMatchesReference(e, runner, ref, prompts, true, "TMA GEMMs");
            }
            assertEquals("gemm_bf16_tma_128x64s8_silu", e.lowered().plan(72).op("L0.gate_up").impl().name());
            for (int trial = 0; trial < 3; trial++) // 65..72 tokens: bucket 72, one 128-row tile over 72 rows
                EngineTestSupport.assertMatchesReference(e, runner, ref, List.of(EngineTestSupport.randomTokens(rnd, 65 + rnd.nextInt(8), m.vocab())),
                        true, "TMA GEMMs at 72");
            for (int i = 0; i < 40; i++) {
                int[] lens = EngineTestSupport.randomLens(rnd, cfg, 65);
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, EngineTestSupport.batch(rnd, lens, m.vocab()), "TMA GEMMs, split " + Arrays.toString(lens));
            }
        }
    }

    /**
     * Llama-3.2-1B's four layer GEMMs on the TMA tiles ERNIE runs at 81..128 (s17 call 8's candidate `choices-lt4.json`,
     * 10-12 % slower than cuBLASLt there and not bundled; kept as coverage of the tiles at K = 8192: qkv 64 x 64 split 2
     * into rope, o and down split 4 into their 2048-wide norms, gate_up 128 x 64 with SiLU fused, two waves of 256
     * blocks): graph == eager bit for bit at 96 and 128 on split batches; no NaN in the logits.
     */
    @Test
    void llamaShapesOnTheTmaTilesGraphEqualsEager() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("llama-3.2-1b", "96,128", 16, 2048);
        ModelConfig m = cfg.model();
        int h = m.hidden(), ffn = m.ffn();
        ImplChoices rows = new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), List.of(
                new ImplChoices.GemmRow(m.qkvDim(), h, 81, 90, "gemm_bf16_tma_64x64s8", 2, "test", null, 128),
                new ImplChoices.GemmRow(h, h, 81, 90, "gemm_bf16_tma_64x64s8", 4, "test", null, 128),
                new ImplChoices.GemmRow(2 * ffn, h, 81, 90, "gemm_bf16_tma_128x64s8", 1, "test", null, 128),
                new ImplChoices.GemmRow(h, ffn, 81, 90, "gemm_bf16_tma_64x64s8", 4, "test", null, 128)),
                List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 81, 90, "test", 128, "gemm_bf16_tma_128x64s8")), List.of());
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(rows))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the TMA GEMMs are sm_90a code");
            for (int size : cfg.sizes().sizes()) {
                var plan = e.lowered().plan(size);
                assertEquals("gemm_bf16_tma_128x64s8_silu", plan.op("L0.gate_up").impl().name());
                assertEquals(4, plan.op("L0.down").splits());
                assertEquals("add_rmsnorm_256", plan.op("L1.input_norm").impl().name());
                e.capture(size);
            }
            Random rnd = new Random(2048);
            for (int i = 0; i < 16; i++) {
                int[] lens = EngineTestSupport.randomSplit(rnd, 81 + rnd.nextInt(48), 1 + rnd.nextInt(16));
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, EngineTestSupport.batch(rnd, lens, m.vocab()), "Llama TMA rows, split " + Arrays.toString(lens));
            }
        }
    }

    /**
     * The bundled rows at capacities inside gate_up's TMA ranges (65..128 on 128 x 64, 416..511 on 128 x 192) that are
     * not a multiple of the tile's 128 rows: the fused tile reads its A through a tensor map rounded up to whole tiles;
     * graph == eager bit for bit.
     */
    @Test
    void bundledTmaRangeGraphEqualsEager() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "72,464", 16, 2048);
        ModelConfig m = cfg.model();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the TMA GEMMs are sm_90a code");
            assertEquals("gemm_bf16_tma_128x192s4_silu", e.lowered().plan(464).op("L0.gate_up").impl().name());
            assertEquals("gemm_bf16_tma_128x64s8_silu", e.lowered().plan(72).op("L0.gate_up").impl().name());
            e.capture(72);
            e.capture(464);
            Random rnd = new Random(464);
            for (int i = 0; i < 10; i++) { // the 65..128 range row: one 128-row tile over 72 rows
                int[] lens = EngineTestSupport.randomSplit(rnd, 65 + rnd.nextInt(8), 1 + rnd.nextInt(8));
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, EngineTestSupport.batch(rnd, lens, m.vocab()), "bundled 72, split " + Arrays.toString(lens));
            }
            for (int i = 0; i < 20; i++) {
                int tokens = 400 + rnd.nextInt(65);
                int[] lens = EngineTestSupport.randomSplit(rnd, tokens, 1 + rnd.nextInt(16));
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, EngineTestSupport.batch(rnd, lens, m.vocab()), "bundled 464, split " + Arrays.toString(lens));
            }
        }
    }

    /** ERNIE-4.5-0.3B's shapes (the A/B's): graph == eager bit for bit at 128 and 512 with every layer GEMM on a TMA tile. */
    @Test
    void ernieShapesGraphEqualsEager() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", SIZES, 16, 2048);
        ModelConfig m = cfg.model();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(tmaChoices(m)))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the TMA GEMMs are sm_90a code");
            for (int s : new int[] {72, 128, 200, 512}) e.capture(s);  // random lens from 65 tokens: bucket 72 too
            Random rnd = new Random(512);
            for (int i = 0; i < 30; i++) {
                int[] lens = EngineTestSupport.randomLens(rnd, cfg, 65);
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, EngineTestSupport.batch(rnd, lens, m.vocab()), "ERNIE TMA, split " + Arrays.toString(lens));
            }
        }
    }
}
