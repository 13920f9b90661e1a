package io.prefillbench.forward;

import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.TileMath;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The program lowered for every capture size of an engine, and the one buffer layout derived from
 * those plans. The engine allocates and binds exactly this; {@code bench.jar plan} reports it.
 */
public record LoweredForward(ForwardProgram program, Map<Integer, LoweredPlan> plans, BufferLayout layout) {
    public LoweredForward {
        plans = Collections.unmodifiableMap(new LinkedHashMap<>(plans));
    }

    /**
     * Lowers {@code program} for each size: seq capacity {@code min(size, maxNumSeqs)}, tile capacity
     * the exact worst case over all splits.
     */
    public static LoweredForward of(ForwardProgram program, CaptureSizes sizes, int maxNumSeqs, int maxModelLen, int smCount,
                                    int arch, ImplRegistry registry, ImplChoices choices) {
        int group = program.dims().group();
        Map<Integer, LoweredPlan> plans = new LinkedHashMap<>();
        for (int size : sizes.sizes()) {
            int seqs = Math.min(size, maxNumSeqs);
            int tiles = Math.max(1, TileMath.exactWorstCaseTiles(size, seqs, group, KernelConstants.ROWS_PER_TILE));
            plans.put(size, Lowering.lower(program, new CaptureKey(size, seqs, tiles, smCount, arch), registry, choices));
        }
        int largest = sizes.largest();
        int pagesPerSeq = (maxModelLen + KernelConstants.PAGE_SIZE - 1) / KernelConstants.PAGE_SIZE;
        MetaLayout meta = MetaLayout.of(largest, Math.min(largest, maxNumSeqs), pagesPerSeq);
        long ropeBytes = 4L * maxModelLen * program.dims().headDim();
        BufferLayout layout = BufferLayout.of(new ArrayList<>(plans.values()), meta, ropeBytes,
                "[" + maxModelLen + ", " + program.dims().headDim() + "] fp32 cos|sin");
        LoweredForward f = new LoweredForward(program, plans, layout);
        f.weightLayout(); // the buckets agree on it
        return f;
    }

    /** The device layout of the weights: one for the engine, so every bucket's plan must have chosen the same. */
    public WeightLayout weightLayout() {
        WeightLayout first = null;
        for (LoweredPlan p : plans.values()) {
            if (first == null) first = p.weightLayout();
            else if (!first.equals(p.weightLayout())) {
                throw new IllegalStateException("size " + p.key().size() + " lowered another weight layout than the other sizes: " + p.weightLayout());
            }
        }
        return first == null ? WeightLayout.natural() : first;
    }

    public LoweredPlan plan(int size) {
        LoweredPlan p = plans.get(size);
        if (p == null) throw new IllegalArgumentException("no plan for size " + size);
        return p;
    }

    public List<LoweredPlan> all() {
        return List.copyOf(plans.values());
    }
}
