package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ForwardProgram;
import io.prefillbench.forward.ForwardTestSupport;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.forward.OpKind;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.reference.CpuReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The last layer on each sequence's last row (v78, a last_rows row: gather_last_rows after the last attention, the layer's o
 * and MLP and the final norm at the sequence capacity). Not the every-row plan's bits (other GEMM tilings at 32 rows):
 * ERNIE-4.5-0.3B's logits within 2e-2 relative of the bundled plan's at 512 (one 480-token prompt, 4x80, 32 sequences,
 * random batches) and at 200 tokens, the same first tokens where the top-2 margin is clear, graph == eager bit for bit, a
 * step over cached prefixes too; tiny against the CPU reference, chunked prompts included, with its fresh plan at 16
 * folding attention into o in every layer but the last.
 */
@Tag("gpu")
class LastRowsGpuTest {
    @Test
    void ernieOnLastRowsIsWithinToleranceOfEveryRowAndGraphEqualsEager() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "256,512", 32, 2048);
        int vocab = cfg.model().vocab();
        Random rnd = new Random(78);
        List<List<SeqInput>> batches = new ArrayList<>();
        batches.add(EngineTestSupport.batch(rnd, new int[] {480}, vocab));
        batches.add(EngineTestSupport.batch(rnd, new int[] {80, 80, 80, 80}, vocab));
        batches.add(EngineTestSupport.batch(rnd, new int[] {200}, vocab));
        batches.add(EngineTestSupport.batch(rnd, EngineTestSupport.randomSplit(rnd, 512, 32), vocab));
        for (int i = 0; i < 6; i++) batches.add(EngineTestSupport.batch(rnd, EngineTestSupport.randomLens(rnd, cfg, 257), vocab));
        List<int[]> wantTokens = new ArrayList<>();
        List<float[][]> wantLogits = new ArrayList<>();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(ForwardTestSupport.withoutLastRows(ImplChoices.bundled())))) {
            assertFalse(e.lowered().plan(512).program().lastRowsOnly(), "every row");
            for (List<SeqInput> b : batches) {
                e.poisonActivations();
                wantTokens.add(e.eager(b).firstTokens());
                wantLogits.add(e.lastLogits());
            }
        }
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(ForwardTestSupport.withLastRows(ImplChoices.bundled(), 129, 512)))) {
            for (int size : new int[] {256, 512}) {
                var plan = e.lowered().plan(size);
                assertTrue(plan.program().lastRowsOnly(), "size " + size);
                assertEquals(OpKind.GATHER_LAST_ROWS, plan.op("L17." + ForwardProgram.GATHER_LAST).op().kind());
                e.capture(size);
            }
            for (int i = 0; i < batches.size(); i++) {
                List<SeqInput> b = batches.get(i);
                String what = "batch " + i + " " + b.stream().map(q -> q.tokens().length).toList();
                for (boolean graph : new boolean[] {false, true}) {
                    e.poisonActivations();
                    int[] tokens = (graph ? e.graph(b) : e.eager(b)).firstTokens();
                    EngineTestSupport.assertLogitsClose(wantLogits.get(i), wantTokens.get(i), e.lastLogits(), tokens, what + (graph ? " graph" : " eager"));
                }
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, b, "last rows " + what);
            }
            // prompts continuing cached prefixes beside decodes at 512: each sequence's last row of the step
            KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
            List<MixedSteps.Seq> mixed = new ArrayList<>();
            mixed.add(MixedSteps.seq(rnd, kv, 300, 200, vocab));
            mixed.add(MixedSteps.seq(rnd, kv, 0, 100, vocab));
            for (int j = 0; j < 12; j++) mixed.add(MixedSteps.seq(rnd, kv, 64 * (1 + rnd.nextInt(8)), 1, vocab));
            MixedStepGraphEqualsEagerGpuTest.assertGraphEqualsEager(e, mixed, "mixed step at 512 on the last rows");
        }
    }

    @Test
    void tinyOnLastRowsMatchesTheCpuReference() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("tiny", "16,64", 8, 512);
        CpuReference ref = new CpuReference(cfg.model(), cfg.seed());
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(ForwardTestSupport.withLastRows(ImplChoices.bundled(), 1, 64)))) {
            assertTrue(e.lowered().plan(16).program().lastRowsOnly());
            assertTrue(e.lowered().plan(64).program().lastRowsOnly());
            // tiny's fresh plan at 16 folds attention into o (its bundled attention_into_o row) in every layer but the last
            var fresh = e.lowered().freshPlan(16).orElseThrow();
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N32_ATTN, fresh.op("L0.o").impl().name());
            assertEquals(OpKind.ATTENTION, fresh.op("L1.attention").op().kind(), "the last attention feeds the gather");
            e.capture(16);
            e.capture(64);
            PrefillRunner runner = new PrefillRunner(e, PaddingGuard.DEFAULT);
            Random rnd = new Random(780);
            List<List<int[]>> trials = new ArrayList<>();
            trials.add(List.of(EngineTestSupport.randomTokens(rnd, 100, cfg.model().vocab())));  // chunked over 64
            for (int trial = 0; trial < 8; trial++) {
                List<int[]> prompts = new ArrayList<>();
                int left = 64;
                for (int n = 1 + rnd.nextInt(8); n > 0 && left > 0; n--) {
                    int len = 1 + rnd.nextInt(Math.min(left, 24));
                    prompts.add(EngineTestSupport.randomTokens(rnd, len, cfg.model().vocab()));
                    left -= len;
                }
                trials.add(prompts);
            }
            for (int t = 0; t < trials.size(); t++) EngineTestSupport.assertMatchesReference(e, runner, ref, trials.get(t), true, "tiny last rows trial " + t);
        }
    }
}
