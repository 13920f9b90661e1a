package io.prefillbench.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmUpTest {
    /** A clock that only iterations move: each takes 10 ns. */
    private static final class Clock {
        long now;

        long read() {
            return now;
        }

        void iteration(int i) {
            now += 10;
        }
    }

    @Test
    void aCountAloneRunsExactlyThatMany() {
        List<Integer> seen = new ArrayList<>();
        assertEquals(3, WarmUp.run(3, 0, new Clock()::read, seen::add));
        assertEquals(List.of(0, 1, 2), seen);
        assertEquals(0, WarmUp.run(0, 0, new Clock()::read, i -> { throw new AssertionError("ran"); }));
    }

    @Test
    void aTimeFloorRunsOnUntilItHasPassedAndNeverFewerThanTheCount() {
        Clock c = new Clock();
        assertEquals(10, WarmUp.run(2, 100, c::read, c::iteration));  // 100 ns of 10 ns iterations; the count of 2 does not stop it
        assertEquals(100, c.now);
        Clock d = new Clock();
        assertEquals(50, WarmUp.run(50, 100, d::read, d::iteration));  // the count past the floor wins
        assertEquals(0, WarmUp.run(0, 0, new Clock()::read, i -> { throw new AssertionError("ran"); }));
    }

    @Test
    void driftAdviceNamesTheRunsWarmUpAndAsksForMore() {
        String at1000 = PrefillCommand.warmUpAdvice(1000L);
        assertTrue(at1000.contains("--warmup-ms 1000)") && at1000.contains("e.g. 2000") && at1000.contains("host was busy"), at1000);
        String none = PrefillCommand.warmUpAdvice(null);  // an older file: counted warm-up only
        assertTrue(none.contains("--warmup-ms 0)") && none.contains("e.g. 1000"), none);
    }
}
