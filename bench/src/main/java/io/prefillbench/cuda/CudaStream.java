package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;
import io.prefillbench.bindings.cudart.cudaGraphEdgeData_st;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Owns a non-blocking CUDA stream; also begins and ends graph capture on it. Streams are ordered
 * against each other with events: {@code fork.record(main); side.waitEvent(fork); ...; join.record(side);
 * main.waitEvent(join)}. Captured from {@code main}, that becomes parallel branches of one graph.
 */
public final class CudaStream implements AutoCloseable {
    /** The device's stream priorities: lower numbers run first; {@code greatest <= least} (e.g. -5..0). */
    public record PriorityRange(int least, int greatest) {
    }

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

    /** A non-blocking stream of the given priority (clamped by CUDA into {@link #priorityRange()}). */
    public static CudaStream createWithPriority(int priority) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaStreamCreateWithPriority(out, Cudart.cudaStreamNonBlocking(), priority),
                    "cudaStreamCreateWithPriority(" + priority + ")");
            return new CudaStream(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** Stream priorities of the current device. */
    public static PriorityRange priorityRange() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment least = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment greatest = a.allocate(ValueLayout.JAVA_INT);
            Cuda.check(Cudart.cudaDeviceGetStreamPriorityRange(least, greatest), "cudaDeviceGetStreamPriorityRange");
            return new PriorityRange(least.get(ValueLayout.JAVA_INT, 0), greatest.get(ValueLayout.JAVA_INT, 0));
        }
    }

    public MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("stream is closed");
        return handle;
    }

    public int priority() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ValueLayout.JAVA_INT);
            Cuda.check(Cudart.cudaStreamGetPriority(handle(), p), "cudaStreamGetPriority");
            return p.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Work queued on this stream after this call waits for the work before {@code event}'s last record
     * (cudaStreamWaitEvent). During capture this adds graph edges and pulls this stream into the capture.
     */
    public void waitEvent(CudaEvent event) {
        Cuda.check(Cudart.cudaStreamWaitEvent(handle(), event.handle(), Cudart.cudaEventWaitDefault()), "cudaStreamWaitEvent");
    }

    /** Whether all work queued on this stream has finished (cudaStreamQuery; does not block; not while capturing). */
    public boolean isIdle() {
        int rc = Cudart.cudaStreamQuery(handle());
        if (rc == CudaEvent.ERROR_NOT_READY) return false;
        Cuda.check(rc, "cudaStreamQuery");
        return true;
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

    /**
     * Under capture: gives the edges from the stream's current dependencies (the nodes the next captured node will
     * depend on) the programmatic type, leaving from {@code fromPort} ({@code cudaGraphKernelNodePortProgrammatic} or
     * {@code cudaGraphKernelNodePortLaunchCompletion}), so the next kernel may launch before they complete; it must
     * wait in griddepcontrol.wait before reading what they wrote. Only when every dependency is a kernel node (CUDA
     * allows programmatic edges between kernels only); returns how many edges it changed (0: left as they were).
     */
    public int programmaticDependencies(int fromPort) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment deps = a.allocate(ValueLayout.ADDRESS);
            MemorySegment data = a.allocate(ValueLayout.ADDRESS);
            MemorySegment n = a.allocate(ValueLayout.JAVA_LONG);
            Cuda.check(Cudart.cudaStreamGetCaptureInfo(handle(), status, MemorySegment.NULL, MemorySegment.NULL, deps, data, n),
                    "cudaStreamGetCaptureInfo");
            if (status.get(ValueLayout.JAVA_INT, 0) != Cudart.cudaStreamCaptureStatusActive()) return 0;
            long count = n.get(ValueLayout.JAVA_LONG, 0);
            if (count == 0) return 0;
            MemorySegment driverNodes = deps.get(ValueLayout.ADDRESS, 0).reinterpret(count * ValueLayout.ADDRESS.byteSize());
            MemorySegment nodes = a.allocate(ValueLayout.ADDRESS, count);
            MemorySegment.copy(driverNodes, 0, nodes, 0, count * ValueLayout.ADDRESS.byteSize());
            MemorySegment type = a.allocate(ValueLayout.JAVA_INT);
            for (long i = 0; i < count; i++) {
                Cuda.check(Cudart.cudaGraphNodeGetType(nodes.getAtIndex(ValueLayout.ADDRESS, i), type), "cudaGraphNodeGetType");
                if (type.get(ValueLayout.JAVA_INT, 0) != Cudart.cudaGraphNodeTypeKernel()) return 0;
            }
            MemorySegment edges = a.allocate(cudaGraphEdgeData_st.layout(), count); // zeroed: to_port 0
            for (long i = 0; i < count; i++) {
                MemorySegment e = cudaGraphEdgeData_st.asSlice(edges, i);
                cudaGraphEdgeData_st.from_port(e, (byte) fromPort);
                cudaGraphEdgeData_st.type(e, (byte) Cudart.cudaGraphDependencyTypeProgrammatic());
            }
            Cuda.check(Cudart.cudaStreamUpdateCaptureDependencies(handle(), nodes, edges, count, Cudart.cudaStreamSetCaptureDependencies()),
                    "cudaStreamUpdateCaptureDependencies");
            return (int) count;
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
