package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Owns a non-blocking CUDA stream; also begins and ends graph capture on it. */
public final class CudaStream implements AutoCloseable {
    private MemorySegment handle;

    private CudaStream(MemorySegment handle) {
        this.handle = handle;
    }

    public static CudaStream create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaStreamCreateWithFlags(out, Cudart.cudaStreamNonBlocking()), "cudaStreamCreateWithFlags");
            return new CudaStream(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    public MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("stream is closed");
        return handle;
    }

    public void synchronize() {
        Cuda.check(Cudart.cudaStreamSynchronize(handle()), "cudaStreamSynchronize");
    }

    public void copyAsync(MemorySegment dst, MemorySegment src, long bytes, int kind, String what) {
        Cuda.check(Cudart.cudaMemcpyAsync(dst, src, bytes, kind, handle()), "cudaMemcpyAsync(" + what + ")");
    }

    public void memsetAsync(MemorySegment dst, int value, long bytes, String what) {
        Cuda.check(Cudart.cudaMemsetAsync(dst, value, bytes, handle()), "cudaMemsetAsync(" + what + ")");
    }

    /** Starts capturing this stream's work into a graph (thread-local mode: other threads may still use CUDA). */
    public void beginCapture() {
        Cuda.check(Cudart.cudaStreamBeginCapture(handle(), Cudart.cudaStreamCaptureModeThreadLocal()), "cudaStreamBeginCapture");
    }

    /** Ends capture and returns the captured graph. */
    public CudaGraph endCapture() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaStreamEndCapture(handle(), out), "cudaStreamEndCapture");
            return new CudaGraph(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    public boolean isCapturing() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(ValueLayout.JAVA_INT);
            Cuda.check(Cudart.cudaStreamIsCapturing(handle(), status), "cudaStreamIsCapturing");
            return status.get(ValueLayout.JAVA_INT, 0) != Cudart.cudaStreamCaptureStatusNone();
        }
    }

    @Override
    public void close() {
        if (handle != null) {
            MemorySegment h = handle;
            handle = null;
            Cuda.check(Cudart.cudaStreamDestroy(h), "cudaStreamDestroy");
        }
    }
}
