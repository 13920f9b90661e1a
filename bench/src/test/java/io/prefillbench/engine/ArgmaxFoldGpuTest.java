package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.forward.ArgmaxFoldTest;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.reference.KernelReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * v87 (kernels/NOTES-forward.md): with an argmax_into_lm_head row the LM head runs its _amax form and argmax reads its keys; the
 * logits stay the bundled forward's bit for bit and the first tokens are the bundled forward's, which are the CPU argmax of
 * those logits (lowest index on ties), eager and graph, on random batches at 16 (the 16-row form) and 64 (32 sequences: the
 * 32-row form), twice over so the keys' reset is exercised; graph == eager on it. sm_90.
 */
@Tag("gpu")
class ArgmaxFoldGpuTest {
    @ParameterizedTest
    @ValueSource(strings = {"ernie-4.5-0.3b", "llama-3.2-1b"})
    void foldedArgmaxGivesTheBundledTokensAndLogits(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,64", 32, 2048);
        Random rnd = new Random(87);
        List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 8);
        batches.add(EngineTestSupport.batch(rnd, new int[] {10}, cfg.model().vocab()));
        batches.add(EngineTestSupport.batch(rnd, new int[] {20, 20, 20}, cfg.model().vocab()));
        List<EngineTestSupport.EagerRun> bundled = EngineTestSupport.eagerRuns(cfg, EngineOptions.DEFAULT.withChoices(ImplChoices.bundled()), batches,
                "the bundled rows are sm_90's");
        List<float[][]> want = bundled.stream().map(EngineTestSupport.EagerRun::logits).toList();
        List<int[]> wantTokens = bundled.stream().map(EngineTestSupport.EagerRun::firstTokens).toList();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withChoices(ArgmaxFoldTest.argmaxRows(ImplChoices.bundled(), 1, 64)))) {
            assertEquals("gemm_bf16_stream_m16_amax", e.lowered().plan(16).op("lm_head").impl().name());
            assertEquals("gemm_bf16_stream_m32_amax", e.lowered().plan(64).op("lm_head").impl().name());
            assertEquals(ImplRegistry.ARGMAX_KEYS, e.lowered().plan(64).op("argmax").impl().name());
            e.capture(16);
            e.capture(64);
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < batches.size(); i++) {
                    List<SeqInput> b = batches.get(i);
                    String what = preset + " round " + round + " batch " + i + " " + b.stream().map(q -> q.tokens().length).toList();
                    int vocab = cfg.model().vocab();
                    float[] flat = new float[want.get(i).length * vocab];
                    for (int s = 0; s < want.get(i).length; s++) System.arraycopy(want.get(i)[s], 0, flat, s * vocab, vocab);
                    assertArrayEquals(KernelReference.argmax(flat, want.get(i).length, vocab), wantTokens.get(i), what + ": the bundled tokens are the CPU argmax");
                    for (boolean graph : new boolean[] {false, true}) {
                        e.poisonActivations();
                        int[] tokens = (graph ? e.graph(b) : e.eager(b)).firstTokens();
                        assertArrayEquals(wantTokens.get(i), tokens, what + (graph ? " graph" : " eager") + ": first tokens");
                        float[][] got = e.lastLogits();
                        for (int s = 0; s < got.length; s++)
                            assertArrayEquals(want.get(i)[s], got[s], what + (graph ? " graph" : " eager") + " sequence " + s + ": logits");
                    }
                }
            }
            GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, batches.get(0), preset + " argmax fold");
        }
    }
}
