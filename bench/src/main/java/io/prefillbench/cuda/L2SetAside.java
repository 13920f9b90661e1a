package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The device's L2 set-aside for persisting accesses (cudaLimitPersistingL2CacheSize), held while an engine runs: lines a
 * launch's access-policy window marks persisting stay in that part of the L2 across kernels and forwards, where normal
 * and streaming lines cannot evict them. The limit is device-wide, so {@link #close()} puts every persisting line back
 * to normal (cudaCtxResetPersistingL2Cache) and restores the limit found at open. Idempotent close.
 */
public final class L2SetAside implements AutoCloseable {
    private final long previous;
    private final long bytes;
    private boolean closed;

    private L2SetAside(long previous, long bytes) {
        this.previous = previous;
        this.bytes = bytes;
    }

    /** The most the device sets aside (cudaDevAttrMaxPersistingL2CacheSize); 0 where it has no persisting L2 (before sm_80, MIG). */
    public static long deviceMax(int device) {
        return attr(Cudart.cudaDevAttrMaxPersistingL2CacheSize(), device);
    }

    /** The longest access-policy window a launch may carry (cudaDevAttrMaxAccessPolicyWindowSize). */
    public static long maxWindow(int device) {
        return attr(Cudart.cudaDevAttrMaxAccessPolicyWindowSize(), device);
    }

    /**
     * Sets aside min({@code requested}, the device's most) bytes on the current device; {@link #bytes} is what the
     * driver then reports (it may round).
     */
    public static L2SetAside open(long requested, int device) {
        if (requested <= 0) throw new IllegalArgumentException("an L2 set-aside of " + requested + " bytes");
        long max = deviceMax(device);
        if (max <= 0) {
            throw new BenchException("this GPU sets no L2 aside for persisting accesses (cudaDevAttrMaxPersistingL2CacheSize is 0: "
                    + "before sm_80, or a MIG instance): run without --l2-persist");
        }
        long previous = currentLimit();
        setLimit(Math.min(requested, max));
        return new L2SetAside(previous, currentLimit());
    }

    /** Bytes set aside, as the driver reports the limit. */
    public long bytes() {
        return bytes;
    }

    /**
     * Runs {@code body} with the set-aside given back (persisting lines reset, the limit 0), then sets it aside again: for
     * measurements of the device itself that the set-aside would distort (s41 call 1: with 37.5 MiB held, the H200's
     * device-to-device copy ran at 1.34 TB/s instead of ~4.2). Nothing of the engine may run meanwhile.
     */
    public <T> T suspended(java.util.function.Supplier<T> body) {
        if (closed) throw new IllegalStateException("the L2 set-aside is closed");
        giveBack(0);
        try {
            return body.get();
        } finally {
            setLimit(bytes);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        giveBack(previous);
    }

    /** Every persisting line back to normal (cudaCtxResetPersistingL2Cache), then the limit {@code limit}. */
    private static void giveBack(long limit) {
        Cuda.check(Cudart.cudaCtxResetPersistingL2Cache(), "cudaCtxResetPersistingL2Cache");
        setLimit(limit);
    }

    private static void setLimit(long limit) {
        Cuda.check(Cudart.cudaDeviceSetLimit(Cudart.cudaLimitPersistingL2CacheSize(), limit),
                "cudaDeviceSetLimit(cudaLimitPersistingL2CacheSize, " + limit + ")");
    }

    /** The device's persisting L2 limit now (cudaDeviceGetLimit): what {@link #close} restores. */
    public static long currentLimit() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_LONG);
            Cuda.check(Cudart.cudaDeviceGetLimit(v, Cudart.cudaLimitPersistingL2CacheSize()), "cudaDeviceGetLimit(cudaLimitPersistingL2CacheSize)");
            return v.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    private static long attr(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            Cuda.check(Cudart.cudaDeviceGetAttribute(v, attribute, device), "cudaDeviceGetAttribute(" + attribute + ", device " + device + ")");
            return Integer.toUnsignedLong(v.get(ValueLayout.JAVA_INT, 0));
        }
    }
}
