package io.prefillbench.forward;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One operation of the forward over named logical tensors: {@code reads} and {@code writes} bind
 * the roles of its {@link OpKind} to tensor names (a role may be unbound, e.g. the first layer's
 * norm has no {@code x}); {@code weights} binds weight roles to weight tensor names.
 *
 * @param name   unique within a program, e.g. {@code "L3.qkv"}
 * @param layer  decoder layer, or -1 outside the layers
 * @param n      GEMM: output columns (0 otherwise)
 * @param k      GEMM: reduction length (0 otherwise)
 * @param rows   what the op's rows count (tokens, sequences, ...)
 */
public record Op(String name, OpKind kind, int layer, Map<String, String> reads, Map<String, String> writes,
                 Map<String, String> weights, int n, int k, Count rows) {
    public Op {
        Objects.requireNonNull(name);
        for (String r : reads.keySet())
            if (!kind.readRoles().contains(r)) throw new IllegalArgumentException(name + ": " + kind + " has no read role " + r);
        for (String w : writes.keySet())
            if (!kind.writeRoles().contains(w)) throw new IllegalArgumentException(name + ": " + kind + " has no write role " + w);
        reads = inRoleOrder(reads, kind.readRoles());
        writes = inRoleOrder(writes, kind.writeRoles());
        weights = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(weights));
    }

    /** Deterministic order (the kind's role order), whatever map the caller built. */
    private static Map<String, String> inRoleOrder(Map<String, String> m, java.util.List<String> roles) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String r : roles) if (m.containsKey(r)) out.put(r, m.get(r));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The tensor bound to a read role, or null. */
    public String in(String role) {
        return reads.get(role);
    }

    /** The tensor bound to a write role, or null. */
    public String out(String role) {
        return writes.get(role);
    }

    public String weight(String role) {
        return weights.get(role);
    }

    /** A copy with one read role rebound (null removes it). */
    public Op withRead(String role, String tensor) {
        Map<String, String> r = new LinkedHashMap<>(reads);
        if (tensor == null) r.remove(role);
        else r.put(role, tensor);
        return new Op(name, kind, layer, r, writes, weights, n, k, rows);
    }

    /** A copy with one weight role bound. */
    public Op withWeight(String role, String weight) {
        Map<String, String> w = new LinkedHashMap<>(weights);
        w.put(role, weight);
        return new Op(name, kind, layer, reads, writes, w, n, k, rows);
    }

    /** A copy with one write role rebound. */
    public Op withWrite(String role, String tensor) {
        Map<String, String> w = new LinkedHashMap<>(writes);
        w.put(role, tensor);
        return new Op(name, kind, layer, reads, w, weights, n, k, rows);
    }
}
