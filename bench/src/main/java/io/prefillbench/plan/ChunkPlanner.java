package io.prefillbench.plan;

import io.prefillbench.BenchException;

import java.util.ArrayList;
import java.util.List;

/**
 * Plans chunked prefill when prompts (or a batch of them) exceed one step's token budget,
 * normally the largest capture size. Greedy first come, first served: each step continues the
 * oldest unfinished request, then adds whole or partial following requests until the token
 * budget or the sequence limit is reached. So only a step's first item can be a continuation
 * and only its last can stop early; every request finishes, chunks in order.
 *
 * @param maxTokensPerStep token budget of one step, >= 1
 * @param maxSeqs          sequences per step, >= 1
 */
public record ChunkPlanner(int maxTokensPerStep, int maxSeqs) {
    public ChunkPlanner {
        if (maxTokensPerStep < 1) {
            throw new BenchException("chunk planner: max tokens per step must be >= 1, got " + maxTokensPerStep);
        }
        if (maxSeqs < 1) {
            throw new BenchException("chunk planner: max sequences per step must be >= 1, got " + maxSeqs);
        }
    }

    /**
     * The plan for these prompt lengths (request i = promptLens[i]); the result is checked with
     * {@link ChunkPlan#validate} before it is returned.
     *
     * @throws BenchException when the list is empty or a length is < 1
     */
    public ChunkPlan plan(int[] promptLens) {
        if (promptLens == null || promptLens.length == 0) {
            throw new BenchException("chunk planner: no prompts given");
        }
        for (int i = 0; i < promptLens.length; i++) {
            if (promptLens[i] < 1) {
                throw new BenchException("chunk planner: prompt " + i + " has length " + promptLens[i] + "; lengths must be >= 1");
            }
        }
        int[] done = new int[promptLens.length];
        List<ChunkPlan.Step> steps = new ArrayList<>();
        int oldest = 0;
        while (oldest < promptLens.length) {
            List<ChunkPlan.Item> items = new ArrayList<>();
            int budget = maxTokensPerStep;
            for (int r = oldest; r < promptLens.length && budget > 0 && items.size() < maxSeqs; r++) {
                int chunk = Math.min(promptLens[r] - done[r], budget);
                items.add(new ChunkPlan.Item(r, done[r], chunk));
                done[r] += chunk;
                budget -= chunk;
            }
            steps.add(new ChunkPlan.Step(items));
            while (oldest < promptLens.length && done[oldest] == promptLens[oldest]) {
                oldest++;
            }
        }
        ChunkPlan plan = new ChunkPlan(steps);
        plan.validate(promptLens, maxTokensPerStep, maxSeqs);
        return plan;
    }
}
