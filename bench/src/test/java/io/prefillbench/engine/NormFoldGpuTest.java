package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.forward.LoweredPlan;
import io.prefillbench.forward.OpKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * norm_into_gemms (v67): add_rmsnorm folded into the half-width 16-row streaming GEMMs around it (the producer adds into the
 * residual stream in place, gemm_bf16_stream_m16_n32_resadd; the consumer norms in its prologue, the _norm forms). The
 * kernels reproduce add_rmsnorm's bits, so ERNIE-4.5-0.3B's forward at capture size 16 with the row (results/h200-ab-20261130/
 * s26/choices-nf16.json) equals the bundled forward bit for bit: first tokens and last-token logits, eager and graph, for
 * prompts [10], [16], [8, 8] (plain graph: qkv on _rope_norm) and decode-only steps (decode graph: qkv on _norm, rope its own
 * op) and a mixed step; and with the row graph == eager. Prefixes are filled at 64, outside the row, so both engines' caches
 * hold the same bits. Activations and caches are poisoned before each run.
 */
@Tag("gpu")
class NormFoldGpuTest {
    private static final int MAX_SEQS = 16, MAX_LEN = 2048;

    /** The bundled rows plus the candidate's norm_into_gemms row at 1..16. */
    static ImplChoices nf16() {
        ImplChoices b = ImplChoices.bundled();
        List<ImplChoices.FusionRow> fusions = new ArrayList<>(b.fusions());
        fusions.add(new ImplChoices.FusionRow(ImplRegistry.NORM_INTO_GEMMS, 1, 90, "test: v67 candidate", 16, null));
        return new ImplChoices(b.provenance(), b.gemm(), fusions, b.l2Prefetch(), b.persistentLayers(), b.attention(), b.prefetchAhead());
    }

    private record Step(String what, List<MixedSteps.Seq> seqs, boolean decodeOnly) {
    }

    private record Run(int[] firstTokens, float[][] logits) {
    }

    @Test
    void erniesForwardWithTheNormsFoldedEqualsTheBundledForwardBitForBit() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "16,64", MAX_SEQS, MAX_LEN);
        List<Step> steps = steps(cfg);
        List<List<Run>> byEngine = new ArrayList<>();
        List<ImplChoices> engines = List.of(ImplChoices.bundled(), nf16());
        for (int i = 0; i < engines.size(); i++) {
            try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(engines.get(i)))) {
                Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the bundled wg attention forms are sm_90a code");
                if (i == 1) assertFolded(e);
                for (int size : cfg.sizes().sizes()) e.capture(size);
                assertTrue(e.decodeCaptureReport(16).isPresent(), "the decode graph at 16 is captured");
                byEngine.add(runs(e, steps));
            }
        }
        List<Run> bundled = byEngine.get(0), folded = byEngine.get(1);
        for (int i = 0; i < bundled.size(); i++) {
            String what = steps.get(i / 2).what() + (i % 2 == 0 ? " eager" : " graph");
            assertSame(bundled.get(i), folded.get(i), what + ": folded vs bundled");
            if (i % 2 == 1) assertSame(folded.get(i - 1), folded.get(i), what + ": folded graph vs eager");
        }
    }

    /** The engine with the row runs the folded forms at 16 in both graphs and keeps the unfolded plan at 64. */
    private static void assertFolded(PrefillEngine e) {
        LoweredPlan p = e.lowered().plan(16), d = e.lowered().decodePlan(16).orElseThrow();
        assertEquals(ImplRegistry.STREAM_N32_RESADD, p.op("L1.o").impl().name());
        assertEquals("gemm_bf16_stream_m16_n32_rope_norm", p.op("L1.qkv").impl().name());
        assertEquals("gemm_bf16_stream_m16_n32_silu_norm", p.op("L1.gate_up").impl().name());
        assertEquals("gemm_bf16_stream_m16_n32_norm", d.op("L1.qkv").impl().name());
        for (LoweredPlan x : List.of(p, d))
            assertEquals(1, x.ops().stream().filter(o -> o.op().kind() == OpKind.ADD_RMSNORM).count(), "only L0.input_norm stays");
        assertTrue(e.lowered().plan(64).ops().stream().filter(o -> o.op().kind() == OpKind.ADD_RMSNORM).count() > 1, "64: outside the row");
    }

    /** [10], [16], [8, 8] as prompts; two decode-only steps (16 and 5 sequences over 64-token-chunk prefixes); one mixed step. */
    private static List<Step> steps(EngineConfig cfg) {
        int vocab = cfg.model().vocab();
        Random rnd = new Random(67);
        List<Step> steps = new ArrayList<>();
        for (int[] lens : List.of(new int[] {10}, new int[] {16}, new int[] {8, 8})) {
            KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
            List<MixedSteps.Seq> seqs = new ArrayList<>();
            for (int len : lens) seqs.add(MixedSteps.seq(rnd, kv, 0, len, vocab));
            steps.add(new Step("prompts " + Arrays.toString(lens), seqs, false));
        }
        for (int n : new int[] {16, 5}) {
            KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
            List<MixedSteps.Seq> seqs = new ArrayList<>();
            for (int j = 0; j < n; j++) seqs.add(MixedSteps.seq(rnd, kv, 64 * (1 + rnd.nextInt((MAX_LEN - 1) / 64)), 1, vocab));
            steps.add(new Step("decode " + n + " sequences", seqs, true));
        }
        KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
        List<MixedSteps.Seq> mixed = new ArrayList<>();
        for (int j = 0; j < 6; j++) mixed.add(MixedSteps.seq(rnd, kv, 64 * (1 + rnd.nextInt(8)), 1, vocab));
        mixed.add(MixedSteps.seq(rnd, kv, 0, 10, vocab));
        steps.add(new Step("mixed 6 decodes + a 10-token prompt", mixed, false));
        return steps;
    }

    /** Each step eager then graph, on poisoned activations and caches with the prefixes filled (at 64) first. */
    private static List<Run> runs(PrefillEngine e, List<Step> steps) {
        List<Run> runs = new ArrayList<>();
        for (Step s : steps) {
            for (boolean graph : new boolean[] {false, true}) {
                e.poisonActivations();
                MixedSteps.fillPrefixes(e, s.seqs());
                PrefillOutput out = graph ? e.graph(MixedSteps.step(s.seqs())) : e.eager(MixedSteps.step(s.seqs()));
                assertEquals(s.decodeOnly(), out.decodePlan(), s.what() + (graph ? " graph" : " eager") + ": ran the decode plan");
                runs.add(new Run(out.firstTokens(), e.lastLogits()));
            }
        }
        return runs;
    }

    private static void assertSame(Run expected, Run got, String what) {
        assertArrayEquals(expected.firstTokens(), got.firstTokens(), what + ": first tokens");
        for (int s = 0; s < expected.logits().length; s++) {
            GraphEqualsEagerGpuTest.assertNoNaN(got.logits()[s], what + ": logits of sequence " + s);
            if (!Arrays.equals(expected.logits()[s], got.logits()[s])) fail(what + ": logits of sequence " + s + " differ");
        }
    }
}
