package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
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
 * The same graph family serves prefill, decode and any mix: graph replay equals eager bit for bit
 * for decode-only steps (one query token, KV prefixes from 0 to max-model-len - 1), prefill-only
 * steps, mixed steps with chunk continuations, and the [80] then [1,80,80,80] scenario. Sequences
 * use their own KV pages from a {@link KvBlockAllocator}; everything is poisoned (NaN) and the
 * prefixes are re-written by eager prefill before each run, so a read past kv_len, of a wrong page
 * or of stale data shows up as NaN or as a mismatch.
 */
@Tag("gpu")
class MixedStepGraphEqualsEagerGpuTest {
    static final String SIZES = "16,64,160,256,512";
    static final int MAX_SEQS = 32;
    static final int MAX_LEN = 2048;

    enum Kind { DECODE, PREFILL, MIXED }

    @ParameterizedTest(name = "{0}: {1} random steps per kind")
    @CsvSource({"tiny, 40", "tiny-g5, 40", "ernie-4.5-0.3b, 15", "ernie-4.5-21b-a3b-attn, 10"})
    void randomMixes(String preset, int perKind) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, SIZES, MAX_SEQS, MAX_LEN);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            for (int size : cfg.sizes().sizes()) e.capture(size);
            Random rnd = new Random(preset.hashCode() * 31L);
            int vocab = cfg.model().vocab();
            int checked = 0;
            for (Kind kind : Kind.values()) {
                for (int i = 0; i < perKind; i++) {
                    KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
                    List<MixedSteps.Seq> seqs = randomStep(rnd, kv, kind, cfg, vocab);
                    assertGraphEqualsEager(e, seqs, preset + " " + kind + " " + describe(seqs));
                    checked++;
                }
            }
            assertEquals(3 * perKind, checked);
        }
    }

    /**
     * attention_prefill_wg_early (the tile's lookup and the prefix prefetch before the PDL wait; bundled at 17..512) and
     * attention_prefill_wg_early_lp (the same, except split tiles over more than 16 cached pages, which run the late form)
     * give attention_prefill_wg's bits: ERNIE-4.5-0.3B with each form at every size by an attention row, the same random
     * decode, prefill and mixed steps (prefixes written by each engine's eager prefill; the decodes' prefixes of 0..2047
     * tokens take both branches of the hybrid form, often in one step), first tokens and logits equal bit for bit in
     * eager and in graph mode. kernel_check compares the kernels alone the same way.
     */
    @Test
    void earlyAttentionFormEqualsTheWgFormBitForBit() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "16,64,512", MAX_SEQS, MAX_LEN);
        int vocab = cfg.model().vocab();
        List<List<Run>> byForm = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        List<String> forms = List.of(ImplRegistry.ATTENTION_WG, ImplRegistry.ATTENTION_WG_EARLY, ImplRegistry.ATTENTION_WG_EARLY_LP);
        for (String form : forms) {
            ImplChoices b = ImplChoices.bundled();
            ImplChoices c = b.withAttention(List.of(new ImplChoices.AttentionRow(form, 0, 0, 0, 1, 1 << 20, 90, "test")));
            try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(c))) {
                Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the wg forms are sm_90a code");
                for (int size : cfg.sizes().sizes()) assertEquals(form, e.lowered().plan(size).op("L0.attention").impl().name());
                for (int size : cfg.sizes().sizes()) e.capture(size);
                Random rnd = new Random(39);  // the same steps for every form
                List<Run> runs = new ArrayList<>();
                steps.clear();
                for (Kind kind : Kind.values()) {
                    for (int i = 0; i < 4; i++) {
                        List<MixedSteps.Seq> seqs = randomStep(rnd, KvBlockAllocator.forEngine(cfg), kind, cfg, vocab);
                        steps.add(kind + " " + describe(seqs));
                        runs.add(run(e, seqs, false));
                        runs.add(run(e, seqs, true));
                    }
                }
                byForm.add(runs);
            }
        }
        List<Run> wg = byForm.get(0);
        for (int f = 1; f < forms.size(); f++) {
            List<Run> other = byForm.get(f);
            assertEquals(wg.size(), other.size());
            for (int i = 0; i < wg.size(); i++) {
                String what = forms.get(f) + ", " + steps.get(i / 2) + (i % 2 == 0 ? " eager" : " graph");
                assertArrayEquals(wg.get(i).firstTokens(), other.get(i).firstTokens(), what + ": first tokens");
                for (int s = 0; s < wg.get(i).logits().length; s++) {
                    if (!Arrays.equals(wg.get(i).logits()[s], other.get(i).logits()[s])) {
                        fail(what + ": logits of sequence " + s + " differ from attention_prefill_wg's");
                    }
                }
            }
        }
    }

    /**
     * attention_prefill_wg_early_q4 (v69: 4 key parts of 128 threads, 512 threads a block, its own shared memory) at every
     * size by an attention row, on ERNIE-4.5-0.3B (group 8) and Llama-3.2-1B (group 4): random decode, prefill and mixed
     * steps (continuations over cached prefixes of up to 2047 tokens: full tiles that see up to 32 pages, every part
     * busy), graph == eager bit for bit, no NaN. Its bits differ from the two-part forms' by design (the parts' combine
     * order); kernel_check holds it to the float64 reference.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"ernie-4.5-0.3b", "llama-3.2-1b"})
    void quarterKeyPartFormGraphEqualsEager(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,64,512", MAX_SEQS, MAX_LEN);
        ImplChoices b = ImplChoices.bundled();
        ImplChoices c = b.withAttention(List.of(new ImplChoices.AttentionRow(ImplRegistry.ATTENTION_WG_EARLY_Q4, 0, 0, 0, 1, 1 << 20, 90, "test")));
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(c))) {
            Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the wg forms are sm_90a code");
            for (int size : cfg.sizes().sizes()) {
                assertEquals(ImplRegistry.ATTENTION_WG_EARLY_Q4, e.lowered().plan(size).op("L0.attention").impl().name());
                e.capture(size);
            }
            Random rnd = new Random(preset.hashCode() * 17L);
            int vocab = cfg.model().vocab();
            for (Kind kind : Kind.values()) {
                for (int i = 0; i < 5; i++) {
                    List<MixedSteps.Seq> seqs = randomStep(rnd, KvBlockAllocator.forEngine(cfg), kind, cfg, vocab);
                    assertGraphEqualsEager(e, seqs, preset + " q4 " + kind + " " + describe(seqs));
                }
            }
            // a fresh 480-token prompt at 512: its last tiles see 8 pages, two per part
            List<MixedSteps.Seq> longPrompt = List.of(MixedSteps.seq(rnd, KvBlockAllocator.forEngine(cfg), 0, 480, vocab));
            assertGraphEqualsEager(e, longPrompt, preset + " q4 [480]");
        }
    }

    /**
     * The decode graph (s19: a size's second plan, which uniform-decode batches replay where a row scoped to a batch kind
     * gives the size one: ERNIE's 16 on the wg attention form, its prompts on the early form; Llama's 16 the other way
     * round; since s25 also GEMM and fusion rows with "batch": "prefill": both models' qkv at 16 with rope on the
     * half-width tiles in the plain graph only). Each graph gives the bits of a one-graph engine that runs its plan for
     * every batch: decode-only steps the bits of the engine without the scoped rows (the decode graph runs the forms
     * before them, the attention forms giving equal bits; their prefixes in whole 64-token chunks, so the caches match),
     * mixed steps those of the engine with the prefill rows for every batch; on the same random steps of up to 16 tokens,
     * eager and graph; decode-only steps run the decode plan in both modes, mixed steps never do.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"ernie-4.5-0.3b", "llama-3.2-1b"})
    void eachGraphGivesTheBitsOfItsOneGraphEngine(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,64", MAX_SEQS, MAX_LEN);
        int vocab = cfg.model().vocab();
        ImplChoices b = ImplChoices.bundled();
        var plainAttention = b.attention().stream().filter(r -> !r.decodeOnly()).toList();
        // the decode graph's forward for every batch: no scoped rows at all
        ImplChoices before = b.withGemm(b.gemm().stream().filter(r -> r.batch() == null).toList())
                .withFusions(b.fusions().stream().filter(r -> r.batch() == null).toList()).withAttention(plainAttention);
        // the plain graph's forward for every batch: the prefill rows unscoped, ahead of the others (a scoped row wins in its graph)
        List<ImplChoices.GemmRow> gemm = new ArrayList<>();
        b.gemm().stream().filter(r -> r.batch() != null).forEach(r -> gemm.add(new ImplChoices.GemmRow(r.n(), r.k(), r.m(), r.arch(), r.impl(),
                r.splits(), r.source(), r.algo(), r.mMax())));
        b.gemm().stream().filter(r -> r.batch() == null).forEach(gemm::add);
        List<ImplChoices.FusionRow> fusions = new ArrayList<>();
        // the fresh rows left out: they shape the fresh-prompt graph, which no step here replays (each has a cached prefix)
        for (ImplChoices.FusionRow r : b.fusions())
            if (!ImplChoices.AttentionRow.FRESH.equals(r.batch()))
                fusions.add(r.batch() == null ? r : new ImplChoices.FusionRow(r.fusion(), r.m(), r.arch(), r.source(), r.mMax(), r.producer(), r.n(), r.k()));
        ImplChoices unscoped = b.withGemm(gemm).withFusions(fusions).withAttention(plainAttention);
        List<List<Run>> byEngine = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        List<Boolean> decodeSteps = new ArrayList<>();
        for (ImplChoices c : List.of(b, before, unscoped)) {
            try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(c))) {
                Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, "the wg forms are sm_90a code");
                assertEquals(c == b, e.lowered().decodePlan(16).isPresent(), "decode graph at 16");
                assertTrue(e.lowered().decodePlan(64).isEmpty());
                for (int size : cfg.sizes().sizes()) e.capture(size);
                assertEquals(c == b, e.decodeCaptureReport(16).isPresent());
                Random rnd = new Random(preset.hashCode() + 16);  // the same steps for every engine
                List<Run> runs = new ArrayList<>();
                steps.clear();
                decodeSteps.clear();
                for (int i = 0; i < 8; i++) {
                    boolean decodeOnly = i % 4 != 3;
                    List<MixedSteps.Seq> seqs = new ArrayList<>();
                    KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
                    int n = decodeOnly ? 1 + rnd.nextInt(16) : 1 + rnd.nextInt(8);
                    // a decode-only step's prefixes in whole 64-token chunks: every engine fills them at size 64, where no
                    // row is scoped, so their caches hold the same bits (a chunk at 16 would run each engine's plain plan)
                    for (int j = 0; j < n; j++)
                        seqs.add(MixedSteps.seq(rnd, kv, decodeOnly ? 64 * (1 + rnd.nextInt((MAX_LEN - 1) / 64)) : 1 + rnd.nextInt(MAX_LEN - 1), 1, vocab));
                    if (!decodeOnly) seqs.add(MixedSteps.seq(rnd, kv, 0, 16 - n, vocab));
                    steps.add((decodeOnly ? "decode " : "mixed ") + describe(seqs));
                    decodeSteps.add(decodeOnly);
                    for (boolean graph : new boolean[] {false, true}) {
                        e.poisonActivations();
                        MixedSteps.fillPrefixes(e, seqs);
                        PrefillOutput out = graph ? e.graph(MixedSteps.step(seqs)) : e.eager(MixedSteps.step(seqs));
                        assertEquals(c == b && decodeOnly, out.decodePlan(), steps.getLast() + (graph ? " graph" : " eager") + ": ran the decode plan");
                        runs.add(new Run(out.firstTokens(), e.lastLogits()));
                    }
                }
                byEngine.add(runs);
            }
        }
        for (int i = 0; i < byEngine.get(0).size(); i++) {
            boolean decodeOnly = decodeSteps.get(i / 2);
            String what = preset + " " + steps.get(i / 2) + (i % 2 == 0 ? " eager" : " graph");
            Run bundled = byEngine.get(0).get(i), one = byEngine.get(decodeOnly ? 1 : 2).get(i);
            assertArrayEquals(one.firstTokens(), bundled.firstTokens(), what + ": first tokens");
            for (int s = 0; s < one.logits().length; s++) {
                GraphEqualsEagerGpuTest.assertNoNaN(bundled.logits()[s], what + ": logits of sequence " + s);
                if (!Arrays.equals(one.logits()[s], bundled.logits()[s]))
                    fail(what + ": logits of sequence " + s + " differ from the " + (decodeOnly ? "decode" : "plain") + " graph's one-graph engine");
            }
        }
    }

    /** Four 80-token prompts under dynamic insertion: [80], then [1,80,80,80] through the same graphs. */
    @Test
    void fourEightyTokenPromptsWithDynamicInsertion() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", SIZES, MAX_SEQS, MAX_LEN);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            for (int size : cfg.sizes().sizes()) e.capture(size);
            Random rnd = new Random(80);
            KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
            List<MixedSteps.Seq> first = List.of(MixedSteps.seq(rnd, kv, 0, 80, cfg.model().vocab()));
            assertGraphEqualsEager(e, first, "[80]");
            e.poisonActivations();
            PrefillOutput out = e.graph(MixedSteps.step(first));
            // the first token of the finished prompt is the next decode input
            int[] history = Arrays.copyOf(first.get(0).history(), 81);
            history[80] = out.firstTokens()[0];
            List<MixedSteps.Seq> second = new ArrayList<>();
            second.add(new MixedSteps.Seq(history, 80, first.get(0).pages()));
            for (int i = 0; i < 3; i++) second.add(MixedSteps.seq(rnd, kv, 0, 80, cfg.model().vocab()));
            assertGraphEqualsEager(e, second, "[1,80,80,80]");
        }
    }

    /** The check reads the prefix through the page list: a decode given another sequence's pages must come out different. */
    @Test
    void wrongPagesAreCaught() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("tiny", SIZES, MAX_SEQS, MAX_LEN);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            Random rnd = new Random(3);
            KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
            List<MixedSteps.Seq> seqs = List.of(MixedSteps.seq(rnd, kv, 700, 1, cfg.model().vocab()), MixedSteps.seq(rnd, kv, 700, 1, cfg.model().vocab()));
            Run right = run(e, seqs, false);
            List<MixedSteps.Seq> swapped = List.of(new MixedSteps.Seq(seqs.get(0).history(), 700, seqs.get(1).pages()), seqs.get(1));
            e.poisonActivations();
            MixedSteps.fillPrefixes(e, seqs);
            e.eager(MixedSteps.step(swapped));
            float[][] wrong = e.lastLogits();
            assertTrue(!Arrays.equals(right.logits()[0], wrong[0]), "a decode reading another sequence's KV gave the same logits");
        }
    }

    static List<MixedSteps.Seq> randomStep(Random rnd, KvBlockAllocator kv, Kind kind, EngineConfig cfg, int vocab) {
        int budget = cfg.maxTokens();
        int maxSeqs = cfg.seqCapacity(budget);
        List<MixedSteps.Seq> seqs = new ArrayList<>();
        int tokens = 0;
        int decodes = kind == Kind.PREFILL ? 0 : 1 + rnd.nextInt(kind == Kind.DECODE ? maxSeqs : maxSeqs / 2);
        for (int i = 0; i < decodes; i++) {
            int prefix = randomPrefix(rnd, MAX_LEN - 1);
            seqs.add(MixedSteps.seq(rnd, kv, prefix, 1, vocab));
            tokens++;
        }
        if (kind != Kind.DECODE) {
            int prefills = 1 + rnd.nextInt(Math.min(6, maxSeqs - seqs.size()));
            for (int i = 0; i < prefills && tokens < budget; i++) {
                int q = 1 + rnd.nextInt(Math.min(300, budget - tokens));
                boolean continuation = rnd.nextBoolean(); // a later chunk of a chunked prompt
                int prefix = continuation ? randomPrefix(rnd, MAX_LEN - q) : 0;
                seqs.add(MixedSteps.seq(rnd, kv, prefix, q, vocab));
                tokens += q;
            }
        }
        java.util.Collections.shuffle(seqs, rnd);
        return seqs;
    }

    /** Prefixes across the range, weighted to page edges and both ends. */
    static int randomPrefix(Random rnd, int max) {
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> max;
            case 2 -> Math.clamp(64L * rnd.nextInt(max / 64 + 1) + rnd.nextInt(3) - 1, 0, max);
            default -> rnd.nextInt(max + 1);
        };
    }

    static String describe(List<MixedSteps.Seq> seqs) {
        StringBuilder sb = new StringBuilder("[");
        for (MixedSteps.Seq s : seqs) {
            if (sb.length() > 1) sb.append(',');
            sb.append(s.history().length - s.prefixLen());
            if (s.prefixLen() > 0) sb.append('@').append(s.prefixLen());
        }
        return sb.append(']').toString();
    }

    record Run(int[] firstTokens, float[][] logits) {
    }

    /** First tokens and logits of one mode on poisoned buffers with freshly written prefixes. */
    static Run run(PrefillEngine e, List<MixedSteps.Seq> seqs, boolean graph) {
        e.poisonActivations();
        MixedSteps.fillPrefixes(e, seqs);
        List<SeqInput> step = MixedSteps.step(seqs);
        PrefillOutput out = graph ? e.graph(step) : e.eager(step);
        assertEquals(graph, out.graph());
        return new Run(out.firstTokens(), e.lastLogits());
    }

    static void assertGraphEqualsEager(PrefillEngine e, List<MixedSteps.Seq> seqs, String what) {
        Run g = run(e, seqs, true);
        Run x = run(e, seqs, false);
        assertArrayEquals(x.firstTokens(), g.firstTokens(), what + ": first tokens");
        assertTrue(x.logits().length == seqs.size());
        for (int s = 0; s < x.logits().length; s++) {
            GraphEqualsEagerGpuTest.assertNoNaN(x.logits()[s], what + ": eager logits of sequence " + s);
            if (!Arrays.equals(x.logits()[s], g.logits()[s])) fail(what + ": logits of sequence " + s + " differ between graph and eager");
        }
    }
}
