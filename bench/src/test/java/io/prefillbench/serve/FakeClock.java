package io.prefillbench.serve;

/** Virtual time: sleeping jumps, steps advance it by what the fake executor says they cost. */
final class FakeClock implements ServeClock {
    long now = 1_000_000_000L; // not zero: the loop must use times relative to its start

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void sleepUntil(long nanos) {
        now = Math.max(now, nanos);
    }

    void advance(long nanos) {
        now += nanos;
    }
}
