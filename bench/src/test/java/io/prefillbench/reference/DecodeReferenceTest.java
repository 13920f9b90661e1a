package io.prefillbench.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prefillbench.model.Presets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decode on the CPU reference: a decode token is a sequence of one query token whose prefix is in
 * the KV cache. After prefilling n tokens, decoding token n+1 must give the logits the last row of
 * a prefill of all n+1 tokens gives — inside a mixed step that also prefills new prompts and
 * continues a chunked one, for prefixes that cross page boundaries. A decode at the wrong prefix
 * (n-1 tokens cached) must not match: the comparison can fail.
 */
class DecodeReferenceTest {
    private static final double TOL = 1e-6; // rows are computed independently: expect equality up to float noise

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-g5", "tiny-bias"})
    void decodeAfterPrefillEqualsLastRowOfLongerPrefill(String preset) {
        CpuReference ref = new CpuReference(Presets.byName(preset), 1234);
        int vocab = ref.config().vocab();
        SplittableRandom rnd = new SplittableRandom(preset.hashCode());
        int[] decodeLens = {1, 63, 64, 65, 130};
        KvCache cache = ref.newCache();
        List<int[]> prompts = new ArrayList<>();
        List<KvCache.Sequence> seqs = new ArrayList<>();
        List<CpuReference.Chunk> prefill = new ArrayList<>();
        for (int n : decodeLens) {
            int[] p = rnd.ints(n + 1, 0, vocab).toArray(); // n tokens prefilled, the last one decoded
            prompts.add(p);
            KvCache.Sequence s = cache.newSequence();
            seqs.add(s);
            prefill.add(new CpuReference.Chunk(s, Arrays.copyOf(p, n)));
        }
        KvCache.Sequence chunked = cache.newSequence();
        int[] chunkedPrompt = rnd.ints(100, 0, vocab).toArray();
        prefill.add(new CpuReference.Chunk(chunked, Arrays.copyOf(chunkedPrompt, 70)));
        ref.prefill(cache, prefill);

        // the mixed step: every decode token, a fresh prompt, and the chunked prompt's second chunk
        List<CpuReference.Chunk> mixed = new ArrayList<>();
        for (int i = 0; i < decodeLens.length; i++) {
            int[] p = prompts.get(i);
            mixed.add(new CpuReference.Chunk(seqs.get(i), new int[] {p[p.length - 1]}));
        }
        int[] fresh = rnd.ints(45, 0, vocab).toArray();
        mixed.add(new CpuReference.Chunk(cache.newSequence(), fresh));
        mixed.add(new CpuReference.Chunk(chunked, Arrays.copyOfRange(chunkedPrompt, 70, 100)));
        CpuReference.Result step = ref.prefill(cache, mixed);

        for (int i = 0; i < decodeLens.length; i++) {
            float[] want = ref.forward(List.of(prompts.get(i))).logits()[0];
            assertClose(want, step.logits()[i], preset + ": decode after prefill of " + decodeLens[i]);
            assertEquals(seqs.get(i).length(), decodeLens[i] + 1, "the decode advanced its sequence by one");
        }
        assertClose(ref.forward(List.of(fresh)).logits()[0], step.logits()[decodeLens.length], preset + ": fresh prompt in the mixed step");
        assertClose(ref.forward(List.of(chunkedPrompt)).logits()[0], step.logits()[decodeLens.length + 1], preset + ": chunked prompt's last chunk");
    }

    /** The check is sensitive: a decode one position short (n-1 cached) does not match the prefill of n+1. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-g5"})
    void decodeAtTheWrongPrefixIsCaught(String preset) {
        CpuReference ref = new CpuReference(Presets.byName(preset), 1234);
        int[] p = new SplittableRandom(7).ints(66, 0, ref.config().vocab()).toArray();
        KvCache cache = ref.newCache();
        KvCache.Sequence s = cache.newSequence();
        ref.prefill(cache, List.of(new CpuReference.Chunk(s, Arrays.copyOf(p, 64)))); // one token short
        float[] got = ref.prefill(cache, List.of(new CpuReference.Chunk(s, new int[] {p[65]}))).logits()[0];
        float[] want = ref.forward(List.of(p)).logits()[0];
        assertTrue(maxRelDiff(want, got) > 1e-3, "a decode missing a prefix token matched the full prefill");
    }

    static void assertClose(float[] want, float[] got, String what) {
        double d = maxRelDiff(want, got);
        assertTrue(d <= TOL, what + ": logits differ by " + d + " (relative to max |logit|)");
    }

    static double maxRelDiff(float[] want, float[] got) {
        double max = 0, scale = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs((double) want[i] - got[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        return max / Math.max(scale, 1e-30);
    }
}
