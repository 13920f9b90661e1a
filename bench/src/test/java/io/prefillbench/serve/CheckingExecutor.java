package io.prefillbench.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A fake GPU that checks every step against its own model of each request, independently of the
 * scheduler: chunks cover each prompt exactly once and in order, decode inputs are the tokens it
 * returned before (fed back), KV prefixes are right, steps stay within the token budget and the
 * sequence cap, and no KV page is held by two live requests. Each step costs a fixed overhead plus
 * a per-token time on the fake clock; next tokens are a hash of request and position.
 */
final class CheckingExecutor implements StepExecutor {
    private final Map<Integer, Request> byId = new HashMap<>();
    private final int budget;
    private final int maxSeqs;
    private final int pageSize;
    private final FakeClock clock;
    private final long stepNanos;
    private final long tokenNanos;
    final int[] cursor;      // prompt tokens scheduled so far
    final int[] generated;   // tokens returned so far
    final int[] last;        // last token returned
    final int[][] pagesOf;   // pages first seen for each request
    final Map<Integer, Integer> pageOwner = new HashMap<>();
    final List<StepPlan> steps = new ArrayList<>();
    final List<Integer> firstScheduled = new ArrayList<>();

    CheckingExecutor(List<Request> reqs, int budget, int maxSeqs, int pageSize, FakeClock clock, long stepNanos, long tokenNanos) {
        for (Request r : reqs) byId.put(r.id(), r);
        this.budget = budget;
        this.maxSeqs = maxSeqs;
        this.pageSize = pageSize;
        this.clock = clock;
        this.stepNanos = stepNanos;
        this.tokenNanos = tokenNanos;
        cursor = new int[reqs.size()];
        generated = new int[reqs.size()];
        last = new int[reqs.size()];
        pagesOf = new int[reqs.size()][];
    }

    static int token(int request, int position) {
        return Math.floorMod(request * 7919 + position * 31 + 17, 1000);
    }

    @Override
    public Outcome execute(StepPlan plan) {
        steps.add(plan);
        String at = "step " + (steps.size() - 1) + " " + describe(plan);
        assertTrue(plan.tokens() <= budget, at + ": " + plan.tokens() + " tokens > budget " + budget);
        assertTrue(plan.items().size() <= maxSeqs, at + ": " + plan.items().size() + " sequences > " + maxSeqs);
        assertTrue(plan.tokens() >= 1, at + ": empty");
        int[] next = new int[plan.items().size()];
        List<Integer> finishing = new ArrayList<>();
        for (int i = 0; i < next.length; i++) {
            StepItem it = plan.items().get(i);
            int id = it.requestId();
            Request r = byId.get(id);
            int p = r.prompt().length;
            if (pagesOf[id] == null) {
                firstScheduled.add(id);
                assertTrue((long) it.pages().length * pageSize >= r.kvTokens(), at + ": request " + id + " got too few pages");
                for (int page : it.pages()) {
                    Integer owner = pageOwner.put(page, id);
                    if (owner != null) fail(at + ": page " + page + " given to request " + id + " while request " + owner + " holds it");
                }
                pagesOf[id] = it.pages().clone();
            }
            assertArrayEquals(pagesOf[id], it.pages(), at + ": request " + id + "'s pages changed");
            if (it.decode()) {
                assertEquals(p, cursor[id], at + ": request " + id + " decodes before its prompt is prefilled");
                assertTrue(generated[id] >= 1 && generated[id] < r.outputTokens(), at + ": request " + id + " decodes with " + generated[id] + " generated");
                assertEquals(p + generated[id] - 1, it.prefixLen(), at + ": request " + id + " decode prefix");
                assertArrayEquals(new int[] {last[id]}, it.tokens(), at + ": request " + id + " decode input is not its last token");
                generated[id]++;
            } else {
                assertEquals(cursor[id], it.prefixLen(), at + ": request " + id + " chunk out of order");
                assertTrue(it.tokens().length >= 1 && cursor[id] + it.tokens().length <= p, at + ": request " + id + " chunk [" + cursor[id]
                        + ", +" + it.tokens().length + ") outside its prompt of " + p);
                assertArrayEquals(Arrays.copyOfRange(r.prompt(), cursor[id], cursor[id] + it.tokens().length), it.tokens(), at + ": request " + id + " chunk tokens");
                cursor[id] += it.tokens().length;
                if (cursor[id] == p) generated[id] = 1;
            }
            next[i] = token(id, it.prefixLen() + it.tokens().length);
            if (generated[id] >= 1 && (it.decode() || cursor[id] == p)) last[id] = next[i];
            if (generated[id] == r.outputTokens()) finishing.add(id);
        }
        for (int id : finishing) for (int page : pagesOf[id]) pageOwner.remove(page);
        clock.advance(stepNanos + tokenNanos * plan.tokens());
        return new Outcome(next, plan.graphs(), plan.tokens(), 0.0);
    }

    /** Like [1,80,80,80]: query lengths in order. */
    static String describe(StepPlan plan) {
        StringBuilder sb = new StringBuilder("[");
        for (StepItem i : plan.items()) {
            if (sb.length() > 1) sb.append(',');
            sb.append(i.tokens().length);
        }
        return sb.append(']').toString();
    }

    void assertAllDone() {
        for (Request r : byId.values()) {
            assertEquals(r.prompt().length, cursor[r.id()], "request " + r.id() + " prompt tokens scheduled");
            assertEquals(r.outputTokens(), generated[r.id()], "request " + r.id() + " tokens generated");
        }
        assertTrue(pageOwner.isEmpty(), "pages still held after every request finished: " + pageOwner.keySet());
    }
}
