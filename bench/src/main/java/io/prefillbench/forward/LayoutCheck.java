package io.prefillbench.forward;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a buffer layout against lowered plans by simulating what each op does to memory, without
 * the layout's own liveness: every op's writes stamp their byte ranges with (tensor, version); every
 * read must find its whole range still stamped with the latest version of that tensor. A slice too
 * small for what an op touches (e.g. a halved split-K workspace) or two slices that alias while both
 * hold a needed value are reported. Byte counts are computed here from the op itself (rows at the
 * key's capacity times the op's widths), not from the layout's sizes.
 */
public final class LayoutCheck {
    private LayoutCheck() {
    }

    /** Violations, empty when the layout serves every plan. */
    public static List<String> violations(List<LoweredPlan> plans, BufferLayout layout) {
        List<String> bad = new ArrayList<>();
        for (BufferLayout.Slice s : layout.slices()) {
            if (s.offset() < 0 || s.end() > layout.totalBytes()) bad.add(s.name() + " lies outside the allocation");
            if (s.offset() % BufferLayout.ALIGN != 0) bad.add(s.name() + " is not " + BufferLayout.ALIGN + "-byte aligned");
        }
        for (LoweredPlan p : plans) simulate(p, layout, bad);
        return bad;
    }

    private record Stamp(long start, long end, String tensor, int version) {
    }

    private static void simulate(LoweredPlan p, BufferLayout layout, List<String> bad) {
        List<Stamp> memory = new ArrayList<>();
        Map<String, Integer> version = new HashMap<>();
        String where = "size " + p.key().size() + ": ";
        // the host writes the metadata, the engine uploads the RoPE table
        for (String pinned : List.of(ForwardProgram.BATCH_META, ForwardProgram.ROPE)) {
            BufferLayout.Slice s = layout.slice(pinned);
            write(memory, version, pinned, s.offset(), s.end());
        }
        for (LoweredOp lo : p.ops()) {
            Op op = lo.op();
            // outputs not also read by this op are written while the inputs are still needed
            for (var w : op.writes().entrySet()) {
                if (op.reads().containsValue(w.getValue()) || !tracked(p, w.getValue())) continue;
                long[] r = range(p, layout, lo, w.getKey(), w.getValue(), false, bad, where);
                if (r != null) write(memory, version, w.getValue(), r[0], r[1]);
            }
            for (var rd : op.reads().entrySet()) {
                if (!tracked(p, rd.getValue())) continue;
                long[] r = range(p, layout, lo, rd.getKey(), rd.getValue(), true, bad, where);
                String holder = ForwardProgram.META_FIELDS.contains(rd.getValue()) ? ForwardProgram.BATCH_META : rd.getValue();
                if (r != null) check(memory, version, holder, r, where + op.name() + " reads " + rd.getValue(), bad);
            }
            for (var w : op.writes().entrySet()) {
                if (!op.reads().containsValue(w.getValue()) || !tracked(p, w.getValue())) continue;
                long[] r = range(p, layout, lo, w.getKey(), w.getValue(), false, bad, where);
                if (r != null) write(memory, version, w.getValue(), r[0], r[1]);
            }
        }
        for (var out : p.program().tensors().values()) {
            if (out.role() != TensorSpec.Role.OUTPUT || !layout.has(out.name())) continue;
            BufferLayout.Slice s = layout.slice(out.name());
            long need = out.bytes(p.key().capacity(out.rows()));
            check(memory, version, out.name(), new long[] {s.offset(), s.offset() + need}, where + "the host reads " + out.name(), bad);
        }
    }

    private static boolean tracked(LoweredPlan p, String t) {
        return ForwardProgram.isPinned(t) || p.tensor(t).role() != TensorSpec.Role.KV;
    }

    /** The byte range an op touches in a tensor, from the op's own shape; null (and a violation) if it does not fit its slice. */
    private static long[] range(LoweredPlan p, BufferLayout layout, LoweredOp lo, String role, String tensor, boolean read,
                                List<String> bad, String where) {
        if (ForwardProgram.isPinned(tensor)) {
            long off = layout.offset(tensor);
            return new long[] {off, off + 4}; // fields are checked as part of batch_meta; the table as a whole
        }
        if (!layout.has(tensor)) {
            bad.add(where + lo.op().name() + ": no slice for " + tensor);
            return null;
        }
        BufferLayout.Slice s = layout.slice(tensor);
        long need = bytesTouched(p, lo, role, tensor);
        if (need > s.bytes()) {
            bad.add(where + lo.op().name() + (read ? " reads " : " writes ") + need + " bytes of " + tensor + ", its slice holds " + s.bytes());
        }
        return new long[] {s.offset(), s.offset() + need};
    }

    /** Bytes an op touches: split-K partials [splits, capacity, n] fp32, GEMM operands from (n, k), else the tensor's rows x cols. */
    static long bytesTouched(LoweredPlan p, LoweredOp lo, String role, String tensor) {
        Op op = lo.op();
        TensorSpec t = p.tensor(tensor);
        if (t.role() == TensorSpec.Role.WORKSPACE) {
            int splits = op.kind() == OpKind.GEMM ? lo.splits() : lo.partialSplits();
            int rows = op.kind() == OpKind.GEMM ? p.key().capacity(op.rows()) : lo.partialRows();
            int n = op.kind() == OpKind.GEMM || op.kind() == OpKind.SPLITK_REDUCE ? op.n() : (int) p.program().tensor(producedFrom(tensor, p)).cols();
            return (long) splits * rows * n * 4;
        }
        if (op.kind() == OpKind.GEMM) {
            int rows = p.key().capacity(op.rows());
            return role.equals("a") ? 2L * rows * op.k() : t.bytes(rows);
        }
        return t.bytes(p.key().capacity(t.rows()));
    }

    /** The bf16 tensor a workspace stands in for (the GEMM's original output), for the consumer's width. */
    private static String producedFrom(String workspace, LoweredPlan p) {
        String gemm = workspace.substring("splitk.".length());
        for (Op o : p.program().ops()) if (o.kind() == OpKind.GEMM && Lowering.suffix(o.name()).equals(gemm)) return o.out("c");
        throw new IllegalStateException("no GEMM for workspace " + workspace);
    }

    private static void write(List<Stamp> memory, Map<String, Integer> version, String tensor, long start, long end) {
        int v = version.merge(tensor, 1, Integer::sum);
        List<Stamp> next = new ArrayList<>();
        for (Stamp s : memory) {
            if (s.end() <= start || s.start() >= end) {
                next.add(s);
                continue;
            }
            if (s.start() < start) next.add(new Stamp(s.start(), start, s.tensor(), s.version()));
            if (s.end() > end) next.add(new Stamp(end, s.end(), s.tensor(), s.version()));
        }
        next.add(new Stamp(start, end, tensor, v));
        memory.clear();
        memory.addAll(next);
    }

    private static void check(List<Stamp> memory, Map<String, Integer> version, String tensor, long[] r, String what, List<String> bad) {
        Integer v = version.get(tensor);
        if (v == null) {
            bad.add(what + " before anything wrote it");
            return;
        }
        long covered = 0;
        for (Stamp s : memory) {
            long lo = Math.max(s.start(), r[0]), hi = Math.min(s.end(), r[1]);
            if (lo >= hi) continue;
            if (!s.tensor().equals(tensor) || s.version() != v) {
                bad.add(what + ": bytes [" + lo + ", " + hi + ") were overwritten by " + s.tensor());
                return;
            }
            covered += hi - lo;
        }
        if (covered < r[1] - r[0]) bad.add(what + ": only " + covered + " of " + (r[1] - r[0]) + " bytes hold it");
    }
}
