package io.prefillbench.serve;

import java.util.concurrent.locks.LockSupport;

/** Time of a serving run: the host's monotonic clock, or a virtual one in tests. */
public interface ServeClock {
    long nanoTime();

    /** Returns at or after {@code nanos} (same time base as {@link #nanoTime}). */
    void sleepUntil(long nanos);

    ServeClock SYSTEM = new ServeClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long nanos) {
            for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
                if (left > 200_000) LockSupport.parkNanos(left - 100_000);
                else Thread.onSpinWait(); // the last 0.2 ms spin: arrivals are released on time
            }
        }
    };
}
