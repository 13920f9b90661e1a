package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Owns one cudaMalloc allocation. Slices ({@link #at}) are plain device addresses into it: the
 * weights and the activations are each one allocation cut into named slices, so captured graphs
 * see stable addresses. {@code close()} frees once; use after close throws.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final String name;
    private final long bytes;
    private MemorySegment ptr;

    private DeviceBuffer(String name, MemorySegment ptr, long bytes) {
        this.name = name;
        this.ptr = ptr;
        this.bytes = bytes;
    }

    public static DeviceBuffer allocate(String name, long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException(name + ": size must be positive, got " + bytes);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaMalloc(out, bytes), "cudaMalloc(" + name + ", " + bytes + " bytes)");
            return new DeviceBuffer(name, out.get(ValueLayout.ADDRESS, 0), bytes);
        }
    }

    /** The device address at {@code offset} bytes; a raw pointer to hand to kernels. */
    public MemorySegment at(long offset) {
        MemorySegment p = address();
        if (offset < 0 || offset > bytes) throw new IndexOutOfBoundsException(name + ": offset " + offset + " outside " + bytes + " bytes");
        return MemorySegment.ofAddress(p.address() + offset);
    }

    public MemorySegment address() {
        if (ptr == null) throw new IllegalStateException("device buffer '" + name + "' is closed");
        return ptr;
    }

    public long bytes() {
        return bytes;
    }

    public String name() {
        return name;
    }

    public boolean isClosed() {
        return ptr == null;
    }

    public void copyFromHost(MemorySegment host, long dstOffset, long count) {
        Cuda.check(Cudart.cudaMemcpy(at(dstOffset), host, count, Cudart.cudaMemcpyHostToDevice()), "cudaMemcpy(H2D " + name + ")");
    }

    public void copyToHost(MemorySegment host, long srcOffset, long count) {
        Cuda.check(Cudart.cudaMemcpy(host, at(srcOffset), count, Cudart.cudaMemcpyDeviceToHost()), "cudaMemcpy(D2H " + name + ")");
    }

    public void fill(int byteValue) {
        Cuda.check(Cudart.cudaMemset(address(), byteValue, bytes), "cudaMemset(" + name + ")");
    }

    public void fillRange(long offset, long count, int byteValue) {
        if (offset < 0 || count < 0 || offset + count > bytes) throw new IndexOutOfBoundsException(name + ": range " + offset + "+" + count);
        Cuda.check(Cudart.cudaMemset(at(offset), byteValue, count), "cudaMemset(" + name + " range)");
    }

    @Override
    public void close() {
        if (ptr != null) {
            MemorySegment p = ptr;
            ptr = null;
            Cuda.check(Cudart.cudaFree(p), "cudaFree(" + name + ")");
        }
    }
}
