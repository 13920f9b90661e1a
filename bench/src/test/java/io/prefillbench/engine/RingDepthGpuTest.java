package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.forward.RingDepthTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The 16-row streaming kernels at other ring depths (v80: the nine-stage half-width tile, gemm_bf16_stream_m16_n32s9[_silu], on
 * ERNIE-4.5-0.3B; v81: the five-stage plain tile, gemm_bf16_stream_m16s5[_silu], on Llama-3.2-1B; s38: the 128-deep four-stage
 * plain tile, gemm_bf16_stream_m16k128s4[_silu], on Llama-3.2-1B): the six-stage kernels'
 * arithmetic, so the forward at 16 with gate_up (SiLU fused) and down on them gives the bundled forward's logits bit for bit,
 * eager and graph, on random batches (prompts, decodes, mixed), and graph == eager on it. s39: the 256-deep half-width tile
 * (gemm_bf16_stream_m16_n32k256s3 / _s4) divides each stage as the six-stage half-width kernel's two stages: ERNIE's gate_up on
 * it gives the bundled bits; Llama's down and o on it at 4 splits give the bits of the same rows on gemm_bf16_stream_m16_n32.
 * sm_90.
 */
@Tag("gpu")
class RingDepthGpuTest {
    @ParameterizedTest
    @ValueSource(strings = {"ernie-4.5-0.3b", "llama-3.2-1b", "llama-3.2-1b k128"})
    void otherRingDepthsGiveTheSixStageBitsAndGraphEqualsEager(String variant) {
        GpuAssumptions.assumeGpu();
        String preset = variant.split(" ")[0];
        boolean ernie = preset.startsWith("ernie"), k128 = variant.endsWith("k128");
        EngineConfig cfg = EngineTestSupport.config(preset, "16", 16, 2048);
        Random rnd = new Random(80);
        List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 12);
        batches.add(EngineTestSupport.batch(rnd, new int[] {10}, cfg.model().vocab()));
        List<float[][]> want = EngineTestSupport.eagerLogits(cfg, EngineOptions.DEFAULT.withChoices(ImplChoices.bundled()), batches, "the bundled rows at 16 are sm_90 rows");
        ImplChoices rows = ernie ? RingDepthTest.nineStageRows(ImplChoices.bundled())
                : k128 ? RingDepthTest.k128Rows(ImplChoices.bundled()) : RingDepthTest.fiveStageRows(ImplChoices.bundled());
        String down = ernie ? ImplRegistry.GEMM_STREAM_M16_N32S9 : k128 ? ImplRegistry.GEMM_STREAM_M16K128S4 : ImplRegistry.GEMM_STREAM_M16S5;
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(rows))) {
            assertEquals(down + "_silu", e.lowered().plan(16).op("L0.gate_up").impl().name());
            assertEquals(down, e.lowered().plan(16).op("L0.down").impl().name());
            e.capture(16);
            EngineTestSupport.assertLogitsBitsEagerAndGraph(e, batches, want, "the six-stage forward's", variant + " ring depth");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ernie-4.5-0.3b " + ImplRegistry.GEMM_STREAM_M16_N32K256S3, "ernie-4.5-0.3b " + ImplRegistry.GEMM_STREAM_M16_N32K256S4,
            "llama-3.2-1b " + ImplRegistry.GEMM_STREAM_M16_N32K256S3, "llama-3.2-1b " + ImplRegistry.GEMM_STREAM_M16_N32K256S4})
    void k256HalfWidthTileGivesTheSixStageBitsAndGraphEqualsEager(String variant) {
        GpuAssumptions.assumeGpu();
        String preset = variant.split(" ")[0], impl = variant.split(" ")[1];
        boolean ernie = preset.startsWith("ernie");
        EngineConfig cfg = EngineTestSupport.config(preset, "16", 16, 2048);
        Random rnd = new Random(39);
        List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 10);
        batches.add(EngineTestSupport.batch(rnd, new int[] {10}, cfg.model().vocab()));
        // the reference: ERNIE's bundled rows (gate_up on the six-stage half-width SiLU kernel), Llama's down and o on the
        // six-stage half-width kernel at the same 4 splits
        ImplChoices ref = ernie ? ImplChoices.bundled() : RingDepthTest.llamaHalfWidthRows(ImplChoices.bundled(), "gemm_bf16_stream_m16_n32", 4);
        ImplChoices rows = ernie ? RingDepthTest.ernieK256GateUpRows(ImplChoices.bundled(), impl)
                : RingDepthTest.llamaHalfWidthRows(ImplChoices.bundled(), impl, 4);
        List<float[][]> want = EngineTestSupport.eagerLogits(cfg, EngineOptions.DEFAULT.withChoices(ref), batches, "the bundled rows at 16 are sm_90 rows");
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(rows))) {
            for (String op : ernie ? List.of("L0.gate_up") : List.of("L0.down", "L0.o"))
                assertEquals(ernie ? impl + "_silu" : impl, e.lowered().plan(16).op(op).impl().name(), op);
            e.capture(16);
            EngineTestSupport.assertLogitsBitsEagerAndGraph(e, batches, want, "the six-stage half-width forward's", variant);
        }
    }
}
