package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Owns page-locked host memory (cudaMallocHost), so async copies really are asynchronous. */
public final class PinnedBuffer implements AutoCloseable {
    private final String name;
    private MemorySegment seg;

    private PinnedBuffer(String name, MemorySegment seg) {
        this.name = name;
        this.seg = seg;
    }

    public static PinnedBuffer allocate(String name, long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaMallocHost(out, bytes), "cudaMallocHost(" + name + ", " + bytes + " bytes)");
            return new PinnedBuffer(name, out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes));
        }
    }

    /** The host memory; valid until close. */
    public MemorySegment segment() {
        if (seg == null) throw new IllegalStateException("pinned buffer '" + name + "' is closed");
        return seg;
    }

    /**
     * The address kernels use for this memory (cudaHostGetDevicePointer; with unified addressing the host address
     * itself): a kernel reads the forward's metadata and writes its first tokens through it, so a forward needs no copy.
     */
    public MemorySegment devicePointer() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaHostGetDevicePointer(out, segment(), 0), "cudaHostGetDevicePointer(" + name + ")");
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    @Override
    public void close() {
        if (seg != null) {
            MemorySegment s = seg;
            seg = null;
            Cuda.check(Cudart.cudaFreeHost(s), "cudaFreeHost(" + name + ")");
        }
    }
}
