package io.prefillbench.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GpuPrimeTest {
    /** A clock that only forwards move: each takes {@code step} ns. */
    private static final class Clock {
        final long step;
        long now;

        Clock(long step) {
            this.step = step;
        }

        long read() {
            return now;
        }

        void forward() {
            now += step;
        }
    }

    @Test
    void noFloorRunsNothing() {
        assertEquals(0, GpuPrime.run(0, new Clock(10)::read, () -> { throw new AssertionError("ran"); }));
        assertEquals(0, GpuPrime.run(-5, new Clock(10)::read, () -> { throw new AssertionError("ran"); }));
    }

    @Test
    void aFloorRunsUntilItHasPassed() {
        Clock c = new Clock(10);
        assertEquals(10, GpuPrime.run(100, c::read, c::forward));  // 100 ns of 10 ns forwards
        assertEquals(100, c.now);
        Clock d = new Clock(30);
        assertEquals(4, GpuPrime.run(100, d::read, d::forward));  // 90 ns is short of the floor: one more
    }

    @Test
    void aForwardLongerThanTheFloorRunsOnce() {
        Clock c = new Clock(1_000);
        int[] calls = {0};
        assertEquals(1, GpuPrime.run(100, c::read, () -> { calls[0]++; c.forward(); }));
        assertEquals(1, calls[0]);
    }
}
