package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Owns a CUDA event: a timing event ({@link #create}) or an untimed one for ordering streams
 * ({@link #createUntimed}: fork/join with {@link CudaStream#waitEvent}, cheaper to record and wait on).
 */
public final class CudaEvent implements AutoCloseable {
    /** cudaErrorNotReady: what cudaEventQuery and cudaStreamQuery answer while work is pending. */
    static final int ERROR_NOT_READY = 600;

    private MemorySegment handle;
    private final boolean timed;
    private final MemorySegment msOut = Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT);

    private CudaEvent(MemorySegment handle, boolean timed) {
        this.handle = handle;
        this.timed = timed;
    }

    /** An event that records timestamps ({@link #elapsedMillisSince}). */
    public static CudaEvent create() {
        return create(Cudart.cudaEventDefault(), true);
    }

    /** An event without timing (cudaEventDisableTiming), for fork/join between streams. */
    public static CudaEvent createUntimed() {
        return create(Cudart.cudaEventDisableTiming(), false);
    }

    private static CudaEvent create(int flags, boolean timed) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaEventCreateWithFlags(out, flags), "cudaEventCreateWithFlags(" + flags + ")");
            return new CudaEvent(out.get(ValueLayout.ADDRESS, 0), timed);
        }
    }

    public boolean isTimed() {
        return timed;
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

    /** Whether the work before the last {@link #record} has finished (cudaEventQuery; does not block). */
    public boolean isComplete() {
        int rc = Cudart.cudaEventQuery(handle());
        if (rc == ERROR_NOT_READY) return false;
        Cuda.check(rc, "cudaEventQuery");
        return true;
    }

    /** Milliseconds from {@code start} to this event (both recorded and complete). */
    public float elapsedMillisSince(CudaEvent start) {
        if (!timed || !start.timed) {
            throw new IllegalStateException("elapsed time needs two timing events: create them with CudaEvent.create(), not createUntimed()");
        }
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
