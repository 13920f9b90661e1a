package io.prefillbench.plan;

import java.util.List;

/**
 * Steps of a chunked prefill: each step is one forward batch of request chunks.
 *
 * @param steps in execution order
 */
public record ChunkPlan(List<Step> steps) {
    public ChunkPlan {
        steps = List.copyOf(steps);
    }

    /**
     * One chunk: tokens {@code [prefixLen, prefixLen + chunkLen)} of request {@code requestIndex}
     * (the prefix is already in the KV cache).
     */
    public record Item(int requestIndex, int prefixLen, int chunkLen) {
    }

    /** One forward batch. */
    public record Step(List<Item> items) {
        public Step {
            items = List.copyOf(items);
        }

        /** Query tokens of the step. */
        public int tokens() {
            return items.stream().mapToInt(Item::chunkLen).sum();
        }
    }

    /**
     * Checks the plan against its inputs: every step non-empty, at most {@code maxSeqs} items and
     * {@code maxTokensPerStep} tokens; every index in range and at most once per step; each
     * request's chunks contiguous and in order; every token of every request covered exactly once.
     *
     * @throws IllegalStateException naming the first broken step and item
     */
    public void validate(int[] promptLens, int maxTokensPerStep, int maxSeqs) {
        int[] done = new int[promptLens.length];
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            if (step.items().isEmpty()) {
                throw new IllegalStateException("step " + s + " is empty");
            }
            if (step.items().size() > maxSeqs) {
                throw new IllegalStateException("step " + s + " has " + step.items().size() + " sequences, limit " + maxSeqs);
            }
            if (step.tokens() > maxTokensPerStep) {
                throw new IllegalStateException("step " + s + " has " + step.tokens() + " tokens, limit " + maxTokensPerStep);
            }
            boolean[] inStep = new boolean[promptLens.length];
            for (int i = 0; i < step.items().size(); i++) {
                Item item = step.items().get(i);
                String where = "step " + s + " item " + i + " " + item;
                int r = item.requestIndex();
                if (r < 0 || r >= promptLens.length) {
                    throw new IllegalStateException(where + ": request index out of range [0, " + promptLens.length + ")");
                }
                if (inStep[r]) {
                    throw new IllegalStateException(where + ": request appears twice in one step");
                }
                inStep[r] = true;
                if (item.chunkLen() < 1) {
                    throw new IllegalStateException(where + ": empty chunk");
                }
                if (item.prefixLen() != done[r]) {
                    throw new IllegalStateException(where + ": expected prefix " + done[r]);
                }
                if ((long) done[r] + item.chunkLen() > promptLens[r]) {
                    throw new IllegalStateException(where + ": runs past the prompt length " + promptLens[r]);
                }
                done[r] += item.chunkLen();
            }
        }
        for (int r = 0; r < promptLens.length; r++) {
            if (done[r] != promptLens[r]) {
                throw new IllegalStateException("request " + r + " covered " + done[r] + " of " + promptLens[r] + " tokens");
            }
        }
    }
}
