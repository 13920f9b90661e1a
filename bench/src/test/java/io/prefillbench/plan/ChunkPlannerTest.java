package io.prefillbench.plan;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkPlannerTest {
    private static ChunkPlan.Item item(int r, int prefix, int len) {
        return new ChunkPlan.Item(r, prefix, len);
    }

    private static ChunkPlan.Step step(ChunkPlan.Item... items) {
        return new ChunkPlan.Step(List.of(items));
    }

    @Test
    void promptExactlyTheMaxIsOneStep() {
        var plan = new ChunkPlanner(512, 32).plan(new int[] {512});
        assertEquals(List.of(step(item(0, 0, 512))), plan.steps());
    }

    @Test
    void promptOneAboveTheMaxIsTwoSteps() {
        var plan = new ChunkPlanner(512, 32).plan(new int[] {513});
        assertEquals(List.of(step(item(0, 0, 512)), step(item(0, 512, 1))), plan.steps());
    }

    @Test
    void severalChunkedRequestsShareSteps() {
        // The case that once overran a 2-element chunk-size array: three requests chunked in turn.
        var plan = new ChunkPlanner(100, 4).plan(new int[] {150, 120, 30, 90});
        assertEquals(List.of(
                step(item(0, 0, 100)),
                step(item(0, 100, 50), item(1, 0, 50)),
                step(item(1, 50, 70), item(2, 0, 30)),
                step(item(3, 0, 90))), plan.steps());
    }

    @Test
    void sequenceLimitBinds() {
        int[] lens = new int[10];
        java.util.Arrays.fill(lens, 1);
        var plan = new ChunkPlanner(512, 4).plan(lens);
        assertEquals(3, plan.steps().size());
        assertEquals(List.of(4, 4, 2), plan.steps().stream().map(s -> s.items().size()).toList());
    }

    @Test
    void manyTinyRequests() {
        int[] lens = new int[1000];
        java.util.Arrays.fill(lens, 3);
        var plan = new ChunkPlanner(64, 32).plan(lens);
        // 21 requests fill 63 tokens, the 22nd gets 1 token: token budget binds before 32 seqs.
        assertEquals(22, plan.steps().get(0).items().size());
        assertEquals(64, plan.steps().get(0).tokens());
        assertEquals((3000 + 63) / 64, plan.steps().size());
    }

    @Test
    void randomPlansCoverEveryTokenOnceInOrderWithinLimits() {
        SplittableRandom rnd = new SplittableRandom(2024);
        for (int trial = 0; trial < 300; trial++) {
            int maxTokens = 1 + rnd.nextInt(600);
            int maxSeqs = 1 + rnd.nextInt(40);
            int[] lens = new int[1 + rnd.nextInt(60)];
            for (int i = 0; i < lens.length; i++) {
                lens[i] = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(3000) : rnd.nextInt(40));
            }
            var plan = new ChunkPlanner(maxTokens, maxSeqs).plan(lens);
            // Independent re-check: token-level coverage in order.
            int[] next = new int[lens.length];
            for (var s : plan.steps()) {
                assertTrue(s.tokens() <= maxTokens && s.items().size() <= maxSeqs);
                for (var it : s.items()) {
                    assertEquals(next[it.requestIndex()], it.prefixLen());
                    next[it.requestIndex()] += it.chunkLen();
                }
            }
            assertEquals(java.util.Arrays.toString(lens), java.util.Arrays.toString(next));
            // Greedy: every step but the last is full, in tokens or in sequences.
            for (int i = 0; i < plan.steps().size() - 1; i++) {
                var s = plan.steps().get(i);
                assertTrue(s.tokens() == maxTokens || s.items().size() == maxSeqs, "step " + i + " not full");
            }
        }
    }

    @Test
    void validateCatchesPlantedFaults() {
        int[] lens = {5, 3};
        var good = new ChunkPlan(List.of(step(item(0, 0, 4)), step(item(0, 4, 1), item(1, 0, 3))));
        good.validate(lens, 4, 2);
        assertFault(new ChunkPlan(List.of(step(item(0, 0, 4)), step(item(0, 4, 1), item(2, 0, 3)))), lens, "out of range");
        assertFault(new ChunkPlan(List.of(step(item(0, 0, 4)), step(item(0, 4, 1), item(-1, 0, 3)))), lens, "out of range");
        assertFault(new ChunkPlan(List.of(step(item(0, 0, 3)), step(item(0, 4, 1), item(1, 0, 3)))), lens, "expected prefix 3");
        assertFault(new ChunkPlan(List.of(step(item(0, 0, 4)), step(item(1, 0, 3)))), lens, "covered 4 of 5");
        assertFault(new ChunkPlan(List.of(step(item(0, 0, 5)), step(item(1, 0, 3)))), lens, "5 tokens, limit 4");
        assertFault(new ChunkPlan(List.of(step(item(0, 0, 4)), step(item(0, 4, 1), item(1, 0, 3)), step())), lens, "empty");
        assertFault(new ChunkPlan(List.of(step(item(0, 0, 2), item(0, 2, 2)), step(item(0, 4, 1), item(1, 0, 3)))), lens, "twice");
        assertFault(new ChunkPlan(List.of(step(item(0, 0, 4)), step(item(0, 4, 2), item(1, 0, 2)))), lens, "past the prompt");
        var e = assertThrows(IllegalStateException.class, () -> good.validate(lens, 4, 1));
        assertTrue(e.getMessage().contains("2 sequences, limit 1"), e.getMessage());
    }

    private static void assertFault(ChunkPlan plan, int[] lens, String fragment) {
        var e = assertThrows(IllegalStateException.class, () -> plan.validate(lens, 4, 2));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void rejectsBadInput() {
        assertThrows(BenchException.class, () -> new ChunkPlanner(0, 4));
        assertThrows(BenchException.class, () -> new ChunkPlanner(64, 0));
        assertThrows(BenchException.class, () -> new ChunkPlanner(64, 4).plan(new int[0]));
        var e = assertThrows(BenchException.class, () -> new ChunkPlanner(64, 4).plan(new int[] {5, 0}));
        assertTrue(e.getMessage().contains("prompt 1"), e.getMessage());
    }
}
