package io.prefillbench.cli;

import io.prefillbench.engine.PrefillRunner;

import java.util.function.Consumer;

/**
 * One timed iteration of {@code prefill} and {@code --sweep}: eager and graph in ABBA order (eager first in even iterations,
 * graph first in odd ones: {@link io.prefillbench.results.RunConfig#ABBA}), the samples taken as {@link HostTiming} says. The
 * forward and the engine's GPU-timing switch come in as functions, so which forward each sample comes from is testable
 * without a GPU.
 */
final class PairTiming {
    private PairTiming() {
    }

    /** One forward: its host time in ns and its GPU time in ms (NaN where it ran without events). */
    record Sample(long hostNs, double gpuMs) {
    }

    /** Runs one forward of the workload in a mode. */
    interface Forward {
        Sample run(PrefillRunner.Mode mode);
    }

    /**
     * One iteration into slot {@code at} of the sample arrays; null arrays (the warm-up) record nothing. {@link HostTiming#SEPARATE}:
     * the host samples from a pass with the GPU events off, then the GPU samples from a pass with them on (each mode runs
     * twice); {@link HostTiming#EVENTS}: both from one event-timed pass. {@code gpuEvents} switches the events and is left on.
     */
    static void iteration(HostTiming timing, Consumer<Boolean> gpuEvents, Forward forward, int iteration, boolean eager, boolean graph,
                          long[] eHost, long[] gHost, long[] eGpu, long[] gGpu, int at) {
        if (eHost == null || timing == HostTiming.EVENTS) {
            abba(forward, iteration, eager, graph, eHost, gHost, eGpu, gGpu, at);
            return;
        }
        gpuEvents.accept(false);
        try {
            abba(forward, iteration, eager, graph, eHost, gHost, null, null, at);
        } finally {
            gpuEvents.accept(true);
        }
        abba(forward, iteration, eager, graph, null, null, eGpu, gGpu, at);
    }

    /** The pair in ABBA order; host times into the host arrays and GPU times into the GPU arrays where they are given. */
    private static void abba(Forward forward, int iteration, boolean eager, boolean graph, long[] eHost, long[] gHost, long[] eGpu,
                             long[] gGpu, int at) {
        boolean eagerFirst = (iteration & 1) == 0;
        for (int k = 0; k < 2; k++) {
            boolean runEager = (k == 0) == eagerFirst;
            if (runEager ? !eager : !graph) continue;
            Sample s = forward.run(runEager ? PrefillRunner.Mode.EAGER : PrefillRunner.Mode.GRAPH);
            if (eHost != null) (runEager ? eHost : gHost)[at] = s.hostNs();
            if (eGpu != null) (runEager ? eGpu : gGpu)[at] = Math.round(s.gpuMs() * 1e6);
        }
    }
}
