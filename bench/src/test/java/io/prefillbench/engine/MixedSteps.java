package io.prefillbench.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mixed steps for the GPU tests: sequences with their own KV pages (from a {@link KvBlockAllocator}),
 * each with a prefix of cached tokens and a query (1 token = decode). {@link #fillPrefixes} writes
 * every prefix's KV with eager chunked prefill (several sequences chunking in one step), so the
 * step reads real, deterministic KV rather than whatever the cache held.
 */
final class MixedSteps {
    /** One sequence of a mixed step: its whole token history (prefix then query) and its pages. */
    record Seq(int[] history, int prefixLen, int[] pages) {
        SeqInput query() {
            return SeqInput.paged(java.util.Arrays.copyOfRange(history, prefixLen, history.length), prefixLen, pages);
        }
    }

    private MixedSteps() {
    }

    static Seq seq(Random rnd, KvBlockAllocator kv, int prefixLen, int queryLen, int vocab) {
        int[] history = EngineTestSupport.randomTokens(rnd, prefixLen + queryLen, vocab);
        return new Seq(history, prefixLen, kv.allocate(prefixLen + queryLen));
    }

    static List<SeqInput> step(List<Seq> seqs) {
        List<SeqInput> out = new ArrayList<>();
        for (Seq s : seqs) out.add(s.query());
        return out;
    }

    /** Prefills every sequence's prefix in eager steps of at most the largest capture size. */
    static void fillPrefixes(PrefillEngine e, List<Seq> seqs) {
        int budget = e.config().maxTokens();
        int maxSeqs = e.config().seqCapacity(budget);
        int[] done = new int[seqs.size()];
        while (true) {
            List<SeqInput> step = new ArrayList<>();
            int left = budget;
            for (int i = 0; i < seqs.size() && left > 0 && step.size() < maxSeqs; i++) {
                Seq s = seqs.get(i);
                int n = Math.min(s.prefixLen() - done[i], left);
                if (n <= 0) continue;
                step.add(SeqInput.paged(java.util.Arrays.copyOfRange(s.history(), done[i], done[i] + n), done[i], s.pages()));
                done[i] += n;
                left -= n;
            }
            if (step.isEmpty()) return;
            e.eager(step);
        }
    }
}
