package io.prefillbench.cli;

import java.util.function.LongSupplier;

/**
 * {@code --prime-ms}: heavy forwards, back to back, before a workload. Why: sustained heavy work (from any process) puts
 * the GPU in a state that nvidia-smi's clocks do not show and that decays within ~3 s of light load, so a result
 * depended on what ran before it in the process (s29, H200: ERNIE 8x16 at size 128 read ~596 us of GPU time as its
 * process's first workload, ~574 after a forward of >= 256 tokens at size 512, or beside another process's matmuls).
 */
final class GpuPrime {
    private GpuPrime() {
    }

    /** Runs {@code forward} until {@code minNanos} have passed, at least once; none when {@code minNanos <= 0}. Returns how many ran. */
    static int run(long minNanos, LongSupplier clock, Runnable forward) {
        if (minNanos <= 0) return 0;
        long until = clock.getAsLong() + minNanos;
        int n = 0;
        do {
            forward.run();
            n++;
        } while (clock.getAsLong() - until < 0);
        return n;
    }
}
