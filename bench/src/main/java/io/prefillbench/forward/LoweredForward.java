package io.prefillbench.forward;

import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.TileMath;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The program lowered for every capture size of an engine, and the one buffer layout derived from
 * those plans. The engine allocates and binds exactly this; {@code bench.jar plan} reports it.
 */
public record LoweredForward(ForwardProgram program, Map<Integer, LoweredPlan> plans, Map<Integer, LoweredPlan> decodePlans,
                             Map<Integer, LoweredPlan> freshPlans, BufferLayout layout) {
    public LoweredForward {
        plans = Collections.unmodifiableMap(new LinkedHashMap<>(plans));
        decodePlans = Collections.unmodifiableMap(new LinkedHashMap<>(decodePlans));
        freshPlans = Collections.unmodifiableMap(new LinkedHashMap<>(freshPlans));
        for (var e : decodePlans.entrySet()) {
            if (!plans.containsKey(e.getKey()) || !e.getValue().key().uniformDecode())
                throw new IllegalArgumentException("decode plan of size " + e.getKey() + " without its plain plan, or not a decode key");
        }
        for (var e : freshPlans.entrySet()) {
            if (!plans.containsKey(e.getKey()) || !e.getValue().key().fresh())
                throw new IllegalArgumentException("fresh-prompt plan of size " + e.getKey() + " without its plain plan, or not a fresh key");
        }
    }

    /**
     * Lowers {@code program} for each size: seq capacity {@code min(size, maxNumSeqs)}, tile capacity
     * the exact worst case over all splits.
     */
    public static LoweredForward of(ForwardProgram program, CaptureSizes sizes, int maxNumSeqs, int maxModelLen, int smCount,
                                    int arch, ImplRegistry registry, ImplChoices choices) {
        int group = program.dims().group();
        Map<Integer, LoweredPlan> plans = new LinkedHashMap<>();
        Map<Integer, LoweredPlan> decodePlans = new LinkedHashMap<>(), freshPlans = new LinkedHashMap<>();
        for (int size : sizes.sizes()) {
            int seqs = Math.min(size, maxNumSeqs);
            int tiles = Math.max(1, TileMath.exactWorstCaseTiles(size, seqs, group, KernelConstants.ROWS_PER_TILE));
            CaptureKey key = tiled(new CaptureKey(size, seqs, tiles, smCount, arch), program, registry, choices);
            LoweredPlan plain = Lowering.lower(program, key, registry, choices);
            plans.put(size, plain);
            // a decode or fresh-prompt graph only where a row scoped to a batch kind changes what the size runs: otherwise the
            // plain graph serves those batches too
            if (choices.scopesByBatch(key, program.dims())) {
                LoweredPlan decode = Lowering.lower(program, tiled(key.forDecode(), program, registry, choices), registry, choices);
                if (!sameImpls(plain, decode)) decodePlans.put(size, decode);
                LoweredPlan fresh = Lowering.lower(program, tiled(key.forBatch(CaptureKey.Batch.FRESH), program, registry, choices), registry, choices);
                if (!sameImpls(plain, fresh)) freshPlans.put(size, fresh);
            }
        }
        int largest = sizes.largest();
        int pagesPerSeq = (maxModelLen + KernelConstants.PAGE_SIZE - 1) / KernelConstants.PAGE_SIZE;
        MetaLayout meta = MetaLayout.of(largest, Math.min(largest, maxNumSeqs), pagesPerSeq);
        long ropeBytes = 4L * maxModelLen * program.dims().headDim();
        BufferLayout layout = BufferLayout.of(every(plans, decodePlans, freshPlans), meta, ropeBytes,
                "[" + maxModelLen + ", " + program.dims().headDim() + "] fp32 cos|sin");
        LoweredForward f = new LoweredForward(program, plans, decodePlans, freshPlans, layout);
        f.weightLayout(); // the buckets agree on it
        return f;
    }

    /** The device layout of the weights: one for the engine, so every bucket's plan must have chosen the same. */
    public WeightLayout weightLayout() {
        WeightLayout first = null;
        for (LoweredPlan p : everyPlan()) {
            if (first == null) first = p.weightLayout();
            else if (!first.equals(p.weightLayout())) {
                throw new IllegalStateException("size " + p.key().size() + " lowered another weight layout than the other sizes: " + p.weightLayout());
            }
        }
        return first == null ? WeightLayout.natural() : first;
    }

    /**
     * The key with the attention tiles of the implementation its attention row picks (a half-tile form counts its capacity
     * in its own tiles; without a row the rule's forms, standard tiles). Lowering picks the same row again from the key.
     */
    private static CaptureKey tiled(CaptureKey key, ForwardProgram program, ImplRegistry registry, ImplChoices choices) {
        int rows = choices.attention(key, program.dims()).map(r -> ImplRegistry.tileRows(registry.byName(r.impl())))
                .orElse(KernelConstants.ROWS_PER_TILE);
        return rows == key.tileRows() ? key : key.withTileRows(rows, program.dims().group());
    }

    private static boolean sameImpls(LoweredPlan a, LoweredPlan b) {
        if (a.ops().size() != b.ops().size()) return false;
        for (int i = 0; i < a.ops().size(); i++) {
            LoweredOp x = a.ops().get(i), y = b.ops().get(i);
            if (!x.op().name().equals(y.op().name()) || !x.impl().name().equals(y.impl().name()) || x.splits() != y.splits()) return false;
        }
        return true;
    }

    /** The size's decode graph plan (uniform-decode batches), where a decode-only attention row gave it one. */
    public Optional<LoweredPlan> decodePlan(int size) {
        return Optional.ofNullable(decodePlans.get(size));
    }

    /** The size's fresh-prompt graph plan (batches without a cached prefix), where a fresh-only row gave it one. */
    public Optional<LoweredPlan> freshPlan(int size) {
        return Optional.ofNullable(freshPlans.get(size));
    }

    public LoweredPlan plan(int size) {
        LoweredPlan p = plans.get(size);
        if (p == null) throw new IllegalArgumentException("no plan for size " + size);
        return p;
    }

    public List<LoweredPlan> all() {
        return List.copyOf(plans.values());
    }

    /** Every plan the engine binds: the plain plans of all sizes, then the decode plans, then the fresh-prompt plans. */
    public List<LoweredPlan> everyPlan() {
        return every(plans, decodePlans, freshPlans);
    }

    private static List<LoweredPlan> every(Map<Integer, LoweredPlan> plans, Map<Integer, LoweredPlan> decodePlans,
                                           Map<Integer, LoweredPlan> freshPlans) {
        List<LoweredPlan> every = new ArrayList<>(plans.values());
        every.addAll(decodePlans.values());
        every.addAll(freshPlans.values());
        return List.copyOf(every);
    }
}
