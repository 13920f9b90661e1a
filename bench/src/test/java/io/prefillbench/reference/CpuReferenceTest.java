package io.prefillbench.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prefillbench.model.Presets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CpuReferenceTest {

    private static final CpuReference TINY = new CpuReference(Presets.byName("tiny"), 1234);

    private static int[] prompt(long seed, int len, int vocab) {
        return new SplittableRandom(seed).ints(len, 0, vocab).toArray();
    }

    @Test
    void deterministicFiniteAndNotDegenerate() {
        int[] p = prompt(1, 40, 512);
        CpuReference.Result a = TINY.forward(List.of(p));
        CpuReference.Result b = new CpuReference(Presets.byName("tiny"), 1234).forward(List.of(p));
        assertArrayEquals(a.logits()[0], b.logits()[0]);
        assertArrayEquals(a.firstTokens(), b.firstTokens());
        float[] l = a.logits()[0];
        assertEquals(512, l.length);
        double sum = 0, sq = 0;
        for (float v : l) {
            assertTrue(Float.isFinite(v));
            assertEquals(v, io.prefillbench.model.WeightInit.roundBf16(v), "logits are bf16 values");
            sum += v;
            sq += v * v;
        }
        double std = Math.sqrt(sq / l.length - (sum / l.length) * (sum / l.length));
        assertTrue(std > 0.1 && std < 100, "logit spread " + std);
        assertEquals(KernelReference.argmax(l, 1, 512)[0], a.firstTokens()[0]);
        // another seed gives other weights
        assertFalse(Arrays.equals(l, new CpuReference(Presets.byName("tiny"), 1235).forward(List.of(p)).logits()[0]));
    }

    @Test
    void everyTokenOfThePromptMatters() {
        int[] p = prompt(2, 30, 512);
        float[] base = TINY.forward(List.of(p)).logits()[0];
        int[] q = p.clone();
        q[0] = (q[0] + 1) % 512; // the first token only reaches the last through attention
        assertFalse(Arrays.equals(base, TINY.forward(List.of(q)).logits()[0]));
    }

    @Test
    void batchingDoesNotChangeResults() {
        int[] a = prompt(3, 37, 512);
        int[] b = prompt(4, 70, 512); // crosses a page boundary
        int[] c = prompt(5, 1, 512);
        CpuReference.Result batch = TINY.forward(List.of(a, b, c));
        int[][] prompts = {a, b, c};
        for (int s = 0; s < 3; s++) {
            CpuReference.Result alone = TINY.forward(List.of(prompts[s]));
            assertArrayEquals(alone.logits()[0], batch.logits()[s], "sequence " + s);
            assertEquals(alone.firstTokens()[0], batch.firstTokens()[s]);
        }
    }

    @Test
    void chunkedPrefillMatchesWholePrompt() {
        int[] a = prompt(6, 90, 512);
        int[] b = prompt(7, 50, 512);
        CpuReference.Result whole = TINY.forward(List.of(a, b));

        KvCache cache = TINY.newCache();
        KvCache.Sequence sa = cache.newSequence();
        KvCache.Sequence sb = cache.newSequence();
        // step 1: first 50 tokens of a with all of b's first 20; pages of a and b interleave
        TINY.prefill(cache, List.of(new CpuReference.Chunk(sa, Arrays.copyOf(a, 50)),
                new CpuReference.Chunk(sb, Arrays.copyOf(b, 20))));
        assertEquals(50, sa.length());
        // step 2: the rest, with b's prefix crossing into a new page allocated after a's
        CpuReference.Result chunked = TINY.prefill(cache, List.of(
                new CpuReference.Chunk(sb, Arrays.copyOfRange(b, 20, 50)),
                new CpuReference.Chunk(sa, Arrays.copyOfRange(a, 50, 90))));
        assertEquals(90, sa.length());
        assertEquals(3, cache.usedPages()); // a: 2 pages, b: 1
        assertArrayEquals(new int[] {0, 2}, sa.pages());
        assertRelClose(whole.logits()[0], chunked.logits()[1]);
        assertRelClose(whole.logits()[1], chunked.logits()[0]);
        // stronger than the tolerance: each query's arithmetic does not depend on chunking
        assertArrayEquals(whole.logits()[0], chunked.logits()[1]);
        assertEquals(whole.firstTokens()[0], chunked.firstTokens()[1]);

        // the cache is what carries the prefix: the same last chunk on a fresh sequence differs
        CpuReference.Result noPrefix = TINY.forward(List.of(Arrays.copyOfRange(a, 50, 90)));
        assertFalse(Arrays.equals(whole.logits()[0], noPrefix.logits()[0]));
    }

    @Test
    void tokenByTokenMatchesWholePrompt() {
        int[] a = prompt(8, 12, 512);
        float[] whole = TINY.forward(List.of(a)).logits()[0];
        KvCache cache = TINY.newCache();
        KvCache.Sequence s = cache.newSequence();
        CpuReference.Result r = null;
        for (int t : a) {
            r = TINY.prefill(cache, List.of(new CpuReference.Chunk(s, new int[] {t})));
        }
        assertRelClose(whole, r.logits()[0]);
    }

    @Test
    void otherTinyShapesRun() {
        for (String name : List.of("tiny-g5", "tiny-bias")) {
            CpuReference ref = new CpuReference(Presets.byName(name), 7);
            int vocab = ref.config().vocab();
            CpuReference.Result r = ref.forward(List.of(prompt(9, 20, vocab), prompt(10, 65, vocab)));
            for (float[] l : r.logits()) {
                assertEquals(vocab, l.length);
                for (float v : l) {
                    assertTrue(Float.isFinite(v), name);
                }
            }
            CpuReference.Result alone = ref.forward(List.of(prompt(10, 65, vocab)));
            assertArrayEquals(alone.logits()[0], r.logits()[1], name);
        }
    }

    @Test
    void biasIsApplied() {
        // the same weights with the bias zeroed must give other logits
        CpuReference withBias = new CpuReference(Presets.byName("tiny-bias"), 3);
        int[] p = prompt(11, 16, 512);
        float[] before = withBias.forward(List.of(p)).logits()[0];
        for (int l = 0; l < 2; l++) {
            Arrays.fill(withBias.weight("layers." + l + ".qkv_bias"), 0f);
        }
        assertFalse(Arrays.equals(before, withBias.forward(List.of(p)).logits()[0]));
    }

    @Test
    void rejectsBadBatches() {
        KvCache cache = TINY.newCache();
        KvCache.Sequence s = cache.newSequence();
        assertThrows(IllegalArgumentException.class, () -> TINY.prefill(cache, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> TINY.prefill(cache, List.of(new CpuReference.Chunk(s, new int[0]))));
        assertThrows(IllegalArgumentException.class, () -> TINY.prefill(cache,
                List.of(new CpuReference.Chunk(s, new int[] {1}), new CpuReference.Chunk(s, new int[] {2}))));
        assertThrows(IllegalArgumentException.class, () -> TINY.forward(List.of(new int[] {512})));
    }

    private static void assertRelClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-3 * Math.max(1, Math.abs(expected[i])), "logit " + i);
        }
    }
}
