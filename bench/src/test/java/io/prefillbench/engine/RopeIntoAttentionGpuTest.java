package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.forward.LoweredPlan;
import io.prefillbench.forward.OpKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * attention_prefill_wg_early_t32_rope (rope_kv_write inside the t32 attention, its rope op folded in by the lowering)
 * against the t32 rows with rope_kv_write on its own: the kernel computes rope's values in rope_kv_write's arithmetic and
 * writes the same K and V into the caches, so the forwards are equal bit for bit — first tokens and last-token logits of
 * random prompt batches and of mixed steps whose prefixes each engine wrote into its own cache (a K or V written
 * differently by the fused kernel shows in the next step's logits), eager and graph; and graph == eager on the fused plan.
 * ERNIE-4.5-0.3B at 16 (the qkv GEMM's split-K partials read directly) and 64, tiny-bias at 16 (its qkv bias added by the
 * kernel; its bundled rope_into_qkv row dropped on both sides, since rope can fold into one kernel only). sm_90a.
 */
@Tag("gpu")
class RopeIntoAttentionGpuTest {
    private static final String ROPE = ImplRegistry.ATTENTION_WG_EARLY_T32_ROPE;

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"ernie-4.5-0.3b, '16,64'", "tiny-bias, 16"})
    void theFusedAttentionEqualsRopeKvWritePlusT32BitForBit(String preset, String sizes) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, sizes, 16, 2048);
        boolean ernie = preset.startsWith("ernie");
        int qHeads = cfg.model().qHeads();
        // both sides: the bundled rows without rope_into_qkv, the shape's rows at 1..16 (and ERNIE's at 17..64) on t32
        ImplChoices base = withoutRopeIntoQkv(ImplChoices.bundled());
        ImplChoices t32 = switched(base, qHeads, ernie ? new int[] {1, 17} : new int[] {1}, ImplRegistry.ATTENTION_WG_EARLY_T32);
        ImplChoices fused = switched(base, qHeads, ernie ? new int[] {1, 17} : new int[] {1}, ROPE);
        Random rnd = new Random(preset.hashCode() + 3264);
        List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 30);
        List<List<MixedSteps.Seq>> steps = new ArrayList<>();
        for (int i = 0; i < 20; i++) steps.add(stepWithPrefixes(rnd, cfg));

        List<Out> want = new ArrayList<>();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(t32))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the wg attention forms are sm_90a code");
            for (int size : cfg.sizes().sizes()) {
                LoweredPlan p = e.lowered().plan(size);
                assertEquals(ImplRegistry.ATTENTION_WG_EARLY_T32, p.op("L0.attention").impl().name(), "t32 at " + size);
                assertEquals("rope_kv_write", p.op("L0.rope_kv").impl().name(), "rope its own op at " + size);
            }
            for (List<SeqInput> b : batches) want.add(Out.of(e, b, false));
            for (List<MixedSteps.Seq> s : steps) want.add(Out.ofStep(e, s, false));
        }
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(fused))) {
            for (int size : cfg.sizes().sizes()) {
                LoweredPlan p = e.lowered().plan(size);
                assertEquals(ROPE, p.op("L0.attention").impl().name(), "fused at " + size);
                assertEquals(List.of("L0.rope_kv"), p.op("L0.attention").fused());
                assertTrue(p.ops().stream().noneMatch(o -> o.op().kind() == OpKind.ROPE_KV), "no rope op at " + size);
                e.capture(size);
            }
            if (ernie) assertTrue(e.lowered().plan(16).op("L0.attention").partialSplits() > 1, "ERNIE's qkv partials feed the attention at 16");
            for (boolean graph : new boolean[] {false, true}) {
                String mode = preset + (graph ? " graph" : " eager");
                for (int i = 0; i < batches.size(); i++) {
                    assertSame(want.get(i), Out.of(e, batches.get(i), graph), mode + " batch " + i + " " + lens(batches.get(i)));
                }
                for (int i = 0; i < steps.size(); i++) {
                    assertSame(want.get(batches.size() + i), Out.ofStep(e, steps.get(i), graph),
                            mode + " step " + i + " " + MixedStepGraphEqualsEagerGpuTest.describe(steps.get(i)));
                }
            }
            for (int i = 0; i < batches.size(); i++) {
                GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, batches.get(i), preset + " fused, batch " + i + " " + lens(batches.get(i)));
            }
            for (List<MixedSteps.Seq> s : steps) {
                MixedStepGraphEqualsEagerGpuTest.assertGraphEqualsEager(e, s, preset + " fused, step " + MixedStepGraphEqualsEagerGpuTest.describe(s));
            }
        }
    }

    /** First tokens and last-token logits of one run. */
    private record Out(int[] firstTokens, float[][] logits) {
        /** A fresh batch on poisoned buffers. */
        static Out of(PrefillEngine e, List<SeqInput> b, boolean graph) {
            e.poisonActivations();
            PrefillOutput out = graph ? e.graph(b) : e.eager(b);
            return new Out(out.firstTokens(), e.lastLogits());
        }

        /** A mixed step on poisoned buffers, its prefixes written first by this engine's eager chunked prefill. */
        static Out ofStep(PrefillEngine e, List<MixedSteps.Seq> seqs, boolean graph) {
            var r = MixedStepGraphEqualsEagerGpuTest.run(e, seqs, graph);
            return new Out(r.firstTokens(), r.logits());
        }
    }

    private static void assertSame(Out want, Out got, String what) {
        assertArrayEquals(want.firstTokens(), got.firstTokens(), what + ": first tokens");
        for (int s = 0; s < want.logits().length; s++) {
            GraphEqualsEagerGpuTest.assertNoNaN(got.logits()[s], what + ": logits of sequence " + s);
            if (!Arrays.equals(want.logits()[s], got.logits()[s])) {
                fail(what + ": logits of sequence " + s + " differ from rope_kv_write + attention_prefill_wg_early_t32");
            }
        }
    }

    /**
     * Up to the largest capture size of query tokens over up to 4 sequences, most after a prefix in the cache (decodes
     * among them: one query token); pages from a fresh allocator, so both engines see the same pages.
     */
    private static List<MixedSteps.Seq> stepWithPrefixes(Random rnd, EngineConfig cfg) {
        KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
        List<MixedSteps.Seq> seqs = new ArrayList<>();
        int left = cfg.maxTokens();
        for (int n = 1 + rnd.nextInt(4); n > 0 && left > 0; n--) {
            int q = rnd.nextInt(3) == 0 ? 1 : 1 + rnd.nextInt(left);
            int prefix = rnd.nextInt(4) == 0 ? 0 : MixedStepGraphEqualsEagerGpuTest.randomPrefix(rnd, cfg.maxModelLen() / 2 - q);
            seqs.add(MixedSteps.seq(rnd, kv, prefix, q, cfg.model().vocab()));
            left -= q;
        }
        return seqs;
    }

    /**
     * {@code base} with the first non-decode attention row for {@code qHeads} q heads starting at each of {@code ms} naming
     * {@code impl} (the first row covering a size is the one lowering takes: ERNIE's t32 row at 17..64 comes before its
     * early-form row at 17..512, which stays).
     */
    static ImplChoices switched(ImplChoices base, int qHeads, int[] ms, String impl) {
        List<ImplChoices.AttentionRow> rows = new ArrayList<>();
        java.util.Set<Integer> done = new java.util.HashSet<>();
        int hits = 0;
        for (ImplChoices.AttentionRow r : base.attention()) {
            boolean hit = r.qHeads() == qHeads && !r.decodeOnly() && Arrays.stream(ms).anyMatch(m -> m == r.m()) && done.add(r.m());
            rows.add(hit ? new ImplChoices.AttentionRow(impl, r.qHeads(), r.kvHeads(), r.headDim(), r.m(), r.mMax(), r.arch(), "test") : r);
            if (hit) hits++;
        }
        assertEquals(ms.length, hits, "attention rows for " + qHeads + " q heads at m=" + Arrays.toString(ms));
        return base.withAttention(rows);
    }

    /**
     * {@code base} without its rope_into_qkv rows (tiny's and Llama's qkv at 1..16 in the bundled file), its
     * attention_into_o rows (ERNIE's fresh prompts at 1..16: the folded o needs the rotated q in the qkv rows, which an
     * attention doing rope itself never writes), with ERNIE's qkv at 1..16 back on its split-4 half-width row (v75's pair
     * rows replaced it: the rope-taking attention sums at most 4 qkv planes), so its partials feed the attention.
     */
    static ImplChoices withoutRopeIntoQkv(ImplChoices base) {
        ImplChoices b = io.prefillbench.forward.ForwardTestSupport.withoutPairTiles(base);
        return b.withFusions(b.fusions().stream()
                .filter(r -> !r.fusion().equals(ImplRegistry.ROPE_INTO_QKV) && !r.fusion().equals(ImplRegistry.ATTENTION_INTO_O)).toList());
    }

    private static String lens(List<SeqInput> batch) {
        return "split " + batch.stream().map(q -> String.valueOf(q.tokens().length)).toList();
    }
}
