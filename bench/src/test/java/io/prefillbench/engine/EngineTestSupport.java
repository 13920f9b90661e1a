package io.prefillbench.engine;

import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.reference.CpuReference;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batches and engines for the GPU tests. */
final class EngineTestSupport {
    private EngineTestSupport() {
    }

    static EngineConfig config(String preset, String sizes, int maxNumSeqs, int maxModelLen) {
        ModelConfig m = Presets.byName(preset);
        return new EngineConfig(m, CaptureSizes.parse(sizes, CaptureSizes.HARD_CAP), maxNumSeqs, maxModelLen, 1234);
    }

    static int[] randomTokens(Random rnd, int len, int vocab) {
        int[] t = new int[len];
        for (int i = 0; i < len; i++) t[i] = rnd.nextInt(vocab);
        return t;
    }

    /** A random composition of {@code tokens} into {@code seqs} positive parts. */
    static int[] randomSplit(Random rnd, int tokens, int seqs) {
        if (seqs == 1) return new int[] {tokens};
        int[] cuts = rnd.ints(0, tokens - 1).distinct().limit(seqs - 1L).sorted().toArray();
        int[] lens = new int[seqs];
        int prev = 0;
        for (int i = 0; i < seqs - 1; i++) {
            lens[i] = cuts[i] + 1 - prev;
            prev = cuts[i] + 1;
        }
        lens[seqs - 1] = tokens - prev;
        return lens;
    }

    static List<SeqInput> batch(Random rnd, int[] lens, int vocab) {
        List<SeqInput> b = new ArrayList<>();
        for (int i = 0; i < lens.length; i++) b.add(new SeqInput(randomTokens(rnd, lens[i], vocab), 0, i));
        return b;
    }

    /** The lengths of a random batch of {@code minTokens..maxTokens} tokens over up to {@code maxNumSeqs} sequences. */
    static int[] randomLens(Random rnd, EngineConfig cfg, int minTokens) {
        int tokens = minTokens + rnd.nextInt(cfg.maxTokens() - minTokens + 1);
        return randomSplit(rnd, tokens, 1 + rnd.nextInt(Math.min(tokens, cfg.maxNumSeqs())));
    }

    /** {@code count} random batches of 1..maxTokens tokens over up to {@code maxNumSeqs} sequences ({@link #randomLens}). */
    static List<List<SeqInput>> randomBatches(Random rnd, EngineConfig cfg, int count) {
        List<List<SeqInput>> batches = new ArrayList<>();
        for (int i = 0; i < count; i++) batches.add(batch(rnd, randomLens(rnd, cfg, 1), cfg.model().vocab()));
        return batches;
    }

    /**
     * Runs {@code prompts} in every mode (activations poisoned first) and checks each sequence's logits against the CPU
     * reference: relative error below 2e-2, and with {@code checkTokens} the first token wherever the reference's top
     * two logits are more than 0.05 apart.
     */
    static void assertMatchesReference(PrefillEngine e, PrefillRunner runner, CpuReference ref, List<int[]> prompts, boolean checkTokens,
                                       String what) {
        CpuReference.Result want = ref.forward(prompts);
        for (PrefillRunner.Mode mode : PrefillRunner.Mode.values()) {
            e.poisonActivations();
            PrefillRunner.Result got = runner.run(runner.prepare(prompts), mode, true);
            assertLogitsClose(want.logits(), checkTokens ? want.firstTokens() : null, got.logits(), got.firstTokens(),
                    what + " " + mode + " (" + prompts.size() + " prompts)");
        }
    }

    /**
     * Each sequence's logits within 2e-2 relative of {@code want}'s and, where {@code wantTokens} is given, its first token
     * {@code want}'s wherever that one's top two logits are more than 0.05 apart.
     */
    static void assertLogitsClose(float[][] want, int[] wantTokens, float[][] got, int[] gotTokens, String what) {
        assertEquals(want.length, got.length, what + ": sequences");
        for (int s = 0; s < got.length; s++) {
            double err = EngineVsCpuReferenceGpuTest.relError(got[s], want[s]);
            assertTrue(err < 2e-2, what + " sequence " + s + ": logits relative error " + err);
            if (wantTokens != null && EngineVsCpuReferenceGpuTest.margin(want[s]) > 0.05) {
                assertEquals(wantTokens[s], gotTokens[s], what + " sequence " + s + " first token");
            }
        }
    }

    /**
     * The reference logits of a bit comparison: each batch run eagerly (after poisoning the activations) on an engine opened
     * with {@code options}; where {@code sm90} is not null the test is skipped on any device but sm_90 ({@code sm90} says why).
     */
    static List<float[][]> eagerLogits(EngineConfig cfg, EngineOptions options, List<List<SeqInput>> batches, String sm90) {
        return eagerRuns(cfg, options, batches, sm90).stream().map(EagerRun::logits).toList();
    }

    /** One batch's eager logits and first tokens. */
    record EagerRun(float[][] logits, int[] firstTokens) {
    }

    /** {@link #eagerLogits}, with each batch's first tokens. */
    static List<EagerRun> eagerRuns(EngineConfig cfg, EngineOptions options, List<List<SeqInput>> batches, String sm90) {
        List<EagerRun> want = new java.util.ArrayList<>();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, options)) {
            if (sm90 != null) org.junit.jupiter.api.Assumptions.assumeTrue(e.device().ccMajor() == 9 && e.device().ccMinor() == 0, sm90);
            for (List<SeqInput> b : batches) {
                e.poisonActivations();
                int[] tokens = e.eager(b).firstTokens();
                want.add(new EagerRun(e.lastLogits(), tokens));
            }
        }
        return want;
    }

    /**
     * For each batch, eager then graph (each after poisoning the activations): every sequence's logits {@code want}'s bit for
     * bit ({@code against} names where those came from), then graph == eager on it ({@code label} leads the messages).
     */
    static void assertLogitsBitsEagerAndGraph(PrefillEngine e, List<List<SeqInput>> batches, List<float[][]> want, String against, String label) {
        for (int i = 0; i < batches.size(); i++) {
            List<SeqInput> b = batches.get(i);
            String what = "batch " + i + " " + b.stream().map(q -> q.tokens().length).toList();
            for (boolean graph : new boolean[] {false, true}) {
                e.poisonActivations();
                if (graph) e.graph(b); else e.eager(b);
                float[][] got = e.lastLogits();
                assertEquals(want.get(i).length, got.length, what + ": sequences");
                for (int s = 0; s < got.length; s++)
                    assertTrue(java.util.Arrays.equals(rawBits(want.get(i)[s]), rawBits(got[s])),
                            what + (graph ? " graph" : " eager") + " sequence " + s + ": logits differ from " + against);
            }
            GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, b, label + " " + what);
        }
    }

    private static int[] rawBits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
