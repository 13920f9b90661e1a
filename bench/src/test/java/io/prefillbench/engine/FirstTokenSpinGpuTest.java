package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link FirstTokenWait#SPIN} returns each forward's own first tokens: untimed eager and graph forwards of random batches
 * (one to sixteen sequences, sizes 16 and 128), run back to back while spinning — each leaves the stream running and the
 * next marks its slots at once — give the tokens and logits the same batches give synchronized. A spin that returned on
 * a slot still holding the previous forward's token (slots not marked, or marked before that forward's stores landed)
 * would hand back another batch's tokens.
 */
@Tag("gpu")
class FirstTokenSpinGpuTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "ernie-4.5-0.3b"})
    void spinningGivesEachForwardItsOwnTokens(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,128", 16, 2048);
        int vocab = cfg.model().vocab();
        Random rnd = new Random(28);
        List<List<SeqInput>> batches = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int seqs = 1 + rnd.nextInt(16);
            int cap = i % 2 == 0 ? 16 : 128;
            int[] lens = new int[seqs];
            int left = cap - seqs;
            for (int s = 0; s < seqs; s++) {
                int extra = s == seqs - 1 ? left : rnd.nextInt(left / (seqs - s) + 1);
                lens[s] = 1 + extra;
                left -= extra;
            }
            batches.add(EngineTestSupport.batch(rnd, lens, vocab));
            names.add(Arrays.toString(lens));
        }
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT)) {
            for (int size : cfg.sizes().sizes()) e.capture(size);
            e.timeGpu(false);
            for (int g = 0; g < 2; g++) {
                int[][][] tokens = new int[2][batches.size()][];
                float[][][][] logits = new float[2][batches.size()][][];
                for (FirstTokenWait w : FirstTokenWait.values()) {
                    e.firstTokenWait(w);
                    // the tokens of all forwards first, back to back, then the logits of each again (lastLogits synchronizes)
                    for (int i = 0; i < batches.size(); i++) {
                        PrefillOutput out = g == 1 ? e.graph(batches.get(i)) : e.eager(batches.get(i));
                        tokens[w.ordinal()][i] = out.firstTokens();
                        assertEquals(batches.get(i).size(), out.firstTokens().length, names.get(i));
                    }
                    for (int i = 0; i < batches.size(); i++) {
                        if (g == 1) e.graph(batches.get(i));
                        else e.eager(batches.get(i));
                        logits[w.ordinal()][i] = e.lastLogits();
                    }
                }
                for (int i = 0; i < batches.size(); i++) {
                    String what = preset + " " + names.get(i) + (g == 1 ? " graph" : " eager");
                    assertArrayEquals(tokens[0][i], tokens[1][i], what + ": first tokens, sync vs spin");
                    for (int s = 0; s < logits[0][i].length; s++)
                        if (!Arrays.equals(logits[0][i][s], logits[1][i][s])) fail(what + ": logits of sequence " + s + " differ when spun");
                }
            }
        }
    }
}
