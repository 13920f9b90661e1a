package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Owns a CUDA event used for GPU-side timing. */
public final class CudaEvent implements AutoCloseable {
    private MemorySegment handle;
    private final MemorySegment msOut = Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT);

    private CudaEvent(MemorySegment handle) {
        this.handle = handle;
    }

    public static CudaEvent create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaEventCreateWithFlags(out, Cudart.cudaEventDefault()), "cudaEventCreateWithFlags");
            return new CudaEvent(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    public MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("event is closed");
        return handle;
    }

    public void record(CudaStream stream) {
        Cuda.check(Cudart.cudaEventRecord(handle(), stream.handle()), "cudaEventRecord");
    }

    public void synchronize() {
        Cuda.check(Cudart.cudaEventSynchronize(handle()), "cudaEventSynchronize");
    }

    /** Milliseconds from {@code start} to this event (both recorded and complete). */
    public float elapsedMillisSince(CudaEvent start) {
        Cuda.check(Cudart.cudaEventElapsedTime(msOut, start.handle(), handle()), "cudaEventElapsedTime");
        return msOut.get(ValueLayout.JAVA_FLOAT, 0);
    }

    @Override
    public void close() {
        if (handle != null) {
            MemorySegment h = handle;
            handle = null;
            Cuda.check(Cudart.cudaEventDestroy(h), "cudaEventDestroy");
        }
    }
}
