package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.engine.PrefillEngine;
import io.prefillbench.engine.PrefillRunner;
import io.prefillbench.engine.SeqInput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A {@code prefill --mix} workload: one forward step mixing prompts, chunk continuations and decode
 * tokens, e.g. {@code 1x80+31d@2048} (one 80-token prompt and 31 decode tokens whose KV prefixes
 * are 2048 tokens) or {@code 64d@1024} (a pure decode batch). Terms, joined by {@code +}:
 * {@code NxL} N prompts of L tokens, {@code NxL@P} N chunks of L tokens after a P-token prefix,
 * {@code Nd@P} N decode tokens after a P-token prefix (= {@code Nx1@P}).
 *
 * <p>Sequence i uses cache slot i. Before timing, every prefix is filled once by eager prefill of
 * random tokens, so the step attends over real KV; each timed run writes the same query KV at the
 * same positions again, and the attention kernel does the same work whatever the values, so timing
 * does not depend on the cache content.
 */
final class MixWorkload {
    /** One term: {@code count} sequences of {@code queryLen} tokens after {@code prefixLen} cached ones. */
    record Term(String text, int count, int queryLen, int prefixLen) {
    }

    final String spec;
    final List<Term> terms;

    private MixWorkload(String spec, List<Term> terms) {
        this.spec = spec;
        this.terms = List.copyOf(terms);
    }

    static MixWorkload parse(String spec, int maxModelLen, int maxNumSeqs, int largestSize) {
        String s = spec.trim();
        if (s.isEmpty()) throw new BenchException("--mix entry is empty: use e.g. 1x80+31d@2048 or 64d@1024");
        List<Term> terms = new ArrayList<>();
        int seqs = 0, tokens = 0;
        for (String t : s.split("\\+", -1)) {
            Term term = term(s, t.trim());
            if (term.prefixLen() + term.queryLen() > maxModelLen) {
                throw new BenchException("--mix '" + s + "': term '" + term.text() + "' needs prefix + query = "
                        + (term.prefixLen() + term.queryLen()) + " tokens, more than --max-model-len " + maxModelLen);
            }
            seqs += term.count();
            tokens += term.count() * term.queryLen();
            terms.add(term);
        }
        if (seqs > maxNumSeqs) throw new BenchException("--mix '" + s + "' has " + seqs + " sequences, more than --max-num-seqs " + maxNumSeqs);
        if (tokens > largestSize) {
            throw new BenchException("--mix '" + s + "' has " + tokens + " query tokens, more than the largest capture size "
                    + largestSize + " (one step; add a larger --sizes entry)");
        }
        return new MixWorkload(s, terms);
    }

    private static Term term(String spec, String t) {
        String bad = "--mix '" + spec + "': term '" + t + "' is malformed: use NxL, NxL@P or Nd@P with whole numbers, e.g. 1x80+31d@2048";
        try {
            int at = t.indexOf('@');
            String head = at < 0 ? t : t.substring(0, at);
            int prefix = at < 0 ? 0 : Integer.parseInt(t.substring(at + 1));
            int count, len;
            if (head.endsWith("d")) {
                if (at < 0) throw new BenchException("--mix '" + spec + "': decode term '" + t + "' needs its prefix: Nd@P, e.g. 31d@2048");
                count = Integer.parseInt(head.substring(0, head.length() - 1));
                len = 1;
            } else {
                String[] p = head.split("x", -1);
                if (p.length != 2) throw new BenchException(bad);
                count = Integer.parseInt(p[0]);
                len = Integer.parseInt(p[1]);
            }
            if (count < 1) throw new BenchException("--mix '" + spec + "': term '" + t + "' has count " + count + ", must be >= 1");
            if (len < 1) throw new BenchException("--mix '" + spec + "': term '" + t + "' has " + len + " query tokens, must be >= 1");
            if (prefix < 0) throw new BenchException("--mix '" + spec + "': term '" + t + "' has a negative prefix " + prefix);
            return new Term(t, count, len, prefix);
        } catch (NumberFormatException e) {
            throw new BenchException(bad);
        }
    }

    String name() {
        return "mix-" + spec;
    }

    /** Query length of each sequence, in slot order. */
    List<Integer> queryLens() {
        List<Integer> lens = new ArrayList<>();
        for (Term t : terms) for (int i = 0; i < t.count(); i++) lens.add(t.queryLen());
        return List.copyOf(lens);
    }

    Workloads.Spec spec() {
        return new Workloads.Spec(name(), queryLens());
    }

    /** Fills every prefix (eager prefill of random tokens, in steps of at most the largest size), then returns the one-step workload. */
    PrefillRunner.Prepared prepare(PrefillEngine engine, PrefillRunner runner, Random rnd) {
        int vocab = engine.config().model().vocab();
        List<SeqInput> step = new ArrayList<>();
        List<int[]> prefixes = new ArrayList<>();
        for (Term t : terms) {
            for (int i = 0; i < t.count(); i++) {
                int slot = step.size();
                step.add(new SeqInput(rnd.ints(t.queryLen(), 0, vocab).toArray(), t.prefixLen(), slot));
                prefixes.add(rnd.ints(t.prefixLen(), 0, vocab).toArray());
            }
        }
        fill(engine, prefixes);
        List<int[]> lastChunkOf = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < step.size(); i++) {
            lastChunkOf.add(new int[] {0, i});
            prompts.add(step.get(i).tokens());
        }
        return runner.prepared(prompts, List.of(List.copyOf(step)), lastChunkOf);
    }

    /** Eager chunked prefill of prefix i into slot i; several slots chunk in one step. */
    private static void fill(PrefillEngine engine, List<int[]> prefixes) {
        int budget = engine.config().maxTokens();
        int maxSeqs = engine.config().seqCapacity(budget);
        int[] done = new int[prefixes.size()];
        while (true) {
            List<SeqInput> step = new ArrayList<>();
            int left = budget;
            for (int slot = 0; slot < prefixes.size() && left > 0 && step.size() < maxSeqs; slot++) {
                int n = Math.min(prefixes.get(slot).length - done[slot], left);
                if (n <= 0) continue;
                step.add(new SeqInput(Arrays.copyOfRange(prefixes.get(slot), done[slot], done[slot] + n), done[slot], slot));
                done[slot] += n;
                left -= n;
            }
            if (step.isEmpty()) return;
            engine.eager(step);
        }
    }
}
