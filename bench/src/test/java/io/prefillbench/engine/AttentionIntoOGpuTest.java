package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ForwardTestSupport;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.forward.LoweredPlan;
import io.prefillbench.forward.OpKind;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.reference.CpuReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attention_into_o (v74: each layer's attention computed inside its o GEMM, gemm_bf16_stream_m16_n32_attn, in the fresh-prompt
 * plan at 16; v79: gemm_bf16_stream_m16_k256_attn where o runs the plain 16-row tile, Llama-3.2-1B's four heads per block). Not the unfolded plan's bits (another softmax order, bf16 probabilities): ERNIE-4.5-0.3B's and Llama-3.2-1B's
 * (its o on the fold's tile by a test row) folded forward within 2e-2 relative of the unfolded one's logits, the same first tokens where the top-2 margin is clear, graph == eager
 * bit for bit on it, and a step over cached prefixes at the same size still on the plain plan (the kernel would trap);
 * tiny and tiny-bias (qkv bias: v biased in place by rope), o put on the half-width tile by a test row, against the CPU
 * reference. sm_90.
 */
@Tag("gpu")
class AttentionIntoOGpuTest {
    /** {@code base} plus an attention_into_o row for the fresh plans at 1..16 (any o on the half-width tile its rule reaches). */
    static ImplChoices folded(ImplChoices base) {
        return folded(base, "gemm_bf16_stream_m16_n32", null, null);
    }

    /** {@code base} with its attention_into_o rows replaced by one for the fresh plans at 1..16 naming {@code producer} (and shape). */
    static ImplChoices folded(ImplChoices base, String producer, Integer n, Integer k) {
        return ForwardTestSupport.withAttentionIntoO(base, ImplChoices.AttentionRow.FRESH, producer, n, k);
    }

    /** {@code base} without attention_into_o rows. */
    static ImplChoices unfolded(ImplChoices base) {
        return ForwardTestSupport.withoutAttentionIntoO(base);
    }

    /**
     * Llama-3.2-1B's o (2048 x 2048) at 1..16 in the fresh-prompt graph on the half-width tile at k / 128 = 16 splits, the
     * fold's tile (the bundled rows keep its o on the 64-column kernel); ERNIE's o is there already.
     */
    static ImplChoices withFreshO(ImplChoices base, String preset) {
        if (!preset.startsWith("llama")) return base;
        List<ImplChoices.GemmRow> gemm = new ArrayList<>(base.gemm());
        // first: scoped rows match in order, and the bundled rows put o on the 128-deep tile for prompt batches (s38)
        gemm.add(0, new ImplChoices.GemmRow(2048, 2048, 1, 90, "gemm_bf16_stream_m16_n32", 16, "test", null, 16, ImplChoices.AttentionRow.FRESH));
        return base.withGemm(gemm);
    }

    /** "llama-3.2-1b:k256": Llama-3.2-1B on the plain tile's fold (v79); the others on the half-width tile's (v74). */
    @ParameterizedTest
    @ValueSource(strings = {"ernie-4.5-0.3b", "llama-3.2-1b", "llama-3.2-1b:k256"})
    void foldedIsWithinToleranceOfUnfoldedAndGraphEqualsEager(String param) {
        GpuAssumptions.assumeGpu();
        boolean k256 = param.endsWith(":k256");
        String preset = k256 ? param.substring(0, param.indexOf(':')) : param;
        // k256: Llama's o left on the plain 16-row kernel (8 splits), the fold row naming that kernel (four q heads per block)
        ImplChoices foldRows = k256 ? folded(ForwardTestSupport.withPlainLlamaO(ImplChoices.bundled()), "gemm_bf16_stream_m16", 2048, 2048)
                : folded(withFreshO(ImplChoices.bundled(), preset));
        String foldKernel = k256 ? ImplRegistry.GEMM_STREAM_M16_K256_ATTN : ImplRegistry.GEMM_STREAM_M16_N32_ATTN;
        EngineConfig cfg = EngineTestSupport.config(preset, "16", 16, 2048);
        Random rnd = new Random(74);
        List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 24);
        batches.add(EngineTestSupport.batch(rnd, new int[] {16}, cfg.model().vocab()));
        batches.add(EngineTestSupport.batch(rnd, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, cfg.model().vocab()));
        List<int[]> wantTokens = new ArrayList<>();
        List<float[][]> wantLogits = new ArrayList<>();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(unfolded(ImplChoices.bundled())))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the attention prologue's kernel is sm_90 code here");
            for (List<SeqInput> b : batches) {
                e.poisonActivations();
                wantTokens.add(e.eager(b).firstTokens());
                wantLogits.add(e.lastLogits());
            }
        }
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(foldRows))) {
            LoweredPlan fresh = e.lowered().freshPlan(16).orElseThrow();
            assertTrue(fresh.ops().stream().noneMatch(o -> o.op().kind() == OpKind.ATTENTION), "every attention folded");
            assertEquals(foldKernel, fresh.op("L0.o").impl().name());
            assertTrue(e.lowered().plan(16).ops().stream().anyMatch(o -> o.op().kind() == OpKind.ATTENTION), "the plain plan keeps attention");
            e.capture(16);
            for (int i = 0; i < batches.size(); i++) {
                List<SeqInput> b = batches.get(i);
                String what = "batch " + i + " " + b.stream().map(q -> q.tokens().length).toList();
                assertTrue(e.runsFreshPlan(16, b), what);
                for (boolean graph : new boolean[] {false, true}) {
                    e.poisonActivations();
                    int[] tokens = (graph ? e.graph(b) : e.eager(b)).firstTokens();
                    EngineTestSupport.assertLogitsClose(wantLogits.get(i), wantTokens.get(i), e.lastLogits(), tokens, what + (graph ? " graph" : " eager"));
                }
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, b, "folded " + what);
            }
            // a step over cached prefixes at 16 replays the plain graph, attention and o on their own
            KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
            List<MixedSteps.Seq> mixed = new ArrayList<>();
            mixed.add(MixedSteps.seq(rnd, kv, 0, 8, cfg.model().vocab()));
            for (int j = 0; j < 4; j++) mixed.add(MixedSteps.seq(rnd, kv, 64 * (1 + rnd.nextInt(8)), 1, cfg.model().vocab()));
            assertFalse(e.runsFreshPlan(16, MixedSteps.step(mixed)));
            MixedStepGraphEqualsEagerGpuTest.assertGraphEqualsEager(e, mixed, "mixed step at 16 beside the folded fresh plan");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-bias"})
    void tinyFoldedMatchesTheCpuReference(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16", 8, 512);
        int o = cfg.model().qHeads() * cfg.model().headDim();
        // o (n = hidden, k = q heads * 64) on the half-width 16-row tile, then the fold
        ImplChoices rows = folded(ImplChoices.bundled()).withGemm(List.of(
                new ImplChoices.GemmRow(cfg.model().hidden(), o, 1, 90, "gemm_bf16_stream_m16_n32", o / 128, "test", null, 16)));
        CpuReference ref = new CpuReference(cfg.model(), cfg.seed());
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(rows))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the attention prologue's kernel is sm_90 code here");
            assertEquals(ImplRegistry.GEMM_STREAM_M16_N32_ATTN, e.lowered().freshPlan(16).orElseThrow().op("L0.o").impl().name());
            e.capture(16);
            PrefillRunner runner = new PrefillRunner(e, PaddingGuard.DEFAULT);
            Random rnd = new Random(740);
            for (int trial = 0; trial < 8; trial++) {
                List<int[]> prompts = new ArrayList<>();
                int left = 16;
                for (int n = 1 + rnd.nextInt(4); n > 0 && left > 0; n--) {
                    int len = 1 + rnd.nextInt(left);
                    prompts.add(EngineTestSupport.randomTokens(rnd, len, cfg.model().vocab()));
                    left -= len;
                }
                EngineTestSupport.assertMatchesReference(e, runner, ref, prompts, true, preset + " trial " + trial);
            }
        }
    }
}
