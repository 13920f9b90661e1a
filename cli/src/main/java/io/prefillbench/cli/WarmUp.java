package io.prefillbench.cli;

import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * A workload's untimed warm-up: at least {@code --warmup} iterations and, with {@code --warmup-ms}, at least that long.
 * Why a time floor: the host half of a forward is Java that the JIT compiles while it runs, and a count that suits one
 * workload is short for another (s28 calls 10-11: ERNIE 8x16 alone read host p50 620-655 us after 30 warm-up iterations,
 * 602-615 after 1500, for the same GPU time).
 */
final class WarmUp {
    private WarmUp() {
    }

    /** Runs {@code iteration} with 0, 1, ... until both floors are met; returns how many ran. */
    static int run(int count, long minNanos, LongSupplier clock, IntConsumer iteration) {
        long until = minNanos > 0 ? clock.getAsLong() + minNanos : Long.MIN_VALUE;
        int i = 0;
        for (; i < count || (minNanos > 0 && clock.getAsLong() - until < 0); i++) iteration.accept(i);
        return i;
    }
}
