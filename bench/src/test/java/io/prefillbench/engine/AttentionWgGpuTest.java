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
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The wgmma attention forms (kernels/src/attention_wg.cu) in the forward, selected by an attention row over every
 * capture size: the logits against the CPU reference in eager and graph mode, and graph == eager bit for bit over
 * random batches, on tiny (group 2) and ERNIE-4.5-0.3B (group 8). sm_90a only.
 */
@Tag("gpu")
class AttentionWgGpuTest {
    static ImplChoices wgEverywhere(ImplChoices base) {
        return everywhere(base, ImplRegistry.ATTENTION_WG);
    }

    /** {@code base} with one attention row: {@code impl} for every shape at every size (sm_90). */
    static ImplChoices everywhere(ImplChoices base, String impl) {
        return base.withAttention(List.of(new ImplChoices.AttentionRow(impl, 0, 0, 0, 1, 1 << 20, 90, "test")));
    }

    /** Eight batches of 1..4 random prompts (up to 480 tokens in all): logits and first tokens against the CPU reference, eager and graph. */
    private static void randomPromptsMatchTheReference(PrefillEngine e, EngineConfig cfg, Random rnd, String what) {
        ModelConfig m = cfg.model();
        CpuReference ref = new CpuReference(m, cfg.seed());
        PrefillRunner runner = new PrefillRunner(e, PaddingGuard.DEFAULT);
        for (int trial = 0; trial < 8; trial++) {
            List<int[]> prompts = new ArrayList<>();
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) prompts.add(EngineTestSupport.randomTokens(rnd, 1 + rnd.nextInt(480 / n), m.vocab()));
            EngineTestSupport.assertMatchesReference(e, runner, ref, prompts, true, what);
        }
    }

    private static String lens(List<SeqInput> batch) {
        return "split " + batch.stream().map(q -> String.valueOf(q.tokens().length)).toList();
    }

    @Test
    void wgAttentionMatchesTheCpuReferenceAndGraphEqualsEager() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("tiny", "16,128,512", 16, 1024);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(wgEverywhere(ImplChoices.none())))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the wgmma attention is sm_90a code");
            for (int s : cfg.sizes().sizes()) assertEquals(ImplRegistry.ATTENTION_WG, e.lowered().plan(s).op("L0.attention").impl().name());
            for (int s : cfg.sizes().sizes()) e.capture(s);
            Random rnd = new Random(31);
            randomPromptsMatchTheReference(e, cfg, rnd, "wgmma attention");
            for (List<SeqInput> b : EngineTestSupport.randomBatches(rnd, cfg, 40)) {
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, b, "wgmma attention, " + lens(b));
            }
        }
    }

    /**
     * The t32 form (32-row tiles, each on the split path) at every size: the plan counts its tile capacity and builds its
     * tile map in 32-row tiles, so a capacity or map counted in 64-row tiles would leave tiles without blocks and garble
     * rows here. Tiny (group 2) against the CPU reference, eager and graph; tiny, ERNIE-4.5-0.3B (group 8: a 10-token
     * prompt is three tiles) and Llama-3.2-1B (group 4) graph == eager bit for bit over random batches.
     */
    @Test
    void t32MatchesTheCpuReferenceAndGraphEqualsEager() {
        GpuAssumptions.assumeGpu();
        for (String preset : List.of("tiny", "ernie-4.5-0.3b", "llama-3.2-1b")) {
            EngineConfig cfg = EngineTestSupport.config(preset, "16,128,512", 16, 1024);
            ImplChoices base = preset.equals("tiny") ? ImplChoices.none() : ImplChoices.bundled();
            try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(everywhere(base, ImplRegistry.ATTENTION_WG_EARLY_T32)))) {
                Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the wg forms are sm_90a code");
                for (int s : cfg.sizes().sizes()) {
                    assertEquals(ImplRegistry.ATTENTION_WG_EARLY_T32, e.lowered().plan(s).op("L0.attention").impl().name());
                    assertEquals(32, e.lowered().plan(s).key().tileRows());
                }
                for (int s : cfg.sizes().sizes()) e.capture(s);
                Random rnd = new Random(32);
                if (preset.equals("tiny")) randomPromptsMatchTheReference(e, cfg, rnd, "t32 attention");
                for (List<SeqInput> b : EngineTestSupport.randomBatches(rnd, cfg, 30)) {
                    GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, b, preset + " t32 attention, " + lens(b));
                }
            }
        }
    }

    /**
     * v93: the TMA form at every size gives the early form's logits bit for bit, eager and graph, over random batches (prompts up
     * to the capacity, decodes and chunks over cached prefixes, so pages cut by a sequence's kv length, whose tail rows the
     * kernel zeroes, at every offset) with the activations and the KV cache poisoned before each run; ERNIE-4.5-0.3B (group 8)
     * and Llama-3.2-1B (group 4) on their bundled rows otherwise.
     */
    @Test
    void tmaFormGivesTheEarlyFormsBits() {
        GpuAssumptions.assumeGpu();
        for (String preset : List.of("ernie-4.5-0.3b", "llama-3.2-1b")) {
            EngineConfig cfg = EngineTestSupport.config(preset, "16,128,512", 16, 2048);
            Random rnd = new Random(93);
            List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 24);
            batches.add(EngineTestSupport.batch(rnd, new int[] {480}, cfg.model().vocab()));
            batches.add(EngineTestSupport.batch(rnd, new int[] {80, 80, 80, 80}, cfg.model().vocab()));
            List<float[][]> want = EngineTestSupport.eagerLogits(cfg,
                    EngineOptions.DEFAULT.withChoices(everywhere(ImplChoices.bundled(), ImplRegistry.ATTENTION_WG_EARLY)), batches, "the wg forms are sm_90a code");
            try (PrefillEngine e = PrefillEngine.open(cfg, 0,
                    EngineOptions.DEFAULT.withChoices(everywhere(ImplChoices.bundled(), ImplRegistry.ATTENTION_WG_EARLY_TMA)))) {
                for (int s : cfg.sizes().sizes()) assertEquals(ImplRegistry.ATTENTION_WG_EARLY_TMA, e.lowered().plan(s).op("L0.attention").impl().name());
                for (int s : cfg.sizes().sizes()) e.capture(s);
                EngineTestSupport.assertLogitsBitsEagerAndGraph(e, batches, want, "the early form's", preset + " TMA attention");
            }
        }
    }

    /** ERNIE-4.5-0.3B with its bundled rows and the wg form at every size: graph == eager bit for bit. */
    @Test
    void ernieGraphEqualsEager() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "16,128,512", 16, 2048);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(wgEverywhere(ImplChoices.bundled())))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the wgmma attention is sm_90a code");
            for (int s : cfg.sizes().sizes()) e.capture(s);
            for (List<SeqInput> b : EngineTestSupport.randomBatches(new Random(480), cfg, 30)) {
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, b, "ERNIE wgmma attention, " + lens(b));
            }
        }
    }
}
