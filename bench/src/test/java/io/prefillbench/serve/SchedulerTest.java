package io.prefillbench.serve;

import io.prefillbench.engine.KvBlockAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler and serving loop on the CPU, with a fake executor on a virtual clock. */
class SchedulerTest {
    static final long MS = 1_000_000L;

    record Run(ServeLoop.Outcome outcome, CheckingExecutor exec, KvBlockAllocator kv) {
    }

    static Run run(Policy policy, List<Request> reqs, int budget, int maxSeqs, int pages, int pageSize, int batchPrompts, long timeoutNanos,
                   long stepNanos, long tokenNanos) {
        FakeClock clock = new FakeClock();
        KvBlockAllocator kv = new KvBlockAllocator(pages, pageSize);
        Scheduler s = new Scheduler(policy, new Scheduler.Limits(budget, maxSeqs, batchPrompts, timeoutNanos), kv);
        CheckingExecutor exec = new CheckingExecutor(reqs, budget, maxSeqs, pageSize, clock, stepNanos, tokenNanos);
        ServeLoop.Outcome out = new ServeLoop(s, exec, clock).run(reqs, null);
        exec.assertAllDone();
        assertEquals(pages, kv.freePages(), "every page came back");
        return new Run(out, exec, kv);
    }

    static Request req(int id, double arrivalMs, int promptLen, int output) {
        int[] prompt = new int[promptLen];
        for (int i = 0; i < promptLen; i++) prompt[i] = (id * 131 + i) % 1000;
        return new Request(id, Math.round(arrivalMs * MS), prompt, output);
    }

    /**
     * Random traces, limits and policies: every step within budget and sequence cap, every prompt
     * token scheduled exactly once and in order, decode inputs fed back, pages never shared, FIFO
     * admission, and each policy's shape (prefill-first never mixes; eager never asks for graphs).
     */
    @Test
    void randomTracesKeepEveryInvariant() {
        Random rnd = new Random(2024);
        int mixedSteps = 0, chunkedTogether = 0;
        for (int trial = 0; trial < 400; trial++) {
            int budget = new int[] {1, 8, 16, 64, 100, 512}[rnd.nextInt(6)];
            int maxSeqs = 1 + rnd.nextInt(Math.min(budget, 32));
            int pageSize = new int[] {1, 16, 64}[rnd.nextInt(3)];
            int n = 1 + rnd.nextInt(40);
            double rateMs = 0.05 + rnd.nextDouble() * 2; // requests per ms
            List<Request> reqs = new ArrayList<>();
            double t = 0;
            int maxKv = 0;
            for (int i = 0; i < n; i++) {
                t += rnd.nextInt(4) == 0 ? 0 : -Math.log(1 - rnd.nextDouble()) / rateMs; // some arrive together
                Request r = req(i, t, 1 + rnd.nextInt(rnd.nextBoolean() ? 40 : 700), 1 + rnd.nextInt(30));
                reqs.add(r);
                maxKv = Math.max(maxKv, r.kvTokens());
            }
            int minPages = (maxKv + pageSize - 1) / pageSize;
            int pages = minPages + rnd.nextInt(minPages * 3 + 1);
            Policy policy = Policy.values()[trial % 3];
            int batch = 1 + rnd.nextInt(6);
            Run r = run(policy, reqs, budget, maxSeqs, pages, pageSize, batch, rnd.nextInt(20) * MS, MS, 10_000);
            String what = "trial " + trial + " " + policy;
            List<Integer> order = r.exec().firstScheduled;
            for (int i = 0; i < order.size(); i++) assertEquals(i, order.get(i), what + ": admission out of arrival order");
            for (StepPlan p : r.exec().steps) {
                if (policy == Policy.PREFILL_FIRST) assertNotEquals("mixed", p.kind(), what + ": prefill-first ran a mixed step");
                assertEquals(policy != Policy.EAGER, p.graphs(), what + ": graphs flag");
                if (p.kind().equals("mixed")) mixedSteps++;
                long prefills = p.items().stream().filter(i -> !i.decode()).count();
                boolean cut = p.items().stream().anyMatch(i -> !i.decode() && (i.prefixLen() > 0 || cut(reqs.get(i.requestId()), i)));
                if (prefills >= 2 && cut) chunkedTogether++;
            }
            assertEquals(r.exec().steps.size(), r.outcome().steps().size());
            for (RequestRecord rec : r.outcome().requests()) {
                assertTrue(rec.ttftMs() > 0, what + ": TTFT of request " + rec.id());
                assertTrue(rec.latencyMs() >= rec.ttftMs(), what + ": latency of request " + rec.id());
            }
        }
        assertTrue(mixedSteps > 100, "the random traces should exercise mixed steps, got " + mixedSteps);
        assertTrue(chunkedTogether > 20, "the random traces should chunk several prompts in one step, got " + chunkedTogether);
    }

    static boolean cut(Request r, StepItem i) {
        return i.prefixLen() + i.tokens().length < r.prompt().length;
    }

    /** The motivating case: four 80-token prompts arriving 5 ms apart, 20 ms steps. */
    @Test
    void fourEightyTokenPromptsMixedInsertsPrefillFirstBatches() {
        List<Request> reqs = List.of(req(0, 0, 80, 3), req(1, 5, 80, 3), req(2, 10, 80, 3), req(3, 15, 80, 3));
        Run mixed = run(Policy.MIXED, reqs, 512, 32, 100, 64, 4, 750 * MS, 20 * MS, 0);
        assertEquals("[80]", CheckingExecutor.describe(mixed.exec().steps.get(0)));
        assertEquals("[1,80,80,80]", CheckingExecutor.describe(mixed.exec().steps.get(1)));
        assertEquals("mixed", mixed.exec().steps.get(1).kind());
        assertEquals(20.0, mixed.outcome().requests().get(0).ttftMs(), 1e-9);
        assertEquals(25.0, mixed.outcome().requests().get(3).ttftMs(), 1e-9);

        Run batched = run(Policy.PREFILL_FIRST, reqs, 512, 32, 100, 64, 4, 750 * MS, 20 * MS, 0);
        assertEquals("[80,80,80,80]", CheckingExecutor.describe(batched.exec().steps.get(0)));
        assertEquals(15.0, batched.outcome().steps().get(0).startMs(), 1e-9, "waits for the fourth prompt");
        assertEquals("[1,1,1,1]", CheckingExecutor.describe(batched.exec().steps.get(1)));
        assertEquals(35.0, batched.outcome().requests().get(0).ttftMs(), 1e-9);
        assertEquals(3, batched.outcome().steps().size(), "one prefill step and two decode steps");
    }

    @Test
    void prefillFirstWaitsForTheTimeoutWhenTooFewPromptsArrive() {
        Run r = run(Policy.PREFILL_FIRST, List.of(req(0, 0, 50, 2), req(1, 100, 50, 2)), 512, 32, 100, 64, 4, 750 * MS, 10 * MS, 0);
        assertEquals(750.0, r.outcome().steps().get(0).startMs(), 1e-9);
        assertEquals("[50,50]", CheckingExecutor.describe(r.exec().steps.get(0)));
        assertEquals(760.0, r.outcome().requests().get(0).ttftMs(), 1e-9);
    }

    @Test
    void longPromptsChunkAtTheBudgetAndDecodesRideAlong() {
        Run r = run(Policy.MIXED, List.of(req(0, 0, 10, 5), req(1, 1, 300, 2), req(2, 1, 300, 2)), 128, 8, 100, 64, 1, 0, 5 * MS, 0);
        assertEquals("[10]", CheckingExecutor.describe(r.exec().steps.get(0)));
        assertEquals("[1,127]", CheckingExecutor.describe(r.exec().steps.get(1)));
        assertEquals("[1,127]", CheckingExecutor.describe(r.exec().steps.get(2)));
        assertEquals("[1,46,81]", CheckingExecutor.describe(r.exec().steps.get(3)));
    }

    @Test
    void aFullKvCacheHoldsRequestsBackInsteadOfOverwriting() {
        // 4 pages of 64: one request of 200 KV tokens at a time
        List<Request> reqs = List.of(req(0, 0, 150, 51), req(1, 0, 150, 51), req(2, 0, 150, 51));
        Run r = run(Policy.MIXED, reqs, 512, 8, 4, 64, 1, 0, MS, 0);
        for (StepRecord s : r.outcome().steps()) assertTrue(s.running() <= 1, "step " + s.index() + " ran " + s.running() + " requests at once");
        assertEquals(3 * 51, r.outcome().steps().size(), "one prefill and 50 decodes each, never overlapping");
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void metricsAddUp(Policy policy) {
        List<Request> reqs = List.of(req(0, 0, 100, 10), req(1, 2, 30, 1), req(2, 40, 64, 20));
        Run r = run(policy, reqs, 64, 4, 20, 16, 2, 5 * MS, 2 * MS, 0);
        ServeSummary s = r.outcome().summary();
        assertEquals(3, s.requests());
        assertEquals(2, s.tpotMs().count(), "a one-token output has no TPOT");
        assertEquals(s.steps(), s.prefillSteps() + s.decodeSteps() + s.mixedSteps());
        assertEquals(policy == Policy.EAGER ? 0 : s.steps(), s.graphSteps());
        assertEquals(100 + 30 + 64 + 9 + 19, s.realTokens(), "every prompt token once plus one per decode");
        double last = r.outcome().requests().stream().mapToDouble(q -> q.arrivalMs() + q.latencyMs()).max().orElseThrow();
        assertEquals(last / 1e3, s.makespanS(), 1e-9);
        assertEquals(3 / s.makespanS(), s.requestsPerS(), 1e-9);
    }

    @Test
    void stepBoundsAreCheckedBeforeAnythingRuns() {
        int[] pages = {0, 1};
        StepPlan tooBig = new StepPlan(List.of(new StepItem(0, new int[65], 0, pages, false)), true);
        assertThrows(IllegalStateException.class, () -> tooBig.check(64, 8, 64));
        StepPlan shared = new StepPlan(List.of(new StepItem(0, new int[1], 0, pages, true), new StepItem(1, new int[1], 0, new int[] {1}, true)), true);
        assertThrows(IllegalStateException.class, () -> shared.check(64, 8, 64));
        StepPlan outside = new StepPlan(List.of(new StepItem(0, new int[1], 128, pages, true)), true);
        assertThrows(IllegalStateException.class, () -> outside.check(64, 8, 64));
        Scheduler s = new Scheduler(Policy.MIXED, new Scheduler.Limits(64, 8, 1, 0), new KvBlockAllocator(2, 64));
        assertThrows(IllegalArgumentException.class, () -> s.enqueue(req(0, 0, 100, 30)), "needs 3 pages, the cache has 2");
    }
}
