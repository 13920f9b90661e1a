package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.SoloNormsTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * s39 (kernels/NOTES-forward.md v85): the solo norms are the same kernels with unused shared memory, so the forward at 16 with a
 * solo_norms row gives the bundled forward's logits bit for bit, eager and graph, on random batches (prompts, decodes, mixed),
 * and graph == eager on it. sm_90.
 */
@Tag("gpu")
class SoloNormsGpuTest {
    @ParameterizedTest
    @ValueSource(strings = {"ernie-4.5-0.3b", "llama-3.2-1b"})
    void soloNormsGiveTheBundledBitsAndGraphEqualsEager(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16", 16, 2048);
        Random rnd = new Random(85);
        List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 10);
        batches.add(EngineTestSupport.batch(rnd, new int[] {10}, cfg.model().vocab()));
        List<float[][]> want = EngineTestSupport.eagerLogits(cfg, EngineOptions.DEFAULT.withChoices(ImplChoices.bundled()), batches, "solo norms are an sm_90 rule");
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(SoloNormsTest.soloRows(ImplChoices.bundled(), 1, 16)))) {
            String norm = preset.startsWith("ernie") ? "add_rmsnorm_solo" : "add_rmsnorm_256_solo";
            assertEquals(norm, e.lowered().plan(16).op("L0.input_norm").impl().name());
            e.capture(16);
            EngineTestSupport.assertLogitsBitsEagerAndGraph(e, batches, want, "the bundled forward's", preset + " solo norms");
        }
    }
}
