package io.prefillbench.profile;

import io.prefillbench.forward.LoweredPlan;

/**
 * What the profiling pass measured for one forward step: the median GPU time of each lowered op of the plan, in
 * issue order, and the real counts the step ran with.
 *
 * @param opUs      microseconds per op, {@code opUs[i]} for {@code plan.ops().get(i)}
 * @param repeats   runs the medians are taken over
 * @param starved   true when the GPU may have waited for the host in some counted run (the per-op times then
 *                  include launch gaps); the pass queues the whole forward behind a busy kernel to avoid that
 */
public record StepTimes(LoweredPlan plan, int tokens, int seqs, int tiles, double[] opUs, int repeats, boolean starved) {
    public StepTimes {
        if (opUs.length != plan.ops().size())
            throw new IllegalArgumentException(opUs.length + " op times for a plan of " + plan.ops().size() + " ops");
        opUs = opUs.clone();
    }
}
