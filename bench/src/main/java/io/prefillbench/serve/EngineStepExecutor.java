package io.prefillbench.serve;

import io.prefillbench.engine.PrefillEngine;
import io.prefillbench.engine.PrefillOutput;
import io.prefillbench.engine.SeqInput;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Runs steps on the GPU: each item becomes a {@link SeqInput} with its own KV pages; a step that
 * may use graphs replays the smallest captured size holding it (prefill, decode or any mix: the
 * graphs are keyed by token count, captured for the worst split, and read KV lengths from device
 * memory), and runs eager only when that size is not captured or has too few sequence slots.
 *
 * <p>Decode attention uses the prefill kernel: a decode token is one tile of {@code group} rows, so
 * a step's attention grid is (sequences x kv heads) blocks. Tiles of at most 32 rows take the
 * kernel's split path (its 4 warps split the prefix's keys and combine in a fixed order, with pages
 * prefetched into L2), but the keys of one (sequence, kv head) stay on one SM: few decode sequences
 * with long prefixes (31 x 2 kv heads = 62 blocks at 2048 cached tokens, on 132 SMs) still leave
 * SMs idle. Splitting across blocks (flash-decoding) would need a partials workspace and a grid
 * that grows with the split; the {@code --mix} workloads measure where that would pay.
 */
public final class EngineStepExecutor implements StepExecutor {
    private final PrefillEngine engine;

    public EngineStepExecutor(PrefillEngine engine) {
        this.engine = engine;
    }

    @Override
    public Outcome execute(StepPlan plan) {
        List<SeqInput> seqs = new ArrayList<>(plan.items().size());
        for (StepItem i : plan.items()) seqs.add(SeqInput.paged(i.tokens(), i.prefixLen(), i.pages()));
        PrefillOutput out = replayable(plan) ? engine.graph(seqs) : engine.eager(seqs);
        return new Outcome(out.firstTokens(), out.graph(), out.graph() ? out.paddedSize() : out.tokens(), engine.lastGpuMillis());
    }

    private boolean replayable(StepPlan plan) {
        if (!plan.graphs()) return false;
        OptionalInt size = engine.bucketFor(plan.tokens());
        return size.isPresent() && engine.isCaptured(size.getAsInt()) && plan.items().size() <= engine.config().seqCapacity(size.getAsInt());
    }
}
