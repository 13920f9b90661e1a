package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.plan.TileMath;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fresh-prompt graph (s26): ERNIE-4.5-0.3B at 128 has one (the bundled fresh row puts its attention on 32-row tiles).
 * Batches of fresh prompts run it — every split the bucket holds, its exact worst case in 32-row tiles included — and give
 * graph == eager bit for bit; a mixed step over cached prefixes at the same size runs the plain plan, graph == eager too.
 */
@Tag("gpu")
class FreshGraphGpuTest {
    @Test
    void freshPromptsReplayTheirGraphAndMixedStepsThePlainOne() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "64,128", 16, 2048);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            assertTrue(e.lowered().freshPlan(64).isEmpty());
            assertEquals(ImplRegistry.ATTENTION_WG_EARLY_T32, e.lowered().freshPlan(128).orElseThrow().op("L0.attention").impl().name());
            assertEquals(ImplRegistry.ATTENTION_WG_EARLY, e.lowered().plan(128).op("L0.attention").impl().name());
            for (int size : cfg.sizes().sizes()) e.capture(size);
            assertTrue(e.freshCaptureReport(128).isPresent());
            assertTrue(e.freshCaptureReport(64).isEmpty());
            Random rnd = new Random(26);
            int vocab = cfg.model().vocab(), group = cfg.model().group(), seqs = cfg.seqCapacity(128);
            List<int[]> splits = new ArrayList<>(List.of(new int[] {16, 16, 16, 16, 16, 16, 16, 16}, new int[] {100}, new int[] {128},
                    new int[] {30, 50, 40}, new int[] {65}, TileMath.worstCaseSplit(128, seqs, group, 32)));
            for (int i = 0; i < 12; i++) {
                int tokens = 65 + rnd.nextInt(64);
                splits.add(EngineTestSupport.randomSplit(rnd, tokens, 1 + rnd.nextInt(Math.min(tokens, seqs))));
            }
            for (int[] lens : splits) {
                List<SeqInput> b = EngineTestSupport.batch(rnd, lens, vocab);
                assertTrue(e.runsFreshPlan(128, b), Arrays.toString(lens));
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, b, "fresh " + Arrays.toString(lens));
            }
            // a mixed step at 128: one prompt and 15 decodes over cached prefixes, the plain graph
            KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
            List<MixedSteps.Seq> mixed = new ArrayList<>();
            mixed.add(MixedSteps.seq(rnd, kv, 0, 80, vocab));
            for (int j = 0; j < 15; j++) mixed.add(MixedSteps.seq(rnd, kv, 64 * (1 + rnd.nextInt(8)), 1, vocab));
            assertFalse(e.runsFreshPlan(128, MixedSteps.step(mixed)));
            int[][] tokens = new int[2][];
            float[][][] logits = new float[2][][];
            for (int g = 0; g < 2; g++) {
                e.poisonActivations();
                MixedSteps.fillPrefixes(e, mixed);
                PrefillOutput out = g == 1 ? e.graph(MixedSteps.step(mixed)) : e.eager(MixedSteps.step(mixed));
                tokens[g] = out.firstTokens();
                logits[g] = e.lastLogits();
            }
            assertArrayEquals(tokens[0], tokens[1], "mixed step: first tokens");
            for (int s = 0; s < logits[0].length; s++) {
                GraphEqualsEagerGpuTest.assertNoNaN(logits[0][s], "mixed step: eager logits of sequence " + s);
                if (!Arrays.equals(logits[0][s], logits[1][s])) fail("mixed step: logits of sequence " + s + " differ between graph and eager");
            }
        }
    }
}
