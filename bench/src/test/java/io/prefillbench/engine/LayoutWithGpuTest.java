package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * prefill --layout-with moves buffers, never bits: Llama-3.2-1B's forward at 16 and 64 on the rules' defaults (no rows), its
 * buffers laid out over the bundled plans too (other addresses: the premise, checked before the GPU is looked for), gives
 * the own layout's logits bit for bit, eager and graph, on random batches, and graph == eager.
 */
@Tag("gpu")
class LayoutWithGpuTest {
    @Test
    void aLayoutOverOtherPlansGivesTheSameBits() {
        EngineConfig cfg = EngineTestSupport.config("llama-3.2-1b", "16,64", 32, 2048);
        EngineOptions own = EngineOptions.DEFAULT.withChoices(ImplChoices.none());
        EngineOptions pinned = own.withLayoutWith(List.of(ImplChoices.bundled()));
        GpuAssumptions.assumeGpu();
        assertNotEquals(PrefillEngine.lower(cfg, 132, 90, own).layout().slices(), PrefillEngine.lower(cfg, 132, 90, pinned).layout().slices(),
                "the premise: the bundled plans move the default forward's buffers");
        Random rnd = new Random(82);
        List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 10);
        batches.add(EngineTestSupport.batch(rnd, new int[] {10}, cfg.model().vocab()));
        batches.add(EngineTestSupport.batch(rnd, new int[] {40, 20}, cfg.model().vocab()));
        List<float[][]> want = EngineTestSupport.eagerLogits(cfg, own, batches, null);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, pinned)) {
            e.capture(16);
            e.capture(64);
            EngineTestSupport.assertLogitsBitsEagerAndGraph(e, batches, want, "the own layout's", "default llama laid out with the bundled plans");
        }
    }
}
