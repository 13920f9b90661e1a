package io.prefillbench.engine;

import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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
}
