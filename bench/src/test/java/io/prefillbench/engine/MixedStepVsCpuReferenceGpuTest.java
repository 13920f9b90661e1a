package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.reference.CpuReference;
import io.prefillbench.reference.KvCache;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short generation with dynamic insertion on the GPU against the CPU reference, step by step:
 * prompt A prefills; then A decodes while B prefills and C starts a chunked prefill; then A and B
 * decode while C finishes; then all three decode. Each prompt's first token is fed back as its
 * next decode input (the reference's token, so both sides see the same inputs). Logits within 2e-2
 * relative, first tokens equal where the top-2 margin is clear, in eager and graph mode; KV pages
 * come from a {@link KvBlockAllocator} and are freed at the end.
 */
@Tag("gpu")
class MixedStepVsCpuReferenceGpuTest {

    /** One request: prompt, pages, how much of it is in the cache, the tokens it generated. */
    private static final class Req {
        final int[] prompt;
        final int[] pages;
        final KvCache.Sequence ref;
        int cached;
        final List<Integer> generated = new ArrayList<>();

        Req(int[] prompt, int[] pages, KvCache.Sequence ref) {
            this.prompt = prompt;
            this.pages = pages;
            this.ref = ref;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-g5", "tiny-bias"})
    void generationWithDynamicInsertionMatchesReference(String preset) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,64,128", 8, 512);
        CpuReference ref = new CpuReference(cfg.model(), cfg.seed());
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            for (int s : cfg.sizes().sizes()) e.capture(s);
            for (boolean graph : new boolean[] {false, true}) {
                e.poisonActivations();
                Random rnd = new Random(17);
                int vocab = cfg.model().vocab();
                KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
                KvCache cache = ref.newCache();
                int maxLen = 200; // pages reserved for prompt + generated tokens
                Req a = new Req(EngineTestSupport.randomTokens(rnd, 70, vocab), kv.allocate(maxLen), cache.newSequence());
                Req b = new Req(EngineTestSupport.randomTokens(rnd, 40, vocab), kv.allocate(maxLen), cache.newSequence());
                Req c = new Req(EngineTestSupport.randomTokens(rnd, 120, vocab), kv.allocate(maxLen), cache.newSequence());
                String mode = preset + (graph ? " graph" : " eager");
                // {request, query tokens} per step; -1 = one decode token
                step(e, ref, cache, graph, mode + " step 1 [70]", List.of(a), new int[] {70});
                step(e, ref, cache, graph, mode + " step 2 [1,40,50]", List.of(a, b, c), new int[] {-1, 40, 50});
                step(e, ref, cache, graph, mode + " step 3 [1,1,70]", List.of(a, b, c), new int[] {-1, -1, 70});
                for (int i = 0; i < 6; i++) step(e, ref, cache, graph, mode + " decode step " + (4 + i), List.of(a, b, c), new int[] {-1, -1, -1});
                assertEquals(70 + 8, a.cached);
                assertEquals(9, a.generated.size());
                assertEquals(120 + 6, c.cached);
                for (Req r : List.of(a, b, c)) kv.free(r.pages);
                assertEquals(kv.totalPages(), kv.freePages());
            }
        }
    }

    private static void step(PrefillEngine e, CpuReference ref, KvCache cache, boolean graph, String what, List<Req> reqs, int[] query) {
        List<SeqInput> seqs = new ArrayList<>();
        List<CpuReference.Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < reqs.size(); i++) {
            Req r = reqs.get(i);
            int[] toks = query[i] < 0
                    ? new int[] {r.generated.getLast()}
                    : Arrays.copyOfRange(r.prompt, r.cached, r.cached + query[i]);
            assertTrue(query[i] < 0 ? r.cached >= r.prompt.length : r.cached + query[i] <= r.prompt.length, what + ": test script");
            seqs.add(SeqInput.paged(toks, r.cached, r.pages));
            chunks.add(new CpuReference.Chunk(r.ref, toks));
        }
        PrefillOutput out = graph ? e.graph(seqs) : e.eager(seqs);
        float[][] got = e.lastLogits();
        CpuReference.Result want = ref.prefill(cache, chunks);
        for (int i = 0; i < reqs.size(); i++) {
            Req r = reqs.get(i);
            r.cached += seqs.get(i).tokens().length;
            double err = EngineVsCpuReferenceGpuTest.relError(got[i], want.logits()[i]);
            assertTrue(err < 2e-2, what + " sequence " + i + ": logits relative error " + err);
            if (EngineVsCpuReferenceGpuTest.margin(want.logits()[i]) > 0.05) {
                assertEquals(want.firstTokens()[i], out.firstTokens()[i], what + " sequence " + i + " next token");
            }
            if (r.cached >= r.prompt.length) r.generated.add(want.firstTokens()[i]); // fed back as the next decode input
        }
    }
}
