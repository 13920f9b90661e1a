package io.prefillbench.forward;

import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.TileMath;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The program lowered for every capture size of an engine, and the one buffer layout derived from
 * those plans. The engine allocates and binds exactly this; {@code bench.jar plan} reports it.
 *
 * @param plans each batch kind's plans by capture size, in the order the sizes were lowered: {@link CaptureKey.Batch#PLAIN}
 *              has every size; another kind only the sizes where its rows change what the size runs (otherwise the plain
 *              graph serves its batches too), each with that size's plain plan
 */
public record LoweredForward(ForwardProgram program, Map<CaptureKey.Batch, Map<Integer, LoweredPlan>> plans, BufferLayout layout) {
    public LoweredForward {
        // every kind present (empty where no size has such a plan), iterated in the enum's order: PLAIN, DECODE, FRESH
        EnumMap<CaptureKey.Batch, Map<Integer, LoweredPlan>> byKind = new EnumMap<>(CaptureKey.Batch.class);
        for (CaptureKey.Batch b : CaptureKey.Batch.values())
            byKind.put(b, Collections.unmodifiableMap(new LinkedHashMap<>(plans.getOrDefault(b, Map.of()))));
        Map<Integer, LoweredPlan> plain = byKind.get(CaptureKey.Batch.PLAIN);
        for (var kind : byKind.entrySet()) {
            for (var e : kind.getValue().entrySet()) {
                String what = describe(kind.getKey()) + " plan of size " + e.getKey();
                CaptureKey.Batch keyKind = e.getValue().key().batch();
                if (keyKind != kind.getKey()) throw new IllegalArgumentException(what + " has a " + describe(keyKind) + " key");
                if (!plain.containsKey(e.getKey())) throw new IllegalArgumentException(what + " without its plain plan");
            }
        }
        plans = Collections.unmodifiableMap(byKind);
    }

    /**
     * Lowers {@code program} for each size: seq capacity {@code min(size, maxNumSeqs)}, tile capacity
     * the exact worst case over all splits.
     */
    public static LoweredForward of(ForwardProgram program, CaptureSizes sizes, int maxNumSeqs, int maxModelLen, int smCount,
                                    int arch, ImplRegistry registry, ImplChoices choices) {
        return of(program, sizes, maxNumSeqs, maxModelLen, smCount, arch, registry, choices, List.of());
    }

    /**
     * As {@link #of(ForwardProgram, CaptureSizes, int, int, int, int, ImplRegistry, ImplChoices)}, with the buffer layout
     * derived from this forward's plans and, after them, the plans {@code layoutWith}'s choices lower to (same program,
     * sizes and device); those plans are laid out, never run. Two forwards each laid out with the other's choices get the
     * same layout: the layout depends only on the set of plans (sizes are maxima, conflicts a union, the order by size).
     */
    public static LoweredForward of(ForwardProgram program, CaptureSizes sizes, int maxNumSeqs, int maxModelLen, int smCount,
                                    int arch, ImplRegistry registry, ImplChoices choices, List<ImplChoices> layoutWith) {
        Map<CaptureKey.Batch, Map<Integer, LoweredPlan>> plans = plans(program, sizes, maxNumSeqs, smCount, arch, registry, choices);
        List<LoweredPlan> laidOut = new ArrayList<>(every(plans));
        for (ImplChoices other : layoutWith)
            laidOut.addAll(every(plans(program, sizes, maxNumSeqs, smCount, arch, registry, other)));
        int largest = sizes.largest();
        int pagesPerSeq = (maxModelLen + KernelConstants.PAGE_SIZE - 1) / KernelConstants.PAGE_SIZE;
        MetaLayout meta = MetaLayout.of(largest, Math.min(largest, maxNumSeqs), pagesPerSeq);
        long ropeBytes = 4L * maxModelLen * program.dims().headDim();
        BufferLayout layout = BufferLayout.of(laidOut, meta, ropeBytes,
                "[" + maxModelLen + ", " + program.dims().headDim() + "] fp32 cos|sin");
        LoweredForward f = new LoweredForward(program, plans, layout);
        f.weightLayout(); // the buckets agree on it
        return f;
    }

    private static Map<CaptureKey.Batch, Map<Integer, LoweredPlan>> plans(ForwardProgram program, CaptureSizes sizes, int maxNumSeqs,
                                                                         int smCount, int arch, ImplRegistry registry, ImplChoices choices) {
        int group = program.dims().group();
        Map<CaptureKey.Batch, Map<Integer, LoweredPlan>> plans = new EnumMap<>(CaptureKey.Batch.class);
        for (CaptureKey.Batch b : CaptureKey.Batch.values()) plans.put(b, new LinkedHashMap<>());
        for (int size : sizes.sizes()) {
            int seqs = Math.min(size, maxNumSeqs);
            int tiles = Math.max(1, TileMath.exactWorstCaseTiles(size, seqs, group, KernelConstants.ROWS_PER_TILE));
            CaptureKey key = tiled(new CaptureKey(size, seqs, tiles, smCount, arch), program, registry, choices);
            LoweredPlan plain = Lowering.lower(program, key, registry, choices);
            plans.get(CaptureKey.Batch.PLAIN).put(size, plain);
            // a decode or fresh-prompt graph only where a row scoped to a batch kind changes what the size runs: otherwise the
            // plain graph serves those batches too
            if (choices.scopesByBatch(key, program.dims())) {
                for (CaptureKey.Batch b : CaptureKey.Batch.values()) {
                    if (b == CaptureKey.Batch.PLAIN) continue;
                    LoweredPlan p = Lowering.lower(program, tiled(key.forBatch(b), program, registry, choices), registry, choices);
                    if (!sameImpls(plain, p)) plans.get(b).put(size, p);
                }
            }
        }
        return plans;
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

    /** The kind's plans by size: every size's for {@link CaptureKey.Batch#PLAIN}, the sizes that have one for another kind. */
    public Map<Integer, LoweredPlan> plans(CaptureKey.Batch kind) {
        return plans.get(kind);
    }

    /** The size's decode graph plan (uniform-decode batches), where a decode-only attention row gave it one. */
    public Optional<LoweredPlan> decodePlan(int size) {
        return Optional.ofNullable(plans(CaptureKey.Batch.DECODE).get(size));
    }

    /** The size's fresh-prompt graph plan (batches without a cached prefix), where a fresh-only row gave it one. */
    public Optional<LoweredPlan> freshPlan(int size) {
        return Optional.ofNullable(plans(CaptureKey.Batch.FRESH).get(size));
    }

    /** The size's plain plan. */
    public LoweredPlan plan(int size) {
        LoweredPlan p = plans(CaptureKey.Batch.PLAIN).get(size);
        if (p == null) throw new IllegalArgumentException("no plan for size " + size);
        return p;
    }

    /** The plain plans of all sizes. */
    public List<LoweredPlan> all() {
        return List.copyOf(plans(CaptureKey.Batch.PLAIN).values());
    }

    /** Every plan the engine binds: the plain plans of all sizes, then the decode plans, then the fresh-prompt plans. */
    public List<LoweredPlan> everyPlan() {
        return every(plans);
    }

    // kind by kind in the enum's order, each by size: the buffer layout is derived in this order
    private static List<LoweredPlan> every(Map<CaptureKey.Batch, Map<Integer, LoweredPlan>> plans) {
        List<LoweredPlan> every = new ArrayList<>();
        for (CaptureKey.Batch b : CaptureKey.Batch.values()) every.addAll(plans.get(b).values());
        return List.copyOf(every);
    }

    /** How the constructor's messages name a kind's plan. */
    private static String describe(CaptureKey.Batch kind) {
        return switch (kind) {
            case PLAIN -> "plain";
            case DECODE -> "decode";
            case FRESH -> "fresh-prompt";
        };
    }
}
