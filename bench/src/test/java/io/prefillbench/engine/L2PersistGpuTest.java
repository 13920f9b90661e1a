package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.cuda.L2SetAside;
import io.prefillbench.forward.ImplChoices;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * v88 (kernels/NOTES-forward.md, --l2-persist): with the device's L2 set aside, every captured graph holds exactly one kernel
 * node with a persisting access-policy window — the LM head's, of the engine's window bytes — and an engine without it none;
 * the logits and first tokens are the engine's without it bit for bit (a cache policy changes no value), eager and graph,
 * twice over; graph == eager; the set-aside is given back while a measurement runs (withoutL2SetAside) and held again after;
 * closing the engine gives the device back the limit it found. sm_80+ with a persisting L2.
 */
@Tag("gpu")
class L2PersistGpuTest {
    @ParameterizedTest
    @ValueSource(strings = {"ernie-4.5-0.3b", "llama-3.2-1b"})
    void theLmHeadsWindowIsInEveryGraphAndChangesNoBit(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,64", 32, 2048);
        Random rnd = new Random(88);
        List<List<SeqInput>> batches = EngineTestSupport.randomBatches(rnd, cfg, 6);
        batches.add(EngineTestSupport.batch(rnd, new int[] {10}, cfg.model().vocab()));
        List<EngineTestSupport.EagerRun> plain = EngineTestSupport.eagerRuns(cfg, EngineOptions.DEFAULT.withChoices(ImplChoices.bundled()), batches,
                "the bundled rows are sm_90's");
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT)) {
            e.capture(16);
            assertEquals(List.of(), e.captureReports().getFirst().persistingBytes(), "no window without a set-aside");
        }
        long before = L2SetAside.currentLimit();
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, EngineOptions.DEFAULT.withL2Persist(Long.MAX_VALUE))) {
            long window = e.l2WindowBytes();
            assertTrue(e.l2SetAsideBytes() > 0 && e.l2SetAsideBytes() <= e.l2DeviceMaxBytes(), preset + ": set-aside " + e.l2SetAsideBytes()
                    + " of the device's " + e.l2DeviceMaxBytes());
            assertEquals(L2SetAside.currentLimit(), e.l2SetAsideBytes(), "the set-aside is the device's limit while the engine runs");
            assertTrue(window > 0 && window <= e.l2SetAsideBytes(), preset + ": window " + window);
            assertEquals(e.l2WindowPlans()[1], e.l2WindowPlans()[0], "every plan's LM head is a kernel of ours at 16 and 64");
            for (int size : List.of(16, 64)) {
                e.capture(size);
                for (CaptureReport r : List.of(e.captureReports().stream().filter(c -> c.size() == size).findFirst().orElseThrow()))
                    assertEquals(List.of(window), r.persistingBytes(), preset + " at " + size + ": the LM head's window and no other");
                e.decodeCaptureReport(size).ifPresent(r -> assertEquals(List.of(window), r.persistingBytes(), "decode graph at " + size));
                e.freshCaptureReport(size).ifPresent(r -> assertEquals(List.of(window), r.persistingBytes(), "fresh graph at " + size));
            }
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < batches.size(); i++) {
                    List<SeqInput> b = batches.get(i);
                    String what = preset + " round " + round + " batch " + i + " " + b.stream().map(q -> q.tokens().length).toList();
                    for (boolean graph : new boolean[] {false, true}) {
                        e.poisonActivations();
                        int[] tokens = (graph ? e.graph(b) : e.eager(b)).firstTokens();
                        assertArrayEquals(plain.get(i).firstTokens(), tokens, what + (graph ? " graph" : " eager") + ": first tokens");
                        float[][] got = e.lastLogits();
                        for (int s = 0; s < got.length; s++)
                            assertArrayEquals(plain.get(i).logits()[s], got[s], what + (graph ? " graph" : " eager") + " sequence " + s + ": logits");
                    }
                }
            }
            GraphEqualsEagerGpuTest.assertGraphEqualsEager(e, batches.getFirst(), preset + " L2 set-aside");
            assertEquals(0L, (long) e.withoutL2SetAside(L2SetAside::currentLimit), "given back while the floor's copies run");
            assertEquals(e.l2SetAsideBytes(), L2SetAside.currentLimit(), "and set aside again after");
            int[] again = e.graph(batches.getFirst()).firstTokens();
            assertArrayEquals(plain.getFirst().firstTokens(), again, "a forward after the suspension");
        }
        assertEquals(before, L2SetAside.currentLimit(), "close gives the device its limit back");
    }
}
