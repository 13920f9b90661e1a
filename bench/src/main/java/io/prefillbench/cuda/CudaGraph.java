package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Owns a captured (not yet instantiated) CUDA graph. */
public final class CudaGraph implements AutoCloseable {
    private MemorySegment handle;

    CudaGraph(MemorySegment handle) {
        this.handle = handle;
    }

    public MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("graph is closed");
        return handle;
    }

    /** Number of nodes in the graph. */
    public long nodeCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(ValueLayout.JAVA_LONG);
            Cuda.check(Cudart.cudaGraphGetNodes(handle(), MemorySegment.NULL, n), "cudaGraphGetNodes");
            return n.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Number of kernel nodes in the graph. */
    public long kernelNodeCount() {
        long n = nodeCount();
        if (n == 0) return 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment nodes = a.allocate(ValueLayout.ADDRESS, n);
            MemorySegment count = a.allocate(ValueLayout.JAVA_LONG);
            count.set(ValueLayout.JAVA_LONG, 0, n);
            Cuda.check(Cudart.cudaGraphGetNodes(handle(), nodes, count), "cudaGraphGetNodes");
            MemorySegment type = a.allocate(ValueLayout.JAVA_INT);
            long kernels = 0;
            for (long i = 0; i < n; i++) {
                Cuda.check(Cudart.cudaGraphNodeGetType(nodes.getAtIndex(ValueLayout.ADDRESS, i), type), "cudaGraphNodeGetType");
                if (type.get(ValueLayout.JAVA_INT, 0) == Cudart.cudaGraphNodeTypeKernel()) kernels++;
            }
            return kernels;
        }
    }

    /** Instantiates an executable graph (and uploads it to the device so the first launch is not slower). */
    public GraphExec instantiate(CudaStream stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaGraphInstantiate(out, handle(), 0L), "cudaGraphInstantiate");
            GraphExec exec = new GraphExec(out.get(ValueLayout.ADDRESS, 0));
            Cuda.check(Cudart.cudaGraphUpload(exec.handle(), stream.handle()), "cudaGraphUpload");
            return exec;
        }
    }

    @Override
    public void close() {
        if (handle != null) {
            MemorySegment h = handle;
            handle = null;
            Cuda.check(Cudart.cudaGraphDestroy(h), "cudaGraphDestroy");
        }
    }
}
