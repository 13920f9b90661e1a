package io.prefillbench.forward;

/**
 * A logical tensor of the forward: {@code rows x cols} elements of {@code elementBytes}, rows
 * counted by {@link Count} (the capacity decides the bytes).
 *
 * @param role how the buffer layout treats it (see {@link Role})
 */
public record TensorSpec(String name, int elementBytes, Count rows, long cols, Role role, String shape) {
    /**
     * PINNED: never shares memory (batch metadata written by one host copy, the RoPE table);
     * ACTIVATION: may share memory with tensors it is never live with; OUTPUT: activation that stays
     * live after the forward (read by the host); WORKSPACE: fp32 split-K partials, created by
     * lowering; KV: the paged cache (its own allocation, not in the layout).
     */
    public enum Role { PINNED, ACTIVATION, OUTPUT, WORKSPACE, KV }

    /** Bytes for a capacity of {@code rowCapacity} rows. */
    public long bytes(long rowCapacity) {
        return rowCapacity * cols * elementBytes;
    }

    public static TensorSpec bf16(String name, Count rows, long cols, String shape) {
        return new TensorSpec(name, 2, rows, cols, Role.ACTIVATION, shape);
    }
}
