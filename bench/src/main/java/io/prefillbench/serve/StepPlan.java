package io.prefillbench.serve;

import java.util.BitSet;
import java.util.List;

/** A step the scheduler chose: its sequences in order, and whether it may replay a graph. */
public record StepPlan(List<StepItem> items, boolean graphs) {
    public StepPlan {
        items = List.copyOf(items);
    }

    public int tokens() {
        int t = 0;
        for (StepItem i : items) t += i.tokens().length;
        return t;
    }

    public int decodeSeqs() {
        int n = 0;
        for (StepItem i : items) if (i.decode()) n++;
        return n;
    }

    public int prefillSeqs() {
        return items.size() - decodeSeqs();
    }

    public int prefillTokens() {
        return tokens() - decodeSeqs();
    }

    /** "prefill", "decode" or "mixed". */
    public String kind() {
        int d = decodeSeqs();
        return d == 0 ? "prefill" : d == items.size() ? "decode" : "mixed";
    }

    /**
     * Every bound the engine relies on, checked on every step: not empty, tokens within the budget,
     * sequences within the cap, each sequence once, no empty chunk, KV inside its pages, no page
     * shared by two sequences. A violation is a scheduler bug, never silently run.
     */
    public void check(int tokenBudget, int maxSeqs, int pageSize) {
        if (items.isEmpty()) throw new IllegalStateException("empty step");
        if (tokens() > tokenBudget) throw new IllegalStateException("step of " + tokens() + " tokens exceeds the budget " + tokenBudget);
        if (items.size() > maxSeqs) throw new IllegalStateException("step of " + items.size() + " sequences exceeds " + maxSeqs);
        BitSet ids = new BitSet();
        BitSet pages = new BitSet();
        for (StepItem i : items) {
            if (ids.get(i.requestId())) throw new IllegalStateException("request " + i.requestId() + " twice in one step");
            ids.set(i.requestId());
            if (i.tokens().length < 1) throw new IllegalStateException("request " + i.requestId() + ": empty chunk");
            if (i.decode() && i.tokens().length != 1) throw new IllegalStateException("request " + i.requestId() + ": decode of " + i.tokens().length + " tokens");
            long kv = (long) i.prefixLen() + i.tokens().length;
            if (i.prefixLen() < 0 || kv > (long) i.pages().length * pageSize) {
                throw new IllegalStateException("request " + i.requestId() + ": " + kv + " KV tokens do not fit its " + i.pages().length + " pages");
            }
            for (int p : i.pages()) {
                if (pages.get(p)) throw new IllegalStateException("page " + p + " held by two sequences of one step");
                pages.set(p);
            }
        }
    }
}
