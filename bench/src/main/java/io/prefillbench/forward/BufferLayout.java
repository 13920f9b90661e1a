package io.prefillbench.forward;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one buffer layout: every tensor the forward touches besides weights and the KV cache, as a
 * slice of one allocation (llm.c style: one cudaMalloc, stable addresses for every graph). Derived
 * from the lowered plans of all buckets: a tensor gets its largest size over the buckets, and two
 * tensors may share memory only if no plan has both live at one op (liveness over the op order;
 * an op's inputs and outputs are live together). The batch metadata (one host copy writes it), the
 * RoPE table, and where plans need them the split-K tile counters, the argmax keys and the grid barrier (zeroed once
 * at allocation, kept by the kernels) are pinned first, never shared and never poisoned.
 */
public final class BufferLayout {
    public static final long ALIGN = 256;
    /** LayerParams.barrier: one uint64 arrival count, 8-byte aligned. */
    static final long GRID_BARRIER_BYTES = 8;

    /** One slice: a tensor's offset and bytes, with its shape in words for reports. */
    public record Slice(String name, String shape, long offset, long bytes, TensorSpec.Role role) {
        public long end() {
            return offset + bytes;
        }
    }

    private final Map<String, Slice> slices;
    private final MetaLayout meta;
    private final long total;
    private final long activationStart;

    public BufferLayout(List<Slice> slices, MetaLayout meta) {
        Map<String, Slice> m = new LinkedHashMap<>();
        for (Slice s : slices) m.put(s.name(), s);
        this.slices = Collections.unmodifiableMap(m);
        this.meta = meta;
        long end = 0, act = 0;
        for (Slice s : slices) {
            end = Math.max(end, align(s.end()));
            if (s.role() == TensorSpec.Role.PINNED) act = Math.max(act, align(s.end()));
        }
        this.total = end;
        this.activationStart = act;
    }

    /**
     * Lays out the tensors of {@code plans} (all buckets of one engine).
     *
     * @param meta      the batch metadata's fields (sized for the largest bucket)
     * @param ropeBytes bytes of the RoPE cos/sin table
     */
    public static BufferLayout of(List<LoweredPlan> plans, MetaLayout meta, long ropeBytes, String ropeShape) {
        if (plans.isEmpty()) throw new IllegalArgumentException("no plans to lay out");
        List<Slice> placed = new ArrayList<>();
        placed.add(new Slice(ForwardProgram.BATCH_META, meta.shape(), 0, meta.bytes(), TensorSpec.Role.PINNED));
        placed.add(new Slice(ForwardProgram.ROPE, ropeShape, align(meta.bytes()), ropeBytes, TensorSpec.Role.PINNED));
        long base = align(align(meta.bytes()) + ropeBytes);
        long counters = fixupTiles(plans);
        if (counters > 0) {
            placed.add(new Slice(ForwardProgram.TILE_COUNTERS, "[" + counters + "] uint32 split-K fixup counters", base, 4 * counters,
                    TensorSpec.Role.PINNED));
            base = align(base + 4 * counters);
        }
        long keys = argmaxKeyRows(plans);
        if (keys > 0) {
            placed.add(new Slice(ForwardProgram.ARGMAX_KEYS, "[" + keys + "] uint64 argmax keys (zero between forwards)", base, 8 * keys,
                    TensorSpec.Role.PINNED));
            base = align(base + 8 * keys);
        }
        if (bindsGridBarrier(plans)) {
            placed.add(new Slice(ForwardProgram.GRID_BARRIER, "[1] uint64 layer_persistent grid barrier (arrivals, never reset)", base,
                    GRID_BARRIER_BYTES, TensorSpec.Role.PINNED));
            base = align(base + GRID_BARRIER_BYTES);
        }

        // sizes and shapes: the largest over buckets
        Map<String, Long> bytes = new LinkedHashMap<>();
        Map<String, TensorSpec> spec = new HashMap<>();
        Map<String, String> shapes = new HashMap<>();
        Map<String, Set<String>> conflicts = new HashMap<>();
        for (LoweredPlan p : plans) {
            List<BitSet> live = liveness(p);
            List<String> names = new ArrayList<>(tensorsOf(p));
            for (String n : names) {
                if (p.bytes(n) >= bytes.getOrDefault(n, -1L)) shapes.put(n, concreteShape(p, n));
                bytes.merge(n, p.bytes(n), Math::max);
                spec.putIfAbsent(n, p.tensor(n));
                conflicts.computeIfAbsent(n, x -> new TreeSet<>());
            }
            for (int a = 0; a < names.size(); a++)
                for (int b = a + 1; b < names.size(); b++)
                    if (live.get(a).intersects(live.get(b))) {
                        conflicts.get(names.get(a)).add(names.get(b));
                        conflicts.get(names.get(b)).add(names.get(a));
                    }
        }
        List<String> order = new ArrayList<>(bytes.keySet());
        order.sort(Comparator.comparingLong((String n) -> -bytes.get(n)).thenComparing(n -> n));
        Map<String, Slice> byName = new HashMap<>();
        for (String n : order) {
            long size = Math.max(1, bytes.get(n));
            List<Slice> blockers = new ArrayList<>();
            for (String other : conflicts.get(n)) if (byName.containsKey(other)) blockers.add(byName.get(other));
            blockers.sort(Comparator.comparingLong(Slice::offset));
            long at = base;
            boolean moved = true;
            while (moved) {
                moved = false;
                for (Slice s : blockers) {
                    if (at < s.end() && s.offset() < at + size) {
                        at = align(s.end());
                        moved = true;
                    }
                }
            }
            TensorSpec t = spec.get(n);
            Slice s = new Slice(n, shapes.get(n), at, bytes.get(n), t.role());
            byName.put(n, s);
            placed.add(s);
        }
        placed.sort(Comparator.comparingLong(Slice::offset).thenComparing(Slice::name));
        return new BufferLayout(placed, meta);
    }

    /** Whether some op of the plans binds the grid barrier (a persistent layer): only then the layout has the slice. */
    static boolean bindsGridBarrier(List<LoweredPlan> plans) {
        for (LoweredPlan p : plans)
            for (LoweredOp o : p.ops())
                if (o.op().writes().containsValue(ForwardProgram.GRID_BARRIER) || o.op().reads().containsValue(ForwardProgram.GRID_BARRIER))
                    return true;
        return false;
    }

    /** Row capacity of the largest GEMM over the plans that writes the argmax keys: one key each; 0 if none. */
    static long argmaxKeyRows(List<LoweredPlan> plans) {
        long rows = 0;
        for (LoweredPlan p : plans)
            for (LoweredOp o : p.ops())
                if (o.op().kind() == OpKind.GEMM && ForwardProgram.ARGMAX_KEYS.equals(o.op().writes().get("keys")))
                    rows = Math.max(rows, p.key().capacity(o.op().rows()));
        return rows;
    }

    /** Column tiles (grid x at capacity) of the largest split-K fixup GEMM over the plans: one counter each; 0 if none. */
    static long fixupTiles(List<LoweredPlan> plans) {
        long tiles = 0;
        for (LoweredPlan p : plans)
            for (LoweredOp o : p.ops())
                if (o.impl().splitFixup()) tiles = Math.max(tiles, o.grid().atCapacity(p.key())[0]);
        return tiles;
    }

    /** {@code "[512, 1024] bf16"}, {@code "[4, 512, 1280] fp32"}: the shape at this plan's capacity. */
    static String concreteShape(LoweredPlan p, String name) {
        TensorSpec t = p.tensor(name);
        long rows = p.key().capacity(t.rows());
        if (t.role() == TensorSpec.Role.WORKSPACE) {
            String[] parts = t.shape().substring(1, t.shape().indexOf(']')).split(", ");
            return "[" + parts[0] + ", " + rows + ", " + parts[2] + "] fp32";
        }
        String type = t.elementBytes() == 2 ? "bf16" : t.elementBytes() == 4 ? "int32" : t.elementBytes() + "-byte";
        return (t.cols() == 1 ? "[" + rows + "] " : "[" + rows + ", " + t.cols() + "] ") + type;
    }

    /** Tensors of a plan that live in the layout (not pinned, not KV), in first-use order. */
    static Set<String> tensorsOf(LoweredPlan p) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (LoweredOp o : p.ops()) {
            for (String t : o.op().reads().values()) if (inLayout(p, t)) out.add(t);
            for (String t : o.op().writes().values()) if (inLayout(p, t)) out.add(t);
        }
        return out;
    }

    static boolean inLayout(LoweredPlan p, String t) {
        return !ForwardProgram.isPinned(t) && p.tensor(t).role() != TensorSpec.Role.KV;
    }

    /**
     * Per tensor (in {@link #tensorsOf} order), the op positions where it holds a value still to be
     * read: from each write to the last read before the next write; outputs stay live to the end.
     */
    static List<BitSet> liveness(LoweredPlan p) {
        List<String> names = new ArrayList<>(tensorsOf(p));
        List<LoweredOp> ops = p.ops();
        int n = ops.size();
        List<BitSet> out = new ArrayList<>();
        for (String t : names) {
            BitSet live = new BitSet(n + 1);
            int start = -1; // position of the current version's write
            for (int i = 0; i < n; i++) {
                Op o = ops.get(i).op();
                boolean reads = o.reads().containsValue(t), writes = o.writes().containsValue(t);
                if (reads) {
                    live.set(start < 0 ? 0 : start, i + 1); // a value read before any write lives from the start
                }
                if (writes) {
                    start = i;
                    live.set(i);
                }
            }
            if (p.tensor(t).role() == TensorSpec.Role.OUTPUT && start >= 0) live.set(start, n + 1);
            out.add(live);
        }
        return out;
    }

    public Slice slice(String name) {
        Slice s = slices.get(name);
        if (s == null) throw new IllegalArgumentException("no slice " + name + " in the buffer layout");
        return s;
    }

    public boolean has(String name) {
        return slices.containsKey(name);
    }

    /** Byte offset of a tensor: a slice, or a metadata field inside {@code batch_meta}. */
    public long offset(String tensor) {
        if (ForwardProgram.META_FIELDS.contains(tensor)) return slice(ForwardProgram.BATCH_META).offset() + 4 * meta.index(tensor);
        return slice(tensor).offset();
    }

    public List<Slice> slices() {
        return List.copyOf(slices.values());
    }

    public MetaLayout meta() {
        return meta;
    }

    public long totalBytes() {
        return total;
    }

    /** Where the activations start: everything from here on may be poisoned between forwards. */
    public long activationStart() {
        return activationStart;
    }

    /** A copy with one slice replaced (tests plant layout defects with it). */
    public BufferLayout with(Slice replacement) {
        List<Slice> s = new ArrayList<>();
        for (Slice x : slices.values()) s.add(x.name().equals(replacement.name()) ? replacement : x);
        return new BufferLayout(s, meta);
    }

    static long align(long v) {
        return (v + ALIGN - 1) / ALIGN * ALIGN;
    }
}
