package io.prefillbench.cli;

import io.prefillbench.engine.PrefillRunner;

import java.util.List;
import java.util.Random;
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

    /**
     * One prime step: a prompt of {@code len} tokens (the largest captured size) run in each mode the workloads time, eager
     * before graph. Both modes, because the prime also trains the JIT: s29 call 4's graph-only prime left tiny's eager host
     * p50 at 87 us against 57 unprimed, and its graph p50 high for the first 700 of 1000 pairs (the compiled forward path had
     * never seen eager). The tokens come from their own Random, so the workloads' prompts are those of an unprimed run.
     */
    static Runnable step(PrefillRunner runner, int len, int vocab, long seed, boolean eager, boolean graph) {
        int[] prompt = new Random(seed * 31L + 7).ints(len, 0, vocab).toArray();
        PrefillRunner.Prepared prepared = runner.prepare(List.of(prompt));
        return () -> {
            if (eager || !graph) runner.run(prepared, PrefillRunner.Mode.EAGER, false);
            if (graph) runner.run(prepared, PrefillRunner.Mode.GRAPH, false);
        };
    }

    /**
     * Runs {@code forward} until {@code minNanos} have passed, at least once; none when {@code minNanos <= 0}. Returns how many
     * ran. The warm-up's loop with a floor of one forward.
     */
    static int run(long minNanos, LongSupplier clock, Runnable forward) {
        return minNanos <= 0 ? 0 : WarmUp.run(1, minNanos, clock, i -> forward.run());
    }
}
