package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ImplChoices;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A smemCarveout row (s27) moves where blocks may run, never a value: ERNIE-4.5-0.3B with every kernel launch at 100 % of
 * the shared memory split, at 16, 128 and 512 (plain and fresh-prompt graphs), gives the first tokens and logits of the
 * bundled rows without any carveout row bit for bit, in eager and in graph mode, and graph == eager in both.
 */
@Tag("gpu")
class SmemCarveoutGpuTest {
    @Test
    void aCarveoutRowChangesNoBit() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "16,128,512", 16, 2048);
        ImplChoices b = ImplChoices.bundled();
        ImplChoices none = b.withSmemCarveout(List.of());
        ImplChoices c = b.withSmemCarveout(List.of(new ImplChoices.CarveoutRow(100, 0, 1, 1 << 20, 0, "test")));
        int[][] lens = {{10}, {3, 5, 8}, {16, 16, 16, 16, 16, 16, 16, 16}, {100}, {480}, {80, 80, 80, 80}};
        int vocab = cfg.model().vocab();
        int[][][] tokens = new int[2][lens.length * 2][];
        float[][][][] logits = new float[2][lens.length * 2][][];
        for (int v = 0; v < 2; v++) {
            try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(v == 0 ? none : c))) {
                for (int size : cfg.sizes().sizes()) {
                    assertEquals(v == 0 ? -1 : 100, e.lowered().plan(size).smemCarveout());
                    e.capture(size);
                }
                Random rnd = new Random(27);  // the same batches for both engines
                for (int i = 0; i < lens.length; i++) {
                    List<SeqInput> batch = EngineTestSupport.batch(rnd, lens[i], vocab);
                    GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, batch, (v == 0 ? "no carveout " : "carveout ") + Arrays.toString(lens[i]));
                    for (int g = 0; g < 2; g++) {
                        e.poisonActivations();
                        PrefillOutput out = g == 1 ? e.graph(batch) : e.eager(batch);
                        tokens[v][2 * i + g] = out.firstTokens();
                        logits[v][2 * i + g] = e.lastLogits();
                    }
                }
            }
        }
        for (int i = 0; i < lens.length * 2; i++) {
            String what = Arrays.toString(lens[i / 2]) + (i % 2 == 1 ? " graph" : " eager");
            assertArrayEquals(tokens[0][i], tokens[1][i], what + ": first tokens");
            for (int s = 0; s < logits[0][i].length; s++)
                if (!Arrays.equals(logits[0][i][s], logits[1][i][s])) fail(what + ": logits of sequence " + s + " differ with the carveout row");
        }
    }
}
