package io.prefillbench.serve;

/**
 * Runs one step: on the GPU through the engine ({@link EngineStepExecutor}), or a fake in the
 * scheduler's CPU tests.
 */
public interface StepExecutor {
    /**
     * @param nextTokens greedy next token per item, in order (meaningful for decode items and last prefill chunks)
     * @param graph      whether a captured graph was replayed
     * @param paddedTokens tokens computed (the captured size for a graph replay, the real count for eager)
     * @param gpuMs      GPU time of the step
     */
    record Outcome(int[] nextTokens, boolean graph, int paddedTokens, double gpuMs) {
    }

    Outcome execute(StepPlan plan);
}
