package io.prefillbench.profile;

import io.prefillbench.forward.LoweredOp;
import io.prefillbench.forward.OpKind;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-op GPU times of a workload's forward (one or more steps), summed per {@link OpFamily}, and each GEMM's
 * achieved bandwidth and arithmetic rate, per op and per GEMM shape. Pure arithmetic: no GPU.
 */
public final class ForwardProfile {
    /** One timed op: its name (prefixed with the step when a workload has several), real and capacity rows. */
    public record OpTime(String name, LoweredOp op, int mReal, int mCapacity, double gpuUs) {
    }

    /**
     * One GEMM op. {@code m} is the bucket's row capacity, {@code mReal} the rows of the batch. Bytes count the
     * rows the kernel computes: the real rows for our kernels (eager grids cover the real rows), the capacity for
     * a library call (always called at capacity).
     */
    public record GemmRow(String op, String impl, int n, int k, int m, int mReal, int splits, double gpuUs, long bytes,
                          double tbPerS, double tflopPerS, double tflopPerSAtCapacity) {
    }

    /** GEMM ops of one shape (n, k, m capacity, splits, impl) together: totals over {@code count} ops. */
    public record ShapeRow(int n, int k, int m, int splits, String impl, int count, double gpuUs, long bytes,
                           double tbPerS, double tflopPerS, double tflopPerSAtCapacity) {
    }

    private final List<OpTime> ops;

    public ForwardProfile(List<OpTime> ops) {
        this.ops = List.copyOf(ops);
    }

    /** All steps of a workload; op names get a {@code "step i/"} prefix when there is more than one step. */
    public static ForwardProfile of(List<StepTimes> steps) {
        List<OpTime> ops = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            StepTimes st = steps.get(s);
            String prefix = steps.size() > 1 ? "step " + s + "/" : "";
            for (int i = 0; i < st.opUs().length; i++) {
                LoweredOp o = st.plan().ops().get(i);
                int real = o.op().rows().of(st.tokens(), st.seqs(), st.tiles());
                int cap = st.plan().key().capacity(o.op().rows());
                ops.add(new OpTime(prefix + o.op().name(), o, real, cap, st.opUs()[i]));
            }
        }
        return new ForwardProfile(ops);
    }

    public List<OpTime> ops() {
        return ops;
    }

    /** Sum of all op times, microseconds. */
    public double totalUs() {
        double t = 0;
        for (OpTime o : ops) t += o.gpuUs();
        return t;
    }

    /** Microseconds per family present, in {@link OpFamily} order. */
    public Map<OpFamily, Double> familyUs() {
        Map<OpFamily, Double> m = new EnumMap<>(OpFamily.class);
        for (OpTime o : ops) m.merge(OpFamily.of(o.op()), o.gpuUs(), Double::sum);
        return m;
    }

    /** Share of the total per family (sums to 1 when the total is positive). */
    public Map<OpFamily, Double> familyShares() {
        double total = totalUs();
        Map<OpFamily, Double> m = new EnumMap<>(OpFamily.class);
        for (var e : familyUs().entrySet()) m.put(e.getKey(), total > 0 ? e.getValue() / total : 0);
        return m;
    }

    public List<GemmRow> gemms() {
        List<GemmRow> rows = new ArrayList<>();
        for (OpTime o : ops) {
            if (o.op().op().kind() != OpKind.GEMM) continue;
            int n = o.op().op().n(), k = o.op().op().k(), splits = o.op().splits();
            int moved = o.op().impl().library() ? o.mCapacity() : o.mReal();
            long bytes = GemmCost.bytes(n, k, moved, splits);
            rows.add(new GemmRow(o.name(), o.op().impl().name(), n, k, o.mCapacity(), o.mReal(), splits, o.gpuUs(), bytes,
                    GemmCost.tbPerS(bytes, o.gpuUs()), GemmCost.tflopPerS(GemmCost.flops(n, k, o.mReal()), o.gpuUs()),
                    GemmCost.tflopPerS(GemmCost.flops(n, k, o.mCapacity()), o.gpuUs())));
        }
        return rows;
    }

    /** GEMMs grouped by shape in first-seen order; rates are total work over total time. */
    public List<ShapeRow> gemmShapes() {
        record Key(int n, int k, int m, int splits, String impl) {
        }
        Map<Key, List<GemmRow>> groups = new LinkedHashMap<>();
        for (GemmRow g : gemms()) groups.computeIfAbsent(new Key(g.n(), g.k(), g.m(), g.splits(), g.impl()), x -> new ArrayList<>()).add(g);
        List<ShapeRow> out = new ArrayList<>();
        for (var e : groups.entrySet()) {
            Key key = e.getKey();
            double us = 0, flops = 0, flopsCap = 0;
            long bytes = 0;
            for (GemmRow g : e.getValue()) {
                us += g.gpuUs();
                bytes += g.bytes();
                flops += GemmCost.flops(g.n(), g.k(), g.mReal());
                flopsCap += GemmCost.flops(g.n(), g.k(), g.m());
            }
            out.add(new ShapeRow(key.n(), key.k(), key.m(), key.splits(), key.impl(), e.getValue().size(), us, bytes,
                    GemmCost.tbPerS(bytes, us), GemmCost.tflopPerS(flops, us), GemmCost.tflopPerS(flopsCap, us)));
        }
        return out;
    }
}
